#!/bin/bash
# Benchmark of ipfix-send -> ipfix-recv per transport against the physical
# limit, and of ipfix-recv's loss-free UDP receive rate against nfcapd and
# nfacctd, all in one run so the ratios share the machine's state:
#   1. rawpair (rawpair.c): a minimal sender/receiver process pair per
#      transport (UDP sendmmsg/recvmmsg, TCP, usrsctp SCTP over UDP), the
#      same message size as the export: the limit on this machine;
#   2. ipfix-send -> ipfix-recv over UDP, TCP and usrsctp, on a synthetic
#      capture's flow records (tests/bench/gen/synth.c -> ipfix-gen):
#      records/s and MB/s of IPFIX messages, received and lost;
#   3. udpblast (udpblast.c) replays the same stream at fixed message
#      rates into ipfix-recv, nfcapd and nfacctd: the highest rate with
#      no loss (kernel RcvbufErrors 0 and every record counted).
# Every run is in its own network namespace (loopback), so ports never
# clash and /proc/net/snmp counts only that collector. Not part of
# 'make check'. Appends a dated section to tests/bench/RESULTS.md.
# Environment: BUILD, IPFIX_BIN (from tests/bench/run.sh), PACKETS, FLOWS
# (synthetic capture, default 400000 / 40000), COPIES (input repeated,
# default 100), SECONDS_RAW (rawpair duration, default 3), REPEAT (rawpair
# and send->recv runs per transport, interleaved; medians reported; default
# 3), RATES (blaster ladder in messages/s, 0 = full speed; empty skips it).
# tests/bench/run.sh starts it with sh: arrays need bash
# out, work, ns, tmp and results are set by bench_ns_setup (../lib.bash)
# shellcheck disable=SC2154
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
: "${PACKETS:=400000}" "${FLOWS:=40000}" "${COPIES:=100}" "${SECONDS_RAW:=3}"
: "${REPEAT:=3}"
: "${RATES=20000 50000 100000 200000 0}"
py=/usr/bin/python3
# shellcheck source=../../lib/peers.bash
. "$top/tests/lib/peers.bash"
# shellcheck source=../lib.bash
. "$top/tests/bench/lib.bash"	# bench_ns_setup, median
bench_ns_setup transport
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/rawpair" tests/bench/transport/rawpair.c \
    -lusrsctp -lpthread || exit 1
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/udpblast" tests/bench/transport/udpblast.c ||
    exit 1
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/synth" tests/bench/gen/synth.c -lpcap || exit 1

fresh_ns() {	# fresh_ns [MTU]: a new namespace $ns with lo up
	netns_destroy "$ns"
	netns_create "$ns"
	[ -z "${1:-}" ] || ip -n "$ns" link set lo mtu "$1"
}

# Keys: udp, tcp, sctp-udp on loopback (MTU 65536: ipfix-send sizes UDP
# datagrams to it); udp-1500 with lo at MTU 1500, a common path (both
# sides then send datagrams of at most 1472 bytes).
mtu_of() { case $1 in *-1500) echo 1500 ;; *) echo "" ;; esac; }

# wait_drained PROTO PORT: until the socket queues on PORT are empty (the
# collector has read everything), at most 30 s.
wait_drained() {
	f=-Htuna
	for _ in $(seq 300); do
		q=$(ip netns exec "$ns" ss $f 2> /dev/null | awk -v p=":$2" \
		    '$1 == "'"$1"'" && $5 ~ p "$" { s += $3 } END { print s + 0 }')
		[ "$q" -eq 0 ] && return 0
		sleep 0.1
	done
}

rcvbuf_errors() {
	ip netns exec "$ns" awk '/^Udp:/ && $2 ~ /^[0-9]/ { print $6 }' /proc/net/snmp
}

jstat() {	# jstat KEY FILE: a top-level counter of ipfix-recv --stats --json
	$py "$top/tests/lib/stats.py" "$1" < "$2"
}

# --- input: flow records of a synthetic capture, 1400-byte messages
"$out/synth" "$PACKETS" "$FLOWS" "$work/syn.pcap" > /dev/null || exit 1
"$IPFIX_BIN/ipfix-gen" -q --msg-size 1400 -o "$work/gen.ipfix" "$work/syn.pcap"
ot=$("$IPFIX_BIN/ipfix-dump" --json=templates -q "$work/gen.ipfix" | $py -c '
import json, sys
print(" ".join(str(o["template"]) for o in map(json.loads, sys.stdin)
    if o.get("type") == "options-template"))')
# shellcheck disable=SC2086
$py tests/lib/flowsonly.py "$work/gen.ipfix" "$work/one.ipfix" $ot
for _ in $(seq "$COPIES"); do cat "$work/one.ipfix"; done > "$work/in.ipfix"
rec1=$("$IPFIX_BIN/ipfix-dump" --json -q "$work/one.ipfix" | grep -c '"record"')
read -r _ pkt1 _ < <("$IPFIX_BIN/ipfix-dump" --json -q "$work/one.ipfix" |
    $py tests/lib/records.py sums)
msgs1=$("$IPFIX_BIN/ipfix-dump" --stats "$work/one.ipfix" 2> /dev/null |
    sed -n 's/.*messages=\([0-9]*\) bytes=\([0-9]*\).*/\1/p' | head -n 1)
bytes1=$(stat -c %s "$work/one.ipfix")
nrec=$((rec1 * COPIES))
bpr=$(awk -v b="$bytes1" -v r="$rec1" 'BEGIN { printf "%.1f", b / r }')
echo "input: $rec1 flow records in $msgs1 messages ($bytes1 bytes, $bpr B/record), x$COPIES"

# --- 1. raw socket pair, one run
declare -A raw_rps raw_mbs raw_line raw_all
raw_run() {	# raw_run KEY [SIZE]
	local m=$1 mode line mbs
	fresh_ns "$(mtu_of "$m")"
	mode=${m%-1500}
	line=$(ip netns exec "$ns" timeout 60 "$out/rawpair" "${mode%-64k}" \
	    "${2:-1400}" "$SECONDS_RAW")
	echo "rawpair $m: $line"
	mbs=$(echo "$line" | sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p')
	raw_all[$m]="${raw_all[$m]:-} $mbs"
	raw_line[$m]=$line
}

# --- 2. ipfix-send -> ipfix-recv per transport, one run
declare -A st_rps st_mbs st_got st_cmd st_all
# export_run KEY LISTEN-URL SEND-URL PORT-PROTO PORT SEND-OPTIONS [OPTION...]
# The time runs from the start of ipfix-send until the collector's socket
# queues are empty; records are counted in ipfix-recv's output file.
export_run() {
	local key=$1 lurl=$2 surl=$3 pproto=$4 pport=$5 sopts=$6 got secs t0 t1
	shift 6
	fresh_ns "$(mtu_of "$key")"
	bg recv 300 "$ns" "$IPFIX_BIN/ipfix-recv" --stats --json "$@" \
	    -o "$work/recv.ipfix" "$lurl"
	netns_wait_listen "$ns" "$pproto" "$pport" 10
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 300 "$IPFIX_BIN/ipfix-send" $sopts "$@" \
	    "$surl" "$work/in.ipfix" 2> "$work/send.err"
	wait_drained "$pproto" "$pport"
	t1=$(date +%s.%N)
	bg_stop recv INT
	# counted in the output file: works even when ipfix-recv could not
	# print its statistics
	got=$("$IPFIX_BIN/ipfix-dump" --json -q "$work/recv.ipfix" |
	    $py tests/lib/records.py count)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	st_got[$key]=$got
	st_rps[$key]=$(awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	st_mbs[$key]=$(awk -v n="$got" -v s="$secs" -v b="$bpr" \
	    'BEGIN { printf "%.1f", n * b / s / 1e6 }')
	st_cmd[$key]="ipfix-recv --stats --json $* -o FILE $lurl; ipfix-send $sopts $* $surl in.ipfix"
	st_all[$key]="${st_all[$key]:-} ${st_rps[$key]}"
	echo "send->recv $key: $got of $nrec records in $secs s: ${st_rps[$key]} rec/s"
}

# Raw pair and send->recv alternate, REPEAT times each, so that both see
# the same machine state; the medians make the ratio.
# --linger 0.001 over UDP: ipfix-send otherwise waits its 5 s linger at the
# end, with nothing to wait for
for _ in $(seq "$REPEAT"); do
	raw_run udp
	export_run udp udp://127.0.0.1:4739 udp://127.0.0.1:4739 udp 4739 \
	    "--linger 0.001"
	raw_run udp-1500
	export_run udp-1500 udp://127.0.0.1:4739 udp://127.0.0.1:4739 udp 4739 \
	    "--linger 0.001"
	raw_run tcp
	export_run tcp tcp://127.0.0.1:4739 tcp://127.0.0.1:4739 tcp 4739 ""
	raw_run sctp-udp
	export_run sctp-udp sctp://127.0.0.1:4739 sctp://127.0.0.1:4739 udp \
	    9899 "" --sctp-udp-encap
done
# what the pair moves with the largest units (not the input's messages)
raw_run tcp-64k 65000
raw_run udp-64k 65000
for m in udp udp-1500 tcp sctp-udp; do
	raw_mbs[$m]=$(median "${raw_all[$m]}")
	raw_rps[$m]=$(awk -v m="${raw_mbs[$m]}" -v b="$bpr" 'BEGIN { printf "%.0f", m * 1e6 / b }')
	st_rps[$m]=$(median "${st_all[$m]}")
	st_mbs[$m]=$(awk -v n="${st_rps[$m]}" -v b="$bpr" 'BEGIN { printf "%.1f", n * b / 1e6 }')
done

# --- 3. loss-free UDP receive rate: ipfix-recv, nfcapd, nfacctd
declare -A lf_rate lf_rows
blast() {	# blast RATE: ~2 s of messages (at least one loop)
	r=$1
	[ "$r" -eq 0 ] && r=300000
	loops=$(( (r * 2 + msgs1 - 1) / msgs1 ))
	ip netns exec "$ns" "$out/udpblast" "$work/one.ipfix" 127.0.0.1 4739 \
	    "$1" "$loops" "$rec1"
	echo "$loops" > "$work/loops"
}
collect_run() {	# collect_run COLLECTOR RATE: one collector at one rate
	coll=$1 rate=$2
	fresh_ns
	case $coll in
	ipfix-recv)
		bg c 300 "$ns" "$IPFIX_BIN/ipfix-recv" --stats --json \
		    -o /dev/null udp://127.0.0.1:4739 ;;
	nfcapd)
		mkdir -p "$work/nfc" && rm -rf "$work/nfc"/*
		bg c 300 "$ns" nfcapd -w "$work/nfc" -p 4739 -b 127.0.0.1 \
		    -t 3600 -P "$work/nfcapd.pidfile" ;;
	nfacctd)
		rm -rf "$work/nfa" && mkdir -p "$work/nfa"
		nfacctd_start "$ns" 127.0.0.1 4739 "$work/nfa"
		mv "$work/nfacctd.pid" "$work/c.pid"
		mv "$work/nfacctd.err" "$work/c.err" 2> /dev/null ;;
	esac
	netns_wait_listen "$ns" udp 4739 10
	sleep 1
	bline=$(blast "$rate")
	loops=$(cat "$work/loops")
	sleep 1
	drops=$(rcvbuf_errors)
	bg_stop c INT
	want=$((rec1 * loops))
	case $coll in
	ipfix-recv) got=$(jstat records "$work/c.err") ;;
	nfcapd) read -r got _ < <(nfcapd_sums "$work/nfc") ;;
	nfacctd)	# packets, converted to records
		p=$(nfacctd_sum "$work/nfa" PACKETS)
		got=$(awk -v p="$p" -v pk="$pkt1" -v r="$rec1" \
		    'BEGIN { printf "%.0f", p / pk * r }') ;;
	esac
	mps=$(echo "$bline" | sed -n 's/.*msgs\/s=\([0-9]*\).*/\1/p')
	loss=$(awk -v w="$want" -v g="$got" 'BEGIN { printf "%.2f", 100 * (w - g) / w }')
	echo "blast $coll at ${rate:-max}: $bline; counted $got of $want ($loss % lost), RcvbufErrors $drops"
	lf_rows[$coll]="${lf_rows[$coll]:-}$mps msg/s: $loss %; "
	if [ "$drops" -eq 0 ] && [ "$got" -ge "$want" ]; then
		cur=${lf_rate[$coll]:-0}
		[ "$mps" -gt "$cur" ] && lf_rate[$coll]=$mps
	fi
}
for c in ipfix-recv nfcapd nfacctd; do
	for r in $RATES; do
		collect_run "$c" "$r"
	done
done

# --- report
{
	echo
	echo "## ipfix-send -> ipfix-recv per transport, and UDP loss-free receive rate, $(date -u '+%Y-%m-%d %H:%M') UTC"
	echo
	echo "Input: \`synth $PACKETS $FLOWS\` -> \`ipfix-gen --msg-size 1400\`, flow records only (tests/lib/flowsonly.py), $rec1 records in $msgs1 messages ($bpr bytes per record), repeated $COPIES times ($nrec records). All runs on lo in a private network namespace."
	echo
	echo "Medians of $REPEAT alternating runs (every run's figure in the last column)."
	echo
	echo "| transport | raw pair (1400 B messages) | raw as records/s | ipfix-send -> ipfix-recv records/s | MB/s | received (last run) | ratio to raw | runs: raw MB/s; send->recv rec/s |"
	echo "|---|---|---|---|---|---|---|---|"
	for m in udp udp-1500 tcp sctp-udp; do
		ratio=$(awk -v a="${st_rps[$m]}" -v b="${raw_rps[$m]}" \
		    'BEGIN { printf "%.0f %%", 100 * a / b }')
		echo "| $m | ${raw_mbs[$m]} MB/s | ${raw_rps[$m]} | ${st_rps[$m]} | ${st_mbs[$m]} | ${st_got[$m]} / $nrec | $ratio |${raw_all[$m]};${st_all[$m]} |"
	done
	echo
	echo "Last raw pair lines: $(for m in udp udp-1500 tcp sctp-udp; do printf '`%s` ' "${raw_line[$m]}"; done)"
	echo "(\`rawpair MODE 1400 $SECONDS_RAW\`, tests/bench/transport/rawpair.c; udp-1500: both sides with lo at MTU 1500). send->recv commands: $(for m in udp tcp sctp-udp; do printf '`%s`; ' "${st_cmd[$m]}"; done)"
	echo
	echo "The raw pair above moves the input's 1400-byte messages, one per system call (UDP: batched by sendmmsg/recvmmsg); ipfix-send re-packs them into larger units where the path allows (loopback: UDP datagrams up to its 64 KB MTU, TCP writes of up to 64 KiB). With 65000-byte units the same pair moves, once, TCP: ${raw_all[tcp-64k]} MB/s (\`${raw_line[tcp-64k]}\`); UDP: ${raw_all[udp-64k]} MB/s received (\`${raw_line[udp-64k]}\`)."
	echo
	echo "Loss-free UDP receive rate (udpblast at fixed message rates, ~2 s each; loss = records not counted by the collector; a rate is loss-free when RcvbufErrors is 0 and every record is counted):"
	echo
	echo "| collector | highest loss-free rate | messages/s | records/s | runs (achieved rate: loss) |"
	echo "|---|---|---|---|---|"
	for c in ipfix-recv nfcapd nfacctd; do
		m=${lf_rate[$c]:-0}
		echo "| $c | $m msg/s | $m | $(awk -v m="$m" -v r="$rec1" -v n="$msgs1" 'BEGIN { printf "%.0f", m * r / n }') | ${lf_rows[$c]:-} |"
	done
	echo
	a=${lf_rate[ipfix-recv]:-0} b=${lf_rate[nfcapd]:-0}
	echo "ipfix-recv / nfcapd loss-free rate: $(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f x", a / b; else print "n/a" }') (goal >= 2 x). Goals for send->recv: >= 70 % of the raw pair on TCP and UDP."
	echo "Commands: \`udpblast one.ipfix 127.0.0.1 4739 RATE LOOPS $rec1\`; \`ipfix-recv --stats --json -o /dev/null udp://127.0.0.1:4739\`; \`nfcapd -w DIR -p 4739 -b 127.0.0.1 -t 3600\` then \`nfdump -R DIR -I\`; nfacctd with tests/lib/peers.bash's print-plugin config (PACKETS summed, converted to records). Machine: $(nproc) CPUs, $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg) (shared with parallel builds: compare ratios within this run only)."
} | tee -a "$results"
