#!/usr/bin/env bats
# Several exporters into one ipfix-recv, all with the same Observation
# Domain ID and the same template IDs (every ipfix-gen output starts at
# template 256 in ODID 0): the output must keep them apart (RFC 5655
# session details, template IDs remapped), decode to exactly each
# exporter's records, be readable by tshark, and --split must write one
# byte-exact file per Transport Session. UDP exporters here use
# --export-time now: these tests are about keeping sessions apart, and
# UDP template lifetime against replayed export times is the round trip
# tests' business (e2e-roundtrip.bats).

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	e2e_pair
	gen_stream "$tmp/x1.ipfix" nDPI__wechat.pcap 0 1400
	gen_stream "$tmp/x2.ipfix" nDPI__iphone.pcap 0 1400
	gen_stream "$tmp/x3.ipfix" nDPI__KakaoTalk_talk.pcap 0 1400
	gen_stream "$tmp/x4.ipfix" nDPI__http_ipv6.pcap 0 1400
}

teardown() {
	e2e_teardown
}

# wait_senders N: wait (bounded by their own timeout) for send1..N; fail
# when one did not exit 0.
wait_senders() {
	bad=0
	for j in $(seq 1 "$1"); do
		p=$(cat "$tmp/send$j.pid")
		rc=0
		wait "$p" || rc=$?
		rm -f "$tmp/send$j.pid"
		[ "$rc" -eq 0 ] || { echo "send$j: status $rc"; show_logs "send$j"; bad=1; }
	done
	return $bad
}

start_senders() {	# start_senders URL FILE...
	url=$1
	shift
	n=0
	for f in "$@"; do
		n=$((n + 1))
		bg "send$n" 60 "$nsa" sh -c \
		    'cat "$0" | "$1" --export-time now "$2"' "$f" "$send" "$url"
	done
}

# per_session FILE...: the expected "COUNT SHA" lines, one per input.
per_session() {
	for f in "$@"; do
		timeout 60 "$dump" --json -q "$f" | $records sessions
	done | sort
}

stop_recv() {
	sleep 0.5
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ]
}

@test "e2e multi: 4 UDP exporters, same ODID and template IDs, decoded per exporter" {
	bg recv 90 "$nsb" "$recv" -o "$tmp/out.ipfix" udp://:4739
	netns_wait_listen "$nsb" udp 4739 10
	start_senders udp://10.99.0.2:4739 "$tmp"/x[1-4].ipfix
	wait_senders 4
	netns_wait_udp_drained "$nsb" 4739 10
	stop_recv
	per_session "$tmp"/x[1-4].ipfix > "$tmp/want"
	timeout 60 "$dump" --json -q "$tmp/out.ipfix" | $records sessions \
	    > "$tmp/got"
	cat "$tmp/want" "$tmp/got"
	cmp "$tmp/want" "$tmp/got"
	# and the union, record by record
	cat "$tmp"/x[1-4].ipfix > "$tmp/all.ipfix"
	same_records "$tmp/all.ipfix" "$tmp/out.ipfix"
}

@test "e2e multi: UDP, TCP and SCTP/UDP exporters at once into three listeners" {
	need_encap_stop
	bg recv 90 "$nsb" "$recv" --sctp-udp-encap -o "$tmp/out.ipfix" \
	    udp://:4739 tcp://:4739 sctp://:4739
	netns_wait_listen "$nsb" udp 4739 10
	netns_wait_listen "$nsb" tcp 4739 10
	netns_wait_listen "$nsb" udp 9899 10
	bg send1 60 "$nsa" sh -c 'cat "$0" | "$1" --export-time now "$2"' \
	    "$tmp/x1.ipfix" "$send" udp://10.99.0.2:4739
	bg send2 60 "$nsa" sh -c 'cat "$0" | "$1" "$2"' "$tmp/x2.ipfix" \
	    "$send" tcp://10.99.0.2:4739
	bg send3 60 "$nsa" sh -c 'cat "$0" | "$1" --sctp-udp-encap "$2"' \
	    "$tmp/x3.ipfix" "$send" sctp://10.99.0.2:4739
	wait_senders 3
	netns_wait_udp_drained "$nsb" 4739 10
	stop_recv
	per_session "$tmp"/x[1-3].ipfix > "$tmp/want"
	timeout 60 "$dump" --json -q "$tmp/out.ipfix" | $records sessions \
	    > "$tmp/got"
	cat "$tmp/want" "$tmp/got"
	cmp "$tmp/want" "$tmp/got"
}

@test "e2e multi: tshark reads the collector's output: every flow record" {
	need_cmd tshark
	bg recv 90 "$nsb" "$recv" -o "$tmp/out.ipfix" udp://:4739 tcp://:4739
	netns_wait_listen "$nsb" tcp 4739 10
	start_senders tcp://10.99.0.2:4739 "$tmp/x1.ipfix" "$tmp/x2.ipfix"
	wait_senders 2
	stop_recv
	cat "$tmp/x1.ipfix" "$tmp/x2.ipfix" > "$tmp/all.ipfix"
	want=$(canon "$tmp/all.ipfix" | grep -c '"protocolIdentifier"')
	run timeout 120 tshark -r "$tmp/out.ipfix" -T fields -e cflow.protocol
	[ "$status" -eq 0 ]
	got=$(echo "$output" | grep -v '^Running as' | tr ',' '\n' | grep -c .)
	echo "flow records: $want sent, tshark sees $got"
	[ "$got" -eq "$want" ]
	run timeout 120 tshark -r "$tmp/out.ipfix"
	[[ "$output" != *Malformed* ]]
}

@test "e2e multi: --split writes one byte-identical file per session" {
	raw="$py $top/tests/lib/rawsend.py"
	ng="$data/ipfix/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	mkdir "$tmp/split"
	bg recv 90 "$nsb" "$recv" --split "$tmp/split" udp://:4739 tcp://:4739
	netns_wait_listen "$nsb" tcp 4739 10
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$tmp/x1.ipfix"
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$tmp/x2.ipfix"
	nsx "$nsa" timeout 30 $raw tcp 10.99.0.2 4739 "$tmp/x3.ipfix"
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$ng"
	netns_wait_udp_drained "$nsb" 4739 10
	stop_recv
	find "$tmp/split" -type f | sort
	for f in "$tmp"/x[1-3].ipfix "$ng"; do
		sha256sum < "$f" | cut -d' ' -f1
	done | sort > "$tmp/want"
	find "$tmp/split" -type f -exec sh -c 'sha256sum < "$0" | cut -d" " -f1' {} \; |
	    sort > "$tmp/got"
	cat "$tmp/want" "$tmp/got"
	cmp "$tmp/want" "$tmp/got"
}
