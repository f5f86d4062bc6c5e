#!/usr/bin/env bats
# Live pipelines hold no data: a message written into a pipe that stays
# open leaves ipfix-send and is printed by ipfix-dump at once (not when 64
# KiB have gathered or the pipe closes), and ipfix-recv writes out what it
# received as soon as it has nothing else to do (not at its next 1 s flush
# timer). Loopback only; every wait is bounded.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	recv="$IPFIX_BIN/ipfix-recv"
	send="$IPFIX_BIN/ipfix-send"
	dump="$IPFIX_BIN/ipfix-dump"
	srv6="$top/tests/data/ipfix/NetGauze__srv6.udp-payloads.ipfix"
	pcap="$top/tests/data/ipfix/NetGauze__srv6.pcap"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/live.XXXXXX")
	port=$((20000 + (RANDOM % 20000)))
	pids= rpid=
	# the srv6 stream's first two messages: its templates, one record
	head -c 580 "$srv6" > "$tmp/m1"
	tail -c +581 "$srv6" | head -c 172 > "$tmp/m2"
	cat "$tmp/m1" "$tmp/m2" > "$tmp/two"
}

teardown() {
	local p
	exec 4>&-
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# by MS CMD...: run CMD every 20 ms until it succeeds (0) or the clock
# passes MS (1).
by() {
	local until=$1
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$until" ] || return 1
		sleep 0.02
	done
}

# start_recv ARGS...: ipfix-recv -v ARGS in the background, $rpid its
# own pid (signals), $t_up the time its listener came up.
start_recv() {
	local i tpid
	timeout 60 "$recv" -v "$@" 2>"$tmp/err" 3>&- &
	tpid=$!
	pids="$pids $tpid"
	for i in $(seq 250); do
		rpid=$(pgrep -P "$tpid" | head -n 1)
		if [ -n "$rpid" ] && grep -q 'listening on' "$tmp/err"; then
			t_up=$(now_ms)
			pids="$pids $rpid"
			return 0
		fi
		sleep 0.02
	done
	cat "$tmp/err"
	return 1
}

# recv_has_records: ipfix-recv counted a data record (SIGUSR1 makes it
# print its --stats --json line, whatever its output holds).
recv_has_records() {
	kill -USR1 "$rpid"
	sleep 0.05
	grep '^{"sessions_opened"' "$tmp/err" | tail -n 1 |
	    grep -qE '"messages":[0-9]+,"records":[1-9]'
}

# has_record FILE: ipfix-dump finds a data record of the exporter in FILE
# (a file still being written may end inside a message: said, not fatal).
has_record() {
	[ -s "$1" ] && timeout 10 "$dump" --json "$1" 2>/dev/null |
	    grep -q '"type":"record",.*"template":340,'
}

# udp_send: the two messages as two datagrams of one socket, straight
# from the shell (no exporter start-up in the time measured).
udp_send() {
	exec 5> "/dev/udp/127.0.0.1/$port"
	cat "$tmp/m1" >&5
	cat "$tmp/m2" >&5
	exec 5>&-
}

# recv_writes_now CHECK ARGS...: a collector with ARGS gets the messages
# right after it came up; CHECK must succeed within 700 ms of that, before
# the collector's periodic flush (1 s) could have written anything.
recv_writes_now() {
	local check=$1
	shift
	start_recv "$@" "udp://127.0.0.1:$port"
	udp_send
	by $((t_up + 700)) $check
	kill -0 "$rpid"
}

@test "live: ipfix-send sends a message from a pipe that stays open (< 2 s)" {
	mkfifo "$tmp/in"
	start_recv --stats --json -o "$tmp/out" "udp://127.0.0.1:$port"
	timeout 30 "$send" "udp://127.0.0.1:$port" < "$tmp/in" 3>&- &
	spid=$!
	pids="$pids $spid"
	exec 4> "$tmp/in"
	cat "$tmp/two" >&4
	t0=$(now_ms)
	by $((t0 + 2000)) recv_has_records
	exec 4>&-
	wait "$spid"
}

@test "live: ipfix-send takes gzip'd input from a pipe that stays open" {
	mkfifo "$tmp/in"
	gzip -c "$tmp/two" > "$tmp/two.gz"
	start_recv --stats --json -o "$tmp/out" "udp://127.0.0.1:$port"
	timeout 30 "$send" "udp://127.0.0.1:$port" < "$tmp/in" 3>&- &
	spid=$!
	pids="$pids $spid"
	exec 4> "$tmp/in"
	cat "$tmp/two.gz" >&4
	by $(($(now_ms) + 2000)) recv_has_records
	exec 4>&-
	wait "$spid"
}

@test "live: ipfix-recv -o FILE has the record while it runs" {
	recv_writes_now "has_record $tmp/out" -o "$tmp/out"
}

@test "live: ipfix-recv --gzip -o FILE has the record while it runs" {
	recv_writes_now "has_record $tmp/out.gz" --gzip -o "$tmp/out.gz"
}

# split_has_record: the session's file under $tmp/split has it
split_has_record() {
	local f
	for f in "$tmp"/split/*.ipfix; do
		has_record "$f" && return 0
	done
	return 1
}

@test "live: ipfix-recv --split and --rotate files have the record at once" {
	mkdir "$tmp/split"
	recv_writes_now split_has_record --split "$tmp/split"
	kill -KILL "$rpid"
	port=$((port + 1))
	recv_writes_now "has_record $tmp/rot.*" --rotate 60 -o "$tmp/rot"
}

@test "live: ipfix-recv -o - into a pipe has the record while it runs" {
	# dd writes each read at once: the file shows what the pipe carried
	start_recv -o - "udp://127.0.0.1:$port" \
	    > >(exec dd of="$tmp/piped" bs=64k status=none)
	udp_send
	by $((t_up + 700)) has_record "$tmp/piped"
	kill -0 "$rpid"
}

@test "live: ipfix-dump prints a message from a pipe that stays open" {
	mkfifo "$tmp/in"
	timeout 30 "$dump" - < "$tmp/in" > "$tmp/text" 3>&- &
	dpid=$!
	pids="$pids $dpid"
	exec 4> "$tmp/in"
	cat "$tmp/two" >&4
	by $(($(now_ms) + 2000)) grep -q '^  data 340: packetDeltaCount=59 ' \
	    "$tmp/text"
	exec 4>&-
	wait "$dpid"
	[ "$(grep -c '^message ' "$tmp/text")" -eq 2 ]
}

@test "live: ipfix-dump prints a capture from a pipe that stays open" {
	mkfifo "$tmp/in"
	timeout 30 "$dump" --json - < "$tmp/in" > "$tmp/json" 3>&- &
	dpid=$!
	pids="$pids $dpid"
	exec 4> "$tmp/in"
	cat "$pcap" >&4
	got() { [ "$(grep -c '"type":"record"' "$tmp/json")" -eq 172 ]; }
	by $(($(now_ms) + 2000)) got
	exec 4>&-
	wait "$dpid"
}
