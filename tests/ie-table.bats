#!/usr/bin/env bats
# The committed IE table (libipfix/ie_table.c) must be exactly what
# tools/gen_ie.py makes from data/iana/ipfix.xml, so a stale table or an
# edited generator without 'make ie-table' fails 'make check'.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ie-table.XXXXXX")
}

teardown() {
	rm -rf "$tmp"
}

@test "ie-table: regenerating gives the committed file byte for byte" {
	timeout 120 python3 "$top/tools/gen_ie.py" "$top/data/iana/ipfix.xml" \
	    > "$tmp/ie_table.c"
	cmp "$tmp/ie_table.c" "$top/libipfix/ie_table.c"
}

@test "ie-table: generated from the 509-record registry, 502 typed" {
	run grep -c '^	{0, ' "$top/libipfix/ie_table.c"
	[ "$status" -eq 0 ]
	[ "$output" -eq 502 ]
	grep -q '509 registry records, 502 typed' "$top/libipfix/ie_table.c"
}

@test "ie-table: data/iana/ipfix.xml is the recorded IANA file" {
	sum=$(sha256sum "$top/data/iana/ipfix.xml" | cut -d' ' -f1)
	grep -q "$sum" "$top/data/iana/README.md"
}

@test "ie-table: generator rejects input without the IE registry" {
	printf '<registry xmlns="http://www.iana.org/assignments"/>\n' \
	    > "$tmp/empty.xml"
	run timeout 60 python3 "$top/tools/gen_ie.py" "$tmp/empty.xml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no ipfix-information-elements registry"* ]]
}
