#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan against the library sources, then runs each for FUZZ_TIME seconds
# on one core (niced) with a seed corpus from tests/data and
# tests/fuzz/corpus/<target>/. Prints the executions per target (and the
# running total in $BUILD/execs.tsv), a closing "N passed, N failed" line
# (a target that does not build counts as failed), and exits 1 when a
# target failed, leaving the crash file under $BUILD/crashes/<target>/.
# Environment: BUILD (default build/fuzz), FUZZ_TIME (seconds, default 30),
# FUZZ_TARGETS (names without fuzz_, default all), FUZZ_CC (default clang),
# FUZZ_PARALLEL=1 to run the targets at the same time (still one process
# each, niced) instead of one after the other.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/fuzz}" "${FUZZ_TIME:=30}" "${FUZZ_CC:=clang}"
: "${FUZZ_TARGETS:=decode stream capture packet endpoint hello nfv9 collector resume}"
mkdir -p "$BUILD" || exit 1
out=$(cd "$BUILD" && pwd)
LIBS="-lssl -lcrypto -lpcap -lz -lusrsctp -lpthread -lm"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS_F="-std=c11 -D_GNU_SOURCE -DIPFIX_VERSION_STRING=\"fuzz\" -O1 -g
    -fno-omit-frame-pointer -Wall -Wextra -Ilibipfix -Itests/fuzz"

max_len() {
	case $1 in
	packet) echo 4096 ;;
	endpoint) echo 600 ;;
	hello) echo 1024 ;;
	decode|stream|nfv9) echo 4096 ;;
	*) echo 16384 ;;
	esac
}

# Compile each library source that changed; 1 when one fails.
build_lib() {
	newest=$(ls -t libipfix/*.h | head -n 1)
	objs="" rc=0
	mkdir -p "$out/obj"
	for src in libipfix/*.c; do
		obj="$out/obj/$(basename "$src" .c).o"
		objs="$objs $obj"
		[ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest" ] && continue
		# shellcheck disable=SC2086
		$FUZZ_CC $CFLAGS_F -fsanitize=fuzzer-no-link $SAN -c -o "$obj" \
		    "$src" || rc=1
	done
	[ $rc -eq 0 ] || return 1
	rm -f "$out/libipfix-fuzz.a"
	# shellcheck disable=SC2086
	ar rcs "$out/libipfix-fuzz.a" $objs
}

# Link target $1; 1 when it does not build (reported, not fatal).
build_target() {
	src=tests/fuzz/fuzz_$1.c
	for h in $(sed -n 's/^#include "\([a-z_]*\.h\)"/\1/p' "$src"); do
		[ -f "libipfix/$h" ] || [ -f "tests/fuzz/$h" ] || {
			echo "fuzz_$1: skipped, libipfix/$h does not exist yet"
			return 1
		}
	done
	# shellcheck disable=SC2086
	$FUZZ_CC $CFLAGS_F -fsanitize=fuzzer $SAN -o "$out/fuzz_$1" "$src" \
	    "$out/libipfix-fuzz.a" $LIBS
}

# Seeds made from tests/data for target $1 into $out/seeds/$1.
make_seeds() {
	d="$out/seeds/$1"
	rm -rf "$d"
	mkdir -p "$d"
	files=$(find tests/data -type f ! -name '*.md' ! -name '*.txt' \
	    2>/dev/null | sort)
	for f in $files; do
		magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
		n=$(basename "$f")
		case $f in
		*/malformed/*) [ "$1" = decode ] && magic=000a ;;
		esac
		case $1:$magic in
		decode:000a*)
			{ printf '\000\000'; head -c 16382 "$f"; } > "$d/$n"
			{ printf '\031\344'; head -c 16382 "$f"; } > "$d/m-$n" ;;
		stream:*) head -c 16384 "$f" > "$d/$n" ;;
		capture:d4c3b2a1|capture:a1b2c3d4|capture:4d3cb2a1|\
		capture:a1b23c4d|capture:0a0d0d0a)
			head -c 16384 "$f" > "$d/$n" ;;
		packet:d4c3b2a1|packet:a1b2c3d4|packet:4d3cb2a1|packet:a1b23c4d)
			python3 tests/fuzz/frames.py "$d" "$f" ;;
		nfv9:a1b2c3d4|nfv9:d4c3b2a1)	# v9 payloads as chunks
			python3 tests/lib/pcapsend.py --chunks "$d/$n" "$f" > /dev/null ;;
		esac
	done
}

# Run target $1 for FUZZ_TIME seconds; prints its executions.
run_target() {
	t=$1
	mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/run/$t"
	make_seeds "$t"
	seeds="$top/tests/fuzz/corpus/$t"
	[ -d "$seeds" ] || seeds=""
	rm -f "$out/run/$t/fuzz-0.log"
	# -jobs=1 -workers=1: one process on the shared cores; the job's
	# output goes to fuzz-0.log in the working directory.
	(cd "$out/run/$t" && nice -n 10 timeout $((FUZZ_TIME + 300)) \
	    "$out/fuzz_$t" -jobs=1 -workers=1 -print_final_stats=1 \
	    -max_total_time="$FUZZ_TIME" -max_len="$(max_len "$t")" \
	    -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$out/crashes/$t/" \
	    "$out/corpus/$t" $seeds "$out/seeds/$t" > stdout.log 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$out/run/$t/fuzz-0.log" 2>/dev/null | tail -n 1)
	: "${execs:=0}"
	printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$execs" "$rc" \
	    >> "$out/execs.tsv"
	total=$(awk -F '\t' -v t="$t" '$2 == t { s += $3 } END { print s + 0 }' \
	    "$out/execs.tsv")
	echo "fuzz_$t: $execs executions in ${FUZZ_TIME}s (total $total)"
	crashes=$(ls "$out/crashes/$t" 2>/dev/null)
	if [ $rc -ne 0 ] || [ -n "$crashes" ]; then
		echo "fuzz_$t: FAILED (status $rc); see $out/run/$t/fuzz-0.log"
		for c in $crashes; do
			echo "  crash file: $out/crashes/$t/$c"
		done
		grep -m 3 -E 'ERROR: |SUMMARY: |contract broken' \
		    "$out/run/$t/fuzz-0.log" | sed 's/^/  /'
		return 1
	fi
}

build_lib || { echo "fuzz: library does not build with $FUZZ_CC"; exit 2; }
failed=0 passed=0 started=""
mkdir -p "$out/run"
for t in $FUZZ_TARGETS; do
	if ! build_target "$t"; then
		echo "fuzz_$t: FAILED to build"
		failed=$((failed + 1))
		continue
	fi
	if [ -n "${FUZZ_PARALLEL:-}" ]; then
		run_target "$t" > "$out/run/$t.result" 2>&1 &
		started="$started $t:$!"
	elif run_target "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
for tp in $started; do
	if wait "${tp#*:}"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	cat "$out/run/${tp%%:*}.result"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
