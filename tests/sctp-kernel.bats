#!/usr/bin/env bats
# Kernel SCTP (libipfix/sctp.c) under user-mode Linux: the build machines'
# kernel has no SCTP, so tests/uml/run.sh boots linux.uml with the host's /
# as root and runs the unit test test_sctp inside (platform-notes §7).
# Skipped only when linux.uml is missing ('make deps' installs it).

# The guest runs a plain build of test_sctp made here from the same
# sources: a sanitizer build cannot run inside UML (ASan's shadow overlaps
# the guest's mappings and it aborts at start).
setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	srcs=""
	for m in endpoint evloop transport udp tcp sctp sctp_udp err; do
		srcs="$srcs $top/libipfix/$m.c"
	done
	# shellcheck disable=SC2086
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -I"$top/libipfix" \
	    -I"$top/tests/unit" -o "$BATS_FILE_TMPDIR/test_sctp" \
	    "$top/tests/unit/test_sctp.c" $srcs -lusrsctp -lpthread
}

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	uml="$top/tests/uml/run.sh"
	t="$BATS_FILE_TMPDIR/test_sctp"
	[ -x "${LINUX_UML:-/usr/bin/linux.uml}" ] ||
	    skip "linux.uml is missing: 'make deps' installs user-mode-linux"
	[ -x "$t" ] || skip "could not build $t"
}

@test "uml: the guest runs a command, passes its status, and has SCTP" {
	run timeout 120 "$uml" -t 100 sh -c \
	    'test -d /proc/sys/net/sctp && echo sctp-here; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *sctp-here* ]]
}

@test "sctp: kernel SCTP loopback round trip (IPv4, IPv6, wildcard, AUTH)" {
	run timeout 200 "$uml" -t 180 "$t"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"ok - kernel loopback IPv4: all messages arrived"* ]]
	[[ "$output" == *"ok - kernel loopback IPv6: orderly close seen"* ]]
	[[ "$output" == *"ok - kernel wildcard listener: all messages"* ]]
	[[ "$output" == *"ok - kernel loopback with SCTP-AUTH: all messages"* ]]
	[[ "$output" == *", 0 failed"* ]]
}

@test "sctp: usrsctp <-> kernel SCTP over UDP encapsulation, both ways" {
	run timeout 200 "$uml" -t 180 sh -c \
	    'echo 9899 > /proc/sys/net/sctp/udp_port && exec "$0" encap' "$t"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"ok - kernel -> usrsctp over UDP: all messages"* ]]
	[[ "$output" == *"ok - usrsctp -> kernel over UDP: all messages"* ]]
	[[ "$output" == *"ok - usrsctp -> kernel over UDP: client gets the"* ]]
	[[ "$output" == *"over UDP with SCTP-AUTH: all messages arrived"* ]]
}

@test "sctp: without the kernel's UDP port the encapsulated kernel client fails" {
	run timeout 200 "$uml" -t 180 "$t" encap
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not ok - kernel -> usrsctp over UDP: association up"* ]]
}
