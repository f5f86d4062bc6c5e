/*
 * compress: the toolkit's private DEFLATE framing of IPFIX messages, between
 * ipfix-send --compress and ipfix-recv (which detects it). NOT a standard:
 * RFC 7011 has no compression, TLS-level compression is gone, and
 * draft-muenz-ipfix-compression expired; both ends must be ours.
 *
 * Frame: magic "IZ" (0x49 0x5A, never an IPFIX version: the first bytes of
 * an IPFIX message are 00 0A), u16 frame length (header included, so a
 * framer that splits IPFIX messages by their Length field splits frames the
 * same way), then DEFLATE data (RFC 1951, raw) that inflates to exactly one
 * IPFIX message. Datagram transports: every frame stands alone. Stream
 * transports: one DEFLATE stream per Transport Session, each frame ending
 * at a Z_SYNC_FLUSH, so later frames reuse earlier context (better ratio).
 */
#ifndef IPFIX_COMPRESS_H
#define IPFIX_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IPFIX_Z_MAGIC0 0x49
#define IPFIX_Z_MAGIC1 0x5a
#define IPFIX_Z_HDR_LEN 4

struct ipfix_z;

/* A compressor (deflate) or decompressor (inflate); stream keeps context
 * across frames (stream transports), otherwise each frame is independent. */
struct ipfix_z *ipfix_z_new(bool deflate, bool stream, struct ipfix_err *err);
void ipfix_z_free(struct ipfix_z *z);

/* Compress message msg into frame out (cap bytes); 0 with *outlen, or -1
 * (IPFIX_E_LIMIT when the frame would exceed cap or 65535: send the
 * message uncompressed then; receivers accept both). */
int ipfix_z_pack(struct ipfix_z *z, const uint8_t *msg, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, struct ipfix_err *err);

/* Inflate one whole frame into out (cap >= 65535); 0 with *outlen, or -1
 * with err (bad magic, corrupt data, not exactly one message). */
int ipfix_z_unpack(struct ipfix_z *z, const uint8_t *frame, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, struct ipfix_err *err);

/* The largest message that always fits a frame of cap bytes (cap is
 * capped at 65535), even when it does not compress at all. A stream
 * compressor refuses larger messages before touching its context. */
size_t ipfix_z_max_input(size_t cap);

/* True when p starts with the frame magic (at least 2 bytes). */
bool ipfix_z_is_frame(const uint8_t *p, size_t len);

#endif
