#!/bin/sh
# Runs every test of the project and prints one closing line,
# "N passed, N failed, N skipped", counting each unit check and each bats
# test. Exit status 1 when anything failed.
# Environment: BUILD (build tree), IPFIX_BIN (tools), TESTS (bats files to
# run, default all), UNIT_ONLY=1 / BATS_ONLY=1 to run one half.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
export IPFIX_BIN BUILD
log=$(mktemp -d "${TMPDIR:-/tmp}/ipfix-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT

passed=0 failed=0 skipped=0

count() {	# count TAP lines of file $1 into the totals
	p=$(grep -c '^ok ' "$1" | head -1)
	s=$(grep -c '^ok .*# [sS][kK][iI][pP]' "$1" | head -1)
	f=$(grep -c '^not ok ' "$1" | head -1)
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
}

if [ -z "${BATS_ONLY:-}" ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		timeout 300 "$t" > "$log/$name.tap" 2>&1
		rc=$?
		count "$log/$name.tap"
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log/$name.tap"; then
			echo "not ok - $name exited with status $rc" >> "$log/$name.tap"
			failed=$((failed + 1))
		fi
		grep -E '^(not ok|#  )' "$log/$name.tap" | sed "s/^/$name: /"
		echo "unit $name: $(tail -n 1 "$log/$name.tap")"
	done
fi

if [ -z "${UNIT_ONLY:-}" ]; then
	files=${TESTS:-$(ls tests/*.bats 2>/dev/null)}
	for b in $files; do
		name=$(basename "$b" .bats)
		t0=$(date +%s)
		timeout 900 bats --tap "$b" > "$log/$name.tap" 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		count "$log/$name.tap"
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log/$name.tap"; then
			echo "not ok - $name.bats exited with status $rc" >> "$log/$name.tap"
			failed=$((failed + 1))
		fi
		grep -A8 '^not ok ' "$log/$name.tap" | sed "s/^/$name: /"
		echo "bats $name: $(grep -c '^ok ' "$log/$name.tap") ok, $(grep -c '^not ok ' "$log/$name.tap") not ok ($secs s)"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
