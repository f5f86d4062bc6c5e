#!/usr/bin/env bats
# ipfix-send -> ipfix-recv over DTLS/SCTP (RFC 6083) on kernel SCTP, which
# only user-mode Linux has here (tests/uml/run.sh, platform-notes §7):
# records identical to the input's, with certificates and with PSK, and
# the collector names the exporter by its authenticated identity. Skipped
# only when linux.uml is missing. The usrsctp runs are in e2e-secure.bats.

load lib/netns
load lib/e2e

# A sanitizer build cannot run inside UML (ASan's shadow overlaps the
# guest's mappings), so such a build gets a plain copy of the tools, as in
# e2e-sctp-kernel.bats.
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
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	need_cmd jq
	[ -x "${LINUX_UML:-/usr/bin/linux.uml}" ] ||
	    skip "linux.uml is missing: 'make deps' installs user-mode-linux"
	plain=$(cat "$BATS_FILE_TMPDIR/bin")
	[ -x "$plain/ipfix-send" ] || skip "no plain build of the tools"
	pki_use
	gen_stream "$tmp/a.ipfix" nDPI__wechat.pcap 0 1400
	gen_stream "$tmp/b.ipfix" nDPI__http_ipv6.pcap 5 1400
	cat "$tmp/a.ipfix" "$tmp/b.ipfix" > "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

uml_secure() {	# uml_secure MODE: the round trip; its JSON stats in $tmp/stats
	run timeout 200 "$top/tests/uml/run.sh" -t 180 \
	    "$top/tests/lib/uml-secure.sh" "$1" "$plain" "$tmp/in.ipfix" \
	    "$tmp/out.ipfix" "$tmp" "$pki"
	echo "$output" | grep -v '^{'
	[ "$status" -eq 0 ]
	grep '^{' "$tmp/recv.err" | tail -n 1 > "$tmp/stats"
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix"
	jq -r '.sessions[0].desc' "$tmp/stats" | grep -q '^dtls-sctp '
}

@test "e2e-secure uml: dtls-sctp over kernel SCTP with certificates, exact records" {
	uml_secure cert
	jq -r '.sessions[0].identity' "$tmp/stats" | grep -q 'CN=exporter-1.test'
}

@test "e2e-secure uml: dtls-sctp over kernel SCTP with PSK, exact records" {
	uml_secure psk
	[ "$(jq -r '.sessions[0].identity' "$tmp/stats")" = psk=exp1 ]
}
