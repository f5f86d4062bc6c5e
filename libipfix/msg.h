/*
 * msg: IPFIX Messages (RFC 7011 §3): header, zero-copy set and record
 * iteration that never leaves the message or set, and a size-bounded
 * message builder (layer 1). Nothing here allocates.
 */
#ifndef IPFIX_MSG_H
#define IPFIX_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "err.h"
#include "template.h"

#define IPFIX_VERSION 10
#define IPFIX_HDR_LEN 16
#define IPFIX_SET_HDR_LEN 4
#define IPFIX_MSG_MAX 65535

struct ipfix_hdr {
	uint16_t version;
	uint16_t length;
	uint32_t export_time;
	uint32_t seq;
	uint32_t odid;
};

/* Parse and check a header: version 10 (C02), length >= 16 and <= len
 * (C03). base is the message's offset in the input, for errors. */
int ipfix_hdr_parse(const uint8_t *buf, size_t len, uint64_t base,
    struct ipfix_hdr *h, struct ipfix_err *err);
void ipfix_hdr_encode(const struct ipfix_hdr *h, uint8_t *buf);

struct ipfix_set {
	uint16_t id;
	uint16_t length;	/* including the 4-byte set header */
	const uint8_t *body;	/* length - 4 bytes */
	uint64_t offset;	/* absolute offset of the set header */
};

struct ipfix_set_iter {
	struct ipfix_cursor c;	/* over the message after its header */
};

/* msg/len is one whole message whose header was checked. */
void ipfix_set_iter_init(struct ipfix_set_iter *it, const uint8_t *msg,
    size_t len, uint64_t base);
/* The end of the message and framing errors for ipfix_set_next. */
int ipfix_set_next_slow(struct ipfix_set_iter *it, struct ipfix_set *s,
    struct ipfix_err *err);

/* 1 with *s filled, 0 at the end, -1 for a set shorter than 4 or running
 * past the message (C15): the rest of the message is then unusable.
 * Inline: it runs once per set of every message decoded. */
static inline int
ipfix_set_next(struct ipfix_set_iter *it, struct ipfix_set *s,
    struct ipfix_err *err)
{
	struct ipfix_cursor *c = &it->c;
	const uint8_t *q = c->p + c->pos;
	size_t left = c->len - c->pos;
	uint16_t len;

	if (c->bad || left < IPFIX_SET_HDR_LEN ||
	    (len = ipfix_be16(q + 2)) < IPFIX_SET_HDR_LEN || len > left)
		return ipfix_set_next_slow(it, s, err);
	s->offset = c->base + c->pos;
	s->id = ipfix_be16(q);
	s->length = len;
	s->body = q + IPFIX_SET_HDR_LEN;
	c->pos += len;
	return 1;
}

/* Records of a data set ------------------------------------------------ */

struct ipfix_rec {
	const uint8_t *p;
	size_t len;
	uint64_t offset;
};

struct ipfix_rec_iter {
	struct ipfix_cursor c;
	const struct ipfix_tmpl *t;
};

void ipfix_rec_iter_init(struct ipfix_rec_iter *it, const struct ipfix_set *s,
    const struct ipfix_tmpl *t);
/* Same over arbitrary bytes (subTemplateList contents). */
void ipfix_rec_iter_init_bytes(struct ipfix_rec_iter *it,
    const struct ipfix_cursor *c, const struct ipfix_tmpl *t);
/* 1 with *r filled, 0 at the end (trailing bytes shorter than a record are
 * padding, C19; *padding tells how many and whether non-zero), -1 when a
 * varlen field runs past the set (C28). A template whose min_len is 0
 * (only empty varlens) yields no records, so iteration always ends. */
int ipfix_rec_next(struct ipfix_rec_iter *it, struct ipfix_rec *r,
    struct ipfix_err *err);
size_t ipfix_rec_iter_padding(const struct ipfix_rec_iter *it,
    bool *nonzero);

/* Builder --------------------------------------------------------------- */

/*
 * Builds one message into a caller-owned buffer of at most 'limit' bytes
 * (the transport's message size). Records are appended to the open set,
 * and a new set is opened whenever the set id changes. Each add returns 0,
 * or 1 when the item does not fit in what is left (finish the message,
 * start a new one and add again), or -1 when it could not fit even in an
 * empty message (err set, IPFIX_E_LIMIT).
 */
struct ipfix_builder {
	uint8_t *buf;
	size_t limit;
	size_t len;		/* bytes used, header included */
	size_t set_start;	/* offset of the open set, 0 if none */
	uint16_t set_id;
	uint32_t records;	/* data records in this message */
	struct ipfix_hdr hdr;
};

void ipfix_builder_init(struct ipfix_builder *b, uint8_t *buf, size_t limit,
    uint32_t odid, uint32_t export_time, uint32_t seq);
int ipfix_builder_add_template(struct ipfix_builder *b,
    const struct ipfix_tmpl *t, struct ipfix_err *err);
int ipfix_builder_add_withdrawal(struct ipfix_builder *b, uint16_t set_id,
    uint16_t tid, struct ipfix_err *err);
int ipfix_builder_add_record(struct ipfix_builder *b, uint16_t tid,
    const uint8_t *rec, size_t len, struct ipfix_err *err);
/* Of n records of reclen bytes each, append as many as fit the open
 * message in one copy; returns how many (0 when none fits). */
uint32_t ipfix_builder_add_fitting(struct ipfix_builder *b, uint16_t tid,
    const uint8_t *recs, size_t reclen, uint32_t n);
bool ipfix_builder_empty(const struct ipfix_builder *b);
/* Close the open set, write the header; returns the message length. */
size_t ipfix_builder_finish(struct ipfix_builder *b);

#endif
