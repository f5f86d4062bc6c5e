#!/usr/bin/env bats
# Replays, for each fuzz target, the reproducers of crashes that fuzzing
# found (tests/fuzz/regress/<target>/) and the committed seeds
# (tests/fuzz/corpus/<target>/) through tests/fuzz/replay.c, a main() that
# calls the target's LLVMFuzzerTestOneInput, linked with the normal
# $BUILD/libipfix.a: no libFuzzer needed, and under `make check SANITIZE=1`
# the sanitizers catch what libFuzzer caught.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	lib="$top/${BUILD:-build/cc}/libipfix.a"
	[ -f "$lib" ] || skip "no $lib: build the library first"
	libs="-lssl -lcrypto -lpcap -lz -lusrsctp -lpthread -lm"
}

# The compiler that built the library, unless CC says otherwise: a
# sanitizer runtime must match the compiler of the objects.
lib_cc() {
	if [ -n "${CC:-}" ]; then
		echo "$CC"
	elif readelf -p .comment "$lib" 2>/dev/null | grep -q clang; then
		echo clang
	else
		echo cc
	fi
}

# Build the replay driver for target $1 into $BATS_TEST_TMPDIR/replay.
build_replay() {
	local src="$top/tests/fuzz/fuzz_$1.c" h san=""
	for h in $(sed -n 's/^#include "\([a-z_]*\.h\)"/\1/p' "$src"); do
		[ -f "$top/libipfix/$h" ] || [ -f "$top/tests/fuzz/$h" ] ||
		    skip "libipfix/$h does not exist yet"
	done
	if nm "$lib" 2>/dev/null | grep -q __asan_; then
		san="-fsanitize=address,undefined"
	fi
	run $(lib_cc) -std=c11 -D_GNU_SOURCE -g $san -I"$top/libipfix" \
	    -I"$top/tests/fuzz" -o "$BATS_TEST_TMPDIR/replay" "$src" \
	    "$top/tests/fuzz/replay.c" "$lib" $libs
	echo "$output"
	[ "$status" -eq 0 ]
}

# Replay every file of the target's regress and corpus directories; each
# must come back "ok" (a crash or sanitizer report fails the test).
replay_all() {
	local files f n=0
	files=$(find "$top/tests/fuzz/regress/$1" "$top/tests/fuzz/corpus/$1" \
	    -type f 2>/dev/null | sort)
	[ -n "$files" ] || skip "no inputs for fuzz_$1"
	build_replay "$1"
	for f in $files; do
		run timeout 60 "$BATS_TEST_TMPDIR/replay" "$f"
		if [ "$status" -ne 0 ]; then
			echo "fuzz_$1 fails on $f (status $status):"
			echo "$output" | head -n 30
			return 1
		fi
		n=$((n + 1))
	done
	echo "# $n inputs replayed" >&3
}

@test "fuzz-regress: fuzz_decode inputs replay cleanly" {
	replay_all decode
}

@test "fuzz-regress: fuzz_stream inputs replay cleanly" {
	replay_all stream
}

@test "fuzz-regress: fuzz_capture inputs replay cleanly" {
	replay_all capture
}

@test "fuzz-regress: fuzz_resume inputs replay cleanly" {
	replay_all resume
}

@test "fuzz-regress: fuzz_packet inputs replay cleanly" {
	replay_all packet
}

@test "fuzz-regress: fuzz_endpoint inputs replay cleanly" {
	replay_all endpoint
}

@test "fuzz-regress: fuzz_hello inputs replay cleanly" {
	replay_all hello
}

@test "fuzz-regress: fuzz_nfv9 inputs replay cleanly" {
	replay_all nfv9
}

@test "fuzz-regress: fuzz_collector inputs replay cleanly" {
	replay_all collector
}

@test "fuzz-regress: the replay driver reports a crashing input" {
	# Guards the harness itself: a target that aborts must fail replay.
	local lib_dir="$BATS_TEST_TMPDIR"
	printf '%s\n' '#include <stdint.h>' '#include <stdlib.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ if (n > 0 && d[0] == 0x21) abort(); return 0; }' \
	    > "$lib_dir/t.c"
	run $(lib_cc) -o "$lib_dir/r" "$lib_dir/t.c" "$top/tests/fuzz/replay.c"
	[ "$status" -eq 0 ]
	printf 'a' > "$lib_dir/good"
	printf '!' > "$lib_dir/bad"
	run "$lib_dir/r" "$lib_dir/good"
	[ "$status" -eq 0 ]
	[ "$output" = "ok $lib_dir/good" ]
	run "$lib_dir/r" "$lib_dir/bad"
	[ "$status" -ne 0 ]
}
