#!/usr/bin/env bats
# Cross-check of ipfix-dump --json against tshark's IPFIX dissector, field
# by field (tests/tshark-crosscheck.py, which documents the pairing and the
# normalisation table), on every capture in tests/data/ipfix.

bats_require_minimum_version 1.5.0

setup() {
	command -v tshark > /dev/null || skip "tshark not installed"
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dump="$IPFIX_BIN/ipfix-dump"
	data="$top/tests/data/ipfix"
	xcheck="$top/tests/tshark-crosscheck.py"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tshark.XXXXXX")
}

teardown() {
	rm -rf "$tmp"
}

xc() {
	timeout 600 /usr/bin/python3 "$xcheck" --dump "$dump" "$@"
}

@test "tshark: every committed capture agrees field by field, 0 mismatches" {
	run xc "$data"/*
	sed "s/^/# /" <<< "$output" >&3
	[ "$status" -eq 0 ]
	[[ "$output" != *" 0 matches"* ]]
	! grep -E ' [1-9][0-9]* mismatches' <<< "$output"
}

@test "tshark: IPFIX captures are compared, not skipped" {
	run xc "$data/NetGauze__srv6.pcap" "$data/NetGauze__100-IPFIXv10-CISCO__traffic-00.pcap"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^NetGauze__srv6.pcap:\ 172\ records,\ [0-9]{4,}\ matches,\ 0\ mismatches ]]
	[[ "${lines[1]}" =~ :\ 12\ records,\ [0-9]{3,}\ matches,\ 0\ mismatches ]]
}

@test "tshark: NetFlow v9 captures decode to the records tshark finds (count, octets, packets, times)" {
	for f in "$data"/NetGauze__101-NFv9*.pcap "$data"/NetGauze__111-*NFv9*-00.pcap; do
		run timeout 300 /usr/bin/python3 "$top/tests/nfv9-tshark.py" --dump "$dump" "$f"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" =~ :\ [1-9][0-9]*\ records\ \(tshark ]]
	done
	run timeout 300 /usr/bin/python3 "$top/tests/nfv9-tshark.py" --dump "$dump" "$data/NetGauze__101-NFv9-CISCO-cust_primitives__traffic-00.pcap"
	[[ "$output" == *": 51 records (tshark 51), octets 4500 (tshark 4500), packets 56 (tshark 56), records equal" ]]
}

@test "tshark: the v9 comparison fails when a converted time is off" {
	cat > "$tmp/ipfix-dump" <<-EOF
	#!/bin/sh
	"$dump" "\$@" | sed '0,/"flowStartMilliseconds":"/s/\(flowStartMilliseconds":"[^"]*\)[0-9]Z"/\19Z"/'
	EOF
	chmod +x "$tmp/ipfix-dump"
	run timeout 300 /usr/bin/python3 "$top/tests/nfv9-tshark.py" --dump "$tmp/ipfix-dump" "$data/NetGauze__101-NFv9-CISCO-cust_primitives__traffic-00.pcap"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"records DIFFER"* ]]
}

@test "tshark: the cross-check fails when a value differs" {
	# A stand-in ipfix-dump that changes one decoded value.
	cat > "$tmp/ipfix-dump" <<-EOF
	#!/bin/sh
	"$dump" "\$@" | sed '0,/"octetDeltaCount":/s/"octetDeltaCount":\([0-9]\)/"octetDeltaCount":9\1/'
	EOF
	chmod +x "$tmp/ipfix-dump"
	run timeout 600 /usr/bin/python3 "$xcheck" --dump "$tmp/ipfix-dump" "$data/NetGauze__srv6.pcap"
	[ "$status" -eq 1 ]
	[[ "$output" == *" 1 mismatches"* ]]
	[[ "$output" == *"octetDeltaCount: ipfix-dump 9"* ]]
}

@test "tshark: the cross-check fails when records are missing" {
	cat > "$tmp/ipfix-dump" <<-EOF
	#!/bin/sh
	"$dump" "\$@" | sed '/"type":"record"/{x;s/^/./;/^\.\{5\}$/{x;d};x}'
	EOF
	chmod +x "$tmp/ipfix-dump"
	run timeout 600 /usr/bin/python3 "$xcheck" --dump "$tmp/ipfix-dump" "$data/NetGauze__srv6.pcap"
	[ "$status" -eq 1 ]
	[[ "$output" == *"record count: ipfix-dump 171, tshark 172"* ]]
}
