/*
 * fuzz_stream: the bytes as a file -> ipfix_reader_open and the
 * ipfix_reader_next loop (format sniffing, raw framing, gzip, RFC 5655
 * resynchronisation after corruption; captures are fuzz_capture's job but
 * are reached here too). Checks that every message returned lies in the
 * reader's buffer with a sane length and that the loop always ends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "stream.h"
#include "fuzz.h"

/* Each call consumes input or ends it, so the number of calls is bounded
 * by the bytes read; gzip can inflate, hence the generous factor. */
#define MAX_CALLS(n) ((n) * 1100u + 1000u)

static void
check_message(const struct ipfix_reader *r, const uint8_t *msg, size_t len,
    const struct ipfix_msg_meta *meta)
{
	FUZZ_ASSERT(msg != NULL && len > 0 && len <= IPFIX_MSG_MAX);
	/* Touch every byte so ASan sees a bad pointer or length. */
	FUZZ_ASSERT(memchr(msg, 0x5a, len) != msg + len);
	(void)ipfix_reader_session(r, meta->session);
}

static void
drain(struct ipfix_reader *r, size_t size)
{
	struct ipfix_msg_meta meta;
	struct ipfix_err err;
	const uint8_t *msg;
	size_t len, calls = 0;
	uint64_t a, b, c;
	int rc;

	do {
		FUZZ_ASSERT(++calls <= MAX_CALLS(size));
		msg = NULL;
		len = 0;
		rc = ipfix_reader_next(r, &msg, &len, &meta, &err);
		FUZZ_ASSERT(rc >= -2 && rc <= 1);
		if (rc == 1)
			check_message(r, msg, len, &meta);
		else if (rc < 0)
			FUZZ_ASSERT(err.code != IPFIX_OK);
	} while (rc != 0 && rc != -2);
	(void)ipfix_reader_position(r);
	(void)ipfix_reader_size(r);
	(void)ipfix_reader_format(r);
	ipfix_reader_capture_counts(r, &a, &b, &c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipfix_reader_options opt = { .port = 0 };
	struct ipfix_reader *r;
	struct ipfix_err err;
	struct fuzz_file ff;

	if (fuzz_file_open(&ff, data, size) == -1)
		return 0;
	r = ipfix_reader_open(ff.path, &opt, &err);
	if (r == NULL)
		FUZZ_ASSERT(err.code != IPFIX_OK);
	else {
		drain(r, size);
		ipfix_reader_close(r);
	}
	fuzz_file_close(&ff);
	return 0;
}
