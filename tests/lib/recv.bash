# Shared helpers of the ipfix-recv tests over loopback (ipfix-recv.bats,
# e2e-admission.bats, e2e-assoc.bats): one ipfix-recv in the background,
# its records and its --json statistics. Callers set $recv, $dump and $tmp
# (and rpid= tpid= in setup, recv_teardown in teardown).

# start_recv N ARGS...: run ipfix-recv -v ARGS in the background (at most
# 120 s) and wait (at most 5 s) until its N listeners are up. Its stderr
# goes to $tmp/err; $rpid is ipfix-recv itself (signals go to it: timeout
# dies of SIGUSR1), $tpid the timeout around it.
start_recv() {
	local n=$1 i
	shift
	timeout 120 "$recv" -v "$@" 2>"$tmp/err" 3>&- &
	tpid=$!
	for i in $(seq 50); do
		rpid=$(pgrep -P "$tpid" | head -n 1)
		[ -n "$rpid" ] && [ "$(grep -c 'listening on' "$tmp/err")" \
		    -ge "$n" ] && return 0
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/err" >&3
	return 1
}

# stop_recv: let the last datagrams in, SIGTERM, and return its status.
stop_recv() {
	sleep 0.5
	kill -TERM "$rpid"
	local rc=0
	wait "$tpid" || rc=$?
	rpid= tpid=
	return $rc
}

recv_teardown() {
	[ -n "$tpid" ] && kill -KILL "$rpid" "$tpid" 2>/dev/null
	rm -rf "$tmp"
}

# records FILE: the data records of FILE as sorted JSON lines, without the
# collector's metadata and template ids (remapped ones differ).
records() {
	"$dump" --json "$1" | jq -c 'select(.type == "record" and
	    .template < 65532) | del(.template, .exporter)' | sort
}

# jstat FILTER: from ipfix-recv's last --json statistics line.
jstat() {
	grep '^{' "$tmp/err" | tail -n 1 | jq -r "$1"
}
