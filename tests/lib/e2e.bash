# Shared helpers of tests/e2e-*.bats: tool checks, bounded background
# processes (pid files under $tmp), and the record comparison every
# end-to-end test rests on: `ipfix-dump --json` of what arrived against
# that of what was sent, as records, never as bytes (tests/lib/records.py).
# Load after netns.bash; call e2e_setup in setup and e2e_teardown in
# teardown.

e2e_setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	data="$top/tests/data"
	send="$IPFIX_BIN/ipfix-send"
	recv="$IPFIX_BIN/ipfix-recv"
	gen="$IPFIX_BIN/ipfix-gen"
	dump="$IPFIX_BIN/ipfix-dump"
	py=/usr/bin/python3	# the system python: peer-tools.md, pyenv shim
	records="$py $top/tests/lib/records.py"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/e2e.XXXXXX")
	e2e_ns=""
}

e2e_teardown() {
	for p in "$tmp"/*.pid; do
		[ -f "$p" ] && kill -9 "$(cat "$p")" 2> /dev/null
	done
	# shellcheck disable=SC2086
	[ -n "$e2e_ns" ] && netns_destroy $e2e_ns
	rm -rf "$tmp"
}

need_tools() {	# need_tools TOOL...: skip until the tools are built
	for t in "$@"; do
		[ -x "$IPFIX_BIN/$t" ] || skip "$t is not built yet"
	done
}

need_cmd() {	# need_cmd CMD...: skip when a Debian tool is missing
	for c in "$@"; do
		command -v "$c" > /dev/null ||
		    skip "$c missing ('make deps' installs it)"
	done
}

# e2e_pair: namespaces $nsa (exporters) and $nsb (collector) joined by a
# veth; the collector is at 10.99.0.2 / [fd99::2].
e2e_pair() {
	netns_require
	nsa=$(netns_name a)
	nsb=$(netns_name b)
	e2e_ns="$nsa $nsb"
	netns_pair "$nsa" "$nsb" || skip "could not create namespaces"
}

# bg NAME SECONDS NS COMMAND...: start COMMAND in namespace NS (- for
# here) in the background, killed with SIGINT after SECONDS (pmacct needs
# INT: peer-tools.md), stdout to $tmp/NAME.out, stderr to $tmp/NAME.err.
bg() {
	name=$1 limit=$2 where=$3
	shift 3
	if [ "$where" = - ]; then
		timeout -s INT -k 5 "$limit" "$@" > "$tmp/$name.out" \
		    2> "$tmp/$name.err" < /dev/null &
	else
		ip netns exec "$where" timeout -s INT -k 5 "$limit" "$@" \
		    > "$tmp/$name.out" 2> "$tmp/$name.err" < /dev/null &
	fi
	echo $! > "$tmp/$name.pid"
}

# bg_stop NAME [SIGNAL]: signal it (default INT), wait at most 15 s;
# prints nothing, returns the process's exit status (137 when killed).
# A command that timeout(1) runs directly gets the signal itself: through
# timeout it would get it twice (timeout signals it and then its group),
# and a sanitizer build then hung now and then in its leak check at exit
# (about one stop in twelve). A shell running a pipeline gets it through
# timeout as before, so that the whole group hears it.
bg_stop() {
	p=$(cat "$tmp/$1.pid" 2> /dev/null) || return 1
	c=$(pgrep -P "$p" 2> /dev/null | head -n 1)
	case $(cat "/proc/${c:-0}/comm" 2> /dev/null) in
	''|sh|bash|dash) c=$p ;;
	esac
	kill -"${2:-INT}" "$c" 2> /dev/null
	n=0
	while kill -0 "$p" 2> /dev/null && [ $n -lt 150 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -0 "$p" 2> /dev/null && kill -9 "$c" "$p" 2> /dev/null
	wait "$p" 2> /dev/null
	rc=$?
	rm -f "$tmp/$1.pid"
	return $rc
}

# bg_wait NAME SECONDS: wait at most SECONDS for it to end by itself, then
# stop it (bg_stop); returns its exit status.
bg_wait() {
	timeout "$2" tail --pid="$(cat "$tmp/$1.pid")" -f /dev/null || true
	bg_stop "$1"
}

bg_alive() {	# bg_alive NAME: status 0 while it runs
	kill -0 "$(cat "$tmp/$1.pid" 2> /dev/null)" 2> /dev/null
}

# canon FILE...: the canonical records of IPFIX streams (sorted, one JSON
# object per line; message-level and session-details data removed).
canon() {
	timeout 120 "$dump" --json -q "$@" | $records canon
}

nrec() {	# nrec FILE...: number of data records (session details excluded)
	timeout 120 "$dump" --json -q "$@" | $records count
}

# same_records A B: the canonical records of streams A and B are equal;
# on failure the first differences are printed (bats shows them).
same_records() {
	canon "$1" > "$tmp/canon.a"
	canon "$2" > "$tmp/canon.b"
	echo "records: $(wc -l < "$tmp/canon.a") sent, $(wc -l < "$tmp/canon.b") arrived"
	[ -s "$tmp/canon.a" ] || { echo "no records in $1"; return 1; }
	diff "$tmp/canon.a" "$tmp/canon.b" | head -n 4 | cut -c 1-300
	cmp -s "$tmp/canon.a" "$tmp/canon.b"
}

# gen_stream OUT PCAP [ODID [MSGSIZE]]: ipfix-gen output of a committed
# capture; a small message size makes many messages from few records.
gen_stream() {
	timeout 60 "$gen" -q --odid "${3:-0}" --msg-size "${4:-1400}" \
	    -o "$1" "$data/pcap/$2"
}

# show_logs NAME...: print the stderr of background processes (for bats
# to show when a test fails).
show_logs() {
	for n in "$@"; do
		echo "--- $n stderr:"
		tail -n 20 "$tmp/$n.err" 2> /dev/null
	done
}

# need_encap_stop: ipfix-recv --sctp-udp-encap must exit 0 on SIGINT, or
# nothing it received would be flushed: fail early with that reason.
need_encap_stop() {
	bg probe 20 "$nsb" "$recv" --sctp-udp-encap=9898 -o /dev/null \
	    sctp://127.0.0.1:4738
	netns_wait_listen "$nsb" udp 9898 5
	sleep 0.5	# its socket may be bound before its signal handlers
	rc=0
	bg_stop probe INT || rc=$?
	[ "$rc" -eq 0 ] || { echo "ipfix-recv --sctp-udp-encap did not exit" \
	    "cleanly on SIGINT (status $rc)"; return 1; }
}


# recv_lo N SECONDS ARGS...: ipfix-recv -v ARGS in the background here (the
# loopback tests) as "recv", bounded by SECONDS; waits (at most 5 s) until
# its N listeners are up.
recv_lo() {
	local n=$1 limit=$2
	shift 2
	bg recv "$limit" - "$recv" -v "$@"
	for _ in $(seq 50); do
		[ "$(grep -c 'listening on' "$tmp/recv.err" 2> /dev/null)" \
		    -ge "$n" ] && return 0
		sleep 0.1
	done
	show_logs recv
	return 1
}

# recv_lo_stop: SIGINT once the last datagrams are in; its last JSON
# statistics line (with --json) in $tmp/stats.
recv_lo_stop() {
	sleep 0.3
	bg_stop recv INT || { show_logs recv; return 1; }
	grep '^{' "$tmp/recv.err" | tail -n 1 > "$tmp/stats"
}

# pki_make (in setup_file): the test PKI of tests/lib/mkcerts.sh, made
# once per file in $BATS_FILE_TMPDIR/pki.
pki_make() {
	sh "$BATS_TEST_DIRNAME/lib/mkcerts.sh" "$BATS_FILE_TMPDIR/pki" \
	    > /dev/null 2>&1 || true
}

# pki_use (in setup): $pki and the tools' option arrays psk (identity
# exp1), ccert and ecert (the collector's and the exporter's certificates,
# each expecting the other's name); skips the test when the PKI is missing.
pki_use() {
	pki=$BATS_FILE_TMPDIR/pki
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	psk=(--psk-identity exp1 --psk-file "$pki/psk.hex")
	ccert=(--cert "$pki/collector.pem" --key "$pki/collector.key"
	    --ca "$pki/ca.pem" --peer-name exporter-1.test)
	ecert=(--cert "$pki/exporter.pem" --key "$pki/exporter.key"
	    --ca "$pki/ca.pem" --peer-name collector.test)
}
