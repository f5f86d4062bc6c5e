# Network namespaces for the end-to-end tests: each test gets its own
# namespaces, so ports never clash with parallel runs and nftables rules
# stay private. netns_pair makes two namespaces joined by a veth pair
# (A = 10.99.0.1 / fd99::1, B = 10.99.0.2 / fd99::2), loopback up in both.
# Every command here is bounded in time; netns_destroy is idempotent.
# Needs root (ip netns); netns_require skips the test otherwise.

netns_require() {	# skip unless namespaces can be made here
	command -v ip > /dev/null || skip "iproute2 missing ('make deps')"
	[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
}

netns_name() {	# netns_name TAG: a name unique to this test run
	echo "e2e-$$-${BATS_TEST_NUMBER:-0}-$1"
}

netns_create() {	# netns_create NAME: a namespace with lo up
	local k
	timeout 10 ip netns add "$1" || return 1
	# No duplicate address detection: a tentative link-local address
	# holds back neighbour discovery, and early datagrams are dropped.
	for k in all default; do
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$k.accept_dad=0" \
		    2> /dev/null
	done
	timeout 10 ip -n "$1" link set lo up
}

# netns_pair A B: two namespaces and a veth between them. The MTU is the
# Ethernet default (1500), so the exporter's path-MTU sizing is exercised.
netns_pair() {
	netns_create "$1" && netns_create "$2" || return 1
	timeout 10 ip link add "v$$a" netns "$1" type veth peer \
	    name "v$$b" netns "$2" || return 1
	timeout 10 ip -n "$1" addr add 10.99.0.1/24 dev "v$$a"
	timeout 10 ip -n "$2" addr add 10.99.0.2/24 dev "v$$b"
	timeout 10 ip -n "$1" -6 addr add fd99::1/64 dev "v$$a" nodad
	timeout 10 ip -n "$2" -6 addr add fd99::2/64 dev "v$$b" nodad
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.v$$a.accept_dad=0"
	ip netns exec "$2" sysctl -qw "net.ipv6.conf.v$$b.accept_dad=0"
	timeout 10 ip -n "$1" link set "v$$a" up
	timeout 10 ip -n "$2" link set "v$$b" up
	# Permanent neighbours: a burst sent before ARP/ND completes is
	# dropped beyond the small unresolved queue, which is not the loss
	# the tests measure (and there is no ping here to warm them up).
	ma=$(netns_mac "$1" "v$$a") mb=$(netns_mac "$2" "v$$b")
	ip -n "$1" neigh replace 10.99.0.2 lladdr "$mb" dev "v$$a" nud permanent
	ip -n "$1" neigh replace fd99::2 lladdr "$mb" dev "v$$a" nud permanent
	ip -n "$2" neigh replace 10.99.0.1 lladdr "$ma" dev "v$$b" nud permanent
	ip -n "$2" neigh replace fd99::1 lladdr "$ma" dev "v$$b" nud permanent
	return 0
}

netns_mac() {	# netns_mac NS DEV: the device's Ethernet address
	ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

netns_addr() {	# netns_addr NS ADDR/LEN: one more address on NS's veth
	dev=$(timeout 10 ip -n "$1" -o link show type veth | awk -F'[:@ ]+' \
	    'NR == 1 { print $2 }')
	timeout 10 ip -n "$1" addr add "$2" dev "$dev"
}

netns_destroy() {	# netns_destroy NAME...: kill what runs there, delete
	for n in "$@"; do
		ip netns pids "$n" 2> /dev/null | xargs -r kill -9 2> /dev/null
		timeout 10 ip netns del "$n" 2> /dev/null
	done
	return 0
}

nsx() {	# nsx NS COMMAND...: run COMMAND in namespace NS
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# netns_wait_listen NS PROTO PORT [SECONDS]: wait until something listens
# on PORT (PROTO udp, tcp or sctp) inside NS. Status 1 on timeout.
netns_wait_listen() {
	case $2 in
	udp) f=-Hlun ;;
	tcp) f=-Hltn ;;
	sctp) f="-Hln --sctp" ;;
	*) return 2 ;;
	esac
	end=$((SECONDS + ${4:-10}))
	while [ $SECONDS -lt $end ]; do
		# shellcheck disable=SC2086
		ip netns exec "$1" ss $f 2> /dev/null |
		    awk -v p=":$3" '$4 ~ p "$" { f = 1 } END { exit !f }' &&
		    return 0
		sleep 0.1
	done
	return 1
}

# netns_wait_udp_drained NS PORT [SECONDS]: wait until the receive queue
# of the UDP socket on PORT is empty (the collector read everything).
netns_wait_udp_drained() {
	end=$((SECONDS + ${3:-10}))
	while [ $SECONDS -lt $end ]; do
		q=$(ip netns exec "$1" ss -Hlun 2> /dev/null |
		    awk -v p=":$2" '$4 ~ p "$" { s += $2 } END { print s + 0 }')
		[ "$q" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}
