# Shared by regen.sh and tests/ipfix-dump-golden.bats (sourced, POSIX sh).

# The cases of TESTLIST $1, one "NAME INPUT OPTIONS..." line each.
golden_cases() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$1"
}

# Run DUMP on INPUT with OPTIONS from tests/data; print stdout, then
# "# stderr" and stderr, then "# exit N". Bounded in time.
golden_run() {
	dump=$1 input=$2
	shift 2
	err=$(mktemp "${TMPDIR:-/tmp}/golden.XXXXXX") || return 1
	rc=0	# "|| rc=$?": callers may run under set -e (bats)
	timeout 60 "$dump" "$@" "$input" 2> "$err" || rc=$?
	echo "# stderr"
	cat "$err"
	echo "# exit $rc"
	rm -f "$err"
}
