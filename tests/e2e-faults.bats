#!/usr/bin/env bats
# Faults between ipfix-send and ipfix-recv, in network namespaces:
# - UDP loss injected on the collector's side by an nftables `numgen
#   random` drop rule (netem is missing here): every dropped datagram is
#   also logged to NFLOG and captured, and the records it carried are
#   counted from a capture on the exporter's side; ipfix-recv's reported
#   loss (sequence numbers, RFC 7011 §10.3.2) must equal those records.
# - The collector killed and restarted under a running TCP or SCTP
#   exporter: the exporter reconnects with backoff, sends its templates
#   again, and what the first collector accepted is all in its output.

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	e2e_pair
	gen_stream "$tmp/a.ipfix" nDPI__wechat.pcap 0 400
	gen_stream "$tmp/b.ipfix" nDPI__KakaoTalk_talk.pcap 7 300
	cat "$tmp/a.ipfix" "$tmp/b.ipfix" > "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

# The first message of each ODID (sequence number 0) is spared, since a
# collector cannot see its loss; 8% of the others are dropped.
drop_rule() {
	nsx "$nsb" nft -f - <<'NFT'
table inet e2e {
	counter dropped { }
	chain pre { type filter hook prerouting priority 0;
		udp dport 4739 @ih,64,32 != 0 numgen random mod 100 < 8 counter name dropped log group 5 drop; }
}
NFT
}

# loss_run RATE [SEND-OPTION...]: the loss test below, ipfix-send at RATE
# messages per second with the options.
loss_run() {
	rate=$1
	shift
	need_cmd tcpdump nft
	drop_rule || skip "nftables unusable here"
	bg capa 60 "$nsa" tcpdump -Z root --immediate-mode -U -n -i "v$$a" -w "$tmp/sent.pcap" udp dst port 4739
	bg capb 60 "$nsb" tcpdump -Z root --immediate-mode -U -n -i nflog:5 -w "$tmp/dropped.pcap"
	bg recv 60 "$nsb" "$recv" --stats --json -o "$tmp/out.ipfix" udp://:4739
	netns_wait_listen "$nsb" udp 4739 10
	sleep 1		# tcpdump needs a moment before it captures
	# Paced, so the collector's socket buffer never overflows: the only
	# loss is the rule's.
	run timeout 60 ip netns exec "$nsa" sh -c 'f=$0 s=$1; shift
	    cat "$f" | "$s" --stats --export-time now "$@"' \
	    "$tmp/in.ipfix" "$send" --rate "$rate" "$@" udp://10.99.0.2:4739
	echo "send: $status $output"
	[ "$status" -eq 0 ]
	netns_wait_udp_drained "$nsb" 4739 10
	sleep 1
	bg_stop capa INT || true
	bg_stop capb INT || true
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ]
	timeout 60 "$dump" --json=all -q "$tmp/sent.pcap" > "$tmp/sent.json"
	$py "$top/tests/lib/nflog.py" "$tmp/dropped.pcap" > "$tmp/dropped.txt"
	read -r total visible < <($py "$top/tests/lib/loss.py" \
	    "$tmp/sent.json" "$tmp/dropped.txt")
	ndrop=$(nsx "$nsb" nft list counter inet e2e dropped |
	    awk '/packets/ { print $2 }')
	sent=$(grep -c '"type":"record"' "$tmp/sent.json")
	lost=$($py "$top/tests/lib/stats.py" lost < "$tmp/recv.err")
	echo "sent $sent records; dropped $ndrop datagrams ($(wc -l < "$tmp/dropped.txt") logged) = $total records, $visible detectable; ipfix-recv reports $lost lost"
	[ "$ndrop" -gt 0 ]
	# The exporter's sequence numbers are right (no gap in what it sent)
	timeout 60 "$dump" --stats "$tmp/sent.pcap" 2> /dev/null | grep domain
	! timeout 60 "$dump" --stats "$tmp/sent.pcap" 2> /dev/null |
	    grep domain | grep -v ' lost=0 '
	[ "$(wc -l < "$tmp/dropped.txt")" -eq "$ndrop" ]
	[ "$lost" -eq "$visible" ]
	[ "$(nrec "$tmp/out.ipfix")" -le $((sent - total)) ]
}

@test "e2e loss: UDP drops by nftables numgen; reported loss = records dropped" {
	loss_run 2000
}

@test "e2e loss: drops during hand-offs (--rekey 0.05); reported loss = records dropped" {
	loss_run 200 --rekey 0.05
	# hand-offs did happen (their sessions told apart by source port)
	n=$(sed -n 's/.* \([0-9]*\) hand-offs.*/\1/p' <<< "$output")
	echo "hand-offs: $n"
	[ "${n:-0}" -ge 3 ]
}

# restart PROTO PORT LISTEN-URL SEND-URL [OPTION...]
restart() {
	proto=$1 port=$2 lurl=$3 surl=$4
	shift 4
	bg recv1 60 "$nsb" "$recv" --stats --json "$@" -o "$tmp/out1.ipfix" "$lurl"
	netns_wait_listen "$nsb" "$proto" "$port" 10
	# ~150 messages at 40 per second: about 4 s of export.
	bg send 90 "$nsa" sh -c 'f=$0 s=$1; shift
	    cat "$f" | "$s" --stats --rate 40 --retry-min 1 --retry-max 2 "$@"' \
	    "$tmp/in.ipfix" "$send" "$@" "$surl"
	sleep 1.5
	rc=0
	bg_stop recv1 TERM || rc=$?
	[ "$rc" -eq 0 ] || { show_logs recv1; return 1; }
	sleep 1.5	# the exporter notices and backs off
	bg_alive send || { show_logs send; echo "ipfix-send exited"; return 1; }
	bg recv2 60 "$nsb" "$recv" "$@" -o "$tmp/out2.ipfix" "$lurl"
	rc=0
	bg_wait send 60 || rc=$?
	sleep 0.5
	bg_stop recv2 INT || true
	show_logs send recv1 recv2
	[ "$rc" -eq 0 ] || { echo "ipfix-send: status $rc"; return 1; }
	n1=$(nrec "$tmp/out1.ipfix") n2=$(nrec "$tmp/out2.ipfix")
	nin=$(nrec "$tmp/in.ipfix")
	echo "records: $nin sent, $n1 before the restart, $n2 after"
	[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]
	# Templates were sent again: the second file decodes on its own, and
	# every flow record of both files is one of the input's (ipfix-send
	# adds its own statistics records, C59: not compared).
	timeout 60 "$dump" -q --validate "$tmp/out2.ipfix"
	canon "$tmp/in.ipfix" | grep packetDeltaCount > "$tmp/c.in"
	canon "$tmp/out1.ipfix" "$tmp/out2.ipfix" | grep packetDeltaCount \
	    > "$tmp/c.out"
	extra=$(comm -13 "$tmp/c.in" "$tmp/c.out" | wc -l)
	missing=$(comm -23 "$tmp/c.in" "$tmp/c.out" | wc -l)
	notsent=$(sed -n 's/.*not sent: [0-9]* messages, \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	echo "flow records: $extra not in the input, $missing missing, ipfix-send reports ${notsent:-?} not sent"
	[ "$extra" -eq 0 ]
	# Nothing the first collector accepted is missing from its file, and
	# what is missing was reported by ipfix-send (never silently lost).
	reported=$($py "$top/tests/lib/stats.py" records < "$tmp/recv1.err")
	echo "first collector reported $reported records, its file has $n1"
	[ "$reported" -eq "$n1" ]
	[ "$missing" -le "${notsent:-0}" ]
}

@test "e2e restart: TCP exporter reconnects, resends templates, nothing accepted is lost" {
	restart tcp 4739 tcp://:4739 tcp://10.99.0.2:4739
}

@test "e2e restart: SCTP (usrsctp) exporter reconnects, resends templates" {
	need_encap_stop
	restart udp 9899 sctp://:4739 sctp://10.99.0.2:4739 --sctp-udp-encap
}
