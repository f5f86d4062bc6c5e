/*
 * test_template: template and options template records (parse, encode,
 * every malformation with its check id and offset, matching a record on
 * the wire against a held template byte for byte) and the template store
 * (scoping, cap, lifetime, refresh by touch, withdrawal, ordering,
 * sessions).
 */
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "template.h"

static int
parse(const uint8_t *p, size_t len, uint16_t set_id, struct ipfix_tmpl **t,
    uint16_t *wid, struct ipfix_err *err)
{
	struct ipfix_cursor c;

	ipfix_cursor_init(&c, p, len, 1000);
	ipfix_err_clear(err);
	return ipfix_tmpl_parse(&c, set_id, false, t, wid, err);
}

#define CHECK_ERR(err, c, off, chk, what) do {				\
	CHECK_EQ_U((err).code, (c), "%s: code", what);			\
	CHECK_EQ_U((err).offset, (off), "%s: offset", what);		\
	CHECK_STR((err).check, (chk), "%s: check id", what);		\
} while (0)

static void
test_parse_ok(void)
{
	/* id 256: octetDeltaCount 8, sourceIPv4Address 4, interfaceName
	 * varlen, enterprise 7 of PEN 4242 length 2 */
	static const uint8_t rec[] = { 0x01, 0x00, 0x00, 0x04,
	    0x00, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x04,
	    0x00, 0x52, 0xff, 0xff, 0x80, 0x07, 0x00, 0x02,
	    0x00, 0x00, 0x10, 0x92 };
	uint8_t out[64];
	struct ipfix_tmpl *t, *d;
	struct ipfix_err err;
	uint16_t wid;

	CHECK(parse(rec, sizeof(rec), 2, &t, &wid, &err) == 1, "template");
	CHECK(t->id == 256 && t->nfields == 4 && !t->options &&
	    t->scope_count == 0, "template header");
	CHECK(t->fields[3].pen == 4242 && t->fields[3].id == 7 &&
	    t->fields[3].ie == NULL, "enterprise field (C20)");
	CHECK(t->fields[0].ie != NULL && t->fields[0].id == 1, "IANA field");
	CHECK(t->varlen && t->min_len == 8 + 4 + 1 + 2, "min_len %u",
	    t->min_len);
	CHECK_EQ_U(ipfix_tmpl_wire_size(t), sizeof(rec), "wire size");
	CHECK_EQ_U(ipfix_tmpl_encode(t, out, sizeof(out)), sizeof(rec),
	    "encode size");
	CHECK(memcmp(out, rec, sizeof(rec)) == 0, "encode round trip");
	CHECK(ipfix_tmpl_encode(t, out, 10) == 0, "encode checks room");
	d = ipfix_tmpl_dup(t);
	CHECK(d != NULL && d->fields != t->fields &&
	    ipfix_tmpl_equal(t, d), "dup equal");
	d->fields[1].len = 4;
	d->fields[0].len = 4;
	CHECK(!ipfix_tmpl_equal(t, d), "changed length differs");
	ipfix_tmpl_free(d);
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(NULL);
}

static void
test_parse_options(void)
{
	/* options 300, 2 fields, scope 1: observationDomainId 4,
	 * exportedMessageTotalCount 8 */
	static const uint8_t rec[] = { 0x01, 0x2c, 0x00, 0x02, 0x00, 0x01,
	    0x00, 0x95, 0x00, 0x04, 0x00, 0x29, 0x00, 0x08 };
	static const uint8_t scope0[] = { 0x01, 0x2c, 0x00, 0x02, 0x00, 0x00,
	    0x00, 0x95, 0x00, 0x04, 0x00, 0x29, 0x00, 0x08 };
	static const uint8_t scope3[] = { 0x01, 0x2c, 0x00, 0x02, 0x00, 0x03,
	    0x00, 0x95, 0x00, 0x04, 0x00, 0x29, 0x00, 0x08 };
	uint8_t out[32];
	struct ipfix_tmpl *t;
	struct ipfix_err err;
	uint16_t wid;

	CHECK(parse(rec, sizeof(rec), 3, &t, &wid, &err) == 1,
	    "options template");
	CHECK(t->options && t->scope_count == 1 && t->nfields == 2 &&
	    t->min_len == 12 && !t->varlen, "options header");
	CHECK(ipfix_tmpl_encode(t, out, sizeof(out)) == sizeof(rec) &&
	    memcmp(out, rec, sizeof(rec)) == 0, "options encode round trip");
	ipfix_tmpl_free(t);
	CHECK(parse(scope0, sizeof(scope0), 3, &t, &wid, &err) == -1 &&
	    t == NULL, "scope count 0 rejected");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C24", "scope 0");
	CHECK(parse(scope3, sizeof(scope3), 3, &t, &wid, &err) == -1,
	    "scope count above field count rejected");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C24", "scope 3 of 2");
	CHECK(parse(rec, 5, 3, &t, &wid, &err) == -1, "cut scope count");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1000, "C25", "cut options header");
}

static void
test_parse_malformed(void)
{
	static const uint8_t lowid[] = { 0x00, 0xff, 0x00, 0x01, 0x00, 0x01,
	    0x00, 0x08 };
	static const uint8_t overrun[] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x01,
	    0x00, 0x08, 0x00, 0x02 };
	static const uint8_t cutpen[] = { 0x01, 0x00, 0x00, 0x01, 0x80, 0x01,
	    0x00, 0x08, 0x00, 0x00 };
	static const uint8_t ent0[] = { 0x01, 0x00, 0x00, 0x01, 0x80, 0x00,
	    0x00, 0x08, 0x00, 0x00, 0x00, 0x09 };
	static const uint8_t ip3[] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x01,
	    0x00, 0x08, 0x00, 0x08, 0x00, 0x03 };
	static const uint8_t boolv[] = { 0x01, 0x00, 0x00, 0x01, 0x01, 0x14,
	    0xff, 0xff };
	static const uint8_t mac4[] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x38,
	    0x00, 0x04 };
	static const uint8_t ts4[] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x98,
	    0x00, 0x04 };
	static const uint8_t u16v[] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x07,
	    0xff, 0xff };
	static const uint8_t red[] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x01,
	    0x00, 0x03, 0x01, 0x37, 0x00, 0x04 };
	static const uint8_t huge[] = { 0x01, 0x00, 0x00, 0x02, 0xc0, 0x01,
	    0xff, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x02, 0xff, 0x00,
	    0x00, 0x00, 0x00, 0x01 };
	static const uint8_t cuthdr[] = { 0x01, 0x00, 0x00 };
	struct ipfix_tmpl *t;
	struct ipfix_err err;
	uint16_t wid;

	CHECK(parse(lowid, sizeof(lowid), 2, &t, &wid, &err) == -1,
	    "template id 255 rejected");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1000, "C22", "id 255");
	CHECK(parse(overrun, sizeof(overrun), 2, &t, &wid, &err) == -1,
	    "fields overrunning the set");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1008, "C25", "overrun");
	CHECK(parse(cutpen, sizeof(cutpen), 2, &t, &wid, &err) == -1,
	    "PEN cut by the set end");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C25", "cut PEN");
	CHECK(parse(ent0, sizeof(ent0), 2, &t, &wid, &err) == -1,
	    "enterprise element id 0");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C21", "enterprise id 0");
	CHECK(parse(ip3, sizeof(ip3), 2, &t, &wid, &err) == -1,
	    "3-byte IPv4 address");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1008, "C31", "ipv4 of 3");
	CHECK(parse(boolv, sizeof(boolv), 2, &t, &wid, &err) == -1,
	    "varlen boolean");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C31", "varlen boolean");
	CHECK(parse(mac4, sizeof(mac4), 2, &t, &wid, &err) == -1,
	    "4-byte MAC");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C31", "mac of 4");
	CHECK(parse(ts4, sizeof(ts4), 2, &t, &wid, &err) == -1,
	    "4-byte dateTimeMilliseconds");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C31", "dateTimeMs of 4");
	CHECK(parse(u16v, sizeof(u16v), 2, &t, &wid, &err) == -1,
	    "varlen unsigned16");
	CHECK(parse(red, sizeof(red), 2, &t, &wid, &err) == 1 &&
	    t->fields[0].len == 3 && t->fields[1].len == 4,
	    "reduced unsigned64 (3) and float64 as 4 accepted (C29)");
	ipfix_tmpl_free(t);
	CHECK(parse(huge, sizeof(huge), 2, &t, &wid, &err) == -1 &&
	    err.code == IPFIX_E_TEMPLATE && err.offset == 1000,
	    "record longer than any message");
	CHECK(parse(cuthdr, sizeof(cuthdr), 2, &t, &wid, &err) == -1,
	    "cut record header");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1000, "C25", "cut header");
}

static void
test_withdrawals(void)
{
	static const uint8_t w[] = { 0x01, 0x05, 0x00, 0x00 };
	static const uint8_t all2[] = { 0x00, 0x02, 0x00, 0x00 };
	static const uint8_t all3[] = { 0x00, 0x03, 0x00, 0x00 };
	static const uint8_t low[] = { 0x00, 0x10, 0x00, 0x00 };
	struct ipfix_tmpl *t;
	struct ipfix_err err;
	uint16_t wid = 0;

	CHECK(parse(w, 4, 2, &t, &wid, &err) == 0 && wid == 261 && t == NULL,
	    "withdrawal of 261");
	CHECK(parse(w, 4, 3, &t, &wid, &err) == 0 && wid == 261,
	    "options withdrawal has no scope count");
	CHECK(parse(all2, 4, 2, &t, &wid, &err) == 0 && wid == 2,
	    "withdraw all templates (C44)");
	CHECK(parse(all3, 4, 3, &t, &wid, &err) == 0 && wid == 3,
	    "withdraw all options templates");
	CHECK(parse(all3, 4, 2, &t, &wid, &err) == -1, "id 3 in set 2");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1000, "C44", "all-id mismatch");
	CHECK(parse(low, 4, 2, &t, &wid, &err) == -1, "withdrawal of 16");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1000, "C22", "withdraw low id");
}

/* Wire match --------------------------------------------------------------- */

struct fspec {
	uint32_t pen;
	uint16_t id;
	uint16_t len;
};

static struct ipfix_tmpl *
mk_fields(uint16_t id, uint16_t scope, const struct fspec *f, uint16_t n)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, n, scope);
	uint16_t i;

	for (i = 0; i < n; i++) {
		t->fields[i].pen = f[i].pen;
		t->fields[i].id = f[i].id;
		t->fields[i].len = f[i].len;
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* Every single-byte change of t's encoding (n bytes in buf) is refused:
 * the match must look at all of it, not at a prefix or a checksum. */
static bool
every_byte_matters(const struct ipfix_tmpl *t, uint8_t *buf, size_t n)
{
	static const uint8_t flip[] = { 0x01, 0x80, 0xff };
	size_t i, k;
	bool ok = true;

	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(flip); k++) {
			buf[i] ^= flip[k];
			ok = ok && ipfix_tmpl_wire_match(t, buf, n) == 0;
			buf[i] ^= flip[k];
		}
	}
	return ok && ipfix_tmpl_wire_match(t, buf, n) == n;
}

/* wire_match of t's n encoded bytes in buf with the big-endian word of
 * 'size' bytes (2 or 4) at 'at' replaced by v. */
static size_t
match_patched(const struct ipfix_tmpl *t, const uint8_t *buf, size_t n,
    size_t at, int size, uint32_t v)
{
	uint8_t b[64];

	memcpy(b, buf, n);
	if (size == 4)
		ipfix_put32(b + at, v);
	else
		ipfix_put16(b + at, (uint16_t)v);
	return ipfix_tmpl_wire_match(t, b, n);
}

static void
test_wire_match_plain(void)
{
	/* octetDeltaCount 8, sourceIPv4Address 4, sourceTransportPort 2 */
	static const struct fspec f[] = { { 0, 1, 8 }, { 0, 8, 4 },
	    { 0, 7, 2 } };
	struct ipfix_tmpl *t = mk_fields(256, 0, f, 3);
	uint8_t buf[64];
	size_t n;

	memset(buf, 0xee, sizeof(buf));
	n = ipfix_tmpl_encode(t, buf, sizeof(buf));
	CHECK_EQ_U(n, 16, "match plain: encoded 4 + 3 * 4 bytes");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n), 16,
	    "match plain: its own encoding");
	/* the next record of the set may follow */
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, sizeof(buf)), 16,
	    "match plain: wire size, not the bytes left");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n - 1), 0,
	    "match plain: left one byte short");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, 0), 0,
	    "match plain: nothing left");
	CHECK_EQ_U(match_patched(t, buf, n, 0, 2, 257), 0,
	    "match plain: other id");
	CHECK_EQ_U(match_patched(t, buf, n, 2, 2, 2), 0,
	    "match plain: field count 2 of 3");
	CHECK_EQ_U(match_patched(t, buf, n, 12, 2, 11), 0,
	    "match plain: third field id 11, not 7");
	CHECK_EQ_U(match_patched(t, buf, n, 6, 2, 4), 0,
	    "match plain: first field length 4, not 8");
	CHECK_EQ_U(match_patched(t, buf, n, 4, 2, 0x8001), 0,
	    "match plain: enterprise bit set on an IANA field");
	CHECK(every_byte_matters(t, buf, n), "match plain: any byte changed");
	ipfix_tmpl_free(t);
}

static void
test_wire_match_options(void)
{
	/* observationDomainId 4 (scope), exportedMessageTotalCount 8 */
	static const struct fspec f[] = { { 0, 149, 4 }, { 0, 41, 8 } };
	struct ipfix_tmpl *t = mk_fields(300, 1, f, 2);
	struct ipfix_tmpl *plain = mk_fields(300, 0, f, 2);
	uint8_t buf[32], pb[32];
	size_t n, pn;

	memset(buf, 0, sizeof(buf));
	memset(pb, 0, sizeof(pb));
	n = ipfix_tmpl_encode(t, buf, sizeof(buf));
	pn = ipfix_tmpl_encode(plain, pb, sizeof(pb));
	CHECK(n == 14 && pn == 12, "match options: 6 + 2 * 4 bytes, plain 12");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n), 14,
	    "match options: its own encoding");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n - 1), 0,
	    "match options: left one byte short");
	CHECK_EQ_U(match_patched(t, buf, n, 4, 2, 2), 0,
	    "match options: scope count 2, not 1");
	/* same id and fields, other kind: neither matches the other */
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, pb, sizeof(pb)), 0,
	    "match options: the plain template's bytes");
	CHECK_EQ_U(ipfix_tmpl_wire_match(plain, buf, sizeof(buf)), 0,
	    "match plain: the options template's bytes");
	CHECK_EQ_U(ipfix_tmpl_wire_match(plain, pb, pn), 12,
	    "match plain: its own bytes");
	CHECK(every_byte_matters(t, buf, n), "match options: any byte changed");
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(plain);
}

static void
test_wire_match_enterprise(void)
{
	/* octetDeltaCount 8, PEN 4242 element 7 (2), PEN 29305 element
	 * 0x7fff varlen */
	static const struct fspec f[] = { { 0, 1, 8 }, { 4242, 7, 2 },
	    { 29305, 0x7fff, 0xffff } };
	struct ipfix_tmpl *t = mk_fields(400, 0, f, 3);
	uint8_t buf[64];
	size_t n;

	n = ipfix_tmpl_encode(t, buf, sizeof(buf));
	CHECK_EQ_U(n, 24, "match enterprise: 4 + 4 + 8 + 8 bytes");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n), 24,
	    "match enterprise: its own encoding");
	CHECK_EQ_U(ipfix_tmpl_wire_match(t, buf, n - 2), 0,
	    "match enterprise: left ends inside the last PEN");
	CHECK_EQ_U(match_patched(t, buf, n, 12, 4, 4243), 0,
	    "match enterprise: PEN 4243, not 4242");
	CHECK_EQ_U(match_patched(t, buf, n, 8, 2, 7), 0,
	    "match enterprise: enterprise bit cleared");
	CHECK_EQ_U(match_patched(t, buf, n, 18, 2, 4), 0,
	    "match enterprise: varlen field given length 4");
	CHECK(every_byte_matters(t, buf, n),
	    "match enterprise: any byte changed");
	ipfix_tmpl_free(t);
}

static struct ipfix_tmpl *
mk(uint16_t id, uint16_t len, bool options, uint32_t seen)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, 1, options ? 1 : 0);

	t->fields[0].id = 1;
	t->fields[0].len = len;
	ipfix_tmpl_finish(t);
	t->first_seen = t->last_seen = seen;
	return t;
}

struct visit {
	uint16_t ids[8];
	int n;
};

static void
visit(const struct ipfix_tmpl *t, void *arg)
{
	struct visit *v = arg;

	if (v->n < 8)
		v->ids[v->n++] = t->id;
}

static void
test_store(void)
{
	struct ipfix_tstore_limits lim = { 3, 0 };
	struct ipfix_tstore *s = ipfix_tstore_new(&lim);
	struct ipfix_err err;
	struct visit v = { { 0 }, 0 };

	CHECK(ipfix_tstore_add(s, 1, 7, mk(300, 8, false, 10), &err) ==
	    IPFIX_TADD_NEW, "add new");
	CHECK(ipfix_tstore_add(s, 1, 7, mk(300, 8, false, 20), &err) ==
	    IPFIX_TADD_SAME, "identical re-send");
	CHECK(ipfix_tstore_find(s, 1, 7, 300)->last_seen == 20 &&
	    ipfix_tstore_find(s, 1, 7, 300)->first_seen == 10,
	    "refresh updates last_seen only");
	CHECK(ipfix_tstore_add(s, 1, 7, mk(300, 4, false, 30), &err) ==
	    IPFIX_TADD_CHANGED, "different definition");
	CHECK(ipfix_tstore_find(s, 1, 7, 300)->fields[0].len == 4,
	    "new definition replaced the old");
	CHECK(ipfix_tstore_add(s, 1, 8, mk(300, 2, false, 0), &err) ==
	    IPFIX_TADD_NEW, "same id in another ODID (C12)");
	CHECK(ipfix_tstore_add(s, 2, 7, mk(300, 1, false, 0), &err) ==
	    IPFIX_TADD_NEW, "same id in another session (C43)");
	CHECK(ipfix_tstore_find(s, 1, 8, 300)->fields[0].len == 2 &&
	    ipfix_tstore_find(s, 2, 7, 300)->fields[0].len == 1,
	    "domains independent");
	ipfix_tstore_add(s, 1, 7, mk(260, 8, true, 0), &err);
	ipfix_tstore_add(s, 1, 7, mk(1000, 8, false, 0), &err);
	CHECK(ipfix_tstore_add(s, 1, 7, mk(999, 8, false, 0), &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "per-domain cap");
	CHECK(ipfix_tstore_add(s, 1, 7, mk(1000, 2, false, 0), &err) ==
	    IPFIX_TADD_CHANGED, "redefinition allowed at the cap");
	CHECK(ipfix_tstore_add(s, 1, 9, mk(999, 8, false, 0), &err) ==
	    IPFIX_TADD_NEW, "cap is per domain");
	CHECK_EQ_U(ipfix_tstore_count(s), 6, "count");
	ipfix_tstore_foreach(s, 1, 7, visit, &v);
	CHECK(v.n == 3 && v.ids[0] == 260 && v.ids[1] == 300 &&
	    v.ids[2] == 1000, "foreach in ascending id order");
	CHECK(ipfix_tstore_withdraw(s, 1, 7, 2) == 2 &&
	    ipfix_tstore_find(s, 1, 7, 260) != NULL &&
	    ipfix_tstore_find(s, 1, 7, 300) == NULL,
	    "withdraw all templates keeps options templates (C47)");
	CHECK(ipfix_tstore_find(s, 1, 8, 300) != NULL,
	    "all-withdrawal only in its ODID");
	CHECK(ipfix_tstore_withdraw(s, 1, 7, 3) == 1 &&
	    ipfix_tstore_find(s, 1, 7, 260) == NULL, "withdraw all options");
	CHECK(ipfix_tstore_withdraw(s, 1, 7, 300) == 0, "unknown: 0 (C46)");
	CHECK(ipfix_tstore_withdraw(s, 1, 8, 300) == 1 &&
	    ipfix_tstore_find(s, 1, 8, 300) == NULL, "withdraw one");
	ipfix_tstore_drop_session(s, 1);
	CHECK(ipfix_tstore_find(s, 1, 9, 999) == NULL &&
	    ipfix_tstore_find(s, 2, 7, 300) != NULL, "drop_session");
	CHECK_EQ_U(ipfix_tstore_count(s), 1, "count after drop");
	ipfix_tstore_free(s);
}

static void
test_store_lifetime_and_growth(void)
{
	struct ipfix_tstore_limits lim = { 0, 1800 };
	struct ipfix_tstore *s = ipfix_tstore_new(&lim);
	struct ipfix_err err;
	struct visit v = { { 0 }, 0 };
	int i, ok = 1;

	ipfix_tstore_add(s, 5, 0, mk(256, 8, false, 1000), &err);
	CHECK(ipfix_tstore_get(s, 5, 0, 256, 2800) != NULL, "alive at 1800");
	CHECK(ipfix_tstore_get(s, 5, 0, 256, 2801) == NULL,
	    "expired after the UDP lifetime (C53)");
	CHECK(ipfix_tstore_get(s, 5, 0, 256, 900) != NULL,
	    "export time going back does not expire");
	ipfix_tstore_add(s, 5, 0, mk(256, 8, false, 2801), &err);
	CHECK(ipfix_tstore_get(s, 5, 0, 256, 4000) != NULL,
	    "refresh restarts the lifetime");
	for (i = 0; i < 5000; i++) {
		if (ipfix_tstore_add(s, (uint32_t)i % 50, (uint32_t)i % 7,
		    mk((uint16_t)(256 + i), 4, false, 0), &err) !=
		    IPFIX_TADD_NEW)
			ok = 0;
	}
	CHECK(ok, "5000 templates in 350 domains");
	for (i = 0; i < 5000 && ok; i++) {
		const struct ipfix_tmpl *t = ipfix_tstore_find(s,
		    (uint32_t)i % 50, (uint32_t)i % 7, (uint16_t)(256 + i));

		ok = t != NULL && t->id == 256 + i;
	}
	CHECK(ok, "all found after the tables grew");
	ipfix_tstore_foreach(s, 3, 3, visit, &v);
	CHECK(v.n == 8 && v.ids[0] < v.ids[1] && v.ids[6] < v.ids[7],
	    "foreach ascending in a grown domain");
	for (i = 0; i < 50; i++)
		ipfix_tstore_drop_session(s, (uint32_t)i);
	CHECK_EQ_U(ipfix_tstore_count(s), 0, "all sessions dropped");
	ipfix_tstore_free(s);
}

/* touch: what the decoder does for a re-send it matched unparsed. */
static void
test_store_touch(void)
{
	struct ipfix_tstore_limits lim = { 0, 1800 };
	struct ipfix_tstore *s = ipfix_tstore_new(&lim);
	const struct ipfix_tmpl *t;
	struct ipfix_err err;

	ipfix_tstore_add(s, 1, 7, mk(300, 8, false, 1000), &err);
	t = ipfix_tstore_find(s, 1, 7, 300);
	CHECK(ipfix_tstore_touch(s, 1, 7, 300, 2500) == t,
	    "touch returns the stored template");
	CHECK(t->last_seen == 2500 && t->first_seen == 1000,
	    "touch sets last_seen only");
	CHECK(ipfix_tstore_get(s, 1, 7, 300, 4300) == t,
	    "alive 1800 s after the touch (3300 after the definition)");
	CHECK(ipfix_tstore_get(s, 1, 7, 300, 4301) == NULL,
	    "expired 1801 s after the touch");
	CHECK(ipfix_tstore_touch(s, 1, 7, 301, 5000) == NULL &&
	    ipfix_tstore_touch(s, 1, 8, 300, 5000) == NULL &&
	    ipfix_tstore_touch(s, 2, 7, 300, 5000) == NULL,
	    "touch of another id, ODID or session: NULL");
	CHECK(ipfix_tstore_count(s) == 1 && t->last_seen == 2500,
	    "a missed touch adds and changes nothing");
	/* A late UDP message: its older export time must not shorten the
	 * template's life, whether the re-send was parsed or not. */
	ipfix_tstore_touch(s, 1, 7, 300, 2000);
	CHECK(t->last_seen == 2500, "an older touch keeps last_seen");
	ipfix_tstore_add(s, 1, 7, mk(300, 8, false, 1500), &err);
	CHECK(t->last_seen == 2500, "an older identical add keeps last_seen");
	ipfix_tstore_touch(s, 1, 7, 300, 0x40000000u);
	ipfix_tstore_touch(s, 1, 7, 300, 0x80000000u);
	ipfix_tstore_touch(s, 1, 7, 300, 0xC0000000u);
	ipfix_tstore_touch(s, 1, 7, 300, 0xFFFFFFF0u);
	ipfix_tstore_touch(s, 1, 7, 300, 10);
	CHECK(t->last_seen == 10, "export time wraps: serial arithmetic");
	ipfix_tstore_free(s);
}

/* What a tolerant parse takes (issue 12), and how it is described. */
static void
test_parse_tolerant(void)
{
	/* octetDeltaCount 8, sourceIPv4Address in 3, samplerId in 4 */
	static const uint8_t odd[] = { 0x01, 0x00, 0x00, 0x03, 0x00, 0x01,
	    0x00, 0x08, 0x00, 0x08, 0x00, 0x03, 0x00, 0x30, 0x00, 0x04 };
	static const uint8_t boolv[] = { 0x01, 0x00, 0x00, 0x01, 0x01, 0x14,
	    0xff, 0xff };
	static const uint8_t scope0[] = { 0x01, 0x01, 0x00, 0x01, 0x00, 0x00,
	    0x00, 0x95, 0x00, 0x04 };
	struct ipfix_tmpl *t;
	struct ipfix_cursor c;
	struct ipfix_err err;
	uint16_t wid;

	ipfix_cursor_init(&c, odd, sizeof(odd), 1000);
	CHECK(ipfix_tmpl_parse(&c, 2, true, &t, &wid, &err) == 1 &&
	    t->quirks == IPFIX_TQ_LENGTH && t->min_len == 15,
	    "tolerant: odd lengths taken as on the wire");
	CHECK(ipfix_tmpl_quirk(t, 1000, &err) == 2, "two deviant fields");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1008, "C31", "first odd field");
	ipfix_tmpl_free(t);
	ipfix_cursor_init(&c, boolv, sizeof(boolv), 1000);
	CHECK(ipfix_tmpl_parse(&c, 2, true, &t, &wid, &err) == -1,
	    "tolerant: varlen boolean still refused (no length to go by)");
	ipfix_cursor_init(&c, scope0, sizeof(scope0), 1000);
	CHECK(ipfix_tmpl_parse(&c, 3, true, &t, &wid, &err) == 1 &&
	    !t->options && t->quirks == IPFIX_TQ_NOSCOPE,
	    "tolerant: scope count 0 kept as a template without scope");
	CHECK(ipfix_tmpl_quirk(t, 1000, &err) == 1, "one deviation");
	CHECK_ERR(err, IPFIX_E_TEMPLATE, 1004, "C24", "scope 0 described");
	ipfix_tmpl_free(t);
}

int
main(void)
{
	test_parse_ok();
	test_parse_options();
	test_parse_malformed();
	test_parse_tolerant();
	test_withdrawals();
	test_wire_match_plain();
	test_wire_match_options();
	test_wire_match_enterprise();
	test_store();
	test_store_lifetime_and_growth();
	test_store_touch();
	TEST_DONE();
}
