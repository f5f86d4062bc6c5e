/*
 * fuzz_capture: the bytes as a pcap or pcapng file -> ipfix_reader (the
 * capture path: libpcap via pcap_in, pkt_parse, UDP payloads and in-order
 * TCP per connection, sessions per 5-tuple). An input that starts with a
 * capture magic is used as is, so real captures are seeds; otherwise byte 0
 * picks a pcap file header to put in front of the rest:
 *   bits 0-1  magic: LE usec, LE nsec, BE usec, BE nsec
 *   bits 2-4  link type (table below)
 *   bit 5     only port 4739 (reader option)
 *   bits 6-7  snaplen: 65535, 128, 64, 262144
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "pcap_in.h"
#include "stream.h"
#include "fuzz.h"

#define PCAP_HDR_LEN 24
#define MAX_CALLS(n) ((n) * 1100u + 1000u)

static const uint32_t magics[4] = {
	0xa1b2c3d4, 0xa1b23c4d, 0xa1b2c3d4, 0xa1b23c4d,
};
static const uint32_t linktypes[8] = { 1, 113, 276, 101, 0, 108, 226, 1 };
static const uint32_t snaplens[4] = { 65535, 128, 64, 262144 };

static void
put32(uint8_t *q, uint32_t v, int big)
{
	if (big)
		ipfix_put32(q, v);
	else {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
		q[2] = (uint8_t)(v >> 16);
		q[3] = (uint8_t)(v >> 24);
	}
}

static void
put16(uint8_t *q, uint16_t v, int big)
{
	if (big)
		ipfix_put16(q, v);
	else {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
	}
}

/* A pcap file: header chosen by sel, then body. Caller frees. */
static uint8_t *
wrap(uint8_t sel, const uint8_t *body, size_t n, size_t *outlen)
{
	uint8_t *buf;
	int big = (sel & 2) != 0;

	if ((buf = malloc(PCAP_HDR_LEN + n)) == NULL)
		return NULL;
	put32(buf, magics[sel & 3], big);
	put16(buf + 4, 2, big);
	put16(buf + 6, 4, big);
	put32(buf + 8, 0, big);
	put32(buf + 12, 0, big);
	put32(buf + 16, snaplens[sel >> 6], big);
	put32(buf + 20, linktypes[(sel >> 2) & 7], big);
	if (n > 0)
		memcpy(buf + PCAP_HDR_LEN, body, n);
	*outlen = PCAP_HDR_LEN + n;
	return buf;
}

static void
drain(struct ipfix_reader *r, size_t size)
{
	struct ipfix_msg_meta meta;
	struct ipfix_err err;
	const uint8_t *msg;
	size_t len, calls = 0;
	int rc;

	do {
		FUZZ_ASSERT(++calls <= MAX_CALLS(size));
		msg = NULL;
		len = 0;
		rc = ipfix_reader_next(r, &msg, &len, &meta, &err);
		FUZZ_ASSERT(rc >= -2 && rc <= 1);
		if (rc == 1) {
			FUZZ_ASSERT(msg != NULL && len > 0);
			FUZZ_ASSERT(len <= IPFIX_MSG_MAX);
			FUZZ_ASSERT(memchr(msg, 0x5a, len) != msg + len);
			(void)ipfix_reader_session(r, meta.session);
		} else if (rc < 0)
			FUZZ_ASSERT(err.code != IPFIX_OK);
	} while (rc != 0 && rc != -2);
}

static void
read_capture(const uint8_t *data, size_t size, uint16_t port)
{
	struct ipfix_reader_options opt = { .port = port };
	struct ipfix_reader *r;
	struct ipfix_err err;
	struct fuzz_file ff;
	uint64_t a, b, c;

	if (fuzz_file_open(&ff, data, size) == -1)
		return;
	r = ipfix_reader_open(ff.path, &opt, &err);
	if (r == NULL)
		FUZZ_ASSERT(err.code != IPFIX_OK);
	else {
		drain(r, size);
		ipfix_reader_capture_counts(r, &a, &b, &c);
		ipfix_reader_close(r);
	}
	fuzz_file_close(&ff);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file;
	size_t len;

	if (size < 1)
		return 0;
	if (pcap_in_magic(data, size)) {
		read_capture(data, size, 0);
		return 0;
	}
	if ((file = wrap(data[0], data + 1, size - 1, &len)) == NULL)
		return 0;
	read_capture(file, len, (data[0] & 0x20) ? 4739 : 0);
	free(file);
	return 0;
}
