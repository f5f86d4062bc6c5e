#!/bin/bash
# Benchmark of the secured transports against their limit, in one run so
# the ratios share the machine's state:
#   1. sslpair (sslpair.c): a minimal OpenSSL sender/receiver pair over
#      DTLS 1.2 (UDP) and TLS 1.3 (TCP) on loopback, 1400-byte records,
#      the same cipher and certificates as the tools: the limit here
#      (platform-notes §3f: about 300 MB/s for 1400-byte DTLS records);
#   2. ipfix-gen | ipfix-send -> ipfix-recv over dtls:// and tls:// on
#      the flow records of a synthetic capture in 1400-byte messages:
#      records/s and MB/s received, and the records lost; DTLS once at
#      full speed and once paced (--rate);
#   3. handshake time, full and resumed, of the pair (mean of N).
# Every run is in its own network namespace (loopback). Not part of
# 'make check'. Appends a dated section to tests/bench/RESULTS.md.
# Environment: BUILD, IPFIX_BIN (from tests/bench/run.sh), PACKETS, FLOWS
# (synthetic capture, default 400000 / 40000), COPIES (input repeated,
# default 200), SECONDS_RAW (pair duration, default 3), PACED (messages/s
# of the paced DTLS run, default 20000), HANDSHAKES (default 20), REPEAT
# (alternating pair and send->recv runs per transport, default 3).
# tests/bench/run.sh starts it with sh: arrays need bash
# out, work, ns, tmp and results are set by bench_ns_setup (../lib.bash)
# shellcheck disable=SC2154
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
: "${PACKETS:=400000}" "${FLOWS:=40000}" "${COPIES:=200}" "${SECONDS_RAW:=3}"
: "${PACED:=20000}" "${HANDSHAKES:=20}" "${REPEAT:=3}"
py=/usr/bin/python3
ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256"
# shellcheck source=../lib.bash
. "$top/tests/bench/lib.bash"	# bench_ns_setup, median
bench_ns_setup secure
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/sslpair" tests/bench/secure/sslpair.c \
    -lssl -lcrypto || exit 1
cc -std=c11 -D_GNU_SOURCE -O2 -o "$out/synth" tests/bench/gen/synth.c -lpcap || exit 1
sh tests/lib/mkcerts.sh "$work/pki" > /dev/null 2>&1 || exit 1
pki=$work/pki

fresh_ns() {	# a new namespace $ns with lo up
	netns_destroy "$ns"
	netns_create "$ns"
}

kv() {	# kv KEY LINE: the value of KEY=VALUE in LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# --- input: flow records of a synthetic capture, 1400-byte messages
"$out/synth" "$PACKETS" "$FLOWS" "$work/syn.pcap" > /dev/null || exit 1
"$IPFIX_BIN/ipfix-gen" -q --msg-size 1400 -o "$work/one.ipfix" "$work/syn.pcap"
for _ in $(seq "$COPIES"); do cat "$work/one.ipfix"; done > "$work/in.ipfix"
rec1=$("$IPFIX_BIN/ipfix-dump" --json -q "$work/one.ipfix" |
    $py tests/lib/records.py count)
nrec=$((rec1 * COPIES))
bytes=$(stat -c %s "$work/in.ipfix")
bpr=$(awk -v b="$bytes" -v r="$nrec" 'BEGIN { printf "%.1f", b / r }')
nmsg=$(( $("$IPFIX_BIN/ipfix-dump" --json=messages -q "$work/one.ipfix" | grep -c "\"type\":\"message\"") * COPIES ))
echo "input: $nrec records, $bytes bytes ($bpr B/record, 1400-byte messages)"

# Runs are keyed: dtls (loopback, MTU 65536: ipfix-send packs several
# 1400-byte records into a datagram, RFC 6347 §4.1.1, which the pair does
# not), dtls-1500 (lo at MTU 1500, a common path: one record per datagram
# for both), tls.
mtu_of() { case $1 in *-1500) echo 1500 ;; *) echo "" ;; esac; }
scheme_of() { echo "${1%%-*}"; }

# --- 1. the OpenSSL pair, one run
declare -A pair_mbs pair_line pair_all pair_dg
pair_run() {
	local key=$1 line secs got
	fresh_ns
	[ -z "$(mtu_of "$key")" ] ||
	    ip netns exec "$ns" ip link set lo mtu "$(mtu_of "$key")"
	line=$(ip netns exec "$ns" timeout 60 "$out/sslpair" "$(scheme_of "$key")" \
	    1400 "$SECONDS_RAW" "$pki" "$ciphers" | tr '\n' ' ')
	echo "sslpair $key: $line"
	secs=$(kv seconds "$line")
	got=$(kv received "$line")
	pair_all[$key]="${pair_all[$key]:-} $(awk -v b="$got" -v s="$secs" 'BEGIN { printf "%.1f", b / s / 1e6 }')"
	# records per second: datagrams per second at MTU 1500
	pair_dg[$key]="${pair_dg[$key]:-} $(awk -v n="$(kv records "$line")" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
	pair_line[$key]=$line
}

# --- 2. ipfix-send -> ipfix-recv, one run
declare -A st_rps st_mbs st_got st_cmd st_all st_lost st_dg st_fix
# export_run KEY SEND-OPTIONS [INPUT]: time from the start of ipfix-send
# to its end (the collector has read everything by then over TLS; over
# DTLS the collector's socket queue is drained first). The input file is
# given to ipfix-send by name, as a stored capture is replayed (no cat
# process on the two CPUs); the pair reads no input. With INPUT (a few
# messages) only the time is kept, in st_fix: what a run costs besides
# its records (process start, keys, handshake, close, this script's own
# commands), which the pair leaves out of its time.
export_run() {
	local key=$1 sopts=$2 input=${3:-$work/in.ipfix} scheme t0 t1 got msgs secs
	scheme=$(scheme_of "$key")
	fresh_ns
	[ -z "$(mtu_of "$key")" ] ||
	    ip netns exec "$ns" ip link set lo mtu "$(mtu_of "$key")"
	sec="--ciphers $ciphers --ca $pki/ca.pem"
	bg recv 300 "$ns" "$IPFIX_BIN/ipfix-recv" --stats --json --rcvbuf 4194304 \
	    $sec --cert "$pki/collector.pem" --key "$pki/collector.key" \
	    -o /dev/null "$scheme://127.0.0.1:4739"
	if [ "$scheme" = tls ]; then
		netns_wait_listen "$ns" tcp 4739 10
	else
		netns_wait_listen "$ns" udp 4739 10
	fi
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 300 "$IPFIX_BIN/ipfix-send" $sopts $sec \
	    --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
	    "$scheme://127.0.0.1:4739" "$input" 2> "$work/send.err"
	[ "$scheme" = tls ] || netns_wait_udp_drained "$ns" 4739 30
	t1=$(date +%s.%N)
	bg_stop recv INT
	if [ "$input" != "$work/in.ipfix" ]; then
		st_fix[$key]="${st_fix[$key]:-} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')"
		return
	fi
	got=$(grep '^{' "$work/recv.err" | tail -n 1 | jq .records)
	msgs=$(grep '^{' "$work/recv.err" | tail -n 1 | jq .messages)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	st_got[$key]=$got
	st_lost[$key]=$(( ${st_lost[$key]:-0} + nrec - got ))
	st_rps[$key]=$(awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	st_all[$key]="${st_all[$key]:-} ${st_rps[$key]}"
	st_dg[$key]="${st_dg[$key]:-} $(awk -v n="$msgs" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
	st_cmd[$key]="ipfix-recv --stats --json --rcvbuf 4194304 --ciphers $ciphers --ca ca.pem --cert collector.pem --key collector.key -o /dev/null $scheme://127.0.0.1:4739; ipfix-send $sopts --ciphers $ciphers --ca ca.pem --cert exporter.pem --key exporter.key $scheme://127.0.0.1:4739 in.ipfix"
	echo "send->recv $key: $got of $nrec records in $secs s: ${st_rps[$key]} rec/s"
}

# Pair and ipfix-send -> ipfix-recv alternate, REPEAT times each, so both
# see the same machine state; the medians make the ratio.
# --max-msg 1400: the pair's record size (ipfix-send would otherwise fill
# 16 KB records on loopback's 64 KB MTU, and TLS records of 16 KB)
keys="dtls dtls-1500 tls"
for _ in $(seq "$REPEAT"); do
	for run_key in $keys; do	# not k: netns_create uses it
		pair_run "$run_key"
		export_run "$run_key" "--max-msg 1400"
	done
done
export_run dtls-paced "--max-msg 1400 --rate $PACED"
# the fixed cost: the whole messages in the input's first 4 KB
"$IPFIX_BIN/ipfix-dump" -q --json=messages "$work/one.ipfix" |
    jq -r 'select(.type == "message") | .offset + .length' |
    awk '$1 <= 4096 { n = $1 } END { print n }' > "$work/few.len"
head -c "$(cat "$work/few.len")" "$work/one.ipfix" > "$work/few.ipfix"
for _ in $(seq "$REPEAT"); do
	for run_key in $keys; do
		export_run "$run_key" "--max-msg 1400" "$work/few.ipfix"
	done
done
for k in $keys; do
	pair_mbs[$k]=$(median "${pair_all[$k]}")
	st_rps[$k]=$(median "${st_all[$k]}")
	st_mbs[$k]=$(awk -v n="${st_rps[$k]}" -v b="$bpr" 'BEGIN { printf "%.1f", n * b / 1e6 }')
done
st_mbs[dtls-paced]=$(awk -v n="${st_rps[dtls-paced]}" -v b="$bpr" 'BEGIN { printf "%.1f", n * b / 1e6 }')

# --- 3. handshakes
declare -A hs_line
for m in dtls tls; do
	fresh_ns
	hs_line[$m]=$(ip netns exec "$ns" timeout 120 "$out/sslpair" "hs-$m" \
	    "$HANDSHAKES" "$pki" "$ciphers")
	echo "handshakes: ${hs_line[$m]}"
done

ratio() {	# ratio A B: A / B in percent
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }'
}

{
	echo
	echo "## secure: DTLS and TLS, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Input: $nrec flow records ($bpr B/record) of \`synth $PACKETS $FLOWS\` through \`ipfix-gen --msg-size 1400\`, x$COPIES. Cipher \`$ciphers\` (DTLS 1.2 / TLS 1.3), EC P-256 certificates of tests/lib/mkcerts.sh, mutual authentication."
	echo
	echo "Medians of $REPEAT alternating runs of the pair and of ipfix-send -> ipfix-recv (every run's figure in the last column; lost = records not counted by the collector over all runs)."
	echo
	echo "| transport | OpenSSL pair (1400 B records) | ipfix-send -> ipfix-recv records/s | MB/s | lost | ratio to pair | goal | runs: pair MB/s; send->recv rec/s |"
	echo "|---|---|---|---|---|---|---|---|"
	echo "| dtls, lo MTU 65536 (records packed) | ${pair_mbs[dtls]} MB/s | ${st_rps[dtls]} | ${st_mbs[dtls]} | ${st_lost[dtls]} | $(ratio "${st_mbs[dtls]}" "${pair_mbs[dtls]}") % | >= 80 % |${pair_all[dtls]};${st_all[dtls]} |"
	echo "| dtls, lo MTU 1500 (one record per datagram) | ${pair_mbs[dtls-1500]} MB/s | ${st_rps[dtls-1500]} | ${st_mbs[dtls-1500]} | ${st_lost[dtls-1500]} | $(ratio "${st_mbs[dtls-1500]}" "${pair_mbs[dtls-1500]}") % | >= 80 % |${pair_all[dtls-1500]};${st_all[dtls-1500]} |"
	echo "| dtls --rate $PACED (one run) | | ${st_rps[dtls-paced]} | ${st_mbs[dtls-paced]} | ${st_lost[dtls-paced]} | | no loss | |"
	echo "| tls | ${pair_mbs[tls]} MB/s | ${st_rps[tls]} | ${st_mbs[tls]} | ${st_lost[tls]} | $(ratio "${st_mbs[tls]}" "${pair_mbs[tls]}") % | >= 85 % |${pair_all[tls]};${st_all[tls]} |"
	echo
	dg_pair=$(median "${pair_dg[dtls-1500]}")
	dg_st=$(median "${st_dg[dtls-1500]}")
	echo "Fixed cost of a run (input of $(cat "$work/few.len") bytes; ipfix-send's start, keys, handshake and close, and the script's timing commands; the pair times only its send loop): $(for k in $keys; do printf '%s %s ms (runs:%s); ' "$k" "$(median "${st_fix[$k]}")" "${st_fix[$k]}"; done). Without it, send->recv reaches: $(for k in $keys; do awk -v n="$nrec" -v r="${st_rps[$k]}" -v f="$(median "${st_fix[$k]}")" -v b="$bpr" -v p="${pair_mbs[$k]}" -v k="$k" 'BEGIN { s = n / r - f / 1000; printf "%s %.1f MB/s (%.0f %%); ", k, n * b / s / 1e6, 100 * n * b / s / 1e6 / p }'; done)"
	echo
	echo "Datagrams per second at MTU 1500 (one DTLS record each): pair $dg_pair, ipfix-send -> ipfix-recv $dg_st ($(ratio "$dg_st" "$dg_pair") %; runs:${pair_dg[dtls-1500]};${st_dg[dtls-1500]}). ipfix-send forwards the input's messages (on average $(awk -v b="$bytes" -v n="$nmsg" 'BEGIN { printf "%.0f", b / n }') of 1400 bytes) and sends the UDP template refresh (RFC 5153: every 20 data messages) in messages of its own."
	echo
	echo "Handshakes (sslpair, mean of $HANDSHAKES, fork + connect included): \`${hs_line[dtls]}\`; \`${hs_line[tls]}\`."
	echo
	echo "Last pair lines: \`${pair_line[dtls]}\` \`${pair_line[dtls-1500]}\` \`${pair_line[tls]}\` (\`sslpair dtls|tls 1400 $SECONDS_RAW PKI '$ciphers'\`, \`sslpair hs-dtls|hs-tls $HANDSHAKES PKI '$ciphers'\`, tests/bench/secure/sslpair.c; the pair's MB/s is what its receiver got)."
	echo "send->recv commands: \`${st_cmd[dtls]}\`; \`${st_cmd[dtls-paced]}\`; \`${st_cmd[tls]}\` (dtls-1500: the same after \`ip link set lo mtu 1500\` in the namespace, for the pair too). Time from the start of ipfix-send until it exited (DTLS: and the collector's socket queue was empty)."
	echo "Run: \`make bench BENCH=secure\` (or \`BUILD=... bash tests/bench/secure/run.sh\`)."
	echo "Machine: $(nproc) CPUs, $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$results"
echo "bench secure: results appended to $results"
