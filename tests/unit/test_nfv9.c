/*
 * test_nfv9: NetFlow v9 packets built by hand, converted to IPFIX: the
 * header mapping, templates (time fields, vendor types, options scopes,
 * no scope), data (absolute times, sequence numbers per source, data ahead
 * of its template, unknown templates passed through, padding), every
 * malformation with its offset, the size limit, sessions, and the result
 * decoded by the IPFIX decoder without a problem.
 */
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "decode.h"
#include "nfv9.h"

#define BASE 500
#define SYSUP 100000u		/* ms since boot at export */
#define SECS 1700000000u	/* export time */

struct pk {
	uint8_t b[70000];
	size_t n, set;
};

static void
u16(struct pk *p, uint16_t v)
{
	ipfix_put16(p->b + p->n, v);
	p->n += 2;
}

static void
u32(struct pk *p, uint32_t v)
{
	ipfix_put32(p->b + p->n, v);
	p->n += 4;
}

static void
pk_init(struct pk *p, uint32_t source)
{
	memset(p, 0, sizeof(*p));
	u16(p, 9);
	u16(p, 0);
	u32(p, SYSUP);
	u32(p, SECS);
	u32(p, 77);
	u32(p, source);
}

static void
fs_open(struct pk *p, uint16_t id)
{
	p->set = p->n;
	u16(p, id);
	u16(p, 0);
}

static void
fs_close(struct pk *p)
{
	ipfix_put16(p->b + p->set + 2, (uint16_t)(p->n - p->set));
}

/* Template 256: IN_BYTES 4, FIRST_SWITCHED 4, LAST_SWITCHED 4, vendor
 * type 40000 (2 bytes): 14-byte records. */
static void
tmpl256(struct pk *p)
{
	fs_open(p, 0);
	u16(p, 256);
	u16(p, 4);
	u16(p, 1);
	u16(p, 4);
	u16(p, 22);
	u16(p, 4);
	u16(p, 21);
	u16(p, 4);
	u16(p, 40000);
	u16(p, 2);
	fs_close(p);
}

static void
data256(struct pk *p, int n, bool pad)
{
	int i;

	fs_open(p, 256);
	for (i = 0; i < n; i++) {
		u32(p, 1000 + i);
		u32(p, SYSUP - 5000);	/* 5 s before export */
		u32(p, SYSUP - 1000);
		u16(p, 0xbeef);
	}
	if (pad)
		u16(p, 0);
	fs_close(p);
}

static int
conv(struct ipfix_nfv9 *nf, uint32_t session, struct pk *p,
    const uint8_t **m, size_t *ml, struct ipfix_err *err)
{
	unsigned skipped;

	return ipfix_nfv9_convert(nf, session, p->b, p->n, BASE, m, ml,
	    &skipped, err);
}

static int nproblems;		/* reported by the decoder */

static uint64_t
be64(const uint8_t *q)
{
	return (uint64_t)ipfix_be32(q) << 32 | ipfix_be32(q + 4);
}

static void
count_problem(void *arg, const struct ipfix_problem *pr)
{
	(void)arg;
	(void)pr;
	nproblems++;
}

static void
count_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	(void)m;
	(void)t;
	(void)r;
	(*(int *)arg)++;
}

/* Feed m to *d (made on first use): 0 when decoded; records counted in
 * *recs, problems in nproblems. */
static int
decode_ok(struct ipfix_decoder **d, int *recs, const uint8_t *m, size_t ml)
{
	static const struct ipfix_decoder_ops ops = {
		.on_record = count_record, .on_problem = count_problem };

	if (*d == NULL)
		*d = ipfix_decoder_new(NULL, &ops, recs);
	nproblems = 0;
	return ipfix_decoder_feed(*d, m, ml, 1, IPFIX_KIND_UDP, 0, NULL);
}

static void
test_header_template_data(void)
{
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	struct ipfix_decoder *d = NULL;
	const uint8_t *m, *s;
	struct ipfix_err err;
	struct pk p;
	size_t ml;
	int recs = 0;

	pk_init(&p, 4242);
	tmpl256(&p);
	data256(&p, 2, true);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == 0, "packet converted");
	CHECK(ipfix_be16(m) == 10 && ipfix_be16(m + 2) == ml &&
	    ipfix_be32(m + 4) == SECS && ipfix_be32(m + 8) == 0 &&
	    ipfix_be32(m + 12) == 4242, "IPFIX header: length, time, seq, ODID");
	s = m + 16;	/* template set of its own */
	CHECK(ipfix_be16(s) == 2 && ipfix_be16(s + 4) == 256 &&
	    ipfix_be16(s + 6) == 4, "template set 2, template 256, 4 fields");
	CHECK(ipfix_be16(s + 12) == 152 && ipfix_be16(s + 14) == 8 &&
	    ipfix_be16(s + 16) == 153 && ipfix_be16(s + 18) == 8,
	    "FIRST/LAST_SWITCHED as flowStart/EndMilliseconds, 8 bytes");
	CHECK(ipfix_be16(s + 20) == (0x8000 | (40000 & 0x7fff)) &&
	    ipfix_be16(s + 22) == 2 && ipfix_be32(s + 24) == NFV9_PEN_VENDOR,
	    "vendor type 40000: enterprise element of PEN 9");
	s += ipfix_be16(s + 2);
	CHECK(ipfix_be16(s) == 256 && ipfix_be16(s + 2) == 4 + 2 * 22,
	    "data set: two 22-byte records, padding left out");
	CHECK(ipfix_be32(s + 4) == 1000 && be64(s + 8) ==
	    (uint64_t)SECS * 1000 - 5000 && be64(s + 16) ==
	    (uint64_t)SECS * 1000 - 1000 && ipfix_be16(s + 24) == 0xbeef,
	    "record: times absolute (export - uptime + switched)");
	CHECK(s + ipfix_be16(s + 2) == m + ml, "nothing after the data set");
	CHECK(decode_ok(&d, &recs, m, ml) == 0 && recs == 2 &&
	    nproblems == 0, "the IPFIX decoder takes it: 2 records, no problem");
	pk_init(&p, 4242);
	data256(&p, 3, false);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == 0 && ipfix_be32(m + 8) == 2,
	    "next packet of the source: sequence number 2 (records before)");
	CHECK(decode_ok(&d, &recs, m, ml) == 0 && recs == 5 && nproblems == 0,
	    "decoded, no loss reported");
	pk_init(&p, 4243);
	data256(&p, 1, false);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == 0 && ipfix_be32(m + 8) == 0 &&
	    ipfix_be16(m + 16) == 256 && ipfix_be16(m + 18) == 4 + 14,
	    "other source id: own numbering, template unknown: data as it came");
	ipfix_nfv9_end_session(nf, 1);
	pk_init(&p, 4242);
	data256(&p, 1, false);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == 0 && ipfix_be32(m + 8) == 0 &&
	    ipfix_be16(m + 18) == 4 + 14, "after the session's end: forgotten");
	ipfix_decoder_free(d);
	ipfix_nfv9_free(nf);
}

static void
test_options_and_order(void)
{
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	const uint8_t *m, *s;
	struct ipfix_err err;
	unsigned skipped = 0;
	struct pk p;
	size_t ml;

	pk_init(&p, 1);
	data256(&p, 1, false);		/* ahead of its template */
	fs_open(&p, 5);			/* reserved FlowSet id */
	u32(&p, 0);
	fs_close(&p);
	tmpl256(&p);
	fs_open(&p, 1);			/* options: scope Interface 4 */
	u16(&p, 300);
	u16(&p, 4);
	u16(&p, 4);
	u16(&p, 2);
	u16(&p, 4);
	u16(&p, 48);			/* samplerId in 2 bytes */
	u16(&p, 2);
	u16(&p, 301);			/* no scope */
	u16(&p, 0);
	u16(&p, 4);
	u16(&p, 34);
	u16(&p, 4);
	u16(&p, 0);			/* padding */
	fs_close(&p);
	CHECK(ipfix_nfv9_convert(nf, 1, p.b, p.n, BASE, &m, &ml, &skipped,
	    &err) == 0 && skipped == 1, "converted; reserved FlowSet left out");
	s = m + 16 + ipfix_be16(m + 18);	/* after template 256's set */
	CHECK(ipfix_be16(s) == 3 && ipfix_be16(s + 4) == 300 &&
	    ipfix_be16(s + 6) == 2 && ipfix_be16(s + 8) == 1 &&
	    ipfix_be16(s + 10) == 10 && ipfix_be16(s + 14) == 48,
	    "options template: set 3, scope Interface as ingressInterface");
	s += ipfix_be16(s + 2);
	CHECK(ipfix_be16(s) == 2 && ipfix_be16(s + 4) == 301 &&
	    ipfix_be16(s + 6) == 1 && ipfix_be16(s + 8) == 34,
	    "options template without scope: a template set");
	s += ipfix_be16(s + 2);
	CHECK(ipfix_be16(s) == 256 && ipfix_be16(s + 2) == 4 + 22 &&
	    s + 26 == m + ml, "data ahead of its template converted after it");
	ipfix_nfv9_free(nf);
}

/* Juniper's zero-length fields and 6 bytes of FlowSet padding: taken,
 * and the IPFIX decoder decodes the record (the 0-length unsigned32 with
 * a C31 warning, tolerated). */
static void
test_zero_length_field(void)
{
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	struct ipfix_decoder *d = NULL;
	const uint8_t *m;
	struct ipfix_err err;
	struct pk p;
	size_t ml;
	int recs = 0;

	pk_init(&p, 1);
	fs_open(&p, 0);
	u16(&p, 256);
	u16(&p, 2);
	u16(&p, 3);			/* FLOWS (unsigned64) in 0 bytes */
	u16(&p, 0);
	u16(&p, 1);
	u16(&p, 4);
	u32(&p, 0);			/* padding, more than RFC 3954's */
	u16(&p, 0);
	fs_close(&p);
	data256(&p, 0, false);
	u32(&p, 1234);
	fs_close(&p);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == 0, "zero-length field taken");
	CHECK(decode_ok(&d, &recs, m, ml) == 0 && recs == 1 && nproblems == 1,
	    "decoded: 1 record, 1 warning (%d problems)", nproblems);
	ipfix_decoder_free(d);
	ipfix_nfv9_free(nf);
}

static void
expect_bad(struct ipfix_nfv9 *nf, struct pk *p, enum ipfix_errcode code,
    uint64_t off, const char *what)
{
	const uint8_t *m;
	struct ipfix_err err;
	size_t ml;

	memset(&err, 0, sizeof(err));
	CHECK(conv(nf, 1, p, &m, &ml, &err) == -1 && err.code == code &&
	    err.offset == off, "%s: refused (code %d, offset %llu: %s)", what,
	    (int)err.code, (unsigned long long)err.offset, err.reason);
}

static void
test_malformed(void)
{
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	struct pk p;
	size_t at;

	pk_init(&p, 1);
	p.b[1] = 10;
	expect_bad(nf, &p, IPFIX_E_VERSION, BASE, "version 10");
	pk_init(&p, 1);
	p.n = 19;
	expect_bad(nf, &p, IPFIX_E_VERSION, BASE, "19-byte header");
	pk_init(&p, 1);
	p.n = 23;
	expect_bad(nf, &p, IPFIX_E_LENGTH, BASE, "header without a FlowSet");
	pk_init(&p, 1);
	fs_open(&p, 256);
	ipfix_put16(p.b + p.set + 2, 2);
	expect_bad(nf, &p, IPFIX_E_SET, BASE + 20, "FlowSet length 2");
	pk_init(&p, 1);
	fs_open(&p, 256);
	ipfix_put16(p.b + p.set + 2, 40);
	expect_bad(nf, &p, IPFIX_E_SET, BASE + 20, "FlowSet past the packet");
	pk_init(&p, 1);
	fs_open(&p, 0);
	at = p.n;
	u16(&p, 256);
	u16(&p, 3);
	u16(&p, 1);
	u16(&p, 4);
	fs_close(&p);
	expect_bad(nf, &p, IPFIX_E_TEMPLATE, BASE + at + 4,
	    "fields past the FlowSet");
	pk_init(&p, 1);
	fs_open(&p, 0);
	at = p.n;
	u16(&p, 256);
	u16(&p, 1);
	u16(&p, 1);
	u16(&p, 0xffff);
	fs_close(&p);
	expect_bad(nf, &p, IPFIX_E_TEMPLATE, BASE + at + 4,
	    "field length 65535 (IPFIX varlen)");
	pk_init(&p, 1);
	fs_open(&p, 0);
	at = p.n;
	u16(&p, 200);
	u16(&p, 1);
	u16(&p, 1);
	u16(&p, 4);
	fs_close(&p);
	expect_bad(nf, &p, IPFIX_E_TEMPLATE, BASE + at, "template id 200");
	pk_init(&p, 1);
	fs_open(&p, 1);
	at = p.n;
	u16(&p, 300);
	u16(&p, 2);
	u16(&p, 4);
	u16(&p, 2);
	u16(&p, 4);
	u16(&p, 0);
	fs_close(&p);
	expect_bad(nf, &p, IPFIX_E_TEMPLATE, BASE + at,
	    "options scope length 2");
	pk_init(&p, 1);			/* found by fuzz_nfv9 */
	fs_open(&p, 1);
	at = p.n;
	u16(&p, 300);
	u16(&p, 4);
	u16(&p, 4);
	u16(&p, 0);			/* scope type 0: no IPFIX form */
	u16(&p, 4);
	u16(&p, 1);
	u16(&p, 4);
	fs_close(&p);
	expect_bad(nf, &p, IPFIX_E_TEMPLATE, BASE + at + 6,
	    "scope type 0 (would be enterprise element 0)");
	ipfix_nfv9_free(nf);
}

/* 4-byte records of FIRST_SWITCHED only double in size: a 60 KB packet
 * cannot become one IPFIX message. */
static void
test_too_large(void)
{
	struct ipfix_nfv9 *nf = ipfix_nfv9_new();
	const uint8_t *m;
	struct ipfix_err err;
	struct pk p;
	size_t ml;
	int i;

	pk_init(&p, 1);
	fs_open(&p, 0);
	u16(&p, 256);
	u16(&p, 1);
	u16(&p, 22);
	u16(&p, 4);
	fs_close(&p);
	fs_open(&p, 256);
	for (i = 0; i < 15000; i++)
		u32(&p, SYSUP);
	fs_close(&p);
	CHECK(conv(nf, 1, &p, &m, &ml, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "IPFIX form above 65535 bytes: refused");
	ipfix_nfv9_free(nf);
}

int
main(void)
{
	test_header_template_data();
	test_options_and_order();
	test_zero_length_field();
	test_malformed();
	test_too_large();
	TEST_DONE();
}
