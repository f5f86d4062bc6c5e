#!/usr/bin/env bats
# ipfix-send -> ipfix-recv over kernel SCTP (lksctp), which only user-mode
# Linux has here (tests/uml/run.sh, platform-notes §7): the gen | send ->
# recv round trip on kernel SCTP, and usrsctp <-> kernel SCTP over RFC
# 6951 UDP encapsulation in both directions. The records must be exactly
# the input's. Skipped only when linux.uml is missing.

load lib/netns
load lib/e2e

# A sanitizer build cannot run inside UML (ASan's shadow overlaps the
# guest's mappings), so such a build gets a plain copy of the tools.
setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	bin=$IPFIX_BIN
	if [ -x "$bin/ipfix-send" ] && nm "$bin/ipfix-send" 2> /dev/null |
	    grep -q __asan_init; then
		timeout 600 env -u MAKEFLAGS -u MFLAGS make -C "$top" -j2 SANITIZE= \
		    BUILD="$BATS_FILE_TMPDIR/plain" \
		    > "$BATS_FILE_TMPDIR/make.log" 2>&1
		bin=$BATS_FILE_TMPDIR/plain/bin
	fi
	echo "$bin" > "$BATS_FILE_TMPDIR/bin"
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	[ -x "${LINUX_UML:-/usr/bin/linux.uml}" ] ||
	    skip "linux.uml is missing: 'make deps' installs user-mode-linux"
	plain=$(cat "$BATS_FILE_TMPDIR/bin")
	[ -x "$plain/ipfix-send" ] || skip "no plain build of the tools"
	gen_stream "$tmp/a.ipfix" nDPI__wechat.pcap 0 1400
	gen_stream "$tmp/b.ipfix" nDPI__http_ipv6.pcap 5 1400
	cat "$tmp/a.ipfix" "$tmp/b.ipfix" > "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

uml_roundtrip() {	# uml_roundtrip MODE
	run timeout 200 "$top/tests/uml/run.sh" -t 180 \
	    "$top/tests/lib/uml-roundtrip.sh" "$1" "$plain" "$tmp/in.ipfix" \
	    "$tmp/out.ipfix" "$tmp"
	echo "$output"
	[ "$status" -eq 0 ]
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix"
}

@test "e2e uml: gen | send -> recv over kernel SCTP, exact records" {
	uml_roundtrip kernel
}

@test "e2e uml: kernel SCTP exporter -> usrsctp collector over UDP encapsulation" {
	uml_roundtrip k2u
}

@test "e2e uml: usrsctp exporter -> kernel SCTP collector over UDP encapsulation" {
	uml_roundtrip u2k
}
