#!/usr/bin/env bats
# Every tool's options are documented once, in its option table, which
# gives --help; the man page is written by hand. These tests catch drift:
# every long option --help lists is described in the man page, and every
# option the man page describes exists (--help lists it).

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
}

help_opts() {	# long options in TOOL --help, one per line
	"$IPFIX_BIN/$1" --help | grep -E '^  +(-[a-zA-Z0-9], )?--[a-z]' |
	    sed -E 's/^ +(-[a-zA-Z0-9], )?(--[a-z0-9-]+).*/\2/' | sort -u
}

man_opts() {	# long options the man page describes (.It Fl \-name),
		# mdoc's Fl adding the first dash
	grep -E '^\.It Fl' "$top/man/$1.1" | tr -d '\\' |
	    grep -oE 'Fl -[a-z0-9-]+' | sed 's/^Fl /-/' | sort -u
}

check_tool() {
	help_opts "$1" > "$BATS_TEST_TMPDIR/help"
	man_opts "$1" > "$BATS_TEST_TMPDIR/man"
	[ -s "$BATS_TEST_TMPDIR/help" ]
	[ -s "$BATS_TEST_TMPDIR/man" ]
	diff "$BATS_TEST_TMPDIR/help" "$BATS_TEST_TMPDIR/man"
}

@test "options-doc: ipfix-dump --help and ipfix-dump.1 list the same options" {
	check_tool ipfix-dump
}

@test "options-doc: ipfix-gen --help and ipfix-gen.1 list the same options" {
	check_tool ipfix-gen
}

@test "options-doc: ipfix-send --help and ipfix-send.1 list the same options" {
	check_tool ipfix-send
}

@test "options-doc: ipfix-recv --help and ipfix-recv.1 list the same options" {
	check_tool ipfix-recv
}

@test "options-doc: dtls-probe --help and dtls-probe.1 list the same options" {
	check_tool dtls-probe
}

@test "options-doc: every tool in cmd/ has a man page" {
	for c in "$top"/cmd/*.c; do
		n=$(basename "$c" .c)
		[ -f "$top/man/$n.1" ] || { echo "no man/$n.1"; return 1; }
	done
}
