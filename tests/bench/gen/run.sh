#!/bin/sh
# Benchmark of ipfix-gen (pcap -> IPFIX flows) against its peers and the
# physical limit, all in one run so the ratios share the machine's state:
#   - readloop: a minimal libpcap loop that only reads every packet
#   - softflowd -d -r (IPFIX, v10) and pmacctd nfprobe (IPFIX), both
#     exporting to a closed UDP port on 127.0.0.1
# on a deterministic synthetic capture (synth.c: 1 M packets over 50 k
# flows, IPv4/IPv6, TCP/UDP/ICMP, 15 % VLAN, snaplen 128) and on the
# largest real capture in tests/data/pcap. Wall time is the hyperfine
# median; pmacctd always sleeps about 2 s before reading a savefile and
# about 2 s to shut down, so its time is net of a 2-packet run's
# (docs: peer-tools.md). Peak RSS is GNU time's "Maximum resident set
# size". Appends a dated section to tests/bench/RESULTS.md.
# Environment: BUILD, IPFIX_BIN (from tests/bench/run.sh), PACKETS,
# FLOWS (default 1000000, 50000), RUNS (hyperfine runs, default 10).
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
: "${PACKETS:=1000000}" "${FLOWS:=50000}" "${RUNS:=10}"
gen="$IPFIX_BIN/ipfix-gen"
out="$top/$BUILD/bench-gen"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-gen.XXXXXX")
trap 'rm -rf "$work"' EXIT
results="$top/tests/bench/RESULTS.md"

for tool in hyperfine softflowd pmacctd /usr/bin/time; do
	command -v "$tool" > /dev/null ||
	    { echo "bench gen: $tool missing (make deps)" >&2; exit 1; }
done
[ -x "$gen" ] || { echo "bench gen: no $gen (make)" >&2; exit 1; }
mkdir -p "$out"
cc -O2 -Wall -Wextra -o "$out/synth" tests/bench/gen/synth.c
cc -O2 -Wall -Wextra -o "$out/readloop" tests/bench/gen/readloop.c -lpcap
syn="$work/syn-$PACKETS-$FLOWS.pcap"
"$out/synth" "$PACKETS" "$FLOWS" "$syn"
"$out/synth" 2 2 "$work/two.pcap"
real=$(ls -S tests/data/pcap/*.pcap | head -n 1)

pm_conf() {	# pm_conf PCAP: a pmacctd nfprobe config (peer-tools.md)
	cat > "$work/pm-$(basename "$1").conf" <<-EOF
	daemonize: false
	pcap_savefile: $1
	plugins: nfprobe[ex]
	nfprobe_receiver[ex]: 127.0.0.1:9
	nfprobe_version[ex]: 10
	nfprobe_maxflows[ex]: 131034
	EOF
	echo "$work/pm-$(basename "$1").conf"
}

median() {	# median NAME CMD...: hyperfine median seconds
	name=$1
	shift
	hyperfine -N -w 1 -r "$RUNS" --export-json "$work/$name.json" \
	    "$*" > /dev/null 2>&1
	/usr/bin/python3 -c 'import json,sys
print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' \
	    "$work/$name.json"
}

rss() {		# rss CMD...: peak RSS in MB
	/usr/bin/time -v "$@" > /dev/null 2> "$work/time.txt" || true
	awk '/Maximum resident/ { printf "%.1f", $NF / 1024 }' "$work/time.txt"
}

row() {		# row LABEL PACKETS SECONDS RSS COMMAND
	rate=$(awk -v p="$2" -v s="$3" 'BEGIN { printf "%.0f", p / s }')
	printf '| %s | %s | %s s | %s pkt/s | %s MB | `%s` |\n' \
	    "$1" "$2" "$3" "$rate" "$4" "$5"
	echo "$rate" > "$work/rate-$1"
}

bench_input() {	# bench_input LABEL PCAP
	label=$1 pcap=$2
	n=$("$out/readloop" "$pcap" | awk '{ print $1 }')
	c_gen="$gen -q -o /dev/null $pcap"
	c_read="$out/readloop $pcap"
	c_sf="softflowd -d -r $pcap -n 127.0.0.1:9 -v 10 -m 131034 -p $work/sf.pid"
	conf=$(pm_conf "$pcap")
	c_pm="pmacctd -f $conf"
	conf2=$(pm_conf "$work/two.pcap")
	echo "## ipfix-gen on $label ($n packets), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "| tool | packets | median | rate | peak RSS | exact command |"
	echo "|---|---|---|---|---|---|"
	t=$(median gen $c_gen)
	row ipfix-gen "$n" "$t" "$(rss $c_gen)" "$c_gen"
	t=$(median read $c_read)
	row readloop "$n" "$t" "$(rss $c_read)" "$c_read"
	t=$(median sf $c_sf)
	row softflowd "$n" "$t" "$(rss $c_sf)" "$c_sf"
	RUNS=3
	t=$(median pm $c_pm)
	t0=$(median pm0 pmacctd -f "$conf2")
	net=$(awk -v a="$t" -v b="$t0" \
	    'BEGIN { d = a - b; if (d < 0.001) d = 0.001; printf "%.4f", d }')
	row pmacctd "$n" "$net" "$(rss $c_pm)" \
	    "$c_pm (net: minus $t0 s for a 2-packet pcap)"
	RUNS=${RUNS_SAVED}
	g=$(cat "$work/rate-ipfix-gen")
	echo
	awk -v g="$g" -v r="$(cat "$work/rate-readloop")" \
	    -v s="$(cat "$work/rate-softflowd")" \
	    -v p="$(cat "$work/rate-pmacctd")" 'BEGIN {
		printf "Ratios: ipfix-gen = %.2f x softflowd (goal >= 5), " \
		    "%.2f x pmacctd, %.0f %% of the read-only loop " \
		    "(goal >= 50 %%).\n", g / s, g / p, 100 * g / r }'
	echo
}

RUNS_SAVED=$RUNS
{
	bench_input "synthetic $PACKETS packets / $FLOWS flows" "$syn"
	bench_input "the largest real capture, $(basename "$real")" "$real"
	echo "Machine: $(nproc) CPUs, $(uname -r); synth: \`synth $PACKETS $FLOWS FILE\`" \
	    "(tests/bench/gen/synth.c), exports to 127.0.0.1:9 (closed)."
	echo
} | tee "$work/section.md"
cat "$work/section.md" >> "$results"
