#!/usr/bin/env bats
# Interop with real peers (peer-tools.md): softflowd and pmacctd's nfprobe
# export IPFIX into ipfix-recv, whose output must decode to exactly the
# records they sent (captured on the exporter's side); ipfix-send exports
# into nfcapd (nfdump) and nfacctd (pmacct), which must count the same
# flows, packets and bytes as the input has.

load lib/netns
load lib/e2e
load lib/peers

setup() {
	e2e_setup
	e2e_pair
}

teardown() {
	e2e_teardown
}

# capture_start: everything sent to UDP 4739 on the exporter's side.
capture_start() {
	bg cap 120 "$nsa" tcpdump -Z root --immediate-mode -U -n -i "v$$a" -w "$tmp/sent.pcap" \
	    udp dst port 4739
	sleep 1
}

recv_start() {
	bg recv 120 "$nsb" "$recv" -o "$tmp/out.ipfix" udp://:4739
	netns_wait_listen "$nsb" udp 4739 10
}

# recv_check: stop capture and collector; the collector's records are
# exactly those captured, and there are some flow records.
recv_check() {
	netns_wait_udp_drained "$nsb" 4739 10
	sleep 0.5	# the collector and the capture see the last packets
	bg_stop cap INT || true
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ]
	read -r flows _ < <(timeout 60 "$dump" --json -q "$tmp/out.ipfix" |
	    $records sums)
	echo "flow records: $flows"
	[ "$flows" -gt 0 ]
	same_records "$tmp/sent.pcap" "$tmp/out.ipfix"
}

@test "e2e peers: softflowd exports IPFIX into ipfix-recv, records decoded" {
	need_cmd softflowd tcpdump
	need_tools ipfix-dump ipfix-recv
	recv_start
	capture_start
	softflowd_export "$nsa" "$data/pcap/nDPI__wechat.pcap" 10.99.0.2 4739 ||
	    { cat "$tmp/softflowd.log"; false; }
	recv_check
}

@test "e2e peers: pmacctd nfprobe exports IPFIX into ipfix-recv, records decoded" {
	need_cmd pmacctd tcpdump
	need_tools ipfix-dump ipfix-recv
	recv_start
	capture_start
	pmacctd_export "$nsa" "$data/pcap/nDPI__wechat.pcap" 10.99.0.2 4739 ||
	    true	# SIGINT at its end is how it stops
	recv_check
}

# flows_input: ipfix-gen flow records without options (see flowsonly.py)
flows_input() {
	gen_stream "$tmp/gen.ipfix" nDPI__wechat.pcap 0 1400
	ot=$(timeout 60 "$dump" --json=templates -q "$tmp/gen.ipfix" |
	    $py -c 'import json, sys
print(" ".join(str(o["template"]) for o in map(json.loads, sys.stdin)
    if o.get("type") == "options-template"))')
	# shellcheck disable=SC2086
	$py "$top/tests/lib/flowsonly.py" "$tmp/gen.ipfix" "$tmp/in.ipfix" $ot
	read -r wflows wpkts wbytes < <(timeout 60 "$dump" --json -q \
	    "$tmp/in.ipfix" | $records sums)
}

send_to() {	# send_to PORT: ipfix-send the input to 10.99.0.2:PORT
	run timeout 60 ip netns exec "$nsa" sh -c 'cat "$0" | "$1" "$2"' \
	    "$tmp/in.ipfix" "$send" "udp://10.99.0.2:$1"
	echo "ipfix-send: $status $output"
	[ "$status" -eq 0 ]
	netns_wait_udp_drained "$nsb" "$1" 10
	sleep 1
}

@test "e2e peers: ipfix-send into nfcapd: flows, packets, bytes match" {
	need_cmd nfcapd nfdump
	need_tools ipfix-gen ipfix-dump ipfix-send
	flows_input
	nfcapd_start "$nsb" 10.99.0.2 4739 "$tmp/nfc"
	netns_wait_listen "$nsb" udp 4739 10
	send_to 4739
	bg_stop nfcapd INT || true
	read -r flows pkts bytes < <(nfcapd_sums "$tmp/nfc")
	echo "input: $wflows flows $wpkts packets $wbytes bytes; nfcapd: $flows $pkts $bytes"
	[ "$wflows" -gt 0 ]
	[ "$flows" -eq "$wflows" ] && [ "$pkts" -eq "$wpkts" ] &&
	    [ "$bytes" -eq "$wbytes" ]
}

@test "e2e peers: ipfix-send into nfacctd: packets and bytes match" {
	need_cmd nfacctd
	need_tools ipfix-gen ipfix-dump ipfix-send
	flows_input
	nfacctd_start "$nsb" 10.99.0.2 4739 "$tmp/nfa"
	netns_wait_listen "$nsb" udp 4739 10
	sleep 1		# its plugin starts after the socket is bound
	send_to 4739
	bg_stop nfacctd INT || true
	pkts=$(nfacctd_sum "$tmp/nfa" PACKETS)
	bytes=$(nfacctd_sum "$tmp/nfa" BYTES)
	echo "input: $wpkts packets $wbytes bytes; nfacctd: $pkts $bytes"
	[ "$wpkts" -gt 0 ]
	[ "$pkts" -eq "$wpkts" ] && [ "$bytes" -eq "$wbytes" ]
}
