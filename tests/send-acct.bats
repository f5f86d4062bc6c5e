#!/usr/bin/env bats
# ipfix-send's delivery accounting (issue 13) over loopback against
# ipfix-recv or a bare TCP listener: a TLS 1.3 refusal after the handshake
# is a failure with nothing counted as delivered; a collector that closes
# during the handshake is retried per --max-retries; a collector killed
# mid-stream leaves counts that match what it kept, record for record
# (acknowledged == collected, acknowledged + not sent == input), without
# a backoff wait under --max-retries 0. The PKI is tests/lib/mkcerts.sh's.

bats_require_minimum_version 1.5.0

load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	in="$data/ipfix/NetGauze__srv6.udp-payloads.ipfix"
	pki_use
	need_cmd jq
	port=$((20000 + (RANDOM % 20000)))
	pids=
}

teardown() {
	local p
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}

# nrec FILE: data records in FILE (the collector's metadata left out).
nrec() {
	timeout 30 "$dump" --json "$1" 2>/dev/null | jq -c 'select(.type ==
	    "record" and .template < 65532)' | wc -l
}

# stat FIELD: a number of ipfix-send's --stats "delivery:" line in
# $tmp/send.err (acknowledged, unconfirmed, "not sent", uncertain).
stat() {
	sed -n 's/.*delivery: \([0-9]*\) records acknowledged.* \([0-9]*\) '\
'sent unconfirmed.* \([0-9]*\) not sent (\([0-9]*\) of them.*/\1 \2 \3 \4/p' \
	    "$tmp/send.err" | awk -v f="$1" '{ print $f }'
}

# start_recv SCHEME OPTION...: ipfix-recv on 127.0.0.1:$port writing
# $tmp/out.ipfix, run directly (not under timeout(1)) so that a SIGKILL
# reaches it; teardown kills it (and every listener of a test: they run
# only as long as their test).
start_recv() {
	local scheme=$1 i
	shift
	"$recv" -v "$@" -o "$tmp/out.ipfix" "$scheme://127.0.0.1:$port" \
	    2> "$tmp/recv.err" 3>&- &
	rpid=$!
	pids="$pids $rpid"
	for i in $(seq 50); do
		grep -q 'listening on' "$tmp/recv.err" && return 0
		sleep 0.1
	done
	cat "$tmp/recv.err"
	return 1
}

@test "send-acct: a TLS 1.3 refusal after the handshake is a failure, 0 delivered (20 runs)" {
	start_recv tls "${ccert[@]/exporter-1.test/someone.else}"
	want=$(timeout 30 "$dump" --json "$in" | jq -c 'select(.type ==
	    "record")' | wc -l)
	t0=$(date +%s)
	for i in $(seq 20); do
		rc=0
		timeout 10 "$send" --stats --max-retries 0 "${ecert[@]}" \
		    "tls://127.0.0.1:$port" "$in" 2> "$tmp/send.err" || rc=$?
		cat "$tmp/send.err"
		[ "$rc" -eq 1 ]
		grep -q 'alert bad certificate' "$tmp/send.err"
		[ "$(stat 1)" -eq 0 ]
		[ "$(stat 3)" -eq "$want" ]
		grep -q 'sent: 0 messages, 0 records' "$tmp/send.err"
		[ $(($(date +%s) - t0)) -lt 40 ]
	done
	# an authentication alert is final: no retry despite --max-retries
	for i in $(seq 5); do
		t0=$(date +%s%N)
		rc=0
		timeout 20 "$send" --stats --max-retries 3 --retry-min 3 \
		    "${ecert[@]}" "tls://127.0.0.1:$port" "$in" \
		    2> "$tmp/send.err" || rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		cat "$tmp/send.err"
		[ "$rc" -eq 1 ] && [ "$ms" -lt 2900 ]
		grep -q ' 0 failed attempts' "$tmp/send.err" ||
		    grep -q 'sessions: 0 opened, 0 lost, 1 failed' "$tmp/send.err"
	done
	[ "$(nrec "$tmp/out.ipfix")" -eq 0 ]
}

@test "send-acct: a collector closing during the TLS handshake is retried per --max-retries" {
	# accepts, reads the ClientHello (so that its close is a FIN, as
	# ipfix-recv's at its handshake cap), closes; counts connections
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        c.recv(65536)
    except OSError:
        pass
    c.close()
    print("closed", flush=True)
' "$port" "$tmp/ready" > "$tmp/closer.out" 3>&- &
	pids="$pids $!"
	for i in $(seq 50); do
		[ -e "$tmp/ready" ] && break
		sleep 0.1
	done
	t0=$(date +%s%N)
	run -1 timeout 20 "$send" --stats --max-retries 2 --retry-min 0.2 \
	    "${ecert[@]}" "tls://127.0.0.1:$port" "$in"
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$output"
	[[ "$output" == *"giving up after --max-retries"* ]]
	[[ "$output" == *"closed the connection during the handshake"* ]]
	[[ "$output" == *"3 failed attempts"* ]]
	# two backoffs: 0.2 s, then 0.4 s
	[ "$ms" -ge 600 ] && [ "$ms" -lt 10000 ]
	[ "$(grep -c closed "$tmp/closer.out")" -eq 3 ]
}

# killed SCHEME SEC...: the collector is killed (SIGKILL) once it has
# written the first copy of the input; ipfix-send, reading a pipe, then
# gets two more copies. With --max-retries 0 it gives up at once (no
# 60 s backoff); what it counts as acknowledged is what the collector
# kept, and acknowledged + not sent is the whole input.
killed() {
	local scheme=$1 one i n
	shift
	one=$(timeout 30 "$dump" --json "$in" | jq -c 'select(.type ==
	    "record")' | wc -l)
	t0=$(date +%s)
	rc=0
	{
		cat "$in"
		for i in $(seq 100); do
			n=$(nrec "$tmp/out.ipfix")
			[ "$n" -ge "$one" ] && break
			sleep 0.1
		done
		kill -KILL "$rpid"
		sleep 0.3
		cat "$in" "$in"
	} | timeout 30 "$send" --stats --max-retries 0 "$@" \
	    "$scheme://127.0.0.1:$port" - 2> "$tmp/send.err" || rc=$?
	cat "$tmp/send.err"
	[ "$rc" -eq 1 ]
	grep -q 'giving up after --max-retries' "$tmp/send.err"
	[ $(($(date +%s) - t0)) -lt 20 ]
	kept=$(nrec "$tmp/out.ipfix")
	echo "kept $kept of $((3 * one))"
	[ "$kept" -eq "$one" ]
	[ "$(stat 1)" -eq "$kept" ]
	[ "$(stat 3)" -eq $((3 * one - kept)) ]
	grep -q "sent: [0-9]* messages, $kept records" "$tmp/send.err"
}

@test "send-acct: tcp collector killed mid-stream: counts match what it kept" {
	start_recv tcp
	killed tcp
}

@test "send-acct: tls collector killed mid-stream: counts match what it kept" {
	start_recv tls "${ccert[@]}"
	killed tls "${ecert[@]}"
}

@test "send-acct: udp and tcp runs report sent-unconfirmed and acknowledged" {
	start_recv tcp
	run -0 timeout 30 "$send" --stats "tcp://127.0.0.1:$port" "$in"
	echo "$output" > "$tmp/send.err"
	want=$(nrec "$in")
	[ "$(stat 1)" -eq "$want" ] && [ "$(stat 2)" -eq 0 ]
	kill -TERM "$rpid"
	wait "$rpid" || true
	port=$((port + 1))
	start_recv udp
	run -0 timeout 30 "$send" --stats "udp://127.0.0.1:$port" "$in"
	echo "$output" > "$tmp/send.err"
	[ "$(stat 1)" -eq 0 ] && [ "$(stat 2)" -eq "$want" ]
	[ "$(stat 3)" -eq 0 ]
}
