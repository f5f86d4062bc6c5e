#!/usr/bin/env bats
# ipfix-dump --validate over the malformed corpus: tests/data/malformed/
# EXPECTED has one line per file: file, checklist item ("-" for none),
# severity (malformed, warn, note) and the number of valid records. For
# every case ipfix-dump must name the item, exit non-zero unless the case
# is only a note, never crash, and still decode the valid records.
#
# KNOWN lists cases where another module (the stream reader or the
# decoder) does not yet report what EXPECTED asks; such a case is skipped
# with its reason while it fails, and counts as passing once it is fixed.
# An unexpected failure always fails.

bats_require_minimum_version 1.5.0

KNOWN="
"

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dump="$IPFIX_BIN/ipfix-dump"
	dir="$top/tests/data/malformed"
	[ -r "$dir/EXPECTED" ] || skip "no tests/data/malformed/EXPECTED"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/malformed.XXXXXX")
}

teardown() {
	rm -rf "$tmp"
}

# check NAME: run fn_NAME on every case; fail on an unknown failure,
# skip (with the reasons) when only known gaps fail.
check() {
	local f c sev n why fails="" known=""
	while IFS=$'\t' read -r f c sev n; do
		[ -n "$f" ] || continue
		why=$("fn_$1" "$dir/$f" "$c" "$sev" "$n") && continue
		if grep -q "^$f	" <<< "$KNOWN"; then
			known="$known $f"
		else
			fails="$fails
$f: $why"
		fi
	done < "$dir/EXPECTED"
	if [ -n "$fails" ]; then
		echo "# failures:$fails" >&3
		return 1
	fi
	[ -z "$known" ] || skip "known gaps in other modules:$known"
}

fn_item() {	# the validation output names the expected item
	local out
	out=$(timeout 60 "$dump" --validate "$1" 2>&1)
	case "$2" in
	-) grep -Eq ": (malformed|warning|note) - " <<< "$out" ;;
	*) grep -Eq ": (malformed|warning|note) $2 at " <<< "$out" ;;
	esac || { echo "no $2 in: $(head -3 <<< "$out")"; return 1; }
}

fn_status() {	# exit 1 for malformed/warn, 0 for a note; never a crash
	local rc=0
	timeout 60 "$dump" --validate "$1" > /dev/null 2>&1 || rc=$?
	if [ "$3" = note ]; then
		[ "$rc" -eq 0 ] || { echo "note case exited $rc"; return 1; }
	else
		[ "$rc" -eq 1 ] || { echo "exit $rc, want 1"; return 1; }
	fi
}

fn_records() {	# the valid records are still decoded
	local got
	got=$(timeout 60 "$dump" --json "$1" 2> /dev/null |
	    grep -c '"type":"record"')
	[ "$got" -eq "$4" ] || { echo "$got records, want $4"; return 1; }
}

fn_json() {	# --validate --json: every line is an object, none crash
	local rc=0
	timeout 60 "$dump" --validate --json "$1" > "$tmp/v.json" 2>&1 ||
	    rc=$?
	[ "$rc" -le 1 ] || { echo "exit $rc"; return 1; }
	/usr/bin/python3 -c 'import json, sys
[json.loads(l) for l in open(sys.argv[1])]' "$tmp/v.json" ||
	    { echo "bad JSON"; return 1; }
}

@test "malformed: EXPECTED has at least 25 cases" {
	[ "$(grep -c . "$dir/EXPECTED")" -ge 25 ]
}

@test "malformed: --validate names the expected checklist item" {
	check item
}

@test "malformed: --validate exits 1 for malformed/warn, 0 for notes" {
	check status
}

@test "malformed: the valid records are still decoded" {
	check records
}

@test "malformed: --validate --json is valid NDJSON and does not crash" {
	check json
}

@test "malformed: a valid file is not reported" {
	run timeout 60 "$dump" --validate "$top/tests/data/ipfix/NetGauze__srv6.pcap"
	[ "$status" -eq 0 ]
	[ "$output" = "0 problems found" ]
}

@test "malformed: the check can fail (a case with a wrong item is caught)" {
	printf 'set-overrun.ipfix\tC99\tmalformed\t5\n' > "$tmp/EXPECTED"
	dir2=$dir
	run fn_item "$dir2/set-overrun.ipfix" C99 malformed 5
	[ "$status" -ne 0 ]
	run fn_records "$dir2/set-overrun.ipfix" C15 malformed 4
	[ "$status" -ne 0 ]
}
