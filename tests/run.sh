#!/bin/sh
# Runs every test of the project and prints one closing line,
# "N passed, N failed, N skipped", counting each unit check and each bats
# test. Exit status 1 when anything failed.
# Environment: BUILD (build tree), IPFIX_BIN (tools), TESTS (bats files to
# run, default all), UNIT_ONLY=1 / BATS_ONLY=1 to run one half, TEST_JOBS
# (bats files run at once, default 3).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
export IPFIX_BIN BUILD
log=$(mktemp -d "${TMPDIR:-/tmp}/ipfix-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT
# Tests run the system python3 (Debian's python3-ipfix lives there): a
# pyenv shim first in PATH costs about 0.4 s per start, and the tests
# start python some thousand times.
if [ -x /usr/bin/python3 ]; then
	mkdir "$log/bin" && ln -s /usr/bin/python3 "$log/bin/python3" &&
	    PATH="$log/bin:$PATH" && export PATH
fi

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
	# Bats files run TEST_JOBS at a time (default 3 on 2 cores: most of
	# their time is spent waiting on sockets and timers), each keeping to
	# its own namespaces, ports and temporary files. The files that take
	# a minute or more start first, so that none of them ends last alone.
	# Results print in alphabetical order.
	slow="tests/e2e-secure.bats tests/liveness.bats tests/interop-gnutls.bats
	    tests/dtls-probe.bats tests/sctp-kernel.bats"
	# shellcheck disable=SC2086
	printf '%s\n' $slow $files | awk -v want="$files" '
	    BEGIN { n = split(want, w); for (i = 1; i <= n; i++) run[w[i]] = 1 }
	    run[$0] && !seen[$0]++' | xargs -P "${TEST_JOBS:-3}" -I{} sh -c '
	    n=$(basename "$1" .bats) t0=$(date +%s)
	    timeout 900 bats --tap "$1" > "$2/$n.tap" 2>&1
	    echo $? > "$2/$n.rc"
	    echo $(($(date +%s) - t0)) > "$2/$n.secs"' sh {} "$log"
	for b in $files; do
		name=$(basename "$b" .bats)
		rc=$(cat "$log/$name.rc" 2> /dev/null || echo 1)
		secs=$(cat "$log/$name.secs" 2> /dev/null || echo "?")
		touch "$log/$name.tap"
		count "$log/$name.tap"
		if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log/$name.tap"; then
			echo "not ok - $name.bats exited with status $rc" >> "$log/$name.tap"
			failed=$((failed + 1))
		fi
		grep -A8 '^not ok ' "$log/$name.tap" | sed "s/^/$name: /"
		echo "bats $name: $(grep -c '^ok ' "$log/$name.tap") ok, $(grep -c '^not ok ' "$log/$name.tap") not ok ($secs s)"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
