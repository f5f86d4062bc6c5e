#!/usr/bin/env bats
# ipfix-dump golden cases (after tcpdump's TESTLIST): every case of
# tests/data/golden/TESTLIST (input, options) must print exactly its
# NAME.out (stdout, stderr, exit status). Groups below run a slice each;
# tests/data/golden/regen.sh rewrites the expected files.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dump="$IPFIX_BIN/ipfix-dump"
	golden="$top/tests/data/golden"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/golden.XXXXXX")
	. "$golden/golden.sh"
}

teardown() {
	rm -rf "$tmp"
}

# run_cases REGEX [TESTLIST]: run the cases whose name matches REGEX
# against their .out files; print a diff per failure. Fails on no case.
run_cases() {
	list=${2:-$golden/TESTLIST}
	n=0 bad=0
	cd "$top/tests/data" || return 1
	while read -r name input opts; do
		n=$((n + 1))
		# shellcheck disable=SC2086  # opts are words
		golden_run "$dump" "$input" $opts > "$tmp/$name.got"
		if ! cmp -s "$golden/$name.out" "$tmp/$name.got"; then
			echo "golden case $name differs:"
			diff -u "$golden/$name.out" "$tmp/$name.got" | head -20
			bad=$((bad + 1))
		fi
	done <<-END
	$(golden_cases "$list" | grep -E "^($1) ")
	END
	echo "$n cases, $bad differ"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

@test "golden: RFC 6313 lists (text, JSON, --validate, depth bounds)" {
	run_cases 'lists-[^ ]*'
}

@test "golden: real exports, text" {
	run_cases '(NetGauze|nDPI)[^ ]*-text'
}

@test "golden: real exports, --json=all" {
	run_cases '(NetGauze|nDPI)[^ ]*-json'
}

@test "golden: real exports, --validate" {
	run_cases '(NetGauze|nDPI)[^ ]*-validate'
}

@test "golden: malformed corpus, text" {
	run_cases 'mal-[^ ]*-text'
}

@test "golden: malformed corpus, --json=all" {
	run_cases 'mal-[^ ]*-json'
}

@test "golden: malformed corpus, --validate" {
	run_cases 'mal-[^ ]*-validate'
}

@test "golden: every case has its .out and every .out its case" {
	cases=$(golden_cases "$golden/TESTLIST" | awk '{ print $1 }' | sort)
	files=$(cd "$golden" && ls ./*.out | sed -e 's|^\./||; s|\.out$||' |
	    sort)
	[ "$cases" = "$files" ]
	[ "$(echo "$cases" | uniq -d)" = "" ]
}

@test "golden: lists.ipfix is what mklists.py writes" {
	python3 "$golden/mklists.py" "$tmp/lists.ipfix"
	cmp "$golden/lists.ipfix" "$tmp/lists.ipfix"
}

@test "golden: a changed output is caught" {
	# The comparison must be able to fail: one byte off in a copy.
	sed -e '1s/^./X/' "$golden/lists-text.out" > "$tmp/lists-x.out"
	printf 'lists-x golden/lists.ipfix\n' > "$tmp/LIST"
	golden=$tmp
	run ! run_cases 'lists-x' "$tmp/LIST"
	[[ "$output" == *"golden case lists-x differs"* ]]
	[[ "$output" == *"1 cases, 1 differ"* ]]
}
