#!/usr/bin/env bats
# Per-flow truth: for each real capture in tests/data/pcap, the packets and
# octets ipfix-gen puts in each flow (summed per directional 5-tuple over
# all its records) equal what tshark computes for the same 5-tuple, and the
# flows hold every packet read except the counted ignored ones
# (tests/gen-flowtruth.py does the comparison; python3-ipfix decodes).

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	gen="$IPFIX_BIN/ipfix-gen"
	[ -x "$gen" ] || skip "no ipfix-gen in $IPFIX_BIN"
	command -v tshark > /dev/null || skip "no tshark"
	/usr/bin/python3 -c 'import ipfix' 2> /dev/null ||
	    skip "no python3-ipfix"
	pcap="$top/tests/data/pcap"
}

# truth FILE [ipfix-gen options]: meter FILE and compare with tshark.
truth() {
	local f="$pcap/$1" t="$BATS_TEST_TMPDIR" read ignored
	shift
	"$IPFIX_BIN/ipfix-gen" --stats "$@" -o "$t/o" "$f" 2> "$t/err"
	read=$(sed -n 's/.*packets read \([0-9]*\),.*/\1/p' "$t/err")
	ignored=$(sed -n 's/.*, ignored \([0-9]*\) .*/\1/p' "$t/err")
	run timeout 120 /usr/bin/python3 "$top/tests/gen-flowtruth.py" "$f" \
	    "$t/o" "$read" "$ignored"
	echo "$output"
	[ "$status" -eq 0 ]
	# a capture with IP in it must give flows, or the test proves nothing
	[[ "$output" != *": 0 flows (tshark)"* ]]
}

@test "truth: TCP, Ethernet (bot)"			{ truth nDPI__bot.pcap; }
@test "truth: 6in4 seen from the outer header"		{ truth nDPI__6in4tunnel.pcap; }
@test "truth: Linux SLL (KakaoTalk)"			{ truth nDPI__KakaoTalk_talk.pcap; }
@test "truth: IPv6 fragments (dns_fragmented)"		{ truth nDPI__dns_fragmented.pcap; }
@test "truth: DTLS over UDP (dtls2)"			{ truth nDPI__dtls2.pcap; }
@test "truth: DTLS certificate fragments"		{ truth nDPI__dtls_certificate_fragments.pcap; }
@test "truth: IPv6 TCP (http_ipv6)"			{ truth nDPI__http_ipv6.pcap; }
@test "truth: ICMP, non-IP ignored (icmp-tunnel)"	{ truth nDPI__icmp-tunnel.pcap; }
@test "truth: mixed, ARP ignored (iphone)"		{ truth nDPI__iphone.pcap; }
@test "truth: big-endian pcap (nfsv3)"			{ truth nDPI__nfsv3.pcap; }
@test "truth: RAW IP link (ocs)"			{ truth nDPI__ocs.pcap; }
@test "truth: NULL/loopback link (opc-ua)"		{ truth nDPI__opc-ua.pcap; }
@test "truth: pcapng (stun_dtls_rtp)"			{ truth nDPI__stun_dtls_rtp.pcapng; }
@test "truth: VLAN, 6in4, PPPoE counted (syslog)"	{ truth nDPI__syslog.pcap; }
@test "truth: many flows (wechat)"			{ truth nDPI__wechat.pcap; }
@test "truth: UDP RPC (afs)"				{ truth tcpdump__afs.pcap; }
@test "truth: IPNET link (e1000g)"			{ truth tcpdump__e1000g.pcap; }
@test "truth: ICMPv6"					{ truth tcpdump__icmpv6.pcap; }
@test "truth: snaplen-truncated QUIC"			{ truth tcpdump__quic_handshake_truncated.pcap; }
@test "truth: nanosecond SLL (tcp-handshake-nano)"	{ truth tcpdump__tcp-handshake-nano.pcap; }
@test "truth holds with short timeouts and a small cache (wechat)" {
	truth nDPI__wechat.pcap --idle-timeout 0.5 --active-timeout 3 \
	    --max-flows 20
}
@test "truth holds with --msg-size 300 and micro times (KakaoTalk)" {
	truth nDPI__KakaoTalk_talk.pcap --msg-size 300 --time-precision micro
}
