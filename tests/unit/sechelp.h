/*
 * sechelp: what the unit tests of the secured chans share: a throwaway
 * PKI from tests/lib/mkcerts.sh and numbered fake IPFIX messages.
 */
#ifndef SECHELP_H
#define SECHELP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Certificates of tests/lib/mkcerts.sh in a new directory under $TMPDIR
 * (or /tmp), named into dir; 0, or -1 when they could not be made. */
static inline int
test_make_pki(char *dir, size_t cap)
{
	char cmd[600];
	const char *t = getenv("TMPDIR");

	snprintf(dir, cap, "%s/ipfix-pki.XXXXXX", t != NULL ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh tests/lib/mkcerts.sh '%s' >/dev/null",
	    dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A message of len bytes (at least 6): a version-10 header with its
 * length, seq in bytes 4-5, the rest a pattern of seq, so reordering and
 * corruption both show. */
static inline void
test_ipfix_msg(uint8_t *m, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		m[i] = (uint8_t)(seq * 13 + i);
	m[0] = 0;
	m[1] = 10;
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)len;
	m[4] = (uint8_t)(seq >> 8);
	m[5] = (uint8_t)seq;
}

#endif
