/*
 * value: typed decoding of field values, varlen prefixes, NTP timestamps,
 * UTF-8 validation and the RFC 6313 list iterators.
 */
#include <string.h>

#include "value.h"

#define NTP_UNIX_OFFSET 2208988800ll	/* seconds from 1900 to 1970 */
#define ENTERPRISE_BIT 0x8000u

/* Big-endian unsigned of 1..8 bytes (len checked by the caller). */
static uint64_t
be_uint(const uint8_t *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

/* Sign-extends a reduced-size two's complement value (RFC 7011 §6.2). */
static int64_t
be_int(const uint8_t *p, size_t len)
{
	uint64_t v = be_uint(p, len);

	if (len < 8 && (p[0] & 0x80) != 0)
		v |= ~(uint64_t)0 << (len * 8);
	return (int64_t)v;
}

static double
be_float(const uint8_t *p, size_t len)
{
	if (len == 4) {
		uint32_t u = (uint32_t)be_uint(p, 4);
		float f;

		memcpy(&f, &u, sizeof(f));
		return f;
	} else {
		uint64_t u = be_uint(p, 8);
		double d;

		memcpy(&d, &u, sizeof(d));
		return d;
	}
}

void
ipfix_ntp_to_unix(uint32_t sec, uint32_t frac, bool micro, int64_t *usec_sec,
    uint32_t *nsec)
{
	int64_t s = (int64_t)sec - NTP_UNIX_OFFSET;
	uint64_t n;

	/*
	 * NTP era 0 only: a seconds field below 2^31 is read as 1900+, never
	 * as era 1 (2036+). Rounding to the nearest unit undoes the
	 * truncation an exporter applies when it converts to 2^-32 s.
	 */
	if (micro) {
		frac &= ~(uint32_t)0x7ff;	/* C35: ignore the low 11 bits */
		n = (((uint64_t)frac * 1000000u + (1u << 31)) >> 32) * 1000u;
	} else
		n = ((uint64_t)frac * 1000000000u + (1u << 31)) >> 32;
	if (n >= 1000000000u) {
		n -= 1000000000u;
		s++;
	}
	*usec_sec = s;
	*nsec = (uint32_t)n;
}

static void
decode_time(enum ipfix_type t, const uint8_t *raw, struct ipfix_value *v)
{
	switch (t) {
	case IPFIX_T_DATETIME_SECONDS:
		v->v.u = be_uint(raw, 4);
		break;
	case IPFIX_T_DATETIME_MILLISECONDS:
		v->v.u = be_uint(raw, 8);
		break;
	default:
		ipfix_ntp_to_unix((uint32_t)be_uint(raw, 4),
		    (uint32_t)be_uint(raw + 4, 4),
		    t == IPFIX_T_DATETIME_MICROSECONDS, &v->v.t.sec,
		    &v->v.t.nsec);
		break;
	}
}

/* Lengths a value of type t is decoded from. Wider than the template
 * check (ipfix_type_length_ok) on purpose: a template a tolerant decoder
 * took from a vendor (samplerId, unsigned8, in 4 octets) has its integers
 * read by the wire length up to 8 octets and its floats in 4 or 8; every
 * other deviation stays octets (a dateTime in the wrong size has no unit
 * one could trust). */
static bool
length_ok(enum ipfix_type t, size_t len)
{
	switch (t) {
	case IPFIX_T_UNSIGNED8: case IPFIX_T_SIGNED8:
	case IPFIX_T_UNSIGNED16: case IPFIX_T_SIGNED16:
	case IPFIX_T_UNSIGNED32: case IPFIX_T_SIGNED32:
	case IPFIX_T_UNSIGNED64: case IPFIX_T_SIGNED64:
		return len >= 1 && len <= 8;
	case IPFIX_T_FLOAT32: case IPFIX_T_FLOAT64:
		return len == 4 || len == 8;
	case IPFIX_T_BOOLEAN: case IPFIX_T_UNSIGNED256:
	case IPFIX_T_MACADDRESS: case IPFIX_T_IPV4ADDRESS:
	case IPFIX_T_IPV6ADDRESS: case IPFIX_T_DATETIME_SECONDS:
	case IPFIX_T_DATETIME_MILLISECONDS:
	case IPFIX_T_DATETIME_MICROSECONDS:
	case IPFIX_T_DATETIME_NANOSECONDS:
		return len == ipfix_type_size(t);
	default:
		return true;
	}
}

static void
decode_typed(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v)
{
	switch (t) {
	case IPFIX_T_UNSIGNED8: case IPFIX_T_UNSIGNED16:
	case IPFIX_T_UNSIGNED32: case IPFIX_T_UNSIGNED64:
	case IPFIX_T_IPV4ADDRESS:
		v->v.u = be_uint(raw, len);
		break;
	case IPFIX_T_SIGNED8: case IPFIX_T_SIGNED16:
	case IPFIX_T_SIGNED32: case IPFIX_T_SIGNED64:
		v->v.i = be_int(raw, len);
		break;
	case IPFIX_T_FLOAT32: case IPFIX_T_FLOAT64:
		v->v.f = be_float(raw, len);
		break;
	case IPFIX_T_BOOLEAN:
		v->v.b = raw[0] == 1;
		break;
	case IPFIX_T_DATETIME_SECONDS: case IPFIX_T_DATETIME_MILLISECONDS:
	case IPFIX_T_DATETIME_MICROSECONDS: case IPFIX_T_DATETIME_NANOSECONDS:
		decode_time(t, raw, v);
		break;
	default:
		break;	/* octets, strings, addresses, lists: raw is the value */
	}
}

/* An unsigned of exactly 'want' bytes (a constant), else false. */
static inline bool
fast_uint(const uint8_t *raw, size_t len, size_t want, struct ipfix_value *v)
{
	if (len != want)
		return false;
	/* One load per size where be_uint would loop byte by byte. */
	if (want == 1)
		v->v.u = raw[0];
	else if (want == 2)
		v->v.u = ipfix_be16(raw);
	else if (want == 4)
		v->v.u = ipfix_be32(raw);
	else
		v->v.u = (uint64_t)ipfix_be32(raw) << 32 | ipfix_be32(raw + 4);
	return true;
}

/*
 * The types and lengths of nearly every field of a flow record, decoded
 * without the generic length check: each case tests the one length it
 * takes, anything else (reduced size, bad length, other types) is left to
 * decode_slow. True when v is complete.
 */
static bool
decode_fast(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v)
{
	switch (t) {
	case IPFIX_T_OCTETARRAY: case IPFIX_T_STRING:
	case IPFIX_T_BASICLIST: case IPFIX_T_SUBTEMPLATELIST:
	case IPFIX_T_SUBTEMPLATEMULTILIST:
		return true;	/* any length; raw is the value */
	case IPFIX_T_MACADDRESS:
		return len == 6;
	case IPFIX_T_IPV6ADDRESS:
		return len == 16;
	case IPFIX_T_UNSIGNED8:
		return fast_uint(raw, len, 1, v);
	case IPFIX_T_UNSIGNED16:
		return fast_uint(raw, len, 2, v);
	case IPFIX_T_UNSIGNED32: case IPFIX_T_IPV4ADDRESS:
		return fast_uint(raw, len, 4, v);
	case IPFIX_T_UNSIGNED64: case IPFIX_T_DATETIME_MILLISECONDS:
		return fast_uint(raw, len, 8, v);
	default:
		return false;
	}
}

static inline void
value_init(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v)
{
	v->type = t;
	v->raw = raw;
	v->len = len;
	v->v.u = 0;
	v->bad = false;
}

/*
 * Everything decode_fast leaves to the general checks. A value its type
 * cannot have (wrong length, boolean other than 1/2) is handed on as
 * octetArray with 'bad' set, so printers show the bytes and never a
 * made-up number.
 */
static void
decode_slow(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v)
{
	if ((unsigned)t >= IPFIX_T_COUNT || !length_ok(t, len) ||
	    (t == IPFIX_T_BOOLEAN && raw[0] != 1 && raw[0] != 2)) {
		v->bad = (unsigned)t < IPFIX_T_COUNT;
		v->type = IPFIX_T_OCTETARRAY;
		return;
	}
	decode_typed(t, raw, len, v);
}

void
ipfix_value_decode(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v)
{
	value_init(t, raw, len, v);
	if (!decode_fast(t, raw, len, v))
		decode_slow(t, raw, len, v);
}

/* Reads the field's length: fixed, or the 1- or 3-byte varlen prefix. */
static int
field_len(struct ipfix_cursor *c, const struct ipfix_field *f, size_t *len,
    struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);

	*len = f->len;
	if (f->len == IPFIX_VARLEN) {
		*len = ipfix_get_u8(c);
		if (*len == 255)
			*len = ipfix_get_u16(c);
		if (c->bad)
			return ipfix_err_set(err, IPFIX_E_RECORD, at, "C28",
			    "varlen prefix runs past the end of the set");
	}
	if (!ipfix_cursor_need(c, *len))
		return ipfix_err_set(err, IPFIX_E_RECORD, at, "C28",
		    "field of %zu bytes runs past the end (%zu left)", *len,
		    ipfix_cursor_left(c));
	return 0;
}

int
ipfix_value_read(struct ipfix_cursor *c, const struct ipfix_field *f,
    struct ipfix_value *v, struct ipfix_err *err)
{
	enum ipfix_type t = f->ie != NULL ? (enum ipfix_type)f->ie->type :
	    IPFIX_T_OCTETARRAY;
	const uint8_t *raw;
	size_t len;
	uint64_t at;

	/* Fixed-length fields that fit: one check, no varlen prefix. */
	if (f->len != IPFIX_VARLEN && !c->bad && f->len <= c->len - c->pos) {
		len = f->len;
		at = ipfix_cursor_offset(c);
		raw = c->p + c->pos;
		c->pos += len;
	} else {
		if (field_len(c, f, &len, err) == -1)
			return -1;
		at = ipfix_cursor_offset(c);
		raw = ipfix_get_bytes(c, len);
	}
	/* ipfix_value_decode, with the common case inlined. */
	value_init(t, raw, len, v);
	if (!decode_fast(t, raw, len, v))
		decode_slow(t, raw, len, v);
	v->offset = at;
	return 0;
}

int
ipfix_field_skip(struct ipfix_cursor *c, const struct ipfix_field *f,
    struct ipfix_err *err)
{
	size_t len;

	if (field_len(c, f, &len, err) == -1)
		return -1;
	c->pos += len;	/* field_len checked the room */
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p (1..4), 0 if ill-formed:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
size_t
ipfix_utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

bool
ipfix_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = ipfix_utf8_seq(p + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

/* RFC 6313 lists ---------------------------------------------------------- */

const char *
ipfix_list_semantic_name(uint8_t semantic)
{
	static const char *const names[] = {
		"noneOf", "exactlyOneOf", "oneOrMoreOf", "allOf", "ordered",
	};

	if (semantic < sizeof(names) / sizeof(names[0]))
		return names[semantic];
	return semantic == IPFIX_LIST_UNDEFINED ? "undefined" : "unassigned";
}

static void
list_cursor(const struct ipfix_value *v, struct ipfix_cursor *c)
{
	ipfix_cursor_init(c, v->raw, v->len, v->offset);
}

/* The rest of c as a cursor of its own, keeping absolute offsets. */
static void
rest_cursor(const struct ipfix_cursor *c, struct ipfix_cursor *rest)
{
	ipfix_cursor_init(rest, c->p + c->pos, ipfix_cursor_left(c),
	    ipfix_cursor_offset(c));
}

int
ipfix_basiclist_open(const struct ipfix_value *v, struct ipfix_basiclist *bl,
    struct ipfix_err *err)
{
	struct ipfix_cursor c;
	uint16_t raw;

	list_cursor(v, &c);
	bl->semantic = ipfix_get_u8(&c);
	raw = ipfix_get_u16(&c);
	bl->field.len = ipfix_get_u16(&c);
	bl->field.id = raw & ~ENTERPRISE_BIT;
	bl->field.pen = (raw & ENTERPRISE_BIT) != 0 ? ipfix_get_u32(&c) : 0;
	if (c.bad)
		return ipfix_err_set(err, IPFIX_E_VALUE, v->offset, "C37",
		    "basicList of %zu bytes is shorter than its header",
		    v->len);
	if ((raw & ENTERPRISE_BIT) != 0 && bl->field.id == 0)
		return ipfix_err_set(err, IPFIX_E_VALUE, v->offset + 1, "C21",
		    "basicList of enterprise element id 0");
	bl->field.ie = ipfix_ie_lookup(bl->field.pen, bl->field.id);
	rest_cursor(&c, &bl->elems);
	return 0;
}

int
ipfix_basiclist_next(struct ipfix_basiclist *bl, struct ipfix_value *elem,
    struct ipfix_err *err)
{
	/* Zero-length fixed elements cannot be counted: treat as empty. */
	if (ipfix_cursor_left(&bl->elems) == 0 || bl->field.len == 0)
		return 0;
	if (ipfix_value_read(&bl->elems, &bl->field, elem, err) == -1)
		return -1;
	return 1;
}

int
ipfix_stlist_open(const struct ipfix_value *v, struct ipfix_stlist *sl,
    struct ipfix_err *err)
{
	struct ipfix_cursor c;

	list_cursor(v, &c);
	sl->semantic = ipfix_get_u8(&c);
	sl->tid = ipfix_get_u16(&c);
	if (c.bad)
		return ipfix_err_set(err, IPFIX_E_VALUE, v->offset, "C37",
		    "subTemplateList of %zu bytes is shorter than its header",
		    v->len);
	rest_cursor(&c, &sl->recs);
	return 0;
}

int
ipfix_stmlist_open(const struct ipfix_value *v, struct ipfix_stmlist *ml,
    struct ipfix_err *err)
{
	struct ipfix_cursor c;

	list_cursor(v, &c);
	ml->semantic = ipfix_get_u8(&c);
	if (c.bad)
		return ipfix_err_set(err, IPFIX_E_VALUE, v->offset, "C37",
		    "empty subTemplateMultiList has no semantic");
	rest_cursor(&c, &ml->blocks);
	return 0;
}

int
ipfix_stmlist_next(struct ipfix_stmlist *ml, struct ipfix_stml_block *blk,
    struct ipfix_err *err)
{
	struct ipfix_cursor *c = &ml->blocks;
	uint64_t at = ipfix_cursor_offset(c);
	uint16_t blen;

	if (ipfix_cursor_left(c) == 0)
		return 0;
	blk->tid = ipfix_get_u16(c);
	blen = ipfix_get_u16(c);
	if (c->bad || blen < 4 || blen - 4u > ipfix_cursor_left(c)) {
		c->bad = true;
		c->pos = c->len;	/* nothing after a broken block is usable */
		return ipfix_err_set(err, IPFIX_E_VALUE, at, "C28",
		    "subTemplateMultiList block length %u does not fit", blen);
	}
	ipfix_cursor_init(&blk->recs, c->p + c->pos, blen - 4u,
	    ipfix_cursor_offset(c));
	c->pos += blen - 4u;
	return 1;
}
