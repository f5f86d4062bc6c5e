#!/bin/sh
# Runs the benchmark tests/bench/NAME/run.sh for each NAME given, or every
# benchmark directory when none is (`make bench BENCH=dump`). Each one
# prints its figures and appends a dated section to tests/bench/RESULTS.md.
# Environment: BUILD (build tree), IPFIX_BIN (tools), passed through.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
: "${BUILD:=build/cc}"
: "${IPFIX_BIN:=$top/$BUILD/bin}"
export BUILD IPFIX_BIN
if [ $# -eq 0 ]; then
	set -- $(for d in tests/bench/*/run.sh; do
		[ -f "$d" ] && basename "$(dirname "$d")"
	done)
fi
rc=0
for name in "$@"; do
	if [ ! -f "tests/bench/$name/run.sh" ]; then
		echo "bench: no benchmark '$name' (tests/bench/$name/run.sh)" >&2
		rc=2
		continue
	fi
	echo "== bench $name"
	sh "tests/bench/$name/run.sh" || rc=1
done
exit $rc
