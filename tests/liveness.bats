#!/usr/bin/env bats
# ipfix-send's liveness (ipfix-send(1) LIVENESS) against ipfix-recv on
# loopback: --rekey by time, bytes and messages; the DTLS liveness probe
# finding a collector restarted with its state lost (the exporter is
# stopped while the collector restarts, so no ICMP error can give it
# away); a collector refusing the probe, ipfix-recv --refuse-probes and
# openssl s_server (one warning, export goes on, every record accounted
# for); hand-offs every 10 ms over DTLS/UDP, TLS/TCP and DTLS/SCTP
# (in namespaces) with the records compared exactly; a collector gone
# (ICMP) and back, with and without the spool, and with a live pipe as
# input (read on while no session is up: the writer never waits; a small
# spool's overflow counted and announced per ODID). The PKI comes from
# tests/lib/mkcerts.sh.

load lib/netns
load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	need_cmd openssl jq
	pki_use
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
	gen_stream "$tmp/in5.ipfix" nDPI__wechat.pcap 5 400
	for i in 1 2 3; do cat "$tmp/in.ipfix" "$tmp/in5.ipfix"; done \
	    > "$tmp/six.ipfix"
	nin=$(nrec "$tmp/six.ipfix")
	start_recv recv1 "$tmp/out.ipfix" dtls "${psk[@]}"
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
	n1=$(stat -c %s "$tmp/out.ipfix")
	# the same file continued: the old chain and its records go on
	start_recv recv2 "$tmp/out.ipfix" dtls --append "${psk[@]}"
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
	n=$(nrec "$tmp/out.ipfix")
	notsent=$(sed -n 's/.*not sent: [0-9]* messages, \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	grep '^{' "$tmp/recv2.err" | tail -n 1 > "$tmp/recv2.json"
	exp='.exporters[] | select(.key == "psk=exp1 at 127.0.0.1 over dtls")'
	lost=$(jq "$exp | .lost" "$tmp/recv2.json")
	handoffs=$(jq "$exp | .handoffs" "$tmp/recv2.json")
	echo "input $nin: $n in the file ($n1 bytes before the kill), $lost lost, $notsent not sent, $handoffs hand-offs"
	# (the dead session usually swallows a few hundred records; under
	# ASan the exporter may send none into it before the probe fails)
	[ "$n1" -gt 0 ]
	# one exporter (its new source port is the same exporter), whose
	# next session continued the chain read back from the file
	[ "$(jq '.exporters | length' "$tmp/recv2.json")" -eq 1 ]
	[ "$handoffs" -ge 1 ]
	# every record is in the file, reported lost, or announced not sent
	[ $((n - $(own_stats) + lost + notsent)) -eq "$nin" ]
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

# handoffs SCHEME N OPTION...: continuous paced export between two network
# namespaces (usrsctp's encapsulation port is per host otherwise) with a
# hand-off due every 10 ms (--rekey 0.01), fed the input a chunk at a time
# through a FIFO until ipfix-send -v has reported N hand-offs done (at
# most 150 s): a slower build (sanitizers) gets more input, not fewer
# hand-offs. Every flow record fed arrives exactly once.
# A hand-off must not end the previous old session mid-close: over SCTP
# that was an ABORT that lost its last messages (about 1 run in 3 under
# load before exp_conn_next_ready waited for it).
handoffs() {
	scheme=$1 want=$2
	shift 2
	e2e_pair
	case $scheme in
	tls) proto=tcp lport=4740 ;;
	dtls-sctp) proto=udp lport=9899 ;;
	*) proto=udp lport=4740 ;;
	esac
	bg recv 240 "$nsb" "$recv" --stats --json -o "$tmp/out.ipfix" "$@" \
	    "$scheme://:4740"
	netns_wait_listen "$nsb" "$proto" "$lport" 10 ||
	    { show_logs recv; return 1; }
	sleep 0.3
	mkfifo "$tmp/in.fifo"
	bg send 220 "$nsa" "$send" -v --stats --rekey 0.01 --rate 1000 "$@" \
	    "$scheme://10.99.0.2:4740" "$tmp/in.fifo"
	# held open for writing (read-write: never blocks) until the end,
	# so that the copies written one by one read as one stream
	exec 4<> "$tmp/in.fifo"
	# chunks of 4 copies (about 0.2 s of input): a copy at a time, the
	# loop's own process starts left the pipe empty half the time. 1000
	# messages a second keep the records (and their comparison) in
	# bounds: about 100,000 for 1,000 hand-offs.
	for i in 1 2 3 4; do cat "$tmp/in.ipfix"; done > "$tmp/chunk.ipfix"
	: > "$tmp/many.ipfix"
	end=$((SECONDS + 150))
	while [ "$(grep -c 'hand-off to the new session done' "$tmp/send.err")" \
	    -lt "$want" ] && [ "$SECONDS" -lt "$end" ] && bg_alive send; do
		timeout 20 cat "$tmp/chunk.ipfix" > "$tmp/in.fifo" || break
		cat "$tmp/chunk.ipfix" >> "$tmp/many.ipfix"
	done
	exec 4>&-
	rc=0
	bg_wait send 60 || rc=$?
	tail -n 3 "$tmp/send.err"
	[ "$rc" -eq 0 ]
	sleep 0.5
	bg_stop recv INT
	hand=$(stat_of hand-offs) resumed=$(stat_of resumed)
	echo "hand-offs $hand, resumed $resumed, $((SECONDS - end + 150)) s"
	[ "$hand" -ge "$want" ]
	canon "$tmp/many.ipfix" | grep packetDeltaCount > "$tmp/c.in"
	canon "$tmp/out.ipfix" | grep packetDeltaCount > "$tmp/c.out"
	[ -s "$tmp/c.in" ]
	echo "flow records: $(wc -l < "$tmp/c.in") in, $(wc -l < "$tmp/c.out") out, $(comm -23 "$tmp/c.in" "$tmp/c.out" | wc -l) missing, $(comm -13 "$tmp/c.in" "$tmp/c.out" | wc -l) extra"
	cmp "$tmp/c.in" "$tmp/c.out"
	# nothing lost, so the collector's association finds nothing lost
	# between the sessions either: the §4.1 counts agree with what came
	between=$(grep '^{' "$tmp/recv.err" | tail -n 1 |
	    jq '.exporters[0].lost_between')
	echo "lost between sessions: $between"
	[ "$between" -eq 0 ]
}

# The issue's 1,000 hand-offs per transport (LIVENESS_HANDOFFS changes it).
@test "liveness: hand-offs over DTLS/UDP, records exact, >= 99 % resumed" {
	handoffs dtls "${LIVENESS_HANDOFFS:-1000}" "${psk[@]}"
	[ $((resumed * 100)) -ge $((hand * 99)) ]
}

@test "liveness: hand-offs over TLS/TCP, records exact, >= 99 % resumed" {
	handoffs tls "${LIVENESS_HANDOFFS:-1000}" "${psk[@]}"
	[ $((resumed * 100)) -ge $((hand * 99)) ]
}

@test "liveness: hand-offs over DTLS/SCTP (usrsctp), records exact, >= 99 % resumed" {
	handoffs dtls-sctp "${LIVENESS_HANDOFFS:-1000}" --sctp-udp-encap \
	    "${psk[@]}"
	[ $((resumed * 100)) -ge $((hand * 99)) ]
}

# tally: of the $nin input records, those collected in out1 and out2
# ($n), not sent ($notsent), sent unconfirmed ($unconf) and lost unseen
# ($unseen, swallowed by the dead session before the ICMP error): fails
# unless 0 <= unseen <= unconfirmed.
tally() {
	n=$(($(nrec "$tmp/out1.ipfix" "$tmp/out2.ipfix") - $(own_stats)))
	notsent=$(sed -n 's/.*not sent: [0-9]* messages, \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	unconf=$(sed -n 's/.*sent, unconfirmed: \([0-9]*\) records.*/\1/p' \
	    "$tmp/send.err" | tail -n 1)
	unseen=$((nin - n - notsent))
	echo "input $nin: collected $n, not sent $notsent, lost unseen $unseen, unconfirmed $unconf"
	[ "$unseen" -ge 0 ] && [ "$unseen" -le "$unconf" ]
}

# gone_and_back SPOOL: a DTLS collector stops (ICMP port unreachable from
# then on) and comes back 1.5 s later during a paced export of ODIDs 0
# and 5.
gone_and_back() {
	gen_stream "$tmp/in5.ipfix" nDPI__wechat.pcap 5 400
	for i in 1 2 3; do cat "$tmp/in.ipfix" "$tmp/in5.ipfix"; done \
	    > "$tmp/six.ipfix"
	nin=$(nrec "$tmp/six.ipfix")
	per_odid "$tmp/six.ipfix" > "$tmp/odid.in"
	start_recv recv1 "$tmp/out1.ipfix" dtls "${psk[@]}"
	bg send 60 - "$send" -v --stats --spool "$1" --retry-min 0.3 \
	    --retry-max 0.6 --record-rate $((nin / 5)) "${psk[@]}" \
	    "dtls://127.0.0.1:$port" "$tmp/six.ipfix"
	sleep 1.5
	bg_stop recv1 INT
	sleep 1.5
	start_recv recv2 "$tmp/out2.ipfix" dtls "${psk[@]}"
	rc=0
	bg_wait send 60 || rc=$?
	sleep 0.3
	bg_stop recv2 INT || true
	cat "$tmp/send.err"
	[ "$rc" -eq 0 ]
	grep -q "port is unreachable" "$tmp/send.err"
	tally
}

@test "liveness: collector gone (ICMP) and back: the spool keeps what the lost session held" {
	gone_and_back 4194304
	[ "$notsent" -eq 0 ]
	grep -q "spooled: [1-9][0-9]* messages, 0 records dropped" "$tmp/send.err"
}

@test "liveness: collector gone and back without a spool: the drop is counted and announced in §4.3 records" {
	gone_and_back 0
	[ "$notsent" -gt 0 ]
	odid_check
	[ "$sum" -eq "$notsent" ]
}

# per_odid FILE...: "ODID COUNT" of the input's records (ipfix-recv's
# details records and our §4.1 and §4.3 records left out: unlike
# ipfix-gen's, ours carry no meteringProcessId, no notSentPacketTotalCount;
# their template ids are renumbered in ipfix-recv's output), by ODID.
per_odid() {
	timeout 60 "$dump" --json -q "$@" | jq -r 'select(.type == "record" and
	    .sessionScope == null and .messageScope == null and
	    ((has("notSentFlowTotalCount") and (has("notSentPacketTotalCount") |
	    not)) | not) and ((has("exportedFlowRecordTotalCount") and
	    (has("meteringProcessId") | not)) | not)) | .odid' | sort -n |
	    uniq -c | awk '{ print $2, $1 }'
}

# told_odid FILE...: "ODID COUNT": the highest notSentFlowTotalCount our
# §4.3 records announced per ODID.
told_odid() {
	timeout 60 "$dump" --json -q "$@" | jq -r 'select(has("notSentFlowTotalCount")
	    and (has("notSentPacketTotalCount") | not)) |
	    "\(.odid) \(.notSentFlowTotalCount)"' | sort -k1,1n -k2,2n |
	    awk '{ m[$1] = $2 } END { for (o in m) print o, m[o] }' | sort -n
}

# odid_check: for ODIDs 0 and 5, the input's records ($tmp/odid.in) are
# those collected in out1 and out2 plus those our §4.3 records of that
# ODID announced, but for what the dead session swallowed before the ICMP
# error (sent, unconfirmed); $sum: the announced counts added up.
odid_check() {
	per_odid "$tmp/out1.ipfix" "$tmp/out2.ipfix" > "$tmp/odid.out"
	told_odid "$tmp/out1.ipfix" "$tmp/out2.ipfix" > "$tmp/odid.told"
	sum=0
	for o in 0 5; do
		i=$(awk -v o=$o '$1 == o { print $2 }' "$tmp/odid.in")
		c=$(awk -v o=$o '$1 == o { print $2 }' "$tmp/odid.out")
		t=$(awk -v o=$o '$1 == o { print $2 }' "$tmp/odid.told")
		t=${t:-0}
		echo "ODID $o: input $i, collected $c, announced not sent $t"
		[ -n "$i" ]
		[ -n "$c" ]
		[ $((i - c - t)) -ge 0 ]
		[ $((i - c - t)) -le "$unconf" ]
		sum=$((sum + t))
	done
}

# live_gone SPOOL: a pipe fed at a steady rate (16 streams of ODIDs 0 and
# 5, ~80 kB/s, each write timed) into ipfix-send while the DTLS collector
# is gone (ICMP) for 1.5 s; the pipe (64 KiB) would fill in under a second
# if ipfix-send stopped reading.
live_gone() {
	gen_stream "$tmp/in5.ipfix" nDPI__wechat.pcap 5 400
	for i in 1 2 3 4 5 6 7 8; do cat "$tmp/in.ipfix" "$tmp/in5.ipfix"; done \
	    > "$tmp/live.ipfix"
	nin=$(nrec "$tmp/live.ipfix")
	per_odid "$tmp/live.ipfix" > "$tmp/odid.in"
	start_recv recv1 "$tmp/out1.ipfix" dtls "${psk[@]}"
	mkfifo "$tmp/pipe"
	bg send 60 - "$send" -v --stats --spool "$1" --retry-min 0.2 \
	    --retry-max 0.4 "${psk[@]}" "dtls://127.0.0.1:$port" "$tmp/pipe"
	timeout 30 python3 -c '
import os, sys, time
data = open(sys.argv[1], "rb").read()
fd = os.open(sys.argv[2], os.O_WRONLY)
worst = 0.0
for i in range(0, len(data), 4096):
    t = time.monotonic()
    os.write(fd, data[i:i + 4096])
    worst = max(worst, time.monotonic() - t)
    time.sleep(0.05)
os.close(fd)
open(sys.argv[3], "w").write("%.3f\n" % worst)' "$tmp/live.ipfix" "$tmp/pipe" \
	    "$tmp/worst" &
	wpid=$!
	# the first session must be up: before it every input waits
	for _ in $(seq 100); do
		grep -q "session up" "$tmp/send.err" && break
		sleep 0.05
	done
	sleep 0.8
	bg_stop recv1 INT
	sleep 1.5
	start_recv recv2 "$tmp/out2.ipfix" dtls "${psk[@]}"
	wait "$wpid"
	rc=0
	bg_wait send 30 || rc=$?
	sleep 0.3
	bg_stop recv2 INT || true
	cat "$tmp/send.err"
	echo "the writer's longest write: $(cat "$tmp/worst") s"
	[ "$rc" -eq 0 ]
	grep -q "port is unreachable" "$tmp/send.err"
	# a writer held back waits about as long as the collector was gone
	awk '{ exit !($1 < 0.5) }' "$tmp/worst"
	tally
	grep -q "spooled: [1-9][0-9]* messages" "$tmp/send.err"
}

@test "liveness: a live pipe keeps being read while the collector is gone; the spool delivers it" {
	live_gone 4194304
	[ "$notsent" -eq 0 ]
	[ "$unseen" -le "$unconf" ]
}

@test "liveness: a live pipe into a small spool: the overflow is counted exactly and announced per ODID" {
	live_gone 30000
	[ "$notsent" -gt 0 ]
	odid_check
	[ "$sum" -eq "$notsent" ]
	# the spool overflowed in both domains, each announced its own
	[ "$(awk '$2 > 0' "$tmp/odid.told" | wc -l)" -eq 2 ]
}

@test "liveness: openssl s_server refusing renegotiation: one warning, every record arrives" {
	# OpenSSL 3's default: a client's renegotiation is refused (alert),
	# which ends that session; s_server then takes the next one.
	(sleep 12 | timeout 15 openssl s_server -dtls1_2 -accept "$port" \
	    -nocert -psk "$(cat "$pki/psk.hex")" -psk_identity exp1 -quiet \
	    > "$tmp/sserver.out" 2> "$tmp/sserver.err" &)
	sleep 1
	nin=$(nrec "$tmp/in.ipfix")
	run timeout 30 "$send" -v --stats --probe 0.3 --retry-min 0.2 \
	    --record-rate $((nin / 2)) "${psk[@]}" "dtls://127.0.0.1:$port" \
	    "$tmp/in.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "liveness probe switched off" <<< "$output")" -eq 1 ]
	echo "$output" > "$tmp/send.err"
	sleep 0.5
	sent=$(sed -n 's/^ipfix-send: sent: .* records, \([0-9]*\) bytes.*/\1/p' \
	    "$tmp/send.err")
	[ "$(stat -c %s "$tmp/sserver.out")" -eq "$sent" ]
	canon "$tmp/in.ipfix" | grep packetDeltaCount > "$tmp/c.in"
	canon "$tmp/sserver.out" | grep packetDeltaCount > "$tmp/c.out"
	[ -s "$tmp/c.in" ]
	cmp "$tmp/c.in" "$tmp/c.out"
}
