/*
 * cursor: the one bounds-checked way to read wire data (layer 0).
 * A cursor covers [p, p+len). Every read checks the remaining length first;
 * a failed read sets the sticky 'bad' flag, yields 0 and moves nothing, so a
 * caller can read a whole header and check once. 'base' is the absolute
 * offset of p[0] in the input, for error messages.
 */
#ifndef IPFIX_CURSOR_H
#define IPFIX_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipfix_cursor {
	const uint8_t *p;
	size_t len;
	size_t pos;
	uint64_t base;
	bool bad;
};

static inline void
ipfix_cursor_init(struct ipfix_cursor *c, const uint8_t *p, size_t len,
    uint64_t base)
{
	c->p = p;
	c->len = len;
	c->pos = 0;
	c->base = base;
	c->bad = false;
}

static inline size_t
ipfix_cursor_left(const struct ipfix_cursor *c)
{
	return c->len - c->pos;
}

static inline uint64_t
ipfix_cursor_offset(const struct ipfix_cursor *c)
{
	return c->base + c->pos;
}

static inline bool
ipfix_cursor_need(struct ipfix_cursor *c, size_t n)
{
	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline uint8_t
ipfix_get_u8(struct ipfix_cursor *c)
{
	if (!ipfix_cursor_need(c, 1))
		return 0;
	return c->p[c->pos++];
}

static inline uint16_t
ipfix_get_u16(struct ipfix_cursor *c)
{
	const uint8_t *q;

	if (!ipfix_cursor_need(c, 2))
		return 0;
	q = c->p + c->pos;
	c->pos += 2;
	return (uint16_t)(q[0] << 8 | q[1]);
}

static inline uint32_t
ipfix_get_u32(struct ipfix_cursor *c)
{
	const uint8_t *q;

	if (!ipfix_cursor_need(c, 4))
		return 0;
	q = c->p + c->pos;
	c->pos += 4;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

/* Returns a pointer to the next n bytes and skips them, or NULL. */
static inline const uint8_t *
ipfix_get_bytes(struct ipfix_cursor *c, size_t n)
{
	const uint8_t *q;

	if (!ipfix_cursor_need(c, n))
		return NULL;
	q = c->p + c->pos;
	c->pos += n;
	return q;
}

/* Big-endian helpers for buffers whose length was already checked. */
static inline uint16_t
ipfix_be16(const uint8_t *q)
{
	return (uint16_t)(q[0] << 8 | q[1]);
}

static inline uint32_t
ipfix_be32(const uint8_t *q)
{
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

static inline void
ipfix_put16(uint8_t *q, uint16_t v)
{
	q[0] = (uint8_t)(v >> 8);
	q[1] = (uint8_t)v;
}

static inline void
ipfix_put32(uint8_t *q, uint32_t v)
{
	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
}

static inline void
ipfix_put64(uint8_t *q, uint64_t v)
{
	ipfix_put32(q, (uint32_t)(v >> 32));
	ipfix_put32(q + 4, (uint32_t)v);
}

#endif
