/*
 * fuzz_hello: the ClientHello extension body parsers of chan_probe.h
 * (tls_probe.c) on the bytes: byte 0 picks the parser and, for server_name,
 * the output size; the rest is the extension body as OpenSSL hands it out.
 * Contracts: a count or -1; at most max values written; the name always
 * NUL-ended within cap.
 */
#include <stdint.h>
#include <string.h>

#include "chan_probe.h"
#include "fuzz.h"

#define MAXV 8

static void
u16_list(const uint8_t *p, size_t len, int prefix)
{
	uint16_t out[MAXV + 1];
	int n;

	out[MAXV] = 0xbeef;
	n = ipfix_hello_u16_list(p, len, prefix, out, MAXV);
	FUZZ_ASSERT(n >= -1);
	FUZZ_ASSERT(n == -1 || (size_t)n * 2 + (size_t)prefix == len);
	FUZZ_ASSERT(out[MAXV] == 0xbeef);
}

static void
sni(const uint8_t *p, size_t len, size_t cap)
{
	char out[300];
	int rc;

	memset(out, 'x', sizeof(out));
	rc = ipfix_hello_sni(p, len, out, cap);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_ASSERT(memchr(out, '\0', cap) != NULL);
	FUZZ_ASSERT(out[cap] == 'x' || cap == sizeof(out));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		u16_list(data + 1, size - 1, 1);
		break;
	case 1:
		u16_list(data + 1, size - 1, 2);
		break;
	case 2:
		u16_list(data + 1, size - 1, data[0] >> 2);
		break;
	default:
		sni(data + 1, size - 1, 1 + (size_t)(data[0] >> 2) % 299);
		break;
	}
	return 0;
}
