#!/usr/bin/env bats
# Bad input into ipfix-recv while a well-behaved exporter sends: garbage on
# each listening port, a TCP peer that sends half a message and stalls,
# 10,000 templates from one peer, messages with the wrong version. Each is
# answered as ipfix-recv(1) documents (RFC 7011 §10: over UDP drop and
# count, over TCP close that session) and never touches the other
# sessions: every record of the good exporters arrives, exactly.

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	e2e_pair
	raw="$py $top/tests/lib/rawsend.py"
	gen_stream "$tmp/good1.ipfix" nDPI__wechat.pcap 0 1400
	gen_stream "$tmp/good2.ipfix" nDPI__iphone.pcap 0 1400
	cat "$tmp/good1.ipfix" "$tmp/good2.ipfix" > "$tmp/good.ipfix"
	head -c 30000 /dev/urandom > "$tmp/garbage"
}

teardown() {
	e2e_teardown
}

start_recv() {	# start_recv [sctp]: UDP and TCP listeners (and SCTP/UDP)
	if [ "${1:-}" = sctp ]; then
		bg recv 90 "$nsb" "$recv" --stats --json --sctp-udp-encap \
		    -o "$tmp/out.ipfix" udp://:4739 tcp://:4739 sctp://:4739
		netns_wait_listen "$nsb" udp 9899 10
	else
		bg recv 90 "$nsb" "$recv" --stats --json -o "$tmp/out.ipfix" \
		    udp://:4739 tcp://:4739
	fi
	netns_wait_listen "$nsb" udp 4739 10
	netns_wait_listen "$nsb" tcp 4739 10
}

# The good exporters: one over UDP (export time now: template lifetime
# against replayed export times is e2e-roundtrip.bats's business), one
# over TCP.
good_export() {
	run timeout 60 ip netns exec "$nsa" sh -c \
	    'cat "$0" | "$2" --export-time now udp://10.99.0.2:4739 &&
	    cat "$1" | "$2" tcp://10.99.0.2:4739' \
	    "$tmp/good1.ipfix" "$tmp/good2.ipfix" "$send"
	echo "good exporters: $status $output"
	[ "$status" -eq 0 ]
}

# finish: stop ipfix-recv (it must still be running and stop cleanly) and
# compare its records with the good exporters' input.
finish() {
	netns_wait_udp_drained "$nsb" 4739 10
	sleep 0.5
	bg_alive recv || { show_logs recv; echo "ipfix-recv died"; return 1; }
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ] || { echo "ipfix-recv: status $rc"; return 1; }
	same_records "$tmp/good.ipfix" "$tmp/out.ipfix"
}

malformed_count() {
	$py "$top/tests/lib/stats.py" malformed < "$tmp/recv.err"
}

@test "e2e bad input: garbage on the UDP and TCP ports" {
	start_recv
	nsx "$nsa" timeout 30 $raw --raw udp 10.99.0.2 4739 "$tmp/garbage"
	# TCP garbage: the session is closed (RFC 7011 §10.3.1)
	run nsx "$nsa" timeout 30 $raw --raw --expect-close 10 tcp \
	    10.99.0.2 4739 "$tmp/garbage"
	echo "tcp garbage sender: $status $output"
	[ "$status" -eq 0 ]
	good_export
	finish
	# UDP junk gets no session (not an IPFIX header: counted, refused)
	[ "$($py "$top/tests/lib/stats.py" not_ipfix < "$tmp/recv.err")" -gt 0 ]
}

@test "e2e bad input: garbage on the SCTP/UDP encapsulation port" {
	need_encap_stop
	start_recv sctp
	nsx "$nsa" timeout 30 $raw --raw udp 10.99.0.2 9899 "$tmp/garbage"
	good_export
	run timeout 60 ip netns exec "$nsa" sh -c \
	    'cat "$0" | "$1" --sctp-udp-encap sctp://10.99.0.2:4739' \
	    "$tmp/good1.ipfix" "$send"
	echo "good SCTP exporter: $status $output"
	[ "$status" -eq 0 ]
	cat "$tmp/good.ipfix" "$tmp/good1.ipfix" > "$tmp/good3.ipfix"
	mv "$tmp/good3.ipfix" "$tmp/good.ipfix"
	finish
}

@test "e2e bad input: half a message and a stall do not hold up others" {
	start_recv
	# 30 bytes of a 1400-byte message, then 40 s of silence
	bg stall 60 "$nsa" $raw --stall 30:40 tcp 10.99.0.2 4739 "$tmp/good1.ipfix"
	sleep 0.5
	bg_alive stall
	good_export
	bg_alive stall		# still stalled: the others got through meanwhile
	finish
	bg_stop stall INT || true
}

@test "e2e bad input: 10,000 templates from one peer (UDP and TCP)" {
	$py "$top/tests/lib/mktemplates.py" 10000 0 "$tmp/tmpl.ipfix"
	start_recv
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$tmp/tmpl.ipfix"
	run nsx "$nsa" timeout 30 $raw --hold 1 tcp 10.99.0.2 4739 "$tmp/tmpl.ipfix"
	echo "tcp template flood: $status $output"
	good_export
	finish
}

@test "e2e bad input: wrong versions (9 and 5) over UDP dropped, over TCP closed" {
	for v in 9 5; do
		$py -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read())
n = int.from_bytes(d[2:4], "big")
d[0:2] = int(sys.argv[2]).to_bytes(2, "big")
open(sys.argv[3], "wb").write(d[:n])' "$tmp/good1.ipfix" "$v" "$tmp/v$v.bin"
	done
	start_recv
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$tmp/v9.bin"
	nsx "$nsa" timeout 30 $raw udp 10.99.0.2 4739 "$tmp/v5.bin"
	for v in 9 5; do
		run nsx "$nsa" timeout 30 $raw --expect-close 10 tcp \
		    10.99.0.2 4739 "$tmp/v$v.bin"
		echo "tcp version $v: $status $output"
		[ "$status" -eq 0 ]
	done
	good_export
	finish
	# over UDP no session for them (not IPFIX headers), over TCP closed
	[ "$($py "$top/tests/lib/stats.py" not_ipfix < "$tmp/recv.err")" -eq 2 ]
}
