/*
 * test_msg: header checks, set and record iteration (padding, varlen
 * framing) and the builder, checked by parsing what it built.
 */
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "msg.h"

#define CHECK_ERR(err, c, off, chk, what) do {				\
	CHECK_EQ_U((err).code, (c), "%s: code", what);			\
	CHECK_EQ_U((err).offset, (off), "%s: offset", what);		\
	CHECK_STR((err).check, (chk), "%s: check id", what);		\
} while (0)

static void
test_header(void)
{
	uint8_t m[20] = { 0x00, 0x0a, 0x00, 0x14, 0x65, 0x53, 0xf1, 0x00,
	    0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2a };
	struct ipfix_hdr h, h2;
	struct ipfix_err err;
	uint8_t out[16];

	CHECK(ipfix_hdr_parse(m, 20, 500, &h, &err) == 0, "header ok");
	CHECK(h.version == 10 && h.length == 20 && h.export_time ==
	    0x6553f100u && h.seq == 7 && h.odid == 42, "header fields");
	ipfix_hdr_encode(&h, out);
	CHECK(memcmp(out, m, 16) == 0, "header encode round trip");
	CHECK(ipfix_hdr_parse(m, 15, 500, &h2, &err) == -1,
	    "15 bytes rejected");
	CHECK_ERR(err, IPFIX_E_TRUNCATED, 500, "C03", "short");
	m[1] = 9;
	CHECK(ipfix_hdr_parse(m, 20, 500, &h2, &err) == -1, "version 9");
	CHECK_ERR(err, IPFIX_E_VERSION, 500, "C02", "version");
	m[1] = 10;
	m[3] = 21;
	CHECK(ipfix_hdr_parse(m, 20, 500, &h2, &err) == -1,
	    "length beyond the data");
	CHECK_ERR(err, IPFIX_E_LENGTH, 502, "C03", "long");
	m[3] = 15;
	CHECK(ipfix_hdr_parse(m, 20, 500, &h2, &err) == -1,
	    "length below 16");
	CHECK_ERR(err, IPFIX_E_LENGTH, 502, "C03", "length 15");
}

static void
test_sets(void)
{
	/* header + set 256 (len 8) + set 4 (len 4) + set 2 (len 6) */
	uint8_t m[16 + 8 + 4 + 6] = { 0x00, 0x0a, 0x00, 34 };
	static const uint8_t sets[] = { 0x01, 0x00, 0x00, 0x08, 1, 2, 3, 4,
	    0x00, 0x04, 0x00, 0x04, 0x00, 0x02, 0x00, 0x06, 9, 9 };
	struct ipfix_set_iter it;
	struct ipfix_set s;
	struct ipfix_err err;

	memcpy(m + 16, sets, sizeof(sets));
	ipfix_set_iter_init(&it, m, sizeof(m), 100);
	CHECK(ipfix_set_next(&it, &s, &err) == 1 && s.id == 256 &&
	    s.length == 8 && s.offset == 116 && s.body == m + 20, "set 1");
	CHECK(ipfix_set_next(&it, &s, &err) == 1 && s.id == 4 &&
	    s.length == 4 && s.offset == 124, "empty set 4");
	CHECK(ipfix_set_next(&it, &s, &err) == 1 && s.id == 2 &&
	    s.offset == 128 && s.body[0] == 9, "set 3 via set length (C16)");
	CHECK(ipfix_set_next(&it, &s, &err) == 0, "end of sets");
	m[16 + 8 + 4 + 3] = 7;	/* set 2 length 7 > remaining 6 */
	ipfix_set_iter_init(&it, m, sizeof(m), 100);
	ipfix_set_next(&it, &s, &err);
	ipfix_set_next(&it, &s, &err);
	CHECK(ipfix_set_next(&it, &s, &err) == -1, "set past the message");
	CHECK_ERR(err, IPFIX_E_SET, 130, "C15", "long set");
	m[16 + 8 + 4 + 3] = 3;
	ipfix_set_iter_init(&it, m, sizeof(m), 100);
	ipfix_set_next(&it, &s, &err);
	ipfix_set_next(&it, &s, &err);
	CHECK(ipfix_set_next(&it, &s, &err) == -1, "set length 3");
	CHECK_ERR(err, IPFIX_E_SET, 130, "C15", "short set");
	ipfix_set_iter_init(&it, m, 16 + 8 + 2, 100);
	ipfix_set_next(&it, &s, &err);
	CHECK(ipfix_set_next(&it, &s, &err) == -1, "2 trailing bytes");
	CHECK_ERR(err, IPFIX_E_SET, 124, "C15", "trailing bytes");
	ipfix_set_iter_init(&it, m, 16, 0);
	CHECK(ipfix_set_next(&it, &s, &err) == 0, "no sets");
}

static struct ipfix_tmpl *
tmpl2(uint16_t id, uint16_t len0, uint16_t len1)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, 2, 0);

	t->fields[0].id = 7;
	t->fields[0].len = len0;
	t->fields[1].id = 82;
	t->fields[1].len = len1;
	ipfix_tmpl_finish(t);
	return t;
}

static void
set_over(struct ipfix_set *s, const uint8_t *body, size_t len)
{
	s->id = 256;
	s->length = (uint16_t)(len + 4);
	s->body = body;
	s->offset = 40;
}

static void
test_records(void)
{
	static const uint8_t fixed[] = { 0, 80, 1, 2, 3, 0, 81, 4, 5, 6,
	    0, 0 };
	static const uint8_t nzpad[] = { 0, 80, 1, 2, 3, 0, 1 };
	static const uint8_t var[] = { 0, 80, 2, 'a', 'b', 0, 81, 0,
	    0, 82, 255, 0, 1, 'c', 0 };
	static const uint8_t varbad[] = { 0, 80, 2, 'a', 'b', 0, 81, 9, 'x' };
	struct ipfix_tmpl *tf = tmpl2(256, 2, 3), *tv = tmpl2(257, 2,
	    IPFIX_VARLEN), *t0 = tmpl2(258, 0, 0);
	struct ipfix_set s;
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_err err;
	bool nz;

	set_over(&s, fixed, sizeof(fixed));
	ipfix_rec_iter_init(&it, &s, tf);
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 5 &&
	    r.offset == 44 && r.p == fixed, "fixed record 1");
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.offset == 49,
	    "fixed record 2");
	CHECK(ipfix_rec_next(&it, &r, &err) == 0, "end before padding");
	CHECK(ipfix_rec_iter_padding(&it, &nz) == 2 && !nz,
	    "2 zero padding bytes (C19)");
	set_over(&s, nzpad, sizeof(nzpad));
	ipfix_rec_iter_init(&it, &s, tf);
	ipfix_rec_next(&it, &r, &err);
	CHECK(ipfix_rec_next(&it, &r, &err) == 0 &&
	    ipfix_rec_iter_padding(&it, &nz) == 2 && nz,
	    "non-zero padding reported (C18)");
	set_over(&s, var, sizeof(var));
	ipfix_rec_iter_init(&it, &s, tv);
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 5,
	    "varlen record 1");
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 3 &&
	    r.offset == 49, "varlen record 2 (empty)");
	CHECK(ipfix_rec_next(&it, &r, &err) == 1 && r.len == 6 &&
	    r.offset == 52, "varlen record 3 (3-byte prefix)");
	CHECK(ipfix_rec_next(&it, &r, &err) == 0 &&
	    ipfix_rec_iter_padding(&it, &nz) == 1 && !nz,
	    "1 padding byte after varlen records");
	set_over(&s, varbad, sizeof(varbad));
	ipfix_rec_iter_init(&it, &s, tv);
	ipfix_rec_next(&it, &r, &err);
	CHECK(ipfix_rec_next(&it, &r, &err) == -1, "varlen past the set");
	CHECK_ERR(err, IPFIX_E_RECORD, 51, "C28", "varlen overrun");
	CHECK(ipfix_rec_next(&it, &r, &err) == 0, "nothing after that");
	set_over(&s, fixed, sizeof(fixed));
	ipfix_rec_iter_init(&it, &s, t0);
	CHECK(ipfix_rec_next(&it, &r, &err) == 0,
	    "min_len 0 yields no records");
	ipfix_tmpl_free(tf);
	ipfix_tmpl_free(tv);
	ipfix_tmpl_free(t0);
}

/* Parses a built message back: sets in order, counting records. */
static int
count_sets(const uint8_t *m, size_t len, uint16_t *ids, int max)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	struct ipfix_hdr h;
	int n = 0;

	if (ipfix_hdr_parse(m, len, 0, &h, NULL) == -1 || h.length != len)
		return -1;
	ipfix_set_iter_init(&it, m, len, 0);
	while (ipfix_set_next(&it, &s, NULL) == 1 && n < max)
		ids[n++] = s.id;
	return n;
}

static void
test_builder_roundtrip(void)
{
	uint8_t buf[200], rec[5] = { 0, 80, 10, 0, 1 };
	struct ipfix_tmpl *t = tmpl2(300, 2, 3), *o = tmpl2(301, 2, 3), *back;
	struct ipfix_builder b;
	struct ipfix_cursor c;
	struct ipfix_err err;
	struct ipfix_hdr h;
	uint16_t ids[8], wid;
	size_t len;

	o->options = true;
	o->scope_count = 1;
	ipfix_builder_init(&b, buf, sizeof(buf), 42, 1700000000u, 99);
	CHECK(ipfix_builder_empty(&b), "new builder is empty");
	CHECK(ipfix_builder_add_template(&b, t, &err) == 0, "add template");
	CHECK(ipfix_builder_add_template(&b, o, &err) == 0, "add options");
	CHECK(ipfix_builder_add_record(&b, 300, rec, 5, &err) == 0 &&
	    ipfix_builder_add_record(&b, 300, rec, 5, &err) == 0,
	    "add two records");
	CHECK(ipfix_builder_add_withdrawal(&b, 2, 300, &err) == 0,
	    "add withdrawal");
	CHECK(ipfix_builder_add_withdrawal(&b, 2, 2, &err) == 0,
	    "add withdraw-all");
	CHECK(b.records == 2 && !ipfix_builder_empty(&b), "records counted");
	len = ipfix_builder_finish(&b);
	CHECK_EQ_U(len, 16 + (4 + 12) + (4 + 14) + (4 + 10) + (4 + 8),
	    "message length");
	CHECK(count_sets(buf, len, ids, 8) == 4 && ids[0] == 2 &&
	    ids[1] == 3 && ids[2] == 300 && ids[3] == 2,
	    "one set per kind, in order (C17)");
	ipfix_hdr_parse(buf, len, 0, &h, &err);
	CHECK(h.odid == 42 && h.seq == 99 && h.export_time == 1700000000u &&
	    h.length == len, "header written on finish (C01)");
	ipfix_cursor_init(&c, buf + 20, 12, 20);
	CHECK(ipfix_tmpl_parse(&c, 2, false, &back, &wid, &err) == 1 &&
	    ipfix_tmpl_equal(back, t), "template parses back equal");
	ipfix_tmpl_free(back);
	ipfix_cursor_init(&c, buf + 36, 14, 36);
	CHECK(ipfix_tmpl_parse(&c, 3, false, &back, &wid, &err) == 1 &&
	    ipfix_tmpl_equal(back, o) && back->scope_count == 1,
	    "options template parses back equal");
	ipfix_tmpl_free(back);
	CHECK(memcmp(buf + 54, rec, 5) == 0 && memcmp(buf + 59, rec, 5) == 0,
	    "records copied");
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(o);
}

static void
test_builder_limits(void)
{
	uint8_t buf[64], rec[48] = { 0 };
	struct ipfix_builder b;
	struct ipfix_err err;
	struct ipfix_tmpl *low = tmpl2(255, 2, 2);
	size_t len;
	int n = 0;

	ipfix_builder_init(&b, buf, 64, 0, 0, 0);
	CHECK(ipfix_builder_add_record(&b, 256, rec, 45, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "record larger than any message");
	CHECK(ipfix_builder_add_record(&b, 256, rec, 44, &err) == 0,
	    "record filling the message exactly");
	CHECK(ipfix_builder_add_record(&b, 256, rec, 0, &err) == 0,
	    "empty record still fits");
	CHECK(ipfix_builder_add_record(&b, 256, rec, 1, &err) == 1,
	    "full: 1");
	CHECK_EQ_U(ipfix_builder_finish(&b), 64, "exactly the limit");
	ipfix_builder_init(&b, buf, 64, 0, 0, 0);
	while (ipfix_builder_add_record(&b, 256, rec, 10, &err) == 0)
		n++;
	CHECK(n == 4, "four 10-byte records in 64 bytes (%d)", n);
	len = ipfix_builder_finish(&b);
	CHECK(len == 16 + 4 + 40, "size bound kept");
	ipfix_builder_init(&b, buf, 64, 0, 0, 0);
	ipfix_builder_add_record(&b, 256, rec, 10, &err);
	CHECK(ipfix_builder_add_record(&b, 257, rec, 31, &err) == 1,
	    "new set header counted in the bound");
	CHECK(ipfix_builder_add_record(&b, 1, rec, 4, &err) == -1 &&
	    err.code == IPFIX_E_USAGE && strcmp(err.check, "C13") == 0,
	    "data set id 1 refused (C13)");
	CHECK(ipfix_builder_add_record(&b, 255, rec, 4, &err) == -1,
	    "data set id 255 refused");
	CHECK(ipfix_builder_add_template(&b, low, &err) == -1 &&
	    strcmp(err.check, "C22") == 0, "template id 255 refused");
	CHECK(ipfix_builder_add_withdrawal(&b, 4, 300, &err) == -1,
	    "withdrawal in set 4 refused");
	CHECK(ipfix_builder_add_withdrawal(&b, 2, 3, &err) == -1,
	    "withdraw-all id 3 in set 2 refused");
	ipfix_builder_init(&b, buf, 10, 0, 0, 0);
	CHECK(ipfix_builder_add_record(&b, 256, rec, 1, &err) == -1,
	    "limit below a header");
	ipfix_builder_init(&b, buf, 64, 0, 0, 0);
	CHECK(ipfix_builder_finish(&b) == 16, "empty message is a header");
	ipfix_tmpl_free(low);
}

/* Records of 10 bytes, each distinct: record i is i*16 + byte index. */
static void
fill_recs(uint8_t *recs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < 10; j++)
			recs[i * 10 + j] = (uint8_t)(i * 16 + j);
}

/* Set ids and lengths of a finished message, -1 on a framing error. */
static int
set_layout(const uint8_t *m, size_t len, uint16_t *ids, uint16_t *lens,
    int max)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	struct ipfix_hdr h;
	int n = 0, rc;

	if (ipfix_hdr_parse(m, len, 0, &h, NULL) == -1 || h.length != len)
		return -1;
	ipfix_set_iter_init(&it, m, len, 0);
	while ((rc = ipfix_set_next(&it, &s, NULL)) == 1 && n < max) {
		ids[n] = s.id;
		lens[n++] = s.length;
	}
	return rc == -1 ? -1 : n;
}

/* Walks every data set of tid with a 10-byte template and compares the
 * records with want[first..]: how many matched in order (-1 on a
 * mismatch, a framing error or padding). */
static int
recs_back(const uint8_t *m, size_t len, uint16_t tid, const uint8_t *want,
    size_t nwant)
{
	struct ipfix_tmpl *t = tmpl2(tid, 2, 8);
	struct ipfix_set_iter it;
	struct ipfix_rec_iter ri;
	struct ipfix_set s;
	struct ipfix_rec r;
	size_t k = 0;
	bool nz;
	int rc = 0;

	ipfix_set_iter_init(&it, m, len, 0);
	while (rc == 0 && ipfix_set_next(&it, &s, NULL) == 1) {
		if (s.id != tid)
			continue;
		ipfix_rec_iter_init(&ri, &s, t);
		while (ipfix_rec_next(&ri, &r, NULL) == 1) {
			if (k >= nwant || r.len != 10 ||
			    memcmp(r.p, want + k * 10, 10) != 0 ||
			    r.offset != (uint64_t)(r.p - m)) {
				rc = -1;
				break;
			}
			k++;
		}
		if (ipfix_rec_iter_padding(&ri, &nz) != 0)
			rc = -1;
	}
	ipfix_tmpl_free(t);
	return rc == -1 ? -1 : (int)k;
}

/* Field by field: struct assignment need not copy padding bytes. */
static bool
same_builder(const struct ipfix_builder *a, const struct ipfix_builder *b)
{
	return a->buf == b->buf && a->limit == b->limit && a->len == b->len &&
	    a->set_start == b->set_start && a->set_id == b->set_id &&
	    a->records == b->records && a->hdr.seq == b->hdr.seq &&
	    a->hdr.odid == b->hdr.odid;
}

static void
test_builder_fitting(void)
{
	static uint8_t buf[IPFIX_MSG_MAX], recs[10 * 8000];
	struct ipfix_builder b, before;
	struct ipfix_err err;
	struct ipfix_hdr h;
	uint16_t ids[8], lens[8];
	size_t len;

	fill_recs(recs, 8000);
	/* exactly 5 records: 16 + 4 + 5 * 10 = 70 */
	ipfix_builder_init(&b, buf, 70, 42, 1700000000u, 77);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 8), 5,
	    "fitting: 5 of 8 in a 70-byte message");
	CHECK(b.records == 5 && b.len == 70 && b.set_id == 300 &&
	    b.set_start == 16, "fitting: records 5, 70 bytes, set 300 open");
	before = b;
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs + 50, 10, 3), 0,
	    "fitting: a full message takes none");
	CHECK(same_builder(&b, &before),
	    "fitting: builder unchanged when none fits");
	len = ipfix_builder_finish(&b);
	CHECK_EQ_U(len, 70, "fitting: finished length 70");
	CHECK(set_layout(buf, len, ids, lens, 8) == 1 && ids[0] == 300 &&
	    lens[0] == 54, "fitting: one set of 4 + 50 bytes");
	CHECK_EQ_U(recs_back(buf, len, 300, recs, 8), 5,
	    "fitting: the 5 records parse back in order");
	ipfix_hdr_parse(buf, len, 0, &h, &err);
	CHECK(h.odid == 42 && h.seq == 77 && h.export_time == 1700000000u,
	    "fitting: header fields");

	/* one byte short of 6 records: still 5 */
	ipfix_builder_init(&b, buf, 79, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 8), 5,
	    "fitting: 79-byte limit rounds down to 5");
	CHECK_EQ_U(b.len, 70, "fitting: 70 bytes used of 79");

	/* fewer than fit: all of them */
	ipfix_builder_init(&b, buf, 1000, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 3), 3,
	    "fitting: all 3 when room is ample");
	CHECK(b.records == 3 && b.len == 16 + 4 + 30, "fitting: 50 bytes");

	/* a second call with the same tid continues the open set: 7 fit
	 * in 16 + 4 + 70 = 90 only without a second set header */
	ipfix_builder_init(&b, buf, 90, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 3), 3,
	    "fitting: first run of 3");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs + 30, 10, 8), 4,
	    "fitting: same tid continues the set (4 more, no header)");
	CHECK(b.records == 7 && b.len == 90, "fitting: 7 records, 90 bytes");
	len = ipfix_builder_finish(&b);
	CHECK(set_layout(buf, len, ids, lens, 8) == 1 && ids[0] == 300 &&
	    lens[0] == 4 + 70, "fitting: one set of length 74");
	CHECK_EQ_U(recs_back(buf, len, 300, recs, 8000), 7,
	    "fitting: 7 records back in order across both calls");

	/* after add_record, same tid: still one set */
	ipfix_builder_init(&b, buf, 1000, 0, 0, 0);
	(void)ipfix_builder_add_record(&b, 300, recs, 10, &err);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs + 10, 10, 2), 2,
	    "fitting: after add_record");
	len = ipfix_builder_finish(&b);
	CHECK(set_layout(buf, len, ids, lens, 8) == 1 && lens[0] == 34 &&
	    b.records == 3, "fitting: add_record and fitting share a set");

	/* a different tid opens a new set, its 4-byte header counted:
	 * 16 + (4 + 30) + 4 + 26 = 80: 2 records of 301, not 3 */
	ipfix_builder_init(&b, buf, 80, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 3), 3,
	    "fitting: 3 of tid 300");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 301, recs + 30, 10, 5), 2,
	    "fitting: new tid 301 counts its set header (2, not 3)");
	CHECK(b.records == 5 && b.len == 74 && b.set_id == 301 &&
	    b.set_start == 50, "fitting: set 301 opened at 50, 74 bytes");
	before = b;
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 301, recs, 10, 1), 0,
	    "fitting: 6 bytes left: none of 10");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 302, recs, 10, 1), 0,
	    "fitting: nor in a new set");
	CHECK(same_builder(&b, &before),
	    "fitting: builder unchanged after refusals");
	len = ipfix_builder_finish(&b);
	CHECK(set_layout(buf, len, ids, lens, 8) == 2 && ids[0] == 300 &&
	    lens[0] == 34 && ids[1] == 301 && lens[1] == 24,
	    "fitting: sets 300 (34) and 301 (24)");
	CHECK_EQ_U(recs_back(buf, len, 300, recs, 3), 3,
	    "fitting: tid 300 records back");
	CHECK_EQ_U(recs_back(buf, len, 301, recs + 30, 2), 2,
	    "fitting: tid 301 records back");

	/* exactly one record's room left: the open set takes it, a new set
	 * (which needs 4 more) does not */
	ipfix_builder_init(&b, buf, 40, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 1), 1,
	    "fitting: 1 record, 30 bytes");
	before = b;
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 301, recs, 10, 3), 0,
	    "fitting: 10 bytes left do not hold a set header + record");
	CHECK(same_builder(&b, &before), "fitting: unchanged");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs + 10, 10, 3), 1,
	    "fitting: the open set takes the last 10 bytes");
	CHECK_EQ_U(b.len, 40, "fitting: exactly the limit");

	/* refusals on an empty builder change nothing */
	ipfix_builder_init(&b, buf, 1000, 0, 0, 0);
	before = b;
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 255, recs, 10, 3), 0,
	    "fitting: tid 255 refused");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 2, recs, 10, 3), 0,
	    "fitting: tid 2 refused");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 0), 0,
	    "fitting: n = 0 adds nothing");
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 0, 3), 0,
	    "fitting: 0-byte records add nothing");
	CHECK(same_builder(&b, &before) && ipfix_builder_empty(&b),
	    "fitting: builder still empty");
	ipfix_builder_init(&b, buf, 23, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 1), 0,
	    "fitting: 23-byte limit holds no 10-byte record");
	CHECK_EQ_U(b.len, 16, "fitting: nothing reserved");
	ipfix_builder_init(&b, buf, 10, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 1), 0,
	    "fitting: limit below a header");

	/* the largest message: limit capped at 65535 */
	ipfix_builder_init(&b, buf, 100000, 0, 0, 0);
	CHECK_EQ_U(ipfix_builder_add_fitting(&b, 300, recs, 10, 8000),
	    (65535 - 20) / 10, "fitting: 6551 of 8000 in 65535 bytes");
	len = ipfix_builder_finish(&b);
	CHECK_EQ_U(len, 20 + 6551 * 10, "fitting: 65530 bytes");
	CHECK(set_layout(buf, len, ids, lens, 8) == 1 &&
	    lens[0] == 4 + 65510, "fitting: one set of 65514");
	CHECK_EQ_U(recs_back(buf, len, 300, recs, 8000), 6551,
	    "fitting: all 6551 parse back in order");
}

int
main(void)
{
	test_header();
	test_sets();
	test_records();
	test_builder_roundtrip();
	test_builder_limits();
	test_builder_fitting();
	TEST_DONE();
}
