/*
 * compress: the private DEFLATE framing of compress.h over zlib (raw
 * DEFLATE, window 32 KiB). See compress.h for the frame layout.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "compress.h"
#include "cursor.h"

#define Z_LEVEL 6
#define Z_FRAME_MAX 65535

struct ipfix_z {
	z_stream zs;
	bool deflate;
	bool stream;
	bool broken;		/* a stream that failed mid-frame */
};

struct ipfix_z *
ipfix_z_new(bool deflate, bool stream, struct ipfix_err *err)
{
	struct ipfix_z *z;
	int rc;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "out of memory");
		return NULL;
	}
	z->deflate = deflate;
	z->stream = stream;
	/* Negative window bits: raw DEFLATE (RFC 1951), no zlib wrapper. */
	if (deflate)
		rc = deflateInit2(&z->zs, Z_LEVEL, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY);
	else
		rc = inflateInit2(&z->zs, -15);
	if (rc != Z_OK) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "zlib: cannot initialise (%d)", rc);
		free(z);
		return NULL;
	}
	return z;
}

void
ipfix_z_free(struct ipfix_z *z)
{
	if (z == NULL)
		return;
	if (z->deflate)
		deflateEnd(&z->zs);
	else
		inflateEnd(&z->zs);
	free(z);
}

size_t
ipfix_z_max_input(size_t cap)
{
	size_t room;

	if (cap > Z_FRAME_MAX)
		cap = Z_FRAME_MAX;
	if (cap < IPFIX_Z_HDR_LEN + 64)
		return 0;
	room = cap - IPFIX_Z_HDR_LEN - 32;
	/* Invert bound(len) = len + len / 1024 + 32, rounding down. */
	return room - room / 1025 - 1;
}

bool
ipfix_z_is_frame(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == IPFIX_Z_MAGIC0 && p[1] == IPFIX_Z_MAGIC1;
}

static int
z_limit(struct ipfix_err *err, size_t len, size_t cap)
{
	return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
	    "compressed frame of a %zu-byte message exceeds %zu bytes", len,
	    cap);
}

/* Run deflate over the whole message; 0 or -1 (frame too large). */
static int
z_deflate(struct ipfix_z *z, const uint8_t *msg, size_t len, uint8_t *out,
    size_t cap, size_t *outlen)
{
	int rc;

	z->zs.next_in = (Bytef *)(uintptr_t)msg;
	z->zs.avail_in = (uInt)len;
	z->zs.next_out = out;
	z->zs.avail_out = (uInt)cap;
	rc = deflate(&z->zs, z->stream ? Z_SYNC_FLUSH : Z_FINISH);
	if (z->stream) {
		if (rc != Z_OK || z->zs.avail_in != 0 || z->zs.avail_out == 0)
			return -1;
	} else if (rc != Z_STREAM_END)
		return -1;
	*outlen = cap - z->zs.avail_out;
	return 0;
}

int
ipfix_z_pack(struct ipfix_z *z, const uint8_t *msg, size_t len, uint8_t *out,
    size_t cap, size_t *outlen, struct ipfix_err *err)
{
	size_t body;

	if (!z->deflate || z->broken)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "compressor not usable");
	if (cap > Z_FRAME_MAX)
		cap = Z_FRAME_MAX;
	if (cap <= IPFIX_Z_HDR_LEN || len > UINT16_MAX)
		return z_limit(err, len, cap);
	/*
	 * A stream compressor cannot take a message back once deflate saw
	 * it, so refuse up front what might not fit: the receiver's
	 * context then stays in step with ours.
	 */
	if (z->stream && len > ipfix_z_max_input(cap))
		return z_limit(err, len, cap);
	if (!z->stream)
		deflateReset(&z->zs);
	if (z_deflate(z, msg, len, out + IPFIX_Z_HDR_LEN,
	    cap - IPFIX_Z_HDR_LEN, &body) == -1) {
		if (z->stream)
			z->broken = true;
		return z_limit(err, len, cap);
	}
	out[0] = IPFIX_Z_MAGIC0;
	out[1] = IPFIX_Z_MAGIC1;
	out[2] = (uint8_t)((body + IPFIX_Z_HDR_LEN) >> 8);
	out[3] = (uint8_t)(body + IPFIX_Z_HDR_LEN);
	*outlen = body + IPFIX_Z_HDR_LEN;
	return 0;
}

static int
z_corrupt(struct ipfix_err *err, const char *why)
{
	return ipfix_err_set(err, IPFIX_E_FORMAT, 0, NULL,
	    "compressed frame: %s", why);
}

/* Inflate the frame body; 0 with *outlen or -1 with err. */
static int
z_inflate(struct ipfix_z *z, const uint8_t *p, size_t n, uint8_t *out,
    size_t cap, size_t *outlen, struct ipfix_err *err)
{
	int rc;

	if (!z->stream)
		inflateReset(&z->zs);
	z->zs.next_in = (Bytef *)(uintptr_t)p;
	z->zs.avail_in = (uInt)n;
	z->zs.next_out = out;
	z->zs.avail_out = (uInt)cap;
	rc = inflate(&z->zs, z->stream ? Z_SYNC_FLUSH : Z_FINISH);
	if (z->stream && (rc == Z_OK || rc == Z_BUF_ERROR) &&
	    z->zs.avail_in == 0)
		rc = Z_STREAM_END;
	if (rc != Z_STREAM_END || z->zs.avail_in != 0) {
		if (z->stream)
			z->broken = true;
		return z_corrupt(err, z->zs.msg != NULL ? z->zs.msg :
		    "data does not inflate to one message");
	}
	*outlen = cap - z->zs.avail_out;
	return 0;
}

int
ipfix_z_unpack(struct ipfix_z *z, const uint8_t *frame, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, struct ipfix_err *err)
{
	struct ipfix_cursor c;
	uint16_t flen, ver, mlen;

	if (z->deflate || z->broken)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "decompressor not usable");
	if (!ipfix_z_is_frame(frame, len))
		return z_corrupt(err, "bad magic");
	ipfix_cursor_init(&c, frame, len, 0);
	(void)ipfix_get_u16(&c);
	flen = ipfix_get_u16(&c);
	if (c.bad || flen != len || flen <= IPFIX_Z_HDR_LEN)
		return z_corrupt(err, "length field disagrees with the frame");
	if (z_inflate(z, frame + IPFIX_Z_HDR_LEN, len - IPFIX_Z_HDR_LEN, out,
	    cap, outlen, err) == -1)
		return -1;
	ipfix_cursor_init(&c, out, *outlen, 0);
	ver = ipfix_get_u16(&c);
	mlen = ipfix_get_u16(&c);
	if (c.bad || ver != 10 || mlen != *outlen)
		return z_corrupt(err, "data does not inflate to one message");
	return 0;
}
