#!/usr/bin/env bats
# End to end over each plain transport: ipfix-gen | ipfix-send -> network
# -> ipfix-recv -> ipfix-dump --json gives exactly the records of
# ipfix-dump --json on the gen output (records, not bytes: ipfix-send
# re-packs messages and ipfix-recv adds session details). Exporter and
# collector sit in two network namespaces joined by a 1500-byte veth, so
# UDP also exercises path-MTU sizing. Kernel SCTP needs user-mode Linux:
# tests/e2e-sctp-kernel.bats.

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	e2e_pair
	# Two observation domains, many small messages, IPv4 and IPv6 flows.
	gen_stream "$tmp/a.ipfix" nDPI__wechat.pcap 0 600
	gen_stream "$tmp/b.ipfix" nDPI__http_ipv6.pcap 7 1400
	cat "$tmp/a.ipfix" "$tmp/b.ipfix" > "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

# roundtrip PROTO PORT LISTEN-URL SEND-URL [OPTION...]: the options go to
# both tools (--sctp-udp-encap), except --compress and --export-time,
# which are the sender's.
roundtrip() {
	proto=$1 port=$2 lurl=$3 surl=$4
	shift 4
	ropts=() sopts=()
	for o in "$@"; do
		case $o in
		--compress* | --export-time*) sopts+=("$o") ;;
		*) sopts+=("$o") ropts+=("$o") ;;
		esac
	done
	case " ${ropts[*]} " in
	*" --sctp-udp-encap "*) need_encap_stop ;;
	esac
	bg recv 60 "$nsb" "$recv" --stats --json "${ropts[@]}" \
	    -o "$tmp/out.ipfix" "$lurl"
	netns_wait_listen "$nsb" "$proto" "$port" 10 ||
	    { show_logs recv; echo "ipfix-recv did not listen"; return 1; }
	run timeout 60 ip netns exec "$nsa" sh -c \
	    'f=$0 s=$1; shift; cat "$f" | "$s" "$@"' "$tmp/in.ipfix" "$send" \
	    "${sopts[@]}" "$surl"
	echo "ipfix-send: status $status: $output"
	if [ "$status" -ne 0 ]; then
		bg_stop recv INT || true
		show_logs recv
		return 1
	fi
	[ "$proto" != udp ] || netns_wait_udp_drained "$nsb" "$port" 10
	sleep 0.5	# let the collector write the last message
	rc=0
	bg_stop recv INT || rc=$?
	show_logs recv
	[ "$rc" -eq 0 ] || { echo "ipfix-recv exit status $rc"; return 1; }
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix" && return 0
	return 1
}

@test "e2e udp: gen | send -> recv gives exactly the gen records (IPv4)" {
	roundtrip udp 4739 udp://:4739 udp://10.99.0.2:4739
}

@test "e2e udp: the same over IPv6" {
	roundtrip udp 4739 "udp://[::]:4739" "udp://[fd99::2]:4739"
}

@test "e2e udp: no datagram is IP-fragmented on a 1500-byte path" {
	nsx "$nsb" nft -f - <<'NFT' || skip "nft unusable here"
table inet e2e {
	counter nfrags { }
	chain pre { type filter hook prerouting priority -450;
		ip frag-off & 0x3fff != 0 counter name nfrags; }
}
NFT
	roundtrip udp 4739 udp://:4739 udp://10.99.0.2:4739 --export-time=now
	frags=$(nsx "$nsb" nft list counter inet e2e nfrags |
	    awk '/packets/ { print $2 }')
	echo "fragments seen: $frags"
	[ "$frags" -eq 0 ]
}

@test "e2e tcp: gen | send -> recv gives exactly the gen records" {
	roundtrip tcp 4739 tcp://:4739 tcp://10.99.0.2:4739
}

@test "e2e tcp: the same over IPv6" {
	roundtrip tcp 4739 "tcp://[::]:4739" "tcp://[fd99::2]:4739"
}

@test "e2e sctp over UDP (usrsctp): gen | send -> recv, exact records" {
	roundtrip udp 9899 sctp://:4739 sctp://10.99.0.2:4739 --sctp-udp-encap
}

@test "e2e udp --compress: records arrive exactly, inflated by ipfix-recv" {
	roundtrip udp 4739 udp://:4739 udp://10.99.0.2:4739 --compress
}

@test "e2e tcp --compress: records arrive exactly, inflated by ipfix-recv" {
	roundtrip tcp 4739 tcp://:4739 tcp://10.99.0.2:4739 --compress
}

@test "e2e: plain sctp:// without kernel SCTP fails at once naming --sctp-udp-encap" {
	[ ! -d /proc/sys/net/sctp ] || skip "this kernel has SCTP"
	run timeout 10 "$recv" -o "$tmp/out.ipfix" sctp://127.0.0.1:4739
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *--sctp-udp-encap* ]]
	run timeout 10 sh -c '"$0" sctp://127.0.0.1:4739 < "$1"' "$send" \
	    "$tmp/in.ipfix"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *--sctp-udp-encap* ]]
}
