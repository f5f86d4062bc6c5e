/*
 * fuzz_nfv9: NetFlow v9 packets -> ipfix_nfv9_convert, and every message it
 * returns -> the IPFIX decoder. Input: chunks of [u8 session][u16 length]
 * [bytes], each one UDP payload of that session (session 255 ends the
 * session numbered by the next byte instead). Checks that a converted
 * message is version 10 with its own length, that the decoder never finds
 * it malformed (the converter only makes well-formed IPFIX), and that
 * nothing is read outside the packet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "msg.h"
#include "nfv9.h"
#include "fuzz.h"

static int malformed;

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	(void)arg;
	if (p->severity == IPFIX_SEV_MALFORMED)
		malformed++;
}

static void
one_packet(struct ipfix_nfv9 *nf, struct ipfix_decoder *d, uint8_t session,
    const uint8_t *p, size_t len)
{
	const uint8_t *msg = NULL;
	struct ipfix_err err;
	unsigned skipped = 0;
	size_t mlen = 0;

	/* an exactly sized copy: ASan sees a read past the packet */
	uint8_t *copy = malloc(len ? len : 1);

	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, p, len);
	if (ipfix_nfv9_convert(nf, session, copy, len, 0, &msg, &mlen,
	    &skipped, &err) == 0) {
		FUZZ_ASSERT(msg != NULL && mlen >= 16 && mlen <= IPFIX_MSG_MAX);
		FUZZ_ASSERT(ipfix_be16(msg) == 10 && ipfix_be16(msg + 2) ==
		    mlen);
		malformed = 0;
		(void)ipfix_decoder_feed(d, msg, mlen, session, IPFIX_KIND_UDP,
		    0, NULL);
		FUZZ_ASSERT(malformed == 0);
	} else
		FUZZ_ASSERT(err.code != IPFIX_OK);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ipfix_decoder_ops ops = { .on_problem = on_problem };
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	struct ipfix_decoder *d = ipfix_decoder_new(NULL, &ops, NULL);
	size_t pos = 0, len;

	FUZZ_ASSERT(nf != NULL && d != NULL);
	while (size - pos >= 3) {
		uint8_t session = data[pos];

		len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (session == 255) {
			ipfix_nfv9_end_session(nf, (uint8_t)len);
			ipfix_decoder_end_session(d, (uint8_t)len);
			continue;
		}
		if (len > size - pos)
			len = size - pos;
		one_packet(nf, d, session, data + pos, len);
		pos += len;
	}
	ipfix_decoder_free(d);
	ipfix_nfv9_free(nf);
	return 0;
}
