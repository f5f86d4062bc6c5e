#!/usr/bin/env bats
# Exporter quirks (issue 12): what real exporters send against RFC 7011 and
# how each is treated, in ipfix-dump and ipfix-recv. Crafted streams from
# tests/lib/mkquirks.py (three messages, the template re-sent in each, one
# record per message); the decision per quirk is in ipfix-dump(1) --strict.

bats_require_minimum_version 1.5.0

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-dump ipfix-recv
	mk="$py $top/tests/lib/mkquirks.py"
}

teardown() {
	e2e_teardown
}

quirk() {	# quirk NAME: $tmp/NAME.ipfix
	$mk "$1" "$tmp/$1.ipfix"
}

d() {
	timeout 60 "$dump" "$@"
}

@test "quirks: samplerId (unsigned8) in 4 octets is decoded, warned once (C31)" {
	quirk sampler
	run --separate-stderr d --json "$tmp/sampler.ipfix"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '"samplerId":5,"protocolIdentifier":17')" -eq 3 ]
	[ "$(echo "$stderr" | grep -c 'warning C31')" -eq 1 ]
	echo "$stderr" | grep -q 'offset 24: template 300: field length 4 not allowed for samplerId'
}

@test "quirks: --strict refuses samplerId in 4 octets as before (C31)" {
	quirk sampler
	run --separate-stderr d --strict --json "$tmp/sampler.ipfix"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(echo "$stderr" | grep -c 'malformed C31')" -eq 3 ]
}

@test "quirks: a conforming samplerId gives the same records and no warning" {
	quirk sampler
	quirk clean
	run --separate-stderr d --json "$tmp/clean.ipfix"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	clean=$(echo "$output" | sed 's/"export_time":"[^"]*",//')
	odd=$(d --json -q "$tmp/sampler.ipfix" | sed 's/"export_time":"[^"]*",//')
	[ "$clean" = "$odd" ]
}

@test "quirks: a timestamp in the wrong size is kept as octets, record decoded (C31)" {
	quirk ms4
	run --separate-stderr d "$tmp/ms4.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c 'flowStartMilliseconds=<invalid 0x01020304> protocolIdentifier=6')" -eq 3 ]
	[ "$(echo "$stderr" | grep -c 'warning C31')" -eq 1 ]
	run d --validate "$tmp/ms4.ipfix"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -q 'C31'
}

@test "quirks: options template with scope count 0 decoded as a template (C24); --strict refuses" {
	quirk noscope
	run --separate-stderr d --json "$tmp/noscope.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '"sourceTransportPort":4739')" -eq 3 ]
	[ "$(echo "$stderr" | grep -c 'warning C24.*scope field count 0')" -eq 1 ]
	run --separate-stderr d --strict --json "$tmp/noscope.ipfix"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	echo "$stderr" | grep -q 'malformed C24'
}

@test "quirks: enterprise bit with PEN 0 is the IANA element, warned (C20), also with --strict" {
	quirk pen0
	for mode in "" --strict; do
		run --separate-stderr d $mode --json "$tmp/pen0.ipfix"
		echo "$mode: $output $stderr"
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | grep -c '"sourceTransportPort":4739')" -eq 3 ]
		[ "$(echo "$stderr" | grep -c 'warning C20')" -eq 1 ]
	done
}

# ipfix-recv over UDP: the tolerant default writes the quirky template and
# its records (ipfix-dump reads them back with one warning); --strict
# drops the messages and counts them as malformed.
recv_quirk() {	# recv_quirk [--strict]
	bg recv 60 "$nsb" "$recv" --stats --json "$@" -o "$tmp/out.ipfix" \
	    udp://:4739
	netns_wait_listen "$nsb" udp 4739 10
	nsx "$nsa" timeout 30 $py "$top/tests/lib/rawsend.py" --gap 20 udp \
	    10.99.0.2 4739 "$tmp/sampler.ipfix"
	netns_wait_udp_drained "$nsb" 4739 10
	sleep 0.3
	bg_stop recv INT
}

@test "quirks: ipfix-recv takes samplerId in 4 octets over UDP; --strict drops it" {
	e2e_pair
	quirk sampler
	recv_quirk
	show_logs recv
	run --separate-stderr d --json "$tmp/out.ipfix"
	[ "$(echo "$output" | grep -c '"samplerId":5')" -eq 3 ]
	recv_quirk --strict
	show_logs recv
	[ "$($py "$top/tests/lib/stats.py" malformed < "$tmp/recv.err")" -eq 3 ]
	[ "$(nrec "$tmp/out.ipfix")" -eq 0 ]
}

@test "quirks: zero bytes after the last set are padding, warned (C15); --strict refuses" {
	quirk msgpad
	run --separate-stderr d --json "$tmp/msgpad.ipfix"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '"samplerId":5,"protocolIdentifier":17')" -eq 3 ]
	echo "$stderr" | grep -q 'warning C15 at offset 38: 2 zero bytes after the last set taken as padding'
	[ "$(echo "$stderr" | grep -c 'warning C15')" -eq 3 ]
	run --separate-stderr d --strict --json "$tmp/msgpad.ipfix"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(echo "$stderr" | grep -c 'malformed C15')" -eq 3 ]
}
