#!/usr/bin/env bats
# make install into a DESTDIR: tools, man pages, the library, its public
# headers and libipfix.pc; a program built against the installed files
# with pkg-config links and runs.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	dest=$(mktemp -d "${BATS_TMPDIR:-/tmp}/install.XXXXXX")
}

teardown() {
	rm -rf "$dest"
}

@test "install: DESTDIR and PREFIX place tools, man pages, library, headers" {
	run timeout 300 make -s -C "$top" BUILD="$BUILD" install \
	    DESTDIR="$dest" PREFIX=/opt/ipfix
	echo "$output"
	[ "$status" -eq 0 ]
	for t in ipfix-dump ipfix-gen ipfix-send ipfix-recv dtls-probe; do
		[ -x "$dest/opt/ipfix/bin/$t" ]
		[ -f "$dest/opt/ipfix/share/man/man1/$t.1" ]
	done
	[ -f "$dest/opt/ipfix/lib/libipfix.a" ]
	[ -f "$dest/opt/ipfix/include/ipfix/msg.h" ]
	[ ! -e "$dest/opt/ipfix/include/ipfix/tls_int.h" ]
	[ ! -e "$dest/opt/ipfix/include/ipfix/probe_int.h" ]
	grep -q '^prefix=/opt/ipfix$' "$dest/opt/ipfix/lib/pkgconfig/libipfix.pc"
}

@test "install: a program builds with pkg-config against the installed library" {
	timeout 300 make -s -C "$top" BUILD="$BUILD" install DESTDIR="$dest" \
	    PREFIX=/usr
	cat > "$dest/t.c" <<'C'
#include <msg.h>
int
main(void)
{
	struct ipfix_builder b;
	unsigned char buf[64];

	ipfix_builder_init(&b, buf, sizeof(buf), 1, 2, 3);
	return ipfix_builder_finish(&b) == IPFIX_HDR_LEN ? 0 : 1;
}
C
	pc="$dest/usr/lib/pkgconfig"
	flags=$(PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$pc" \
	    pkg-config --cflags --libs --static libipfix)
	san=
	nm "$dest/usr/lib/libipfix.a" 2>/dev/null | grep -q __asan &&
	    san=-fsanitize=address,undefined
	# shellcheck disable=SC2086
	cc $san -o "$dest/t" "$dest/t.c" $flags
	"$dest/t"
}
