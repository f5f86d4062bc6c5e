# What the benchmark scripts share (bash; sourced after $IPFIX_BIN is set).

# bench_require NAME: the tools are built and we are root (namespaces),
# else a one-line error and exit 1.
bench_require() {
	for t in ipfix-gen ipfix-send ipfix-recv ipfix-dump; do
		[ -x "$IPFIX_BIN/$t" ] ||
		    { echo "bench $1: $t not built" >&2; exit 1; }
	done
	[ "$(id -u)" -eq 0 ] ||
	    { echo "bench $1: needs root (netns)" >&2; exit 1; }
}

# median "N N N...": the median of the numbers (mean of the middle two
# for an even count).
median() {
	echo "$1" | tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_ns_setup NAME: what the benchmarks that run in a network namespace
# share: $out (build outputs), $work (= $tmp, removed at exit with the
# namespace $ns), $results, the bg/bg_stop and netns helpers, and
# bench_require. Call with $top, $BUILD and $IPFIX_BIN set.
# shellcheck disable=SC2034,SC2154
bench_ns_setup() {
	out="$top/$BUILD/bench-$1"
	work=$(mktemp -d "${TMPDIR:-/tmp}/bench-$1.XXXXXX")
	results="$top/tests/bench/RESULTS.md"
	ns=bench-$1-$$
	BATS_TEST_NUMBER=0
	# shellcheck source=../lib/netns.bash
	. "$top/tests/lib/netns.bash"
	trap 'netns_destroy $ns; rm -rf "$work"' EXIT
	tmp=$work
	# shellcheck source=../lib/e2e.bash
	. "$top/tests/lib/e2e.bash"	# bg, bg_stop (files in $tmp)
	bench_require "$1"
	mkdir -p "$out"
}
