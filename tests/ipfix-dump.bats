#!/usr/bin/env bats
# ipfix-dump: every option, input kind and error path. Inputs are the
# committed captures in tests/data/ipfix and small messages built here
# with xxd (hex below, annotated), so each rule has a minimal witness.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dump="$IPFIX_BIN/ipfix-dump"
	data="$top/tests/data/ipfix"
	raw="$data/NetGauze__srv6.udp-payloads.ipfix"	# 172 records
	pcap="$data/NetGauze__srv6.pcap"		# same, UDP port 9992
	two="$data/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/dump.XXXXXX")
}

teardown() {
	rm -rf "$tmp"
}

d() {	# run ipfix-dump, bounded in time
	timeout 60 "$dump" "$@"
}

hex() {	# hex() OUT HEX...: write the bytes
	out=$1
	shift
	echo "$*" | tr -d ' ' | xxd -r -p > "$out"
}

records() {	# number of JSON record objects on stdin
	grep -c '"type":"record"' || true
}

# Template 256: enterprise element 12345/7 (2 bytes), reverse
# octetDeltaCount (PEN 29305, id 1), sourceTransportPort twice; one record.
mk_fields() {
	hex "$tmp/fields.ipfix" \
	    000a 0042 5f5e1000 00000000 00000001 \
	    0002 0020 0100 0004 8007 0002 00003039 8001 0008 00007279 \
	    0007 0002 0007 0002 \
	    0100 0012 abcd 0000000000000064 0050 01bb
}

# Template 257 = one subTemplateList (292, varlen); 258 = one port. The
# record nests 257 in 257 in 257 around a 258 record (port 80): depth 3.
mk_lists() {
	hex "$tmp/lists.ipfix" \
	    000a 0036 5f5e1000 00000000 00000001 \
	    0002 0014 0101 0001 0124 ffff 0102 0001 0007 0002 \
	    0101 0012 0d 03 0101 09 03 0101 05 03 0102 0050
}

@test "ipfix-dump --help: usage on stdout, every option, exit 0" {
	run d --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: ipfix-dump "* ]]
	for o in --json --validate --stats --no-deflate --odid --template \
	    --count --port --max-depth --verbose --quiet --help --version; do
		[[ "$output" == *"$o"* ]]
	done
}

@test "ipfix-dump --help and the man page list the same options" {
	d --help | grep -o -- '--[a-z][a-z-]*' | sort -u > "$tmp/help"
	# mdoc writes --name as "Fl \-name"
	grep -o 'Fl \\-[a-z][a-z\\-]*' "$top/man/ipfix-dump.1" |
	    sed 's/Fl \\-/--/; s/\\-/-/g' | sort -u > "$tmp/man"
	[ "$(wc -l < "$tmp/help")" -ge 13 ]
	diff "$tmp/help" "$tmp/man"
	man -l "$top/man/ipfix-dump.1" 2> "$tmp/warn" | grep -q 'EXIT STATUS'
	[ ! -s "$tmp/warn" ]
}

@test "ipfix-dump --version: names the tool and the version, exit 0" {
	run d --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ipfix-dump\ \(ipfix-dtls\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "ipfix-dump: unknown option is one line on stderr and exit 2" {
	run --separate-stderr d --bogus "$raw"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "ipfix-dump: unknown option '--bogus'"* ]]
	run --separate-stderr d -x "$raw"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "ipfix-dump: unknown option '-x'"* ]]
}

@test "ipfix-dump: usage errors (missing or bad argument, conflicts) exit 2" {
	for args in "--count" "-n abc" "--count -1" "--odid x" \
	    "--template 70000" "--port 65536" "--max-depth 99" \
	    "--json=bogus" "--validate --stats"; do
		# shellcheck disable=SC2086
		run --separate-stderr d $args "$raw"
		[ "$status" -eq 2 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "ipfix-dump: "* ]]
	done
}

@test "ipfix-dump: text shows message headers, templates and records" {
	run d "$raw"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "message 1: odid=0 seq=36306 export=2022-09-09T08:06:07Z length=580" ]]
	[[ "$output" == *"  template 339: packetDeltaCount(2)[8] octetDeltaCount(1)[8]"* ]]
	[[ "$output" == *"  options-template 338: scope observationDomainId(149)[4] | systemInitTimeMilliseconds(160)[8]"* ]]
	[[ "$output" == *"  data 338: observationDomainId=0 systemInitTimeMilliseconds=2022-09-08T11:42:53.768Z"* ]]
	[ "$(grep -c '^  data ' <<< "$output")" -eq 172 ]
}

@test "ipfix-dump: '-' and no argument read stdin, same output as the file" {
	d "$raw" > "$tmp/file.txt"
	d - < "$raw" > "$tmp/dash.txt"
	d < "$raw" > "$tmp/none.txt"
	[ -s "$tmp/file.txt" ]
	cmp "$tmp/file.txt" "$tmp/dash.txt"
	cmp "$tmp/file.txt" "$tmp/none.txt"
}

@test "ipfix-dump: gzip'd input, from a file and from stdin" {
	gzip -c "$raw" > "$tmp/s.ipfix.gz"
	d "$raw" > "$tmp/plain.txt"
	d "$tmp/s.ipfix.gz" > "$tmp/gz.txt"
	cmp "$tmp/plain.txt" "$tmp/gz.txt"
	d - < "$tmp/s.ipfix.gz" | cmp - "$tmp/plain.txt"
}

@test "ipfix-dump: pcap input gives the records of the raw stream, with peers" {
	[ "$(d --json "$pcap" | records)" -eq 172 ]
	[ "$(d --json "$raw" | records)" -eq 172 ]
	d --json -n 1 "$pcap" | grep -q '"session":1,"peer":"udp \[2a02:a90:4007:700::54\]:56929 -> \[2a02:a90:4007::2:1\]:9992"'
	d "$pcap" | grep -q '^message 1: .* session=1 (udp \[2a02'
}

@test "ipfix-dump: pcapng input" {
	command -v editcap > /dev/null || skip "editcap not installed"
	timeout 60 editcap -F pcapng "$pcap" "$tmp/s.pcapng"
	[ "$(d --json "$tmp/s.pcapng" | records)" -eq 172 ]
}

@test "ipfix-dump: missing file: message naming it, exit 1" {
	run --separate-stderr d "$tmp/nonexistent"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "ipfix-dump: $tmp/nonexistent: No such file or directory" ]]
}

@test "ipfix-dump: input that is not IPFIX: reported, exit 1" {
	echo "hello, world" > "$tmp/text"
	run --separate-stderr d "$tmp/text"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "ipfix-dump: $tmp/text: "* ]]
	[ -z "$output" ]
}

@test "ipfix-dump: bzip2 input is refused with a hint (C111)" {
	bzip2 -c "$raw" > "$tmp/s.bz2"
	run --separate-stderr d "$tmp/s.bz2"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"bzip2"* ]]
}

@test "ipfix-dump: truncated file: earlier records printed, cut reported, exit 1" {
	head -c 1000 "$raw" > "$tmp/cut.ipfix"
	run --separate-stderr d "$tmp/cut.ipfix"
	[ "$status" -eq 1 ]
	[[ "$output" == *"  data 338: observationDomainId=0 "* ]]
	[[ "$output" != *"  data 334: "* ]]
	[[ "$stderr" == *"C03 at offset 868: final message cut"* ]]
}

@test "ipfix-dump: NetFlow v9 capture is decoded as IPFIX (times absolute, source id as ODID)" {
	run --separate-stderr d --json "$data/NetGauze__101-NFv9-CISCO-cust_primitives__traffic-00.pcap"
	[ "$status" -eq 0 ]
	[ "$(records <<< "$output")" -eq 51 ]
	[[ "${lines[0]}" == *'"odid":0,"export_time":"2023-02-28T09:46:55Z"'*'"octetDeltaCount":60,"packetDeltaCount":1,"flowEndMilliseconds":"2023-02-28T09:46:38.553Z","flowStartMilliseconds":"2023-02-28T09:46:38.553Z"'* ]]
	# Cisco's samplerId in 2 octets: decoded, warned once (C31)
	[[ "$stderr" == *"warning C31"*"samplerId"* ]]
	[ "$(grep -c . <<< "$stderr")" -eq 1 ]
	# a v9 capture without templates: every data set reported, source id 1
	run --separate-stderr d --stats --json "$data/nDPI__netflowv9.pcap"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"odid":1,'*'"records_no_template":23'* ]]
}

@test "ipfix-dump: NetFlow v5 capture is rejected naming the version" {
	# one Ethernet/IPv4/UDP frame to port 2055 holding a v5 header and
	# one 48-byte record
	timeout 30 /usr/bin/python3 - "$tmp/v5.pcap" <<-'EOF'
	import struct, sys
	v5 = struct.pack("!HHIIIIBBH", 5, 1, 1000, 1700000000, 0, 0, 0, 0, 0) + bytes(48)
	udp = struct.pack("!HHHH", 40000, 2055, 8 + len(v5), 0) + v5
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
	                 bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
	eth = bytes(12) + b"\x08\x00" + ip
	with open(sys.argv[1], "wb") as f:
	    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
	    f.write(struct.pack("<IIII", 1700000000, 0, len(eth), len(eth)) + eth)
	EOF
	run --separate-stderr d "$tmp/v5.pcap"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"NetFlow v5"* ]]
	[ -z "$output" ]
}

@test "ipfix-dump --json: one valid object per record with context" {
	d --json "$two" > "$tmp/out.json"
	[ "$(wc -l < "$tmp/out.json")" -eq 12 ]
	timeout 60 /usr/bin/python3 - "$tmp/out.json" <<-'EOF'
	import json, sys
	for line in open(sys.argv[1]):
	    o = json.loads(line)
	    assert o["type"] == "record", o
	    assert o["odid"] in (851968, 917504), o
	    assert o["template"] in (260, 263), o
	    assert o["export_time"].endswith("Z"), o
	    assert isinstance(o["octetDeltaCount"], int), o
	    assert o["flowEndMilliseconds"].startswith("2023-02-28T"), o
	EOF
}

@test "ipfix-dump --json=all: message and template objects too" {
	d --json=all "$raw" > "$tmp/all.json"
	grep -q '^{"type":"message","message":1,"odid":0,' "$tmp/all.json"
	grep -q '^{"type":"template",.*"template":339,"fields":\[{"name":"packetDeltaCount","id":2,"length":8,"type":"unsigned64"}' "$tmp/all.json"
	grep -q '^{"type":"options-template",.*"template":338,' "$tmp/all.json"
	[ "$(records < "$tmp/all.json")" -eq 172 ]
	d --json=messages,templates "$raw" | cmp - "$tmp/all.json"
	[ "$(d --json=templates "$raw" | grep -c '"type":"message"')" -eq 0 ]
}

@test "ipfix-dump --odid: only that observation domain" {
	run d --json --odid 851968 "$two"
	[ "$status" -eq 0 ]
	n=$(grep -c '"odid":851968' <<< "$output")
	[ "$n" -gt 0 ]
	[ "$n" -eq "${#lines[@]}" ]
	[ "$n" -lt 12 ]
	[ "$(d --odid 851968 "$two" | grep '^message' | grep -vc 'odid=851968')" -eq 0 ]
}

@test "ipfix-dump --template: only that template's definition and records" {
	d --template 263 "$two" > "$tmp/t.txt"
	grep -q '^  template 263:' "$tmp/t.txt"
	! grep -q '^  template 260:' "$tmp/t.txt"
	! grep -q '^  data 260' "$tmp/t.txt"
	[ "$(grep -c '^  data 263' "$tmp/t.txt")" -gt 0 ]
	# Headers only above what is shown, numbered as in the input.
	run d -n 1 --template 338 "$raw"
	[[ "${lines[0]}" == "message 3: "* ]]
	[[ "${lines[1]}" == "  options-template 338: "* ]]
	[[ "${lines[2]}" == "message 4: "* ]]
	[[ "${lines[3]}" == "  data 338: "* ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "ipfix-dump -n/--count: stops after N records" {
	[ "$(d --json -n 3 "$raw" | records)" -eq 3 ]
	[ "$(d --json --count 1 "$raw" "$raw" | records)" -eq 1 ]
	[ "$(d --count 5 "$raw" | grep -c '^  data ')" -eq 5 ]
}

@test "ipfix-dump --port: captures filtered by UDP port" {
	[ "$(d --json --port 9992 "$pcap" | records)" -eq 172 ]
	[ "$(d --json --port 4739 "$pcap" 2> /dev/null | records)" -eq 0 ]
}

@test "ipfix-dump -q: no warnings on stderr; without it they are shown" {
	f="$data/NetGauze__104-IPFIXv10-IPv6-CISCO-sampling_option__traffic-00.pcap"
	run --separate-stderr d "$f"
	[[ "$stderr" == *"C09"* ]]
	run --separate-stderr d -q "$f"
	[ -z "$stderr" ]
	[ -n "$output" ]
}

@test "ipfix-dump: repeated warnings are summarised, -v shows them all" {
	for i in 1 2 3 4 5 6 7 8; do cat "$raw"; done > "$tmp/rep.ipfix"
	run --separate-stderr d "$tmp/rep.ipfix"
	[ "$(grep -c 'warning C10 at offset' <<< "$stderr")" -eq 5 ]
	[[ "$stderr" == *"2 more C10 problems not shown"* ]]
	run --separate-stderr d -v "$tmp/rep.ipfix"
	[ "$(grep -c 'warning C10 at offset' <<< "$stderr")" -eq 7 ]
	[[ "$stderr" != *"not shown"* ]]
}

@test "ipfix-dump -v: byte offsets on messages and records" {
	d -v "$raw" | grep -q '^message 1: .* offset=0$'
	d -v "$raw" 2> /dev/null | grep -q '^  data 340 @600: '
	d -v --json "$raw" 2> /dev/null |
	    grep -q '"offset":600,.*"field_offsets":\[600,608,616,632,'

}

@test "ipfix-dump: repeated IEs in template order (C26), unique JSON keys" {
	mk_fields
	run d "$tmp/fields.ipfix"
	[ "$status" -eq 0 ]
	[[ "$output" == *"  data 256: 12345/7=0xabcd reverseOctetDeltaCount=100 sourceTransportPort=80 sourceTransportPort=443"* ]]
	run d --json "$tmp/fields.ipfix"
	[[ "$output" == *'"12345/7":"abcd","reverseOctetDeltaCount":100,"sourceTransportPort":80,"sourceTransportPort#2":443}'* ]]
}

@test "ipfix-dump: unknown IE labelled PEN/ID in templates (C39)" {
	mk_fields
	d "$tmp/fields.ipfix" | grep -q '^  template 256: 12345/7\[2\] reverseOctetDeltaCount(29305/1)\[8\]'
}

@test "ipfix-dump: invalid UTF-8 is escaped as \\xNN (C34)" {
	f="$top/tests/data/malformed/utf8-invalid.ipfix"
	d "$f" | grep -qF 'interfaceName="\xc3("'
	d --json "$f" | grep -qF '"interfaceName":"\\xc3("'
	d "$f" | grep -qF 'interfaceName="eth0"'
}

@test "ipfix-dump: invalid boolean shown as such (C33)" {
	f="$top/tests/data/malformed/boolean-3.ipfix"
	d "$f" | grep -qF 'dot1qDEI=<invalid 0x03>'
	d "$f" | grep -qF 'dot1qDEI=true'
	d --json "$f" | grep -qF '"dot1qDEI":{"invalid":"03"}'
}

@test "ipfix-dump: nested subTemplateLists, with a depth bound (C38)" {
	mk_lists
	run d "$tmp/lists.ipfix"
	[ "$status" -eq 0 ]
	[[ "$output" == *"  data 257: subTemplateList=[allOf 257: {subTemplateList=[allOf 257: {subTemplateList=[allOf 258: {sourceTransportPort=80}]}]}]"* ]]
	run d --max-depth 2 "$tmp/lists.ipfix"
	[[ "$output" == *"{subTemplateList=[depth limit: 0x03010200"* ]]
	run d --json "$tmp/lists.ipfix"
	[[ "$output" == *'"subTemplateList":{"semantic":"allOf","template":257,"records":[{"subTemplateList":{"semantic":"allOf","template":257,"records":[{"subTemplateList":{"semantic":"allOf","template":258,"records":[{"sourceTransportPort":80}]}}]}}]}'* ]]
	run d --validate --max-depth 2 "$tmp/lists.ipfix"
	[ "$status" -eq 1 ]
	[[ "$output" == *"warning C38"*"nested deeper than 2"* ]]
}

@test "ipfix-dump --stats: counts, templates, domains, DEFLATE ratio" {
	run d --stats "$raw"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "stats $raw:" ]]
	[ "${lines[1]}" = "  messages=170 bytes=28936 records=172" ]
	[[ "$output" == *"deflate_ratio=0."* ]]
	[[ "$output" == *"  template session=0 odid=0 template=340 records="* ]]
	[[ "$output" == *"  domain session=0 odid=0 messages=170 records=172 "* ]]
	run d --stats --no-deflate "$raw"
	[[ "$output" != *deflate* ]]
}

@test "ipfix-dump --stats --json: one stats object per input" {
	d --stats --json "$raw" "$pcap" > "$tmp/st.json"
	[ "$(wc -l < "$tmp/st.json")" -eq 2 ]
	timeout 60 /usr/bin/python3 - "$tmp/st.json" <<-'EOF'
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	assert all(r["type"] == "stats" and r["records"] == 172 for r in rows)
	assert 0 < rows[0]["deflate_ratio"] < 1, rows[0]
	assert rows[1]["domains"][0]["session"] == 1, rows[1]
	assert sum(t["records"] for t in rows[0]["templates"]) == 172
	EOF
}

@test "ipfix-dump --validate: clean input passes, exit 0" {
	run d --validate "$raw"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "0 problems found" ]
	# Template re-sends are notes (C48), listed but not counted.
	[ "$(grep -vc ': note C48 at offset ' <<< "$output")" -eq 1 ]
	run d --validate "$pcap"
	[ "$status" -eq 0 ]
	[ "$output" = "0 problems found" ]
}

@test "ipfix-dump --validate: a violation gives offset, item, reason, exit 1" {
	run d --validate "$top/tests/data/malformed/set-overrun.ipfix"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" =~ set-overrun.ipfix:\ malformed\ C15\ at\ offset\ [0-9]+\ \(session\ 0,\ odid\ 1\):\ . ]]
	[ "${lines[1]}" = "1 problem found" ]
	run d --validate --json "$top/tests/data/malformed/set-overrun.ipfix"
	[[ "$output" == '{"type":"problem","severity":"malformed",'*'"check":"C15","offset":'* ]]
}

@test "ipfix-dump: a discarded message makes the exit status 1" {
	run d "$top/tests/data/malformed/set-overrun.ipfix"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^  data ' <<< "$output")" -eq 5 ]
}

@test "ipfix-dump: several files in one run" {
	[ "$(d --json "$raw" "$two" | records)" -eq 184 ]
}

@test "ipfix-dump: write error on stdout is reported, exit 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr sh -c "timeout 60 '$dump' '$raw' > /dev/full"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "ipfix-dump: "*"No space left on device"* ]]
}

@test "ipfix-dump: no progress line when stderr is not a terminal" {
	run --separate-stderr d "$raw"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "ipfix-dump: progress on stderr when it is a terminal" {
	command -v script > /dev/null || skip "script(1) not installed"
	for i in $(seq 1 300); do cat "$raw"; done > "$tmp/big.ipfix"
	timeout 60 script -qec "'$dump' --stats '$tmp/big.ipfix' > /dev/null" \
	    /dev/null > "$tmp/tty.out" || true
	grep -q 'ipfix-dump: .*big.ipfix: [0-9]*%' "$tmp/tty.out"
}
