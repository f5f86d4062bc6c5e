#!/bin/bash
# Benchmark of liveness and hand-off (issue 10), in one run so the ratios
# share the machine's state:
#   1. throughput of ipfix-send -> ipfix-recv over DTLS (PSK) on the flow
#      records of a synthetic capture in 1400-byte messages: plain, with
#      --rekey 1 and with --probe 1, alternating, REPEAT runs each;
#   2. detection of a collector restarted with its state lost (the
#      exporter is stopped while it restarts, so no ICMP error helps):
#      seconds from the exporter going on to its "session lost" line, with
#      --probe 1, and without a probe (--rekey 3 then bounds it: the time
#      until the next session reaches the new collector), RUNS each.
# Each run in its own network namespace (loopback). Not part of 'make
# check'. Appends a dated section to tests/bench/RESULTS.md.
# Environment: BUILD, IPFIX_BIN, PACKETS, FLOWS (synthetic capture,
# default 400000 / 40000), COPIES (default 200), REPEAT (default 3), RUNS
# (default 20).
# out, work, ns, tmp and results are set by bench_ns_setup (../lib.bash)
# shellcheck disable=SC2154
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
: "${PACKETS:=400000}" "${FLOWS:=40000}" "${COPIES:=200}" "${REPEAT:=3}"
: "${RUNS:=20}"
py=/usr/bin/python3
# shellcheck source=../lib.bash
. "$top/tests/bench/lib.bash"	# bench_ns_setup, median
bench_ns_setup handoff
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/synth" tests/bench/gen/synth.c -lpcap || exit 1
sh tests/lib/mkcerts.sh "$work/pki" > /dev/null 2>&1 || exit 1
psk="--psk-identity exp1 --psk-file $work/pki/psk.hex"
send=$IPFIX_BIN/ipfix-send recv=$IPFIX_BIN/ipfix-recv

fresh_ns() {
	netns_destroy "$ns"
	netns_create "$ns"
}

"$out/synth" "$PACKETS" "$FLOWS" "$work/syn.pcap" > /dev/null || exit 1
"$IPFIX_BIN/ipfix-gen" -q --msg-size 1400 -o "$work/one.ipfix" "$work/syn.pcap"
for _ in $(seq "$COPIES"); do cat "$work/one.ipfix"; done > "$work/in.ipfix"
nrec=$(( $("$IPFIX_BIN/ipfix-dump" --json -q "$work/one.ipfix" |
    $py tests/lib/records.py count) * COPIES ))
echo "input: $nrec records in 1400-byte messages"

start_recv() {	# start_recv NAME: ipfix-recv on dtls://127.0.0.1:4740 in $ns
	# shellcheck disable=SC2086
	bg "$1" 300 "$ns" "$recv" --stats --json --rcvbuf 4194304 $psk \
	    -o /dev/null dtls://127.0.0.1:4740
	netns_wait_listen "$ns" udp 4740 10
	sleep 0.3
}

# --- 1. throughput
declare -A rps dps
tput_run() {	# tput_run KEY OPTION...: records/s of one run
	local key=$1 t0 t1
	shift
	fresh_ns
	start_recv recv
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 300 "$send" "$@" $psk \
	    dtls://127.0.0.1:4740 "$work/in.ipfix" 2> "$work/send.err"
	t1=$(date +%s.%N)
	sleep 0.3
	bg_stop recv INT
	rps[$key]="${rps[$key]:-} $(awk -v n="$nrec" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')"
	# what arrived, over the same time: the collector is the slower
	# side, and UDP loses what it cannot take
	got=$(grep '^{' "$tmp/recv.err" | tail -n 1 | jq -r '.records')
	dps[$key]="${dps[$key]:-} $(awk -v n="${got:-0}" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')"
	echo "$key: $(echo "${rps[$key]}" | awk '{ print $NF }') records/s sent, $(echo "${dps[$key]}" | awk '{ print $NF }') arrived; $(grep -o '[0-9]* hand-offs\|[0-9]* probes sent' "$work/send.err" | tr '\n' ' ' || true)"
}
for _ in $(seq "$REPEAT"); do
	tput_run plain --stats
	tput_run rekey1 --stats --rekey 1
	tput_run probe1 --stats --probe 1
done

# --- 2. detection of a restarted collector
declare -A det
detect_run() {	# detect_run KEY OPTION...: seconds to detection
	local key=$1 sp xp t0 t1
	shift
	fresh_ns
	start_recv recv1
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 60 "$send" -v --record-rate 10000 "$@" \
	    $psk dtls://127.0.0.1:4740 "$work/one.ipfix" \
	    2> >(while IFS= read -r l; do echo "$(date +%s.%N) $l"; done \
	    > "$work/det.err") &
	sp=$!
	sleep 1.2
	xp=$(pgrep -P "$(pgrep -P "$sp" -x timeout || echo "$sp")" -x ipfix-send ||
	    pgrep -P "$sp" -x ipfix-send)
	kill -STOP "$xp"
	bg_stop recv1 KILL
	start_recv recv2
	t0=$(date +%s.%N)
	kill -CONT "$xp"
	wait "$sp"
	bg_stop recv2 INT
	t1=$(grep -m 1 "session lost\|hand-off to the new session" "$work/det.err" | cut -d ' ' -f 1)
	[ -n "$t1" ] || { echo "$key: not detected"; return; }
	det[$key]="${det[$key]:-} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
	echo "$key: detected after $(echo "${det[$key]}" | awk '{ print $NF }') s"
}
for _ in $(seq "$RUNS"); do
	detect_run probe --probe 1
	detect_run noprobe --rekey 3
done

maxof() { echo "$1" | tr ' ' '\n' | grep . | sort -g | tail -n 1; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }'; }
mp=$(median "${rps[plain]}") mr=$(median "${rps[rekey1]}") mq=$(median "${rps[probe1]}")
dp=$(median "${dps[plain]}") dr=$(median "${dps[rekey1]}") dq=$(median "${dps[probe1]}")
{
	echo
	echo "## handoff, $(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) CPUs)"
	echo
	echo "\`BENCH=handoff make bench\` (PACKETS=$PACKETS FLOWS=$FLOWS COPIES=$COPIES REPEAT=$REPEAT RUNS=$RUNS): ipfix-send -> ipfix-recv over DTLS/UDP (PSK) in a network namespace, $nrec records in 1400-byte messages."
	echo
	echo "Records/s over ipfix-send's run time, medians of $REPEAT alternating runs: sent (the input's records) and arrived (ipfix-recv's count; UDP drops what the collector cannot take)."
	echo
	echo "| run | sent | cost | arrived | cost | runs (sent) | runs (arrived) |"
	echo "|---|---|---|---|---|---|---|"
	echo "| plain | $mp | - | $dp | - | ${rps[plain]} | ${dps[plain]} |"
	echo "| --rekey 1 | $mr | $(pct "$mr" "$mp") % | $dr | $(pct "$dr" "$dp") % | ${rps[rekey1]} | ${dps[rekey1]} |"
	echo "| --probe 1 | $mq | $(pct "$mq" "$mp") % | $dq | $(pct "$dq" "$dp") % | ${rps[probe1]} | ${dps[probe1]} |"
	echo
	echo "Detection of a collector restarted with its state lost (seconds from the exporter going on; median and max of $RUNS):"
	echo
	echo "| exporter | median | max |"
	echo "|---|---|---|"
	echo "| --probe 1 | $(median "${det[probe]:-}") | $(maxof "${det[probe]:-}") |"
	echo "| no probe (--rekey 3 bounds it) | $(median "${det[noprobe]:-}") | $(maxof "${det[noprobe]:-}") |"
} | tee -a "$results"
