#!/usr/bin/env bats
# NetFlow v9 (RFC 3954) into ipfix-recv over UDP, IPFIX out: a real Cisco
# v9 export (tests/data/ipfix/NetGauze__101..., 40 packets, 51 records,
# replayed by tests/lib/pcapsend.py) must come out as version 10 messages
# whose records are those ipfix-dump finds in the capture, and which
# tshark and libfixbuf's ipfixDump read with the same count and octets
# (4500) as tshark finds in the v9 capture itself.

bats_require_minimum_version 1.5.0

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-dump ipfix-recv
	v9="$data/ipfix/NetGauze__101-NFv9-CISCO-cust_primitives__traffic-00.pcap"
}

teardown() {
	e2e_teardown
}

# v9_in [ipfix-recv options]: replay the capture into ipfix-recv.
v9_in() {
	e2e_pair
	bg recv 60 "$nsb" "$recv" --stats --json "$@" -o "$tmp/out.ipfix" \
	    udp://:9991
	netns_wait_listen "$nsb" udp 9991 10
	run nsx "$nsa" timeout 30 $py "$top/tests/lib/pcapsend.py" "$v9" \
	    10.99.0.2 9991
	[ "$output" = 40 ]
	netns_wait_udp_drained "$nsb" 9991 10
	sleep 0.3
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ]
}

@test "nfv9: v9 over UDP into ipfix-recv, IPFIX out with the capture's records" {
	v9_in
	[ "$($py "$top/tests/lib/stats.py" records < "$tmp/recv.err")" -eq 51 ]
	[ "$($py "$top/tests/lib/stats.py" malformed < "$tmp/recv.err")" -eq 0 ]
	# version 10 on disk; the records are those of the capture itself
	[ "$(head -c 2 "$tmp/out.ipfix" | xxd -p)" = 000a ]
	same_records "$v9" "$tmp/out.ipfix"
	# source id as ODID, absolute times, the exporter's session named
	# with the protocol it spoke (exportProtocolVersion 9)
	timeout 60 "$dump" --json -q "$tmp/out.ipfix" > "$tmp/all.json"
	first=$(grep -m 1 '"template":313' "$tmp/all.json")
	[[ "$first" == *'"odid":0,'*'"flowStartMilliseconds":"2023-02-28T09:46:38.553Z"'* ]]
	grep -q '"exporterIPv4Address":"10.99.0.1".*"exportProtocolVersion":9,' "$tmp/all.json"
}

@test "nfv9: ipfix-recv's IPFIX from v9 is read by tshark and ipfixDump alike" {
	need_cmd tshark ipfixDump
	v9_in
	# tshark on the v9 capture: 51 records, 4500 octets
	read -r n s < <(timeout 120 tshark -r "$v9" -d udp.port==9991,cflow \
	    -T fields -e cflow.octets -E occurrence=a 2> /dev/null |
	    tr ',' '\n' | awk 'NF { n++; s += $1 } END { print n, s }')
	echo "tshark on the v9 capture: $n records, $s octets"
	[ "$n" -eq 51 ] && [ "$s" -eq 4500 ]
	# tshark on our output: the same, every message version 10
	timeout 120 tshark -r "$tmp/out.ipfix" -T fields -e cflow.version \
	    -e cflow.octets -E occurrence=a > "$tmp/ts.txt" 2> /dev/null
	read -r n s < <(cut -f 2 "$tmp/ts.txt" | tr ',' '\n' |
	    awk 'NF { n++; s += $1 } END { print n, s }')
	echo "tshark on ipfix-recv's output: $n records, $s octets"
	[ "$n" -eq 51 ] && [ "$s" -eq 4500 ]
	[ "$(cut -f 1 "$tmp/ts.txt" | sort -u)" = 10 ]
	# ipfixDump (libfixbuf)
	timeout 120 ipfixDump -i "$tmp/out.ipfix" -o "$tmp/fb.txt" 2> /dev/null
	read -r n s < <(awk '/octetDeltaCount : / { n++; s += $NF }
	    END { print n, s }' "$tmp/fb.txt")
	echo "ipfixDump: $n records, $s octets"
	[ "$n" -eq 51 ] && [ "$s" -eq 4500 ]
}

@test "nfv9: ipfix-dump reads a raw v9 file (packets back to back) and stdin like the capture" {
	run $py "$top/tests/lib/pcapsend.py" --cat "$tmp/v9.raw" "$v9"
	[ "$output" = 40 ]
	same_records "$v9" "$tmp/v9.raw"
	timeout 60 "$dump" --json -q - < "$tmp/v9.raw" > "$tmp/stdin.json"
	[ "$(grep -c '"template":313' "$tmp/stdin.json")" -eq 51 ]
	# bytes inserted mid-file: that packet is lost and reported, the
	# rest is read
	head -c 3000 "$tmp/v9.raw" > "$tmp/bad.raw"
	printf 'garbage!' >> "$tmp/bad.raw"
	tail -c +3001 "$tmp/v9.raw" >> "$tmp/bad.raw"
	run --separate-stderr timeout 60 "$dump" --json "$tmp/bad.raw"
	[ "$status" -eq 1 ]
	[ "$(grep -c '"template":313' <<< "$output")" -eq 49 ]
	[[ "$stderr" == *"NetFlow v9 FlowSet lengths do not frame a packet at offset 2908: skipped 292 bytes"* ]]
}
