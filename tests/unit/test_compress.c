/*
 * Unit tests of compress: round trips per frame and as a stream, the
 * size limit, and corrupt or foreign frames.
 */
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "cursor.h"
#include "testhelp.h"

/* A plausible message: header plus a data set of repetitive records. */
static size_t
make_msg(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)((i % 40) < 32 ? i % 7 : seed + i * 31);
	ipfix_put16(buf, 10);
	ipfix_put16(buf + 2, (uint16_t)len);
	ipfix_put32(buf + 4, 1700000000);
	ipfix_put32(buf + 8, seed);
	ipfix_put32(buf + 12, 0);
	return len;
}

/* Incompressible: pseudo-random bytes after the header. */
static size_t
make_noise(uint8_t *buf, size_t len)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	ipfix_put16(buf, 10);
	ipfix_put16(buf + 2, (uint16_t)len);
	return len;
}

static void
test_roundtrip(bool stream)
{
	static uint8_t msg[65535], frame[65535], out[65535];
	struct ipfix_z *d, *i;
	struct ipfix_err err;
	size_t flen, olen, total_in = 0, total_out = 0;
	int k, ok = 0;

	d = ipfix_z_new(true, stream, &err);
	i = ipfix_z_new(false, stream, &err);
	CHECK(d != NULL && i != NULL, "new compressor and decompressor");
	for (k = 0; k < 20; k++) {
		size_t len = make_msg(msg, 200 + (size_t)k * 50, (uint32_t)k);

		if (ipfix_z_pack(d, msg, len, frame, 1500, &flen, &err) != 0)
			continue;
		if (!ipfix_z_is_frame(frame, flen) ||
		    ipfix_z_unpack(i, frame, flen, out, sizeof(out), &olen,
		    &err) != 0 || olen != len || memcmp(out, msg, len) != 0)
			continue;
		total_in += len;
		total_out += flen;
		ok++;
	}
	CHECK_EQ_U(ok, 20, "%s: 20 messages survive the round trip",
	    stream ? "stream" : "per frame");
	CHECK(total_out < total_in / 2, "%s: repetitive data compresses "
	    "(%zu -> %zu)", stream ? "stream" : "per frame", total_in,
	    total_out);
	ipfix_z_free(d);
	ipfix_z_free(i);
}

static void
test_limit(void)
{
	static uint8_t msg[65535], frame[65535], out[65535];
	struct ipfix_z *d, *i;
	struct ipfix_err err;
	size_t len, flen, olen, max;

	max = ipfix_z_max_input(65535);
	CHECK(max > 60000 && max < 65535 - 4, "max input %zu is sane", max);
	CHECK_EQ_U(ipfix_z_max_input(20), 0, "no input fits a tiny frame");
	d = ipfix_z_new(true, true, &err);
	i = ipfix_z_new(false, true, &err);
	len = make_noise(msg, 1400);
	CHECK(ipfix_z_pack(d, msg, len, frame, 1000, &flen, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "stream: too large for the cap");
	/* The refused message left the context alone: the next one
	 * still decodes on the other side. */
	len = make_noise(msg, max);
	CHECK(ipfix_z_pack(d, msg, len, frame, 65535, &flen, &err) == 0 &&
	    flen <= 65535, "stream: noise of max input fits (%zu)", flen);
	CHECK(ipfix_z_unpack(i, frame, flen, out, sizeof(out), &olen,
	    &err) == 0 && olen == len && memcmp(out, msg, len) == 0,
	    "stream: noise decodes");
	ipfix_z_free(d);
	ipfix_z_free(i);
	d = ipfix_z_new(true, false, &err);
	len = make_noise(msg, 1400);
	CHECK(ipfix_z_pack(d, msg, len, frame, 1000, &flen, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "frame: too large for the cap");
	len = make_msg(msg, 1400, 3);
	CHECK(ipfix_z_pack(d, msg, len, frame, 1000, &flen, &err) == 0,
	    "frame: next message still packs");
	ipfix_z_free(d);
}

static void
test_corrupt(void)
{
	static uint8_t msg[2000], frame[2000], out[65535];
	struct ipfix_z *d, *i;
	struct ipfix_err err;
	size_t len, flen, olen;

	d = ipfix_z_new(true, false, &err);
	i = ipfix_z_new(false, false, &err);
	len = make_msg(msg, 1000, 9);
	CHECK(ipfix_z_pack(d, msg, len, frame, sizeof(frame), &flen,
	    &err) == 0, "pack");
	CHECK(!ipfix_z_is_frame(msg, len), "an IPFIX message is no frame");
	CHECK(ipfix_z_unpack(i, msg, len, out, sizeof(out), &olen, &err) ==
	    -1, "bad magic refused");
	CHECK(ipfix_z_unpack(i, frame, flen - 1, out, sizeof(out), &olen,
	    &err) == -1, "length disagreeing refused");
	frame[flen / 2] ^= 0x55;
	frame[flen / 2 + 1] ^= 0xaa;
	CHECK(ipfix_z_unpack(i, frame, flen, out, sizeof(out), &olen, &err) ==
	    -1 || olen != len || memcmp(out, msg, len) != 0,
	    "corrupt data never yields the message");
	memcpy(frame + 4, "\x03\x00", 2);	/* an empty final block */
	frame[2] = 0;
	frame[3] = 6;
	CHECK(ipfix_z_unpack(i, frame, 6, out, sizeof(out), &olen, &err) == -1,
	    "empty inflate is not a message");
	CHECK(ipfix_z_pack(i, msg, len, frame, sizeof(frame), &flen, &err) ==
	    -1 && err.code == IPFIX_E_USAGE, "pack on an inflater refused");
	ipfix_z_free(d);
	ipfix_z_free(i);
	ipfix_z_free(NULL);
}

int
main(void)
{
	test_roundtrip(false);
	test_roundtrip(true);
	test_limit();
	test_corrupt();
	TEST_DONE();
}
