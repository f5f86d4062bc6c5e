#!/bin/sh
# Dump benchmark (issue "Foundation" item 9): records per second of
# ipfix-dump (text and --json) against libfixbuf's ipfixDump (text) and
# tshark -T json, on a deterministic synthetic stream from synth.c, all in
# one hyperfine run; prints the ratios and appends a dated section with the
# exact commands to tests/bench/RESULTS.md. Goals (information, not
# pass/fail): ipfix-dump text >= 10x ipfixDump and >= 50x tshark JSON.
# Environment: BUILD, IPFIX_BIN, CC (for synth), BENCH_RECORDS (1000000),
# BENCH_TSHARK_RECORDS (100000: tshark gets a cut and is scaled),
# BENCH_RUNS (3), BENCH_RESULTS (file to append to), BENCH_NO_CALLGRIND.
# valgrind (callgrind) also gives instructions per record.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}" "${IPFIX_BIN:=$top/$BUILD/bin}" "${CC:=cc}"
: "${BENCH_RECORDS:=1000000}" "${BENCH_TSHARK_RECORDS:=100000}"
: "${BENCH_RUNS:=3}" "${BENCH_RESULTS:=$top/tests/bench/RESULTS.md}"
work="$top/$BUILD/bench/dump"
mkdir -p "$work" || exit 1
dump="$IPFIX_BIN/ipfix-dump"

need() {
	command -v "$1" > /dev/null 2>&1 || [ -x "$1" ] || {
		echo "bench dump: $1 not found" >&2
		exit 1
	}
}
need "$dump"
need ipfixDump
need tshark
need hyperfine
need python3

# Synth is built against the library under test, optimised like it.
$CC -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Ilibipfix \
    -o "$work/synth" tests/bench/dump/synth.c "$BUILD/libipfix.a" -lm ||
    exit 1
full="$work/synth-$BENCH_RECORDS.ipfix"
cut="$work/synth-$BENCH_TSHARK_RECORDS.ipfix"
# Written afresh each run (0.1 s per million records), so a changed synth.c
# never leaves a stale input behind.
"$work/synth" -n "$BENCH_RECORDS" -o "$full" || exit 1
"$work/synth" -n "$BENCH_TSHARK_RECORDS" -o "$cut" || exit 1

# A rate means nothing if records were skipped: count them once.
n=$("$dump" --json "$full" | grep -c '"type":"record"')
if [ "$n" -ne "$BENCH_RECORDS" ]; then
	echo "bench dump: ipfix-dump printed $n of $BENCH_RECORDS records" >&2
	exit 1
fi

c_text="$dump $full > /dev/null"
c_json="$dump --json $full > /dev/null"
c_fixbuf="ipfixDump -i $full -o /dev/null 2> /dev/null"
c_tshark="tshark -r $cut -T json > /dev/null 2> /dev/null"
hyperfine --runs "$BENCH_RUNS" --warmup 1 --style basic \
    --export-json "$work/hyperfine.json" \
    -n ipfix-dump "$c_text" -n ipfix-dump-json "$c_json" \
    -n ipfixDump "$c_fixbuf" -n tshark-json "$c_tshark" || exit 1

# Rates, ratios and the RESULTS.md section from hyperfine's medians.
# Instructions per record (callgrind, marginal between a 1 k and a 10 k
# record input): independent of the machine's load. tshark is left out (its
# ~0.9 G instruction start-up makes this minutes long). BENCH_NO_CALLGRIND=1
# skips this part.
irefs() {	# irefs FILE CMD...: instructions of CMD (stdout discarded)
	f=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	    --log-file="$work/vg.log" "$@" > /dev/null 2>&1
	sed -n 's/.*I *refs: *//p' "$work/vg.log" | tr -d ,
}
ir=""
if [ -z "${BENCH_NO_CALLGRIND:-}" ] && command -v valgrind > /dev/null; then
	for n in 1000 10000; do
		"$work/synth" -n "$n" -o "$work/synth-$n.ipfix" 2> /dev/null
	done
	for n in 1000 10000; do
		f="$work/synth-$n.ipfix"
		ir="$ir $(irefs "$f" "$dump" "$f") $(irefs "$f" "$dump" --json \
		    "$f") $(irefs "$f" ipfixDump -i "$f" -o /dev/null)"
	done
fi
export c_text c_json c_fixbuf c_tshark ir
python3 - "$work/hyperfine.json" "$BENCH_RECORDS" "$BENCH_TSHARK_RECORDS" \
    "$full" "$cut" "$BENCH_RESULTS" <<'EOF'
import json, os, platform, subprocess, sys, time
path, nfull, ncut, full, cut, results = sys.argv[1:7]
nfull, ncut = int(nfull), int(ncut)
res = {r["command"]: r for r in json.load(open(path))["results"]}
recs = {"ipfix-dump": nfull, "ipfix-dump-json": nfull,
        "ipfixDump": nfull, "tshark-json": ncut}
# Wall time is what a user waits for; CPU time (user + sys) is steadier on
# a shared, loaded machine. Both are shown.
rate = {k: recs[k] / res[k]["median"] for k in recs}
cpu = {k: res[k]["user"] + res[k]["system"] for k in recs}
crate = {k: recs[k] / cpu[k] for k in recs}
goals = [("ipfix-dump", "ipfixDump", 10), ("ipfix-dump", "tshark-json", 50),
         ("ipfix-dump-json", "ipfixDump", None),
         ("ipfix-dump-json", "tshark-json", None)]
rows = ["| tool | records | median wall s | records/s (wall) | "
        "mean CPU s | records/s (CPU) |", "|---|---|---|---|---|---|"]
for k in recs:
    rows.append("| %s | %d | %.3f | %.0f | %.3f | %.0f |" % (
        k, recs[k], res[k]["median"], rate[k], cpu[k], crate[k]))
lines = []
for a, b, g in goals:
    w, c = rate[a] / rate[b], crate[a] / crate[b]
    s = "%s / %s = %.1fx by wall time, %.1fx by CPU time" % (a, b, w, c)
    if g:
        s += " (goal >= %dx: %s)" % (g, "reached" if min(w, c) >= g
                                     else "not reached")
    lines.append(s)
irs = os.environ.get("ir", "").split()
if len(irs) == 6:
    per = {k: (int(irs[3 + i]) - int(irs[i])) / 9000.0 for i, k in
           enumerate(["ipfix-dump", "ipfix-dump-json", "ipfixDump"])}
    lines.append("instructions per record (callgrind, marginal 1 k -> 10 k "
                 "records): " + ", ".join("%s %.0f" % (k, per[k]) for k in
                                          per) +
                 "; ipfix-dump / ipfixDump = %.1fx by instructions"
                 % (per["ipfixDump"] / per["ipfix-dump"]))
print("\n".join(rows + [""] + lines))
try:
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
except OSError:
    rev = ""
env = {"ipfix-dump": "c_text", "ipfix-dump-json": "c_json",
       "ipfixDump": "c_fixbuf", "tshark-json": "c_tshark"}
cmds = "\n".join("    %s" % os.environ[env[k]] for k in recs)
with open(results, "a") as f:
    f.write("\n## dump, %s\n\n" % time.strftime("%Y-%m-%d %H:%M UTC",
                                                 time.gmtime()))
    f.write("Machine: shared host, %d cores, Linux %s; tree at %s plus "
            "uncommitted changes.\n" % (os.cpu_count(), platform.release(),
                                         rev or "unknown"))
    f.write("Input: `synth -n %d` (%d bytes) and, for tshark, `synth -n %d` "
            "(%d bytes): three templates (IPv4, IPv6 with MAC and flow "
            "label, IPv4 with an applicationName string), 1400-byte "
            "messages. tshark's rate includes its start-up (about 1 s)."
            "\n\n" % (nfull, os.path.getsize(full), ncut,
                               os.path.getsize(cut)))
    f.write("Commands (hyperfine --warmup 1; median wall time, mean "
            "user+sys CPU time):\n\n")
    f.write(cmds + "\n\n")
    f.write("\n".join(rows) + "\n\n")
    f.write("\n".join("- " + l for l in lines) + "\n")
EOF
