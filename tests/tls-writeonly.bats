#!/usr/bin/env bats
# ipfix-recv against exporters that only write (libfixbuf's, YAF's, small
# scripts): over TLS 1.3 such an exporter never reads the collector's
# session tickets, and its close then became a TCP reset that discarded
# the records ipfix-recv had not read yet (issue 12). ipfix-recv now sends
# tickets only to clients that ask (RFC 9149), so 20 exports of 20,000
# records by tests/lib/tlswriteonly.py all arrive; a session that does end
# by a reset is counted as closed for errors with its loss unknown.
# Loopback only; the PKI comes from tests/lib/mkcerts.sh.

load lib/e2e

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	pki_make
	/usr/bin/python3 "$top/tests/lib/mkbulk.py" 20000 1 1400 \
	    "$BATS_FILE_TMPDIR/bulk.ipfix"
}

setup() {
	e2e_setup
	need_tools ipfix-recv ipfix-dump
	need_cmd openssl jq
	pki_use
	bulk=$BATS_FILE_TMPDIR/bulk.ipfix
	port=$((20000 + (RANDOM % 20000)))
	wo=("$py" "$top/tests/lib/tlswriteonly.py")
	keys=("$bulk" "$pki/exporter.pem" "$pki/exporter.key" "$pki/ca.pem")
}

teardown() {
	e2e_teardown
}

start_recv() {
	recv_lo 1 120 --stats --json --idle-timeout 30 \
	    --cert "$pki/collector.pem" --key "$pki/collector.key" \
	    --ca "$pki/ca.pem" -o "$tmp/out.ipfix" "tls://127.0.0.1:$port"
}

jstat() {
	jq -r "$1" < "$tmp/stats"
}

@test "tls 1.3 write-only exporter: 20 exports of 20,000 records all arrive" {
	start_recv
	bad=0
	for _ in $(seq 1 20); do
		timeout 20 "${wo[@]}" 127.0.0.1 "$port" "${keys[@]}" ||
		    bad=$((bad + 1))
	done
	recv_lo_stop
	jstat '[.sessions[].records] | map(tostring) | join(" ")'
	[ "$bad" -eq 0 ]
	[ "$(jstat '.sessions | length')" -eq 20 ]
	[ "$(jstat '[.sessions[] | select(.records != 20000)] | length')" -eq 0 ]
	[ "$(jstat .loss_unknown)" -eq 0 ]
	# every close lacked close_notify: an unclean end, not a lossy one
	[ "$(jstat .closed_for_errors)" -eq 20 ]
	[ "$(nrec "$tmp/out.ipfix")" -eq 400000 ]
}

@test "tls 1.2 write-only exporter: all records arrive" {
	start_recv
	timeout 20 "${wo[@]}" --tls1.2 127.0.0.1 "$port" "${keys[@]}"
	recv_lo_stop
	[ "$(jstat '.sessions[0].records')" -eq 20000 ]
	[ "$(jstat .loss_unknown)" -eq 0 ]
}

@test "a session ended by a reset: closed for errors, loss unknown" {
	start_recv
	for _ in 1 2; do
		timeout 20 "${wo[@]}" --reset 127.0.0.1 "$port" "${keys[@]}"
	done
	recv_lo_stop
	grep -q 'closed: tcp recv: Connection reset by peer' "$tmp/recv.err"
	[ "$(jstat .closed_for_errors)" -eq 2 ]
	[ "$(jstat .loss_unknown)" -eq 2 ]
	[ "$(jstat '[.sessions[] | select(.loss_unknown == 1)] | length')" -eq 2 ]
}
