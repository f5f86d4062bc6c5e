#!/usr/bin/env bats
# The committed malformed corpus (tests/data/malformed) must be exactly what
# tools/mkmalformed.py writes, so generator and files cannot drift, and
# EXPECTED must describe every file in the agreed format.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dir="$top/tests/data/malformed"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/malformed.XXXXXX")
}

teardown() {
	rm -rf "$tmp"
}

@test "malformed-corpus: regenerating gives the committed files byte for byte" {
	timeout 120 python3 "$top/tools/mkmalformed.py" "$tmp/out"
	diff -r "$tmp/out" "$dir"
}

@test "malformed-corpus: EXPECTED lists every .ipfix file exactly once" {
	(cd "$dir" && ls -- *.ipfix) | sort > "$tmp/files"
	cut -f1 "$dir/EXPECTED" | sort > "$tmp/listed"
	[ -s "$tmp/files" ]
	diff "$tmp/files" "$tmp/listed"
	[ -z "$(sort "$tmp/listed" | uniq -d)" ]
}

@test "malformed-corpus: EXPECTED lines are file, check, severity, records" {
	run awk -F'\t' 'NF != 4 || $2 !~ /^(C[0-9]+|-)$/ ||
	    $3 !~ /^(malformed|warn|note)$/ || $4 !~ /^[0-9]+$/ { print; bad=1 }
	    END { exit bad }' "$dir/EXPECTED"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$dir/EXPECTED")" -ge 25 ]
}

@test "malformed-corpus: every file starts with a valid IPFIX header" {
	for f in "$dir"/*.ipfix; do
		[ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' \n')" = 000a ]
	done
}

@test "malformed-corpus: the generator refuses a stray 00 0A boundary" {
	# A record value of 10 right after a 00 byte would mislead a
	# resynchronising reader; the generator must catch it.
	sed 's/return bytes(\[203, 0, 113, 1 + i\])/return bytes([203, 0, 0, 10])/' \
	    "$top/tools/mkmalformed.py" > "$tmp/mk.py"
	! cmp -s "$tmp/mk.py" "$top/tools/mkmalformed.py"
	run timeout 60 python3 "$tmp/mk.py" "$tmp/bad"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stray 00 0A"* ]]
}
