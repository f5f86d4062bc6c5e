/*
 * test_value: every abstract data type, reduced sizes, varlen prefixes,
 * NTP times, UTF-8 validation and the RFC 6313 list iterators, including
 * nested and truncated lists.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "value.h"
#include "msg.h"

static struct ipfix_value
dec(enum ipfix_type t, const uint8_t *raw, size_t len)
{
	struct ipfix_value v;

	ipfix_value_decode(t, raw, len, &v);
	return v;
}

static void
test_integers(void)
{
	static const uint8_t u[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x07, 0x08 };
	static const uint8_t neg[] = { 0xff, 0xfe };
	static const uint8_t pos[] = { 0x7f, 0xfe };
	struct ipfix_value v;

	v = dec(IPFIX_T_UNSIGNED8, u, 1);
	CHECK_EQ_U(v.v.u, 1, "unsigned8");
	v = dec(IPFIX_T_UNSIGNED16, u, 2);
	CHECK_EQ_U(v.v.u, 0x0102, "unsigned16");
	v = dec(IPFIX_T_UNSIGNED32, u, 4);
	CHECK_EQ_U(v.v.u, 0x01020304, "unsigned32");
	v = dec(IPFIX_T_UNSIGNED64, u, 8);
	CHECK_EQ_U(v.v.u, 0x0102030405060708ull, "unsigned64");
	v = dec(IPFIX_T_UNSIGNED64, u, 3);
	CHECK_EQ_U(v.v.u, 0x010203, "unsigned64 reduced to 3 bytes (C30)");
	CHECK(!v.bad && v.type == IPFIX_T_UNSIGNED64, "reduced is not bad");
	v = dec(IPFIX_T_SIGNED32, neg, 2);
	CHECK(v.v.i == -2, "signed32 in 2 bytes sign-extends (C30)");
	v = dec(IPFIX_T_SIGNED64, neg, 1);
	CHECK(v.v.i == -1, "signed64 in 1 byte sign-extends");
	v = dec(IPFIX_T_SIGNED16, pos, 2);
	CHECK(v.v.i == 0x7ffe, "positive signed16");
	v = dec(IPFIX_T_SIGNED8, neg + 1, 1);
	CHECK(v.v.i == -2, "signed8");
	v = dec(IPFIX_T_SIGNED64, u, 8);
	CHECK(v.v.i == 0x0102030405060708ll, "signed64 full width");
	/* issue 12: a vendor's oversized integer is read by its length */
	v = dec(IPFIX_T_UNSIGNED16, u, 3);
	CHECK(!v.bad && v.type == IPFIX_T_UNSIGNED16 && v.v.u == 0x010203,
	    "unsigned16 in 3 bytes: read as a 3-byte integer");
	v = dec(IPFIX_T_SIGNED8, neg, 2);
	CHECK(!v.bad && v.v.i == -2, "signed8 in 2 bytes sign-extends");
	v = dec(IPFIX_T_UNSIGNED8, u, 9);
	CHECK(v.bad && v.type == IPFIX_T_OCTETARRAY && v.len == 9,
	    "unsigned8 in 9 bytes: bad, octets");
	v = dec(IPFIX_T_UNSIGNED32, u, 0);
	CHECK(v.bad, "unsigned32 of 0 bytes is bad");
}

static void
test_floats_bool(void)
{
	uint8_t f4[4], f8[8], b;
	float f = 1.5f;
	double d = -2.25;
	uint32_t u32;
	uint64_t u64;
	struct ipfix_value v;

	memcpy(&u32, &f, 4);
	ipfix_put32(f4, u32);
	memcpy(&u64, &d, 8);
	ipfix_put64(f8, u64);
	v = dec(IPFIX_T_FLOAT32, f4, 4);
	CHECK(v.v.f == 1.5, "float32");
	v = dec(IPFIX_T_FLOAT64, f8, 8);
	CHECK(v.v.f == -2.25, "float64");
	v = dec(IPFIX_T_FLOAT64, f4, 4);
	CHECK(v.v.f == 1.5 && !v.bad, "float64 sent in 4 bytes");
	v = dec(IPFIX_T_FLOAT32, f8, 8);
	CHECK(!v.bad && v.v.f == -2.25, "float32 in 8 bytes read as float64");
	v = dec(IPFIX_T_FLOAT32, f8, 2);
	CHECK(v.bad, "float32 in 2 bytes is bad");
	b = 1;
	v = dec(IPFIX_T_BOOLEAN, &b, 1);
	CHECK(v.v.b && !v.bad, "boolean 1 is true");
	b = 2;
	v = dec(IPFIX_T_BOOLEAN, &b, 1);
	CHECK(!v.v.b && !v.bad, "boolean 2 is false");
	b = 0;
	v = dec(IPFIX_T_BOOLEAN, &b, 1);
	CHECK(v.bad && v.type == IPFIX_T_OCTETARRAY, "boolean 0 is bad (C33)");
	b = 3;
	v = dec(IPFIX_T_BOOLEAN, &b, 1);
	CHECK(v.bad, "boolean 3 is bad");
}

static void
test_addresses(void)
{
	static const uint8_t a[16] = { 192, 0, 2, 1, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16 };
	struct ipfix_value v;

	v = dec(IPFIX_T_IPV4ADDRESS, a, 4);
	CHECK_EQ_U(v.v.u, 0xc0000201, "ipv4 as number");
	CHECK(v.raw == a && v.len == 4, "ipv4 raw");
	v = dec(IPFIX_T_IPV4ADDRESS, a, 3);
	CHECK(v.bad, "ipv4 in 3 bytes is bad");
	v = dec(IPFIX_T_IPV6ADDRESS, a, 16);
	CHECK(!v.bad && v.len == 16, "ipv6");
	v = dec(IPFIX_T_MACADDRESS, a, 6);
	CHECK(!v.bad && v.len == 6, "mac");
	v = dec(IPFIX_T_MACADDRESS, a, 4);
	CHECK(v.bad, "mac in 4 bytes is bad");
	v = dec(IPFIX_T_STRING, a, 0);
	CHECK(!v.bad && v.len == 0, "empty string");
	v = dec(IPFIX_T_OCTETARRAY, a, 16);
	CHECK(!v.bad && v.len == 16, "octetArray");
	v = dec(IPFIX_T_UNSIGNED256, a, 16);
	CHECK(v.bad, "unsigned256 of 16 bytes is bad");
}

static void
test_times(void)
{
	uint8_t b[8];
	struct ipfix_value v;
	int64_t s;
	uint32_t ns;

	ipfix_put32(b, 1700000000u);
	v = dec(IPFIX_T_DATETIME_SECONDS, b, 4);
	CHECK_EQ_U(v.v.u, 1700000000u, "dateTimeSeconds");
	ipfix_put64(b, 1700000000123ull);
	v = dec(IPFIX_T_DATETIME_MILLISECONDS, b, 8);
	CHECK_EQ_U(v.v.u, 1700000000123ull, "dateTimeMilliseconds (C36)");
	/* 2023-11-14 22:13:20 UTC + 0.5 s */
	ipfix_put32(b, 1700000000u + 2208988800u);
	ipfix_put32(b + 4, 0x80000000u);
	v = dec(IPFIX_T_DATETIME_NANOSECONDS, b, 8);
	CHECK(v.v.t.sec == 1700000000 && v.v.t.nsec == 500000000,
	    "dateTimeNanoseconds NTP (C35)");
	ipfix_put32(b + 4, 0x80000000u | 0x7ff);
	v = dec(IPFIX_T_DATETIME_MICROSECONDS, b, 8);
	CHECK(v.v.t.sec == 1700000000 && v.v.t.nsec == 500000000,
	    "dateTimeMicroseconds ignores the low 11 bits");
	/* 1 us truncated to 2^-32 units is 4294; masked it drops to 4096 */
	ipfix_ntp_to_unix(2208988800u, 4294, true, &s, &ns);
	CHECK(s == 0 && ns == 1000, "1 us survives masking: %u ns", ns);
	ipfix_ntp_to_unix(2208988800u, 0xffffffffu, false, &s, &ns);
	CHECK(s == 1 && ns == 0, "fraction rounds up into the next second");
	ipfix_ntp_to_unix(0, 0, false, &s, &ns);
	CHECK(s == -2208988800ll, "NTP 0 is 1900 (era 0, may be negative)");
	ipfix_ntp_to_unix(0x7fffffffu, 0, false, &s, &ns);
	CHECK(s == 0x7fffffffll - 2208988800ll,
	    "seconds below 2^31 stay in era 0 (documented)");
	v = dec(IPFIX_T_DATETIME_SECONDS, b, 8);
	CHECK(v.bad, "dateTimeSeconds in 8 bytes is bad");
}

static void
test_utf8(void)
{
	static const uint8_t ok[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
	static const uint8_t overlong[] = { 0xc0, 0xaf };
	static const uint8_t surrogate[] = { 0xed, 0xa0, 0x80 };
	static const uint8_t big[] = { 0xf4, 0x90, 0x80, 0x80 };
	static const uint8_t cut[] = { 'a', 0xe2, 0x82 };
	static const uint8_t cont[] = { 0x80 };
	static const uint8_t bad3[] = { 0xe2, 0x28, 0xa1 };

	CHECK(ipfix_utf8_valid(ok, sizeof(ok) - 1), "valid UTF-8");
	CHECK(ipfix_utf8_valid(ok, 0), "empty is valid");
	CHECK(!ipfix_utf8_valid(overlong, 2), "overlong rejected (C34)");
	CHECK(!ipfix_utf8_valid(surrogate, 3), "surrogate rejected");
	CHECK(!ipfix_utf8_valid(big, 4), "above U+10FFFF rejected");
	CHECK(!ipfix_utf8_valid(cut, 3), "cut sequence rejected");
	CHECK(!ipfix_utf8_valid(cont, 1), "lone continuation rejected");
	CHECK(!ipfix_utf8_valid(bad3, 3), "bad continuation rejected");
}

static void
test_read_varlen(void)
{
	uint8_t buf[300 + 3];
	struct ipfix_field f = { 0, 82, IPFIX_VARLEN, NULL };
	struct ipfix_field fx = { 0, 7, 2, NULL };
	struct ipfix_cursor c;
	struct ipfix_value v;
	struct ipfix_err err;

	f.ie = ipfix_ie_lookup(0, 82);
	fx.ie = ipfix_ie_lookup(0, 7);
	buf[0] = 3;
	memcpy(buf + 1, "eth", 3);
	ipfix_cursor_init(&c, buf, 4, 1000);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == 0 && v.len == 3 &&
	    memcmp(v.raw, "eth", 3) == 0, "1-byte varlen prefix");
	CHECK(v.type == IPFIX_T_STRING && v.offset == 1001,
	    "type from registry, offset after prefix");
	buf[0] = 255;
	ipfix_put16(buf + 1, 300);
	memset(buf + 3, 'x', 300);
	ipfix_cursor_init(&c, buf, sizeof(buf), 0);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == 0 && v.len == 300 &&
	    v.offset == 3 && c.pos == sizeof(buf), "3-byte varlen prefix");
	ipfix_put16(buf + 1, 2);
	ipfix_cursor_init(&c, buf, 5, 0);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == 0 && v.len == 2,
	    "3-byte prefix for a short value");
	ipfix_put16(buf + 1, 301);
	ipfix_cursor_init(&c, buf, sizeof(buf), 50);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == -1, "varlen past end");
	CHECK(err.code == IPFIX_E_RECORD && err.offset == 50 &&
	    strcmp(err.check, "C28") == 0, "C28 at the prefix offset");
	ipfix_cursor_init(&c, buf, 2, 7);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == -1 && err.offset == 7,
	    "3-byte prefix cut");
	ipfix_put16(buf, 4739);
	ipfix_cursor_init(&c, buf, 2, 0);
	CHECK(ipfix_value_read(&c, &fx, &v, &err) == 0 && v.v.u == 4739,
	    "fixed unsigned16 via registry");
	ipfix_cursor_init(&c, buf, 1, 0);
	CHECK(ipfix_value_read(&c, &fx, &v, &err) == -1 &&
	    strcmp(err.check, "C28") == 0, "fixed field past end");
	buf[0] = 2;
	ipfix_cursor_init(&c, buf, 3, 0);
	CHECK(ipfix_field_skip(&c, &f, &err) == 0 && c.pos == 3,
	    "skip varlen");
	fx.ie = NULL;
	ipfix_cursor_init(&c, buf, 2, 0);
	CHECK(ipfix_value_read(&c, &fx, &v, &err) == 0 &&
	    v.type == IPFIX_T_OCTETARRAY, "unknown element: octets (C39)");
}

/* decode_fast takes only the natural length of each type it knows; every
 * other length must still reach the general checks. */
static void
test_fast_lengths(void)
{
	static const uint8_t b[16] = { 0x80, 0x01, 0x02, 0x03, 0x04, 0x05,
	    0x06, 0x07, 0x08 };
	struct ipfix_field f = { 0, 8, 4, NULL };
	struct ipfix_cursor c;
	struct ipfix_value v;
	struct ipfix_err err;

	v = dec(IPFIX_T_IPV4ADDRESS, b, 4);
	CHECK(!v.bad && v.v.u == 0x80010203u, "ipv4 of 4: value in v.u");
	v = dec(IPFIX_T_IPV4ADDRESS, b, 3);
	CHECK(v.bad && v.type == IPFIX_T_OCTETARRAY, "ipv4 of 3 is bad");
	v = dec(IPFIX_T_MACADDRESS, b, 5);
	CHECK(v.bad, "mac of 5 is bad");
	v = dec(IPFIX_T_IPV6ADDRESS, b, 15);
	CHECK(v.bad, "ipv6 of 15 is bad");
	v = dec(IPFIX_T_DATETIME_MILLISECONDS, b, 4);
	CHECK(v.bad, "dateTimeMilliseconds of 4 is bad");
	v = dec(IPFIX_T_UNSIGNED64, b, 8);
	CHECK_EQ_U(v.v.u, 0x8001020304050607ull, "unsigned64, top bit set");
	v = dec(IPFIX_T_UNSIGNED32, b, 2);
	CHECK(!v.bad && v.v.u == 0x8001, "reduced unsigned32 still widened");
	v = dec(IPFIX_T_UNSIGNED8, b, 2);
	CHECK(!v.bad && v.v.u == 0x8001, "unsigned8 of 2 read by its length");
	v = dec(IPFIX_T_IPV4ADDRESS, b, 2);
	CHECK(v.bad && v.type == IPFIX_T_OCTETARRAY, "ipv4 of 2 is octets");
	f.ie = ipfix_ie_lookup(0, 8);
	ipfix_cursor_init(&c, b, 8, 100);
	CHECK(ipfix_value_read(&c, &f, &v, &err) == 0 && v.offset == 100 &&
	    c.pos == 4 && v.v.u == 0x80010203u, "fixed read: offset, pos");
	c.bad = true;
	CHECK(ipfix_value_read(&c, &f, &v, &err) == -1 && c.pos == 4,
	    "no read from a cursor already bad");
}

static struct ipfix_value
listval(const uint8_t *p, size_t len, uint64_t off)
{
	struct ipfix_value v;

	ipfix_value_decode(IPFIX_T_BASICLIST, p, len, &v);
	v.offset = off;
	return v;
}

static void
test_basiclist(void)
{
	/* allOf, sourceTransportPort (7) of 2 bytes: 80, 443 */
	static const uint8_t bl[] = { 3, 0x00, 0x07, 0x00, 0x02, 0x00, 80,
	    0x01, 0xbb };
	/* enterprise element 5 of PEN 9, varlen elements "a", "" */
	static const uint8_t ble[] = { 0xff, 0x80, 0x05, 0xff, 0xff, 0, 0, 0,
	    9, 1, 'a', 0 };
	static const uint8_t empty[] = { 4, 0x00, 0x07, 0x00, 0x02 };
	static const uint8_t cuthdr[] = { 3, 0x00, 0x07, 0x00 };
	static const uint8_t cutpen[] = { 3, 0x80, 0x07, 0x00, 0x02, 0, 0 };
	static const uint8_t cutel[] = { 3, 0x00, 0x07, 0x00, 0x02, 0x00, 80,
	    0x01 };
	static const uint8_t e0[] = { 3, 0x80, 0x00, 0x00, 0x02, 0, 0, 0, 9 };
	struct ipfix_basiclist b;
	struct ipfix_value v, e;
	struct ipfix_err err;

	v = listval(bl, sizeof(bl), 100);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == 0, "basicList opens");
	CHECK(b.semantic == 3 && b.field.id == 7 && b.field.len == 2 &&
	    b.field.pen == 0, "basicList header");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 1 && e.v.u == 80 &&
	    e.offset == 105, "element 1");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 1 && e.v.u == 443,
	    "element 2");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 0, "end of basicList");
	CHECK_STR(ipfix_list_semantic_name(b.semantic), "allOf", "semantic");
	CHECK_STR(ipfix_list_semantic_name(255), "undefined", "undefined");
	v = listval(ble, sizeof(ble), 0);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == 0 && b.field.pen == 9 &&
	    b.field.id == 5 && b.field.len == IPFIX_VARLEN,
	    "enterprise bit and PEN in basicList (C20)");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 1 && e.len == 1 &&
	    e.raw[0] == 'a', "varlen element (0xFFFF, C37)");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 1 && e.len == 0,
	    "empty varlen element");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == 0, "end");
	v = listval(empty, sizeof(empty), 0);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == 0 &&
	    ipfix_basiclist_next(&b, &e, &err) == 0,
	    "empty list keeps its header (C37)");
	v = listval(cuthdr, sizeof(cuthdr), 20);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == -1 && err.offset == 20 &&
	    err.code == IPFIX_E_VALUE && strcmp(err.check, "C37") == 0,
	    "truncated header");
	v = listval(cutpen, sizeof(cutpen), 20);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == -1, "truncated PEN");
	v = listval(e0, sizeof(e0), 20);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == -1 &&
	    strcmp(err.check, "C21") == 0 && err.offset == 21,
	    "enterprise element 0 in basicList");
	v = listval(cutel, sizeof(cutel), 30);
	CHECK(ipfix_basiclist_open(&v, &b, &err) == 0 &&
	    ipfix_basiclist_next(&b, &e, &err) == 1, "first element ok");
	CHECK(ipfix_basiclist_next(&b, &e, &err) == -1 && err.offset == 37 &&
	    strcmp(err.check, "C28") == 0, "truncated element");
}

static void
test_stlist(void)
{
	/* template 300: sourceTransportPort (2) + interfaceName (varlen) */
	static const uint8_t stl[] = { 0xff, 0x01, 0x2c, 0x00, 0x50, 2, 'e',
	    '0', 0x00, 0x51, 0 };
	static const uint8_t cut[] = { 0xff, 0x01 };
	struct ipfix_tmpl *t = ipfix_tmpl_new(300, 2, 0);
	struct ipfix_stlist sl;
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_value v;
	struct ipfix_err err;

	t->fields[0].id = 7;
	t->fields[0].len = 2;
	t->fields[1].id = 82;
	t->fields[1].len = IPFIX_VARLEN;
	ipfix_tmpl_finish(t);
	ipfix_value_decode(IPFIX_T_SUBTEMPLATELIST, stl, sizeof(stl), &v);
	v.offset = 10;
	CHECK(ipfix_stlist_open(&v, &sl, &err) == 0 && sl.tid == 300 &&
	    sl.semantic == 0xff, "subTemplateList header");
	ipfix_rec_iter_init_bytes(&it, &sl.recs, t);
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 5 &&
	    r.offset == 13, "stl record 1");
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 3 &&
	    r.offset == 18, "stl record 2 (empty varlen)");
	CHECK(ipfix_rec_next(&it, &r, &err) == 0, "stl end");
	ipfix_value_decode(IPFIX_T_SUBTEMPLATELIST, stl, 7, &v);
	v.offset = 10;
	ipfix_stlist_open(&v, &sl, &err);
	ipfix_rec_iter_init_bytes(&it, &sl.recs, t);
	CHECK(ipfix_rec_next(&it, &r, &err) == -1 && err.offset == 15 &&
	    strcmp(err.check, "C28") == 0, "truncated stl record");
	ipfix_value_decode(IPFIX_T_SUBTEMPLATELIST, cut, sizeof(cut), &v);
	CHECK(ipfix_stlist_open(&v, &sl, &err) == -1 &&
	    err.code == IPFIX_E_VALUE, "truncated stl header");
	ipfix_tmpl_free(t);
}

static void
test_stmlist_nested(void)
{
	/*
	 * Outer STML: block tid 400 (records with one basicList, varlen)
	 * holding a basicList of two unsigned8 protocolIdentifier values;
	 * then block tid 401 with two 1-byte records.
	 */
	static const uint8_t ml[] = { 0x03,
	    0x01, 0x90, 0x00, 0x0c,			/* tid 400, len 12 */
	    7, 0xff, 0x00, 0x04, 0x00, 0x01, 6, 17,	/* varlen bl */
	    0x01, 0x91, 0x00, 0x06, 1, 2 };		/* tid 401, len 6 */
	static const uint8_t bad[] = { 0x03, 0x01, 0x90, 0x00, 0x09, 0 };
	static const uint8_t shortblk[] = { 0x03, 0x01, 0x90, 0x00, 0x02 };
	struct ipfix_tmpl *t = ipfix_tmpl_new(400, 1, 0);
	struct ipfix_stmlist l;
	struct ipfix_stml_block blk;
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_cursor c;
	struct ipfix_value v, bv, e;
	struct ipfix_basiclist b;
	struct ipfix_err err;

	t->fields[0].id = 291;
	t->fields[0].len = IPFIX_VARLEN;
	ipfix_tmpl_finish(t);
	ipfix_value_decode(IPFIX_T_SUBTEMPLATEMULTILIST, ml, sizeof(ml), &v);
	v.offset = 0;
	CHECK(ipfix_stmlist_open(&v, &l, &err) == 0 && l.semantic == 3,
	    "STML header");
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == 1 && blk.tid == 400 &&
	    ipfix_cursor_left(&blk.recs) == 8, "block 1");
	ipfix_rec_iter_init_bytes(&it, &blk.recs, t);
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 8 &&
	    r.offset == 5, "nested record");
	ipfix_cursor_init(&c, r.p, r.len, r.offset);
	CHECK(ipfix_value_read(&c, &t->fields[0], &bv, &err) == 0 &&
	    bv.type == IPFIX_T_BASICLIST && bv.offset == 6, "nested list value");
	CHECK(ipfix_basiclist_open(&bv, &b, &err) == 0 &&
	    ipfix_basiclist_next(&b, &e, &err) == 1 && e.v.u == 6 &&
	    ipfix_basiclist_next(&b, &e, &err) == 1 && e.v.u == 17 &&
	    e.offset == 12 && ipfix_basiclist_next(&b, &e, &err) == 0,
	    "basicList inside STML (C38)");
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == 1 && blk.tid == 401 &&
	    ipfix_cursor_left(&blk.recs) == 2 && blk.recs.base == 17,
	    "block 2");
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == 0, "STML end");
	ipfix_value_decode(IPFIX_T_SUBTEMPLATEMULTILIST, bad, sizeof(bad), &v);
	v.offset = 40;
	ipfix_stmlist_open(&v, &l, &err);
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == -1 && err.offset == 41 &&
	    strcmp(err.check, "C28") == 0, "block longer than the list");
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == 0, "no block after that");
	ipfix_value_decode(IPFIX_T_SUBTEMPLATEMULTILIST, shortblk,
	    sizeof(shortblk), &v);
	ipfix_stmlist_open(&v, &l, &err);
	CHECK(ipfix_stmlist_next(&l, &blk, &err) == -1, "block length < 4");
	ipfix_value_decode(IPFIX_T_SUBTEMPLATEMULTILIST, ml, 0, &v);
	CHECK(ipfix_stmlist_open(&v, &l, &err) == -1, "STML without semantic");
	ipfix_tmpl_free(t);
}

int
main(void)
{
	test_integers();
	test_floats_bool();
	test_addresses();
	test_times();
	test_utf8();
	test_read_varlen();
	test_fast_lengths();
	test_basiclist();
	test_stlist();
	test_stmlist_nested();
	TEST_DONE();
}
