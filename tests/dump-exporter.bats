#!/usr/bin/env bats
# ipfix-dump on ipfix-recv's merged output names the exporter of every
# record (issue 12.5): three exporters (UDP, TCP, DTLS with a certificate)
# into one ipfix-recv on loopback; each record of ipfix-dump --json carries
# "exporter" with the right address, transport and identity (the DTLS
# one's certificate subject, read from the DER in the Export Session
# Details record), the records of each transport are exactly that
# exporter's input, --exporter ADDR|NAME selects one, --stats groups per
# exporter and the text dump says "exporter:" above each message's records.

load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-send ipfix-recv ipfix-dump
	need_cmd jq
	pki_use
	gen_stream "$tmp/u.ipfix" nDPI__wechat.pcap 1 1400
	gen_stream "$tmp/t.ipfix" nDPI__http_ipv6.pcap 2 1400
	gen_stream "$tmp/d.ipfix" nDPI__wechat.pcap 3 1000
	p=$((20000 + (RANDOM % 20000)))
	recv_lo 3 60 -o "$tmp/out.ipfix" "${ccert[@]}" "udp://127.0.0.1:$p" \
	    "tcp://127.0.0.1:$((p + 1))" "dtls://127.0.0.1:$((p + 2))"
	timeout 20 "$send" "udp://127.0.0.1:$p" "$tmp/u.ipfix"
	timeout 20 "$send" "tcp://127.0.0.1:$((p + 1))" "$tmp/t.ipfix"
	timeout 20 "$send" "${ecert[@]}" "dtls://127.0.0.1:$((p + 2))" \
	    "$tmp/d.ipfix"
	recv_lo_stop
	timeout 60 "$dump" --json "$tmp/out.ipfix" > "$tmp/out.json"
}

teardown() {
	e2e_teardown
}

# of TRANSPORT: the records ipfix-dump attributes to that transport.
of() {
	jq -c "select(.exporter.transport == \"$1\")" "$tmp/out.json"
}

@test "ipfix-dump --json: every record of ipfix-recv output names its exporter" {
	n=$(wc -l < "$tmp/out.json")
	echo "records: $n"
	[ "$n" -gt 100 ]
	[ "$(jq -c 'select(.exporter == null)' "$tmp/out.json" | wc -l)" -eq 0 ]
	[ "$(jq -r '.exporter.address' "$tmp/out.json" | sort -u)" = 127.0.0.1 ]
	# one exporter per transport, each on its ODID only
	for tr in udp:1 tcp:2 dtls:3; do
		[ "$(of "${tr%:*}" | jq -r .odid | sort -u)" = "${tr#*:}" ]
	done
	[ "$(jq -r .exporter.transport "$tmp/out.json" | sort -u | tr '\n' ' ')" = "dtls tcp udp " ]
	# the DTLS exporter by its certificate's subject, the others unnamed
	of dtls | jq -r .exporter.identity | sort -u | grep -qx 'subject=CN=exporter-1.test,O=ipfix-dtls test'
	[ "$(of udp | jq -c 'select(.exporter.identity != null)' | wc -l)" -eq 0 ]
	# the port is the one in the Message Details records of the session
	[ "$(of tcp | jq -r 'select(.exporterTransportPort != null) |
	    select(.exporterTransportPort != .exporter.port)' | wc -l)" -eq 0 ]
}

@test "ipfix-dump: the records attributed to each exporter are its input" {
	for x in udp:u tcp:t dtls:d; do
		of "${x%:*}" | $records canon > "$tmp/got.${x#*:}"
		canon "$tmp/${x#*:}.ipfix" > "$tmp/want.${x#*:}"
		[ -s "$tmp/want.${x#*:}" ]
		cmp "$tmp/want.${x#*:}" "$tmp/got.${x#*:}"
	done
}

@test "ipfix-dump --exporter selects one exporter by name or address" {
	"$dump" --json --exporter exporter-1.test "$tmp/out.ipfix" > "$tmp/sel"
	[ -s "$tmp/sel" ]
	[ "$(jq -r .exporter.transport "$tmp/sel" | sort -u)" = dtls ]
	cmp <(of dtls) "$tmp/sel"
	port=$(of tcp | jq -r .exporter.port | head -n 1)
	"$dump" --json --exporter "127.0.0.1:$port" "$tmp/out.ipfix" > "$tmp/sel"
	cmp <(of tcp) "$tmp/sel"
	"$dump" --json --exporter 127.0.0.1 "$tmp/out.ipfix" > "$tmp/sel"
	cmp "$tmp/out.json" "$tmp/sel"
	run "$dump" --json --exporter 192.0.2.1 "$tmp/out.ipfix"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ipfix-dump --stats groups the records per exporter" {
	"$dump" --stats --json "$tmp/out.ipfix" > "$tmp/stats"
	jq -c '.exporters[]' "$tmp/stats"
	[ "$(jq '.exporters | length' "$tmp/stats")" -eq 3 ]
	for tr in udp tcp dtls; do
		want=$(of "$tr" | wc -l)
		got=$(jq -r ".exporters[] | select(.exporter |
		    startswith(\"$tr \")) | .records" "$tmp/stats")
		[ "$got" -eq "$want" ]
	done
	"$dump" --stats "$tmp/out.ipfix" | grep -q '^  exporter dtls 127.0.0.1:[0-9]* subject=CN=exporter-1.test'
}

@test "ipfix-dump text: an exporter line above each message's records" {
	"$dump" "$tmp/out.ipfix" > "$tmp/text"
	grep -q '^  exporter: udp 127.0.0.1:[0-9]*$' "$tmp/text"
	grep -q '^  exporter: tcp 127.0.0.1:[0-9]*$' "$tmp/text"
	grep -q '^  exporter: dtls 127.0.0.1:[0-9]* subject=CN=exporter-1.test' "$tmp/text"
	# as many as there are messages
	[ "$(grep -c '^  exporter: ' "$tmp/text")" -eq "$(grep -c '^message ' "$tmp/text")" ]
}
