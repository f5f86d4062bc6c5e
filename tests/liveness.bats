#!/usr/bin/env bats
# ipfix-send's liveness (ipfix-send(1) LIVENESS) against ipfix-recv on
# loopback: --rekey by time, bytes and messages; the DTLS liveness probe
# finding a collector restarted with its state lost (the exporter is
# stopped while the collector restarts, so no ICMP error can give it
# away), and a collector refusing the probe (one warning, export goes on,
# every record accounted for). The PKI comes from tests/lib/mkcerts.sh.

load lib/netns
load lib/e2e

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	sh "$top/tests/lib/mkcerts.sh" "$BATS_FILE_TMPDIR/pki" > /dev/null 2>&1
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	need_cmd openssl jq
	pki=$BATS_FILE_TMPDIR/pki
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	psk=(--psk-identity exp1 --psk-file "$pki/psk.hex")
	gen_stream "$tmp/in.ipfix" nDPI__wechat.pcap 0 400
	port=$((20000 + RANDOM % 20000))
}

teardown() {
	e2e_teardown
}

# start_recv NAME OUT SCHEME OPTION...: ipfix-recv on loopback at $port.
start_recv() {
	name=$1 out=$2 scheme=$3
	shift 3
	bg "$name" 60 - "$recv" -v --stats --json -o "$out" "$@" \
	    "$scheme://127.0.0.1:$port"
	for _ in $(seq 50); do
		ss -Hlun | awk -v p=":$port" '$4 ~ p "$" { f = 1 } END { exit !f }' &&
		    break
		sleep 0.1
	done
	ss -Hlun | grep -q ":$port " ||
	    { show_logs "$name"; echo "no listener"; return 1; }
	sleep 0.3	# its signal handlers come after the bind
}

# stat_of FIELD: a count of ipfix-send's --stats lines in $tmp/send.err
stat_of() {
	sed -n "s/.* \([0-9]*\) $1.*/\1/p" "$tmp/send.err" | tail -n 1
}

@test "liveness: --rekey rejects a bad limit; --probe needs dtls://" {
	for bad in 0 -3 10x 5msg 1.5T ''; do
		run "$send" --rekey "$bad" udp://127.0.0.1:1 /dev/null
		[ "$status" -eq 2 ]
		[[ "$output" == *--rekey* ]]
	done
	run "$send" --probe 1 udp://127.0.0.1:1 /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs a dtls://"* ]]
}

@test "liveness: --rekey by messages and by bytes hands off and loses nothing" {
	start_recv recv "$tmp/out.ipfix" udp
	run timeout 60 "$send" --stats --rekey 10msgs "udp://127.0.0.1:$port" \
	    "$tmp/in.ipfix"
	echo "$output" > "$tmp/send.err"
	[ "$status" -eq 0 ]
	msgs=$(sed -n 's/^ipfix-send: sent: \([0-9]*\) messages.*/\1/p' "$tmp/send.err")
	hand=$(stat_of hand-offs)
	echo "messages $msgs, hand-offs $hand"
	# every 10 messages a new session (its templates and statistics
	# records add a few messages)
	[ "$hand" -ge $((msgs / 14)) ] && [ "$hand" -le $((msgs / 10)) ]
	run timeout 60 "$send" --stats --rekey 16k "udp://127.0.0.1:$port" \
	    "$tmp/in.ipfix"
	echo "$output" > "$tmp/send.err"
	[ "$status" -eq 0 ]
	bytes=$(sed -n 's/^ipfix-send: sent: .* records, \([0-9]*\) bytes.*/\1/p' \
	    "$tmp/send.err")
	hand=$(stat_of hand-offs)
	echo "bytes $bytes, hand-offs $hand"
	[ "$hand" -ge $((bytes / 16384 / 2)) ] && [ "$hand" -le $((bytes / 16384)) ]
	sleep 0.3
	bg_stop recv INT
	# every flow record twice (the §4.1 records of the hand-offs aside)
	cat "$tmp/in.ipfix" "$tmp/in.ipfix" > "$tmp/twice.ipfix"
	canon "$tmp/twice.ipfix" | grep packetDeltaCount > "$tmp/c.in"
	canon "$tmp/out.ipfix" | grep packetDeltaCount > "$tmp/c.out"
	[ -s "$tmp/c.in" ]
	cmp "$tmp/c.in" "$tmp/c.out"
}

@test "liveness: --rekey over DTLS resumes the new sessions" {
	start_recv recv "$tmp/out.ipfix" dtls "${psk[@]}"
	run timeout 60 "$send" --stats --rekey 20msgs --record-rate 150 "${psk[@]}" \
	    "dtls://127.0.0.1:$port" "$tmp/in.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" > "$tmp/send.err"
	hand=$(stat_of hand-offs) resumed=$(stat_of resumed)
	[ "$hand" -ge 2 ]
	[ "$resumed" -eq "$hand" ]
	sleep 0.3
	bg_stop recv INT
	canon "$tmp/in.ipfix" | grep packetDeltaCount > "$tmp/c.in"
	canon "$tmp/out.ipfix" | grep packetDeltaCount > "$tmp/c.out"
	[ -s "$tmp/c.in" ]
	cmp "$tmp/c.in" "$tmp/c.out"
}

# own_stats: the statistics records ipfix-send added (in the output too)
own_stats() {
	sed -n 's/^.*ipfix-send: sent: .* \([0-9]*\) statistics records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1
}

# t_of PATTERN: the time stamp of the first line of send.err matching it
t_of() {
	grep -m 1 "$1" "$tmp/send.err" | cut -d ' ' -f 1
}

@test "liveness: --probe finds a collector restarted with its state lost within 2 s" {
	for i in 1 2 3 4 5 6; do cat "$tmp/in.ipfix"; done > "$tmp/six.ipfix"
	nin=$(nrec "$tmp/six.ipfix")
	start_recv recv1 "$tmp/out1.ipfix" dtls "${psk[@]}"
	# about 6 s of export; stderr lines time-stamped
	timeout 60 "$send" -v --stats --probe 1 --record-rate $((nin / 6)) \
	    "${psk[@]}" "dtls://127.0.0.1:$port" "$tmp/six.ipfix" \
	    2> >(while IFS= read -r l; do echo "$(date +%s.%N) $l"; done \
	    > "$tmp/send.err") 3>&- &
	sp=$!
	echo "$sp" > "$tmp/send.pid"
	sleep 1.5
	# No ICMP may reveal the restart: the exporter sleeps through it.
	xp=$(pgrep -P "$sp" ipfix-send || echo "$sp")
	kill -STOP "$xp"
	bg_stop recv1 KILL || true
	start_recv recv2 "$tmp/out2.ipfix" dtls "${psk[@]}"
	t0=$(date +%s.%N)
	kill -CONT "$xp"
	rc=0
	wait "$sp" || rc=$?
	rm -f "$tmp/send.pid"
	sleep 0.5
	bg_stop recv2 INT || true
	cat "$tmp/send.err"
	[ "$rc" -eq 0 ]
	t1=$(t_of "liveness probe unanswered")
	[ -n "$t1" ]
	echo "detected $(echo "$t1 - $t0" | bc) s after the exporter went on"
	[ "$(echo "$t1 - $t0 <= 2.0" | bc)" -eq 1 ]
	# no ICMP error was seen, no probe was switched off
	! grep -q "unreachable\|switched off" "$tmp/send.err"
	n1=$(nrec "$tmp/out1.ipfix") n2=$(nrec "$tmp/out2.ipfix")
	notsent=$(sed -n 's/.*not sent: [0-9]* messages, \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	unconf=$(sed -n 's/.*sent, unconfirmed: \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	lost=$((nin - (n1 + n2 - $(own_stats)) - notsent))
	echo "input $nin: $n1 before, $n2 after, $notsent not sent, $lost lost unseen, $unconf unconfirmed"
	[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]
	# what vanished unseen is within what was reported unconfirmed
	[ "$lost" -ge 0 ] && [ "$lost" -le "$unconf" ]
}

@test "liveness: a collector refusing the probe gets one warning; export goes on" {
	for i in 1 2 3; do cat "$tmp/in.ipfix"; done > "$tmp/three.ipfix"
	nin=$(nrec "$tmp/three.ipfix")
	start_recv recv "$tmp/out.ipfix" dtls --refuse-probes "${psk[@]}"
	run timeout 60 "$send" --stats --probe 0.3 --record-rate $((nin / 2)) \
	    "${psk[@]}" "dtls://127.0.0.1:$port" "$tmp/three.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "liveness probe switched off" <<< "$output")" -eq 1 ]
	[[ "$output" == *"refused renegotiation"* ]]
	echo "$output" > "$tmp/send.err"
	[ "$(stat_of "probes sent")" -eq 1 ]
	sleep 0.3
	bg_stop recv INT
	notsent=$(sed -n 's/.*not sent: [0-9]* messages, \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err")
	n=$(($(nrec "$tmp/out.ipfix") - $(own_stats)))
	echo "input $nin, collected $n, not sent $notsent"
	# the message the refusal caught waited in the spool: none lost
	[ "$notsent" -eq 0 ]
	[ "$n" -eq "$nin" ]
}
