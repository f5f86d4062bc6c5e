#!/usr/bin/env bats
# ipfix-recv association (issue 10 item 5): the sessions of one exporter
# chained across `ipfix-send --rekey` hand-offs over DTLS and TLS, counted
# per exporter in --json, SIGUSR1 and --stats, and named in the output's
# Export Session Details records (fields 32473/1 session, 32473/2 the
# session it follows). Also the details records' addresses and ports
# against a session tuple fixed by the test (IPv4 and IPv6), a blind spot
# of review.md. The restart on the same source port (RFC 6347 §4.2.8) is
# in tests/unit/test_tls.c (test_same_port_assoc): no tool here can keep
# its source port across a restart. ipfix-recv --append: an output file
# continued by a new collector, its exporters' chains read back (session
# ids go on, the new session names the old one as its predecessor), a cut
# last message cut off and said, a file that is not its own raw stream
# refused and left alone, the options it cannot go with; the exact loss
# count across a collector killed and restarted is in liveness.bats.

bats_require_minimum_version 1.5.0

load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	input="$data/ipfix/NetGauze__srv6.udp-payloads.ipfix"
	pki_use
	port=$((20000 + (RANDOM % 20000)))
	rpid= tpid=
}

teardown() {
	recv_teardown
}

load lib/recv

# handoffs SCHEME: ipfix-send --rekey 0.1 over SCHEME, paced over about a
# second: every record arrives once, the sessions form one chain.
handoffs() {
	start_recv 1 --stats --json "${psk[@]}" -o "$tmp/out" \
	    "$1://127.0.0.1:$port"
	timeout 30 "$send" "${psk[@]}" --rate 100 --rekey 0.1 \
	    "$1://127.0.0.1:$port" "$input"
	stop_recv
	diff <(records "$input" | grep -v exportedFlowRecordTotalCount) \
	    <(records "$tmp/out" | grep -v exportedFlowRecordTotalCount)
	n=$(jstat '[.sessions[] | select(.messages > 0)] | length')
	echo "# $1: $n sessions with data" >&3
	[ "$n" -ge 4 ]
	[ "$(jstat '.exporters | length')" -eq 1 ]
	[ "$(jstat '.exporters[0].key')" = "psk=exp1 at 127.0.0.1 over $1" ]
	[ "$(jstat '.exporters[0].handoffs')" -eq $((n - 1)) ]
	[ "$(jstat '.exporters[0].restarts')" -eq 0 ]
	[ "$(jstat '.exporters[0].lost')" -eq 0 ]
	[ "$(jstat '.exporters[0].lost_between')" -eq 0 ]
	[ "$(jstat '.exporters[0].duplicated')" -eq 0 ]
	[ "$(jstat '.exporters[0].resumed')" -ge $((n - 1)) ]
	# each session's details record names the one before it
	"$dump" --json "$tmp/out" | jq -r 'select(.template == 65532) |
	    "\(.["32473/1"]) \(.["32473/2"])"' > "$tmp/chain"
	[ "$(wc -l < "$tmp/chain")" -eq "$n" ]
	awk 'NR == 1 && $2 != "00000000" { exit 1 }
	    NR > 1 && $2 != prev { exit 1 } { prev = $1 }' "$tmp/chain"
}

@test "assoc: ipfix-send --rekey hand-offs over DTLS are linked and counted" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	handoffs dtls
}

@test "assoc: ipfix-send --rekey hand-offs over TLS are linked and counted" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	handoffs tls
}

@test "assoc: SIGUSR1 and --stats show hand-offs per exporter" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	start_recv 1 --stats "${psk[@]}" -o /dev/null "dtls://127.0.0.1:$port"
	timeout 30 "$send" "${psk[@]}" --rate 100 --rekey 0.2 \
	    "dtls://127.0.0.1:$port" "$input"
	sleep 0.3
	kill -USR1 "$rpid"
	sleep 0.3
	grep -Eq '^exporter psk=exp1 at 127.0.0.1 over dtls: sessions [0-9]+ hand-offs [1-9][0-9]* restarts 0 resumed [1-9]' \
	    "$tmp/err"
	stop_recv
	[ "$(grep -c '^exporter psk=exp1' "$tmp/err")" -eq 2 ]
}

# details FILE TEMPLATE: "exporter-address port collector-address port
# protocol" of every details record of TEMPLATE, unique.
details() {
	"$dump" --json "$1" | jq -r --argjson t "$2" 'select(.template ==
	    $t) | [.exporterIPv4Address // .exporterIPv6Address,
	    .exporterTransportPort, .collectorIPv4Address //
	    .collectorIPv6Address, .collectorTransportPort,
	    .exportTransportProtocol] | map(tostring) | join(" ")' | sort -u
}

@test "assoc: session and message details name the session's tuple (IPv4 UDP, IPv6 TCP)" {
	sport=$((port + 1 + RANDOM % 1000))
	start_recv 2 -o "$tmp/out" "udp://127.0.0.1:$port" \
	    "tcp://[::1]:$port"
	python3 "$top/tests/lib/rawsend.py" --sport "$sport" udp 127.0.0.1 \
	    "$port" "$input"
	python3 "$top/tests/lib/rawsend.py" --sport "$sport" tcp ::1 \
	    "$port" "$input"
	stop_recv
	for t in 65532 65534; do
		run -0 details "$tmp/out" "$t"
		[ "$output" = "127.0.0.1 $sport 127.0.0.1 $port 17" ]
	done
	for t in 65533 65535; do
		run -0 details "$tmp/out" "$t"
		[ "$output" = "::1 $sport ::1 $port 6" ]
	done
	# session ids 1 and 2, from two exporters: neither follows another
	"$dump" --json "$tmp/out" | jq -r 'select(.template == 65532 or
	    .template == 65533) | .["32473/2"]' | sort -u > "$tmp/f"
	[ "$(cat "$tmp/f")" = 00000000 ]
}

# collect OPTION...: one ipfix-recv on dtls at $port writing $tmp/out
# (stderr in $tmp/err), the input sent once by a new ipfix-send.
collect() {
	start_recv 1 --stats --json "${psk[@]}" -o "$tmp/out" "$@" \
	    "dtls://127.0.0.1:$port"
	timeout 30 "$send" "${psk[@]}" "dtls://127.0.0.1:$port" "$input"
	stop_recv
}

# last_msg FILE: the offset of the last IPFIX message of a raw stream.
last_msg() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
o = last = 0
while o + 4 <= len(d):
    last = o
    o += int.from_bytes(d[o + 2:o + 4], "big")
print(last)' "$1"
}

@test "append: --append needs one raw --output FILE" {
	run -2 "$recv" --append udp://127.0.0.1:1
	[[ "$output" == *"--append needs --output FILE"* ]]
	run -2 "$recv" --append -o - udp://127.0.0.1:1
	[[ "$output" == *"--append needs --output FILE"* ]]
	for o in --gzip "--rotate 60"; do
		# shellcheck disable=SC2086
		run -2 "$recv" --append $o -o "$tmp/out" udp://127.0.0.1:1
		[[ "$output" == *"not with ${o% *}"* ]]
	done
	run -2 "$recv" --append --split "$tmp" udp://127.0.0.1:1
	[[ "$output" == *"--append needs --output FILE"* ]]
	[ ! -e "$tmp/out" ]
}

@test "append: a file that is not ipfix-recv's raw stream is refused and left alone" {
	echo "not IPFIX at all" > "$tmp/text"
	cp "$tmp/text" "$tmp/text.orig"
	run -1 "$recv" --append -o "$tmp/text" udp://127.0.0.1:$port
	echo "$output"
	[[ "$output" == "ipfix-recv: start: appending to $tmp/text: not an IPFIX stream: "*"offset 0"* ]]
	cmp "$tmp/text" "$tmp/text.orig"
	# IPFIX, but no Message Details names its records' sessions
	cp "$input" "$tmp/foreign"
	run -1 "$recv" --append -o "$tmp/foreign" udp://127.0.0.1:$port
	echo "$output"
	[[ "$output" == *"not written by ipfix-recv: records of no session"* ]]
	cmp "$input" "$tmp/foreign"
	# gzip'd: cannot be continued
	gzip -c "$input" > "$tmp/z"
	run -1 "$recv" --append -o "$tmp/z" udp://127.0.0.1:$port
	[[ "$output" == *"gzip"* ]]
}

@test "append: the file is continued and the exporter's chain goes on" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	# a file that does not exist yet is made
	collect --append
	size1=$(stat -c %s "$tmp/out")
	head -c "$size1" "$tmp/out" > "$tmp/first"
	# a new collector, a new exporter process (a new source port)
	collect --append
	grep -q "appending to $tmp/out: .* of 1 sessions (new ids from 2)" \
	    "$tmp/err"
	# what was there stays, byte for byte
	cmp -n "$size1" "$tmp/out" "$tmp/first"
	# every record of both runs, and the whole file decodes cleanly
	# (sequence numbers go on, no template clash)
	diff <( (records "$input"; records "$input") | sort) \
	    <(records "$tmp/out")
	run -0 "$dump" -q "$tmp/out"
	# session 2 follows session 1, read back from the file
	"$dump" --json "$tmp/out" | jq -r 'select(.template == 65532) |
	    "\(.["32473/1"]) \(.["32473/2"])"' > "$tmp/chain"
	[ "$(cat "$tmp/chain")" = "00000001 00000000
00000002 00000001" ]
	# one exporter: the same identity and address, its port aside
	[ "$(jstat '.exporters | length')" -eq 1 ]
	[ "$(jstat '.exporters[0].key')" = "psk=exp1 at 127.0.0.1 over dtls" ]
	[ "$(jstat '.exporters[0].sessions')" -eq 2 ]
	[ "$(jstat '.exporters[0].restarts')" -eq 1 ]
	[ "$(jstat '.sessions[0].session')" -eq 2 ]
	[ "$(jstat '.sessions[0].follows')" -eq 1 ]
}

@test "append: a cut last message is cut off, said with its offset" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	collect
	size=$(stat -c %s "$tmp/out")
	last=$(last_msg "$tmp/out")
	truncate -s $((size - 7)) "$tmp/out"
	collect --append
	cat "$tmp/err"
	dropped=$((size - 7 - last))
	[ "$(grep -c 'last message cut short' "$tmp/err")" -eq 1 ]
	grep -q "^ipfix-recv: $tmp/out: last message cut short at offset $last: $dropped bytes dropped before appending$" \
	    "$tmp/err"
	# the second run's records follow the first's whole messages
	run -0 "$dump" -q "$tmp/out"
	[ "$(records "$tmp/out" | wc -l)" -gt "$(records "$input" | wc -l)" ]
}
