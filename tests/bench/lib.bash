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
