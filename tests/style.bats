#!/usr/bin/env bats
# House rules that a compiler does not check (style.md §7): no unbounded
# string calls, no OpenSSL outside the security modules, the library never
# prints or exits, no function longer than 100 lines.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
}

@test "style: no banned calls (strcpy strcat sprintf vsprintf gets atoi strtok)" {
	run grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|strtok)\(' \
	    "$top"/libipfix/*.[ch] "$top"/cmd/*.c
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "style: OpenSSL is included only by the security modules" {
	run grep -lE '#include <openssl/' "$top"/libipfix/*.[ch] "$top"/cmd/*.c
	echo "$output"
	[ "$status" -eq 0 ]
	bad=$(echo "$output" | grep -vE '/(tls|tls_int|tls_probe|dtls_bio|chan_tls|chan_dtls|cli)\.[ch]$' || true)
	[ -z "$bad" ]
}

@test "style: the library neither exits nor writes to stderr" {
	run grep -nE '\b(exit|_exit|abort|err|errx|warn|warnx)\(|\bstderr\b' \
	    "$top"/libipfix/*.c
	echo "$output"
	bad=$(echo "$output" | grep -v '^.*libipfix/cli\.c:' || true)
	[ -z "$bad" ]
}

@test "style: no function is longer than 100 lines" {
	awk 'FNR == 1 { name = "" }
	    /^[a-z_][a-z0-9_]*\(/ { name = FILENAME ":" $0; start = FNR }
	    /^}/ && name != "" { if (FNR - start > 100) print FNR - start, name; name = "" }' \
	    "$top"/libipfix/*.c "$top"/cmd/*.c > "$BATS_TEST_TMPDIR/long"
	cat "$BATS_TEST_TMPDIR/long"
	[ ! -s "$BATS_TEST_TMPDIR/long" ]
}
