/*
 * msg: message header, set and record iteration, and the message builder.
 */
#include <string.h>

#include "msg.h"
#include "value.h"

int
ipfix_hdr_parse(const uint8_t *buf, size_t len, uint64_t base,
    struct ipfix_hdr *h, struct ipfix_err *err)
{
	struct ipfix_cursor c;

	ipfix_cursor_init(&c, buf, len, base);
	h->version = ipfix_get_u16(&c);
	h->length = ipfix_get_u16(&c);
	h->export_time = ipfix_get_u32(&c);
	h->seq = ipfix_get_u32(&c);
	h->odid = ipfix_get_u32(&c);
	if (c.bad)
		return ipfix_err_set(err, IPFIX_E_TRUNCATED, base, "C03",
		    "message of %zu bytes is shorter than its header", len);
	if (h->version != IPFIX_VERSION)
		return ipfix_err_set(err, IPFIX_E_VERSION, base, "C02",
		    "version %u, not 10", h->version);
	if (h->length < IPFIX_HDR_LEN || h->length > len)
		return ipfix_err_set(err, IPFIX_E_LENGTH, base + 2, "C03",
		    "message length %u, %zu bytes available", h->length, len);
	return 0;
}

void
ipfix_hdr_encode(const struct ipfix_hdr *h, uint8_t *buf)
{
	ipfix_put16(buf, h->version);
	ipfix_put16(buf + 2, h->length);
	ipfix_put32(buf + 4, h->export_time);
	ipfix_put32(buf + 8, h->seq);
	ipfix_put32(buf + 12, h->odid);
}

void
ipfix_set_iter_init(struct ipfix_set_iter *it, const uint8_t *msg, size_t len,
    uint64_t base)
{
	if (len < IPFIX_HDR_LEN)
		len = IPFIX_HDR_LEN;	/* caller broke the contract: no sets */
	ipfix_cursor_init(&it->c, msg + IPFIX_HDR_LEN, len - IPFIX_HDR_LEN,
	    base + IPFIX_HDR_LEN);
}

int
ipfix_set_next_slow(struct ipfix_set_iter *it, struct ipfix_set *s,
    struct ipfix_err *err)
{
	struct ipfix_cursor *c = &it->c;
	uint64_t at = ipfix_cursor_offset(c);

	if (ipfix_cursor_left(c) == 0)
		return 0;
	s->offset = at;
	s->id = ipfix_get_u16(c);
	s->length = ipfix_get_u16(c);
	if (c->bad)
		return ipfix_err_set(err, IPFIX_E_SET, at, "C15",
		    "%zu bytes after the last set are no set header",
		    c->len - (size_t)(at - c->base));
	if (s->length < IPFIX_SET_HDR_LEN ||
	    (size_t)s->length - IPFIX_SET_HDR_LEN > ipfix_cursor_left(c)) {
		c->bad = true;
		return ipfix_err_set(err, IPFIX_E_SET, at + 2, "C15",
		    "set %u length %u, %zu bytes left in the message", s->id,
		    s->length, ipfix_cursor_left(c) + IPFIX_SET_HDR_LEN);
	}
	s->body = ipfix_get_bytes(c, s->length - IPFIX_SET_HDR_LEN);
	return 1;
}

/* Records ----------------------------------------------------------------- */

void
ipfix_rec_iter_init(struct ipfix_rec_iter *it, const struct ipfix_set *s,
    const struct ipfix_tmpl *t)
{
	ipfix_cursor_init(&it->c, s->body, s->length - IPFIX_SET_HDR_LEN,
	    s->offset + IPFIX_SET_HDR_LEN);
	it->t = t;
}

void
ipfix_rec_iter_init_bytes(struct ipfix_rec_iter *it,
    const struct ipfix_cursor *c, const struct ipfix_tmpl *t)
{
	ipfix_cursor_init(&it->c, c->p + c->pos, ipfix_cursor_left(c),
	    ipfix_cursor_offset(c));
	it->t = t;
}

/* Walks the fields of a record with varlen fields to find its length. */
static int
varlen_record(struct ipfix_cursor *c, const struct ipfix_tmpl *t,
    struct ipfix_err *err)
{
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		if (ipfix_field_skip(c, &t->fields[i], err) == -1)
			return -1;
	}
	return 0;
}

int
ipfix_rec_next(struct ipfix_rec_iter *it, struct ipfix_rec *r,
    struct ipfix_err *err)
{
	struct ipfix_cursor *c = &it->c;
	const struct ipfix_tmpl *t = it->t;
	size_t start = c->pos;

	/* Fewer bytes than the shortest record: padding (C19). */
	if (t->min_len == 0 || ipfix_cursor_left(c) < t->min_len)
		return 0;
	r->p = c->p + start;
	r->offset = c->base + start;
	if (!t->varlen) {
		c->pos += t->min_len;
		r->len = t->min_len;
		return 1;
	}
	if (varlen_record(c, t, err) == -1) {
		/* Nothing after an unframeable record is usable. */
		c->pos = c->len;
		c->bad = true;
		return -1;
	}
	r->len = c->pos - start;
	return 1;
}

size_t
ipfix_rec_iter_padding(const struct ipfix_rec_iter *it, bool *nonzero)
{
	const struct ipfix_cursor *c = &it->c;
	size_t i, n = ipfix_cursor_left(c);

	if (nonzero != NULL) {
		*nonzero = false;
		for (i = 0; i < n; i++) {
			if (c->p[c->pos + i] != 0) {
				*nonzero = true;
				break;
			}
		}
	}
	return n;
}

/* Builder ----------------------------------------------------------------- */

void
ipfix_builder_init(struct ipfix_builder *b, uint8_t *buf, size_t limit,
    uint32_t odid, uint32_t export_time, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->limit = limit > IPFIX_MSG_MAX ? IPFIX_MSG_MAX : limit;
	b->len = IPFIX_HDR_LEN;
	b->hdr.version = IPFIX_VERSION;
	b->hdr.export_time = export_time;
	b->hdr.seq = seq;
	b->hdr.odid = odid;
}

static void
close_set(struct ipfix_builder *b)
{
	if (b->set_start == 0)
		return;
	ipfix_put16(b->buf + b->set_start, b->set_id);
	ipfix_put16(b->buf + b->set_start + 2,
	    (uint16_t)(b->len - b->set_start));
	b->set_start = 0;
	b->set_id = 0;
}

/*
 * Makes room for 'need' bytes in a set of id set_id, opening the set when
 * needed. 0: room at b->buf + b->len; 1: full; -1: never fits.
 */
static int
reserve(struct ipfix_builder *b, uint16_t set_id, size_t need,
    struct ipfix_err *err)
{
	bool same = b->set_start != 0 && b->set_id == set_id;
	size_t hdr = same ? 0 : IPFIX_SET_HDR_LEN;

	if (b->limit < IPFIX_HDR_LEN ||
	    need > b->limit - IPFIX_HDR_LEN - IPFIX_SET_HDR_LEN)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "%zu-byte item does not fit in a %zu-byte message",
		    need, b->limit);
	if (need + hdr > b->limit - b->len)
		return 1;
	if (!same) {
		close_set(b);
		b->set_start = b->len;
		b->set_id = set_id;
		b->len += IPFIX_SET_HDR_LEN;
	}
	return 0;
}

int
ipfix_builder_add_template(struct ipfix_builder *b, const struct ipfix_tmpl *t,
    struct ipfix_err *err)
{
	uint16_t set_id = t->options ? IPFIX_SET_OPTIONS_TEMPLATE :
	    IPFIX_SET_TEMPLATE;
	int rc;

	if (t->id < IPFIX_MIN_DATA_SET_ID)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, "C22",
		    "template id %u below 256", t->id);
	if ((rc = reserve(b, set_id, ipfix_tmpl_wire_size(t), err)) != 0)
		return rc;
	b->len += ipfix_tmpl_encode(t, b->buf + b->len, b->limit - b->len);
	return 0;
}

int
ipfix_builder_add_withdrawal(struct ipfix_builder *b, uint16_t set_id,
    uint16_t tid, struct ipfix_err *err)
{
	int rc;

	if ((set_id != IPFIX_SET_TEMPLATE &&
	    set_id != IPFIX_SET_OPTIONS_TEMPLATE) ||
	    (tid < IPFIX_MIN_DATA_SET_ID && tid != set_id))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, "C44",
		    "withdrawal of id %u in set %u", tid, set_id);
	if ((rc = reserve(b, set_id, 4, err)) != 0)
		return rc;
	ipfix_put16(b->buf + b->len, tid);
	ipfix_put16(b->buf + b->len + 2, 0);
	b->len += 4;
	return 0;
}

int
ipfix_builder_add_record(struct ipfix_builder *b, uint16_t tid,
    const uint8_t *rec, size_t len, struct ipfix_err *err)
{
	int rc;

	if (tid < IPFIX_MIN_DATA_SET_ID)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, "C13",
		    "data set id %u below 256", tid);
	if ((rc = reserve(b, tid, len, err)) != 0)
		return rc;
	if (len > 0)
		memcpy(b->buf + b->len, rec, len);
	b->len += len;
	b->records++;
	return 0;
}

uint32_t
ipfix_builder_add_fitting(struct ipfix_builder *b, uint16_t tid,
    const uint8_t *recs, size_t reclen, uint32_t n)
{
	bool same = b->set_start != 0 && b->set_id == tid;
	size_t hdr = same ? 0 : IPFIX_SET_HDR_LEN;
	size_t room, k;

	if (tid < IPFIX_MIN_DATA_SET_ID || reclen == 0 || n == 0 ||
	    b->limit < b->len || b->limit - b->len < hdr + reclen)
		return 0;
	room = b->limit - b->len - hdr;
	/* the whole run usually fits: no division then */
	k = (size_t)n * reclen <= room ? n : room / reclen;
	if (reserve(b, tid, k * reclen, NULL) != 0)
		return 0;
	memcpy(b->buf + b->len, recs, k * reclen);
	b->len += k * reclen;
	b->records += (uint32_t)k;
	return (uint32_t)k;
}

bool
ipfix_builder_empty(const struct ipfix_builder *b)
{
	return b->len <= IPFIX_HDR_LEN;
}

size_t
ipfix_builder_finish(struct ipfix_builder *b)
{
	close_set(b);
	b->hdr.length = (uint16_t)b->len;
	ipfix_hdr_encode(&b->hdr, b->buf);
	return b->len;
}
