/*
 * test_decode: the collector rules of RFC 7011 §8-9 as the decoder applies
 * them, on hand-built messages: every malformation (whole message dropped,
 * nothing but on_problem called, store unchanged, check id and offset),
 * every warning, the template rules per transport kind (identical re-sends,
 * matched unparsed, behave as parsed ones), sequence numbers, record runs
 * (on_records, and ipfix_decoder_runs: what it takes, counts and reports,
 * and every message it must decline untouched), and a timing note (never a
 * pass/fail on time).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "testhelp.h"
#include "decode.h"

#define BASE 1000	/* offset of every message in its "input" */

/* Message under construction. */
struct mb {
	uint8_t b[4096];
	size_t n;
	size_t set;
};

static void
u8(struct mb *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static void
u16(struct mb *m, uint16_t v)
{
	ipfix_put16(m->b + m->n, v);
	m->n += 2;
}

static void
u32(struct mb *m, uint32_t v)
{
	ipfix_put32(m->b + m->n, v);
	m->n += 4;
}

static void
mb_init(struct mb *m, uint32_t export_time, uint32_t seq, uint32_t odid)
{
	memset(m, 0, sizeof(*m));
	u16(m, 10);
	u16(m, 0);
	u32(m, export_time);
	u32(m, seq);
	u32(m, odid);
}

static void
set_open(struct mb *m, uint16_t id)
{
	m->set = m->n;
	u16(m, id);
	u16(m, 0);
}

static void
set_close(struct mb *m)
{
	ipfix_put16(m->b + m->set + 2, (uint16_t)(m->n - m->set));
}

static size_t
mb_done(struct mb *m)
{
	ipfix_put16(m->b + 2, (uint16_t)m->n);
	return m->n;
}

/* Template 256: sourceTransportPort (2), protocolIdentifier (1). */
static void
tmpl_fixed(struct mb *m, uint16_t id)
{
	u16(m, id);
	u16(m, 2);
	u16(m, 7);
	u16(m, 2);
	u16(m, 4);
	u16(m, 1);
}

/* Template: sourceTransportPort (2), interfaceName (varlen). */
static void
tmpl_var(struct mb *m, uint16_t id)
{
	u16(m, id);
	u16(m, 2);
	u16(m, 7);
	u16(m, 2);
	u16(m, 82);
	u16(m, 0xffff);
}

static void
rec_fixed(struct mb *m, uint16_t port, uint8_t proto)
{
	u16(m, port);
	u8(m, proto);
}

/* What the callbacks saw. */
#define MAXP 16
struct log {
	char ev[256];
	size_t nev;
	struct ipfix_problem p[MAXP];
	int np;
	int how[8];
	const struct ipfix_tmpl *tp[8];	/* what on_template was given */
	int nhow;
	int removed;
	uint64_t rec_off[8];
	int nrec;
};

static void
ev(struct log *l, char c)
{
	if (l->nev < sizeof(l->ev) - 1)
		l->ev[l->nev++] = c;
	l->ev[l->nev] = '\0';
}

static void
on_message(void *arg, const struct ipfix_msg_ctx *m)
{
	(void)m;
	ev(arg, 'M');
}

static void
on_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct log *l = arg;

	(void)m;
	(void)offset;
	if (l->nhow < 8) {
		l->tp[l->nhow] = t;
		l->how[l->nhow++] = (int)how;
	}
	ev(l, 'T');
}

static void
on_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct log *l = arg;

	(void)m;
	(void)set_id;
	(void)tid;
	(void)offset;
	l->removed = removed;
	ev(l, 'W');
}

static void
on_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct log *l = arg;

	(void)m;
	(void)t;
	if (l->nrec < 8)
		l->rec_off[l->nrec++] = r->offset;
	ev(l, 'R');
}

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	struct log *l = arg;

	if (l->np < MAXP)
		l->p[l->np++] = *p;
	ev(l, 'P');
}

static void
on_end(void *arg, const struct ipfix_msg_ctx *m)
{
	(void)m;
	ev(arg, 'E');
}

static const struct ipfix_decoder_ops ops = {
	.on_message = on_message,
	.on_template = on_template,
	.on_withdrawal = on_withdrawal,
	.on_record = on_record,
	.on_problem = on_problem,
	.on_message_end = on_end,
};

static struct ipfix_decoder *
newdec(struct log *l, bool check_values, size_t cap, uint32_t lifetime)
{
	struct ipfix_decoder_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits.max_templates = cap;
	cfg.limits.udp_lifetime = lifetime;
	cfg.check_values = check_values;
	memset(l, 0, sizeof(*l));
	return ipfix_decoder_new(&cfg, &ops, l);
}

static int
feed(struct ipfix_decoder *d, struct log *l, struct mb *m,
    enum ipfix_transport_kind kind)
{
	struct ipfix_err err;

	memset(l, 0, sizeof(*l));
	return ipfix_decoder_feed(d, m->b, mb_done(m), 1, kind, BASE, &err);
}

static bool
problem(const struct log *l, int i, enum ipfix_severity sev,
    enum ipfix_errcode code, const char *check, uint64_t off)
{
	const struct ipfix_problem *p = &l->p[i];

	if (i >= l->np)
		return false;
	if (p->severity != sev || p->code != code || p->offset != off)
		return false;
	if (check == NULL || p->check == NULL)
		return check == p->check;
	return strcmp(check, p->check) == 0;
}

/* Reads the stats of (session 1, odid). */
struct statq {
	uint32_t odid;
	uint16_t stream;
	struct ipfix_domain_stats st;
	bool found;
};

static void
statfn(const struct ipfix_domain_stats *st, void *arg)
{
	struct statq *q = arg;

	if (st->session == 1 && st->odid == q->odid &&
	    st->stream == q->stream) {
		q->st = *st;
		q->found = true;
	}
}

static struct ipfix_domain_stats
stats(struct ipfix_decoder *d, uint32_t odid)
{
	struct statq q;

	memset(&q, 0, sizeof(q));
	q.odid = odid;
	ipfix_decoder_foreach_domain(d, statfn, &q);
	return q.st;
}

static struct ipfix_domain_stats
stream_stats(struct ipfix_decoder *d, uint32_t odid, uint16_t stream)
{
	struct statq q;

	memset(&q, 0, sizeof(q));
	q.odid = odid;
	q.stream = stream;
	ipfix_decoder_foreach_domain(d, statfn, &q);
	return q.st;
}

static size_t
ntmpl(struct ipfix_decoder *d)
{
	return ipfix_tstore_count(ipfix_decoder_templates(d));
}

/* Tests ---------------------------------------------------------------------- */

static void
test_basic(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec_fixed(&m, 80, 6);
	rec_fixed(&m, 443, 17);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0, "template + data");
	CHECK_STR(l.ev, "MTRRE", "callbacks in wire order");
	CHECK(l.how[0] == IPFIX_TADD_NEW, "template is new");
	CHECK(l.rec_off[0] == BASE + 16 + 16 + 4 &&
	    l.rec_off[1] == BASE + 16 + 16 + 4 + 3, "record offsets");
	CHECK(stats(d, 5).records == 2 && stats(d, 5).messages == 1 &&
	    stats(d, 5).next_seq == 2, "stats");
	ipfix_decoder_free(d);
}

/* A valid template set first, so a discard must also undo nothing. */
static void
start_with_template(struct mb *m, uint16_t id)
{
	mb_init(m, 100, 0, 5);
	set_open(m, 2);
	tmpl_fixed(m, id);
	set_close(m);
}

/* The log of the decoder test_malformed uses. */
static struct log mlog;

static void
expect_malformed(struct ipfix_decoder *d, struct mb *m, size_t len,
    enum ipfix_errcode code, const char *check, uint64_t off,
    const char *what)
{
	struct log *lg = &mlog;
	struct ipfix_err err;
	size_t before = ntmpl(d);
	/* counted under ODID 0 when ODID 5 is not known yet */
	uint64_t bad = stats(d, 5).malformed + stats(d, 0).malformed;

	memset(lg, 0, sizeof(*lg));
	CHECK(ipfix_decoder_feed(d, m->b, len, 1, IPFIX_KIND_TCP, BASE,
	    &err) == -1, "%s: discarded", what);
	CHECK_STR(lg->ev, "P", "%s: only on_problem called", what);
	CHECK(problem(lg, 0, IPFIX_SEV_MALFORMED, code, check, off),
	    "%s: %s at %llu (got %s at %llu)", what, check,
	    (unsigned long long)off, lg->np > 0 && lg->p[0].check != NULL ?
	    lg->p[0].check : "-", lg->np > 0 ?
	    (unsigned long long)lg->p[0].offset : 0ull);
	CHECK(err.code == code && err.offset == off, "%s: err filled", what);
	CHECK(ntmpl(d) == before, "%s: template store unchanged", what);
	CHECK(stats(d, 5).malformed + stats(d, 0).malformed == bad + 1,
	    "%s: counted", what);
}

static void
test_malformed_framing(struct ipfix_decoder *d)
{
	struct mb m;

	start_with_template(&m, 300);
	m.b[1] = 9;
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_VERSION, "C02", BASE,
	    "version 9");
	start_with_template(&m, 300);
	expect_malformed(d, &m, mb_done(&m) + 4, IPFIX_E_LENGTH, "C03",
	    BASE + 2, "length below delivered");
	start_with_template(&m, 300);
	mb_done(&m);
	expect_malformed(d, &m, 12, IPFIX_E_TRUNCATED, "C03", BASE,
	    "12 bytes");
	start_with_template(&m, 300);
	set_open(&m, 256);
	rec_fixed(&m, 1, 1);
	set_close(&m);
	ipfix_put16(m.b + m.set + 2, 9);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_SET, "C15",
	    BASE + m.set + 2, "set past the message");
	start_with_template(&m, 300);
	set_open(&m, 256);
	set_close(&m);
	ipfix_put16(m.b + m.set + 2, 3);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_SET, "C15",
	    BASE + m.set + 2, "set length 3");
	start_with_template(&m, 300);
	u16(&m, 256);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_SET, "C15",
	    BASE + m.n - 2, "2 bytes after the last set");
}

static void
test_malformed_templates(struct ipfix_decoder *d)
{
	struct mb m;
	size_t at;

	start_with_template(&m, 300);
	set_open(&m, 2);
	tmpl_fixed(&m, 255);
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_TEMPLATE, "C22",
	    BASE + m.set + 4, "template id 255");
	start_with_template(&m, 300);
	set_open(&m, 3);
	at = m.n;
	u16(&m, 301);
	u16(&m, 1);
	u16(&m, 0);
	u16(&m, 149);
	u16(&m, 4);
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_TEMPLATE, "C24",
	    BASE + at + 4, "scope count 0");
	start_with_template(&m, 300);
	set_open(&m, 2);
	at = m.n;
	u16(&m, 302);
	u16(&m, 3);
	u16(&m, 7);
	u16(&m, 2);
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_TEMPLATE, "C25",
	    BASE + at + 8, "fields overrun the set");
	start_with_template(&m, 300);
	set_open(&m, 2);
	at = m.n;
	u16(&m, 303);
	u16(&m, 1);
	u16(&m, 8);
	u16(&m, 2);
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_TEMPLATE, "C31",
	    BASE + at + 4, "2-byte sourceIPv4Address");
	start_with_template(&m, 300);
	set_open(&m, 2);
	at = m.n;
	u16(&m, 304);
	u16(&m, 1);
	u16(&m, 0x8000);
	u16(&m, 4);
	u32(&m, 9);
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_TEMPLATE, "C21",
	    BASE + at + 4, "enterprise element 0");
}

static void
test_malformed_records(struct ipfix_decoder *d)
{
	struct mb m;
	size_t at;

	/* varlen template defined in the message itself */
	start_with_template(&m, 300);
	set_open(&m, 2);
	tmpl_var(&m, 310);
	set_close(&m);
	set_open(&m, 310);
	u16(&m, 80);
	at = m.n;
	u8(&m, 5);
	u8(&m, 'a');
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_RECORD, "C28",
	    BASE + at, "varlen past its set (template in message)");
	CHECK(ipfix_tstore_find(ipfix_decoder_templates(d), 1, 5, 310) ==
	    NULL, "template of the discarded message not stored");
	/* varlen template stored by an earlier message */
	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_var(&m, 311);
	set_close(&m);
	CHECK(feed(d, &mlog, &m, IPFIX_KIND_TCP) == 0, "store template 311");
	mb_init(&m, 100, 0, 5);
	set_open(&m, 311);
	u16(&m, 80);
	u8(&m, 1);
	u8(&m, 'x');
	u16(&m, 81);
	at = m.n;
	u8(&m, 255);
	u16(&m, 3);
	u8(&m, 'y');
	set_close(&m);
	expect_malformed(d, &m, mb_done(&m), IPFIX_E_RECORD, "C28",
	    BASE + at, "3-byte prefix past its set");
}

/* A decoder that refuses what a tolerant one takes (--strict). */
static struct ipfix_decoder *
newdec_strict(struct log *l)
{
	struct ipfix_decoder_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.strict = true;
	memset(l, 0, sizeof(*l));
	return ipfix_decoder_new(&cfg, &ops, l);
}

static void
test_malformed(void)
{
	struct ipfix_decoder *d = newdec_strict(&mlog);

	test_malformed_framing(d);
	test_malformed_templates(d);
	test_malformed_records(d);
	CHECK(stats(d, 0).malformed == 12 && stats(d, 5).malformed == 1,
	    "unknown ODID counted under 0, known ODID under itself");
	ipfix_decoder_free(d);
}

/* Template 310: samplerId (48, unsigned8) in 4 octets, then
 * protocolIdentifier; one record 0x01020304, 6. */
static void
msg_sampler(struct mb *m, uint32_t seq, size_t *tat)
{
	mb_init(m, 100, seq, 7);
	set_open(m, 2);
	*tat = m->n;
	u16(m, 310);
	u16(m, 2);
	u16(m, 48);
	u16(m, 4);
	u16(m, 4);
	u16(m, 1);
	set_close(m);
	set_open(m, 310);
	u32(m, 0x01020304);
	u8(m, 6);
	set_close(m);
}

/* Options template 311 with scope count 0, or a template 312 whose
 * field has the E bit and PEN 0; one record each. */
static void
msg_noscope_pen0(struct mb *m, bool pen0, uint32_t seq, size_t *tat)
{
	mb_init(m, 100, seq, 7);
	set_open(m, pen0 ? 2 : 3);
	*tat = m->n;
	u16(m, pen0 ? 312 : 311);
	u16(m, 1);
	if (!pen0)
		u16(m, 0);
	u16(m, pen0 ? 0x8000 | 7 : 7);
	u16(m, 2);
	if (pen0)
		u32(m, 0);
	set_close(m);
	set_open(m, pen0 ? 312 : 311);
	u16(m, 4739);
	set_close(m);
}

static void
test_quirks_tolerated(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	const struct ipfix_tmpl *t;
	struct mb m;
	size_t tat;

	msg_sampler(&m, 0, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0, "samplerId in 4 octets: message decoded");
	CHECK(l.np == 1 && problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_TEMPLATE,
	    "C31", BASE + tat + 4), "one C31 warning at the field");
	CHECK(strstr(l.p[0].reason, "samplerId") != NULL,
	    "warning names the element: %s", l.p[0].reason);
	CHECK(l.nrec == 1 && strcmp(l.ev, "MPTRE") == 0,
	    "its record decoded (%s)", l.ev);
	t = ipfix_tstore_find(ipfix_decoder_templates(d), 1, 7, 310);
	CHECK(t != NULL && t->min_len == 5 &&
	    (t->quirks & IPFIX_TQ_LENGTH) != 0, "held with the wire length");
	msg_sampler(&m, 1, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 && l.nrec == 1,
	    "refresh: no second warning, record decoded");
	msg_noscope_pen0(&m, false, 2, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nrec == 1 && l.np == 1 && problem(&l, 0,
	    IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, "C24", BASE + tat + 4),
	    "options scope count 0: warned (C24), record decoded");
	msg_noscope_pen0(&m, true, 3, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nrec == 1 && l.np == 1 && problem(&l, 0,
	    IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, "C20", BASE + tat),
	    "E bit with PEN 0: warned (C20), record decoded");
	ipfix_decoder_free(d);
}

/* 1-3 zero bytes after the last set: padding with a warning; non-zero
 * ones, or 4 and more, stay malformed (C15). */
static void
test_message_padding(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;
	size_t at;

	start_with_template(&m, 300);
	set_open(&m, 300);
	rec_fixed(&m, 80, 6);
	set_close(&m);
	at = m.n;
	u16(&m, 0);
	u8(&m, 0);
	CHECK(feed(d, &l, &m, IPFIX_KIND_FILE) == 0 && l.nrec == 1 && l.np == 1 && problem(&l, 0,
	    IPFIX_SEV_WARN, IPFIX_E_SET, "C15", BASE + at),
	    "3 zero bytes after the last set: padding, warned");
	m.b[at + 2] = 1;
	CHECK(feed(d, &l, &m, IPFIX_KIND_FILE) == -1 && l.nrec == 0, "a non-zero byte there: malformed");
	ipfix_decoder_free(d);
}

static void
test_quirks_strict(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec_strict(&l);
	struct mb m;
	size_t tat;

	msg_sampler(&m, 0, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == -1 && l.nrec == 0 && problem(&l, 0,
	    IPFIX_SEV_MALFORMED, IPFIX_E_TEMPLATE, "C31", BASE + tat + 4),
	    "strict: samplerId in 4 octets refused (C31)");
	msg_noscope_pen0(&m, false, 0, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == -1 && problem(&l, 0, IPFIX_SEV_MALFORMED,
	    IPFIX_E_TEMPLATE, "C24", BASE + tat + 4),
	    "strict: scope count 0 refused (C24)");
	msg_noscope_pen0(&m, true, 0, &tat);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nrec == 1 && problem(&l, 0, IPFIX_SEV_WARN,
	    IPFIX_E_TEMPLATE, "C20", BASE + tat),
	    "strict: E bit with PEN 0 still taken, warned (C20)");
	ipfix_decoder_free(d);
}

static void
test_skipped_sets(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;
	size_t s4, s1, nt;

	start_with_template(&m, 256);
	set_open(&m, 4);
	s4 = m.set;
	u32(&m, 0xdeadbeef);
	set_close(&m);
	set_open(&m, 1);
	s1 = m.set;
	set_close(&m);
	set_open(&m, 256);
	rec_fixed(&m, 53, 17);
	set_close(&m);
	set_open(&m, 999);
	nt = m.set;
	rec_fixed(&m, 53, 17);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_FILE) == 0, "decoded with warnings");
	CHECK_STR(l.ev, "MTPPRPE", "skipped sets, record still decoded");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_SET, "C14", BASE + s4),
	    "set id 4 skipped (C14)");
	CHECK(problem(&l, 1, IPFIX_SEV_WARN, IPFIX_E_SET, "C13", BASE + s1) &&
	    strstr(l.p[1].reason, "NetFlow v9 set id") != NULL,
	    "set id 1: NetFlow v9 set id");
	CHECK(problem(&l, 2, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, NULL,
	    BASE + nt), "data set without template");
	CHECK(stats(d, 5).records_no_template == 1 &&
	    stats(d, 5).records == 1, "no-template set counted");
	ipfix_decoder_free(d);
}

static void
test_order_and_padding(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;
	size_t ds, pad;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 256);
	ds = m.set;
	rec_fixed(&m, 53, 17);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec_fixed(&m, 80, 6);
	pad = m.n;
	u8(&m, 0);
	u8(&m, 7);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0, "decoded");
	CHECK_STR(l.ev, "MPTRPE", "data before template skipped");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C40",
	    BASE + ds), "data set precedes its template (C40)");
	CHECK(problem(&l, 1, IPFIX_SEV_WARN, IPFIX_E_SET, "C18", BASE + pad),
	    "non-zero padding (C18)");
	mb_init(&m, 100, 1, 5);
	set_open(&m, 256);
	rec_fixed(&m, 80, 6);
	u8(&m, 0);
	u8(&m, 0);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MRE") == 0, "zero padding is silent (C19)");
	/* template set padding: 2 zero bytes, then an all-zero tail */
	mb_init(&m, 100, 2, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 257);
	u16(&m, 0);
	set_close(&m);
	set_open(&m, 3);
	u16(&m, 258);
	u16(&m, 0);
	u16(&m, 0);
	u16(&m, 0);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MTPWE") == 0 && l.p[0].severity == IPFIX_SEV_NOTE,
	    "padded template set and 6-byte options withdrawal + padding");
	ipfix_decoder_free(d);
}

/* One message with template 256 (fixed) at export time t. */
static void
msg_tmpl(struct mb *m, uint32_t t, uint16_t id, bool var)
{
	mb_init(m, t, 0, 5);
	set_open(m, 2);
	if (var)
		tmpl_var(m, id);
	else
		tmpl_fixed(m, id);
	set_close(m);
}

static void
msg_withdraw(struct mb *m, uint16_t set_id, uint16_t id)
{
	mb_init(m, 100, 0, 5);
	set_open(m, set_id);
	u16(m, id);
	u16(m, 0);
	set_close(m);
}

static void
test_template_rules_tcp(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	msg_tmpl(&m, 100, 256, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.how[0] ==
	    IPFIX_TADD_SAME, "re-sent template: SAME");
	CHECK(problem(&l, 0, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C48",
	    BASE + 20), "identical re-send on TCP is a note (C48)");
	msg_tmpl(&m, 100, 256, true);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.how[0] ==
	    IPFIX_TADD_CHANGED, "different template: CHANGED");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, NULL,
	    BASE + 20), "redefinition without withdrawal warned");
	CHECK(ipfix_tstore_find(ipfix_decoder_templates(d), 1, 5, 256)->varlen,
	    "the new definition replaced the old");
	msg_withdraw(&m, 2, 256);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.removed == 1 &&
	    strcmp(l.ev, "MWE") == 0, "withdrawal");
	CHECK(ntmpl(d) == 0, "template gone (C45)");
	msg_withdraw(&m, 2, 256);
	CHECK(feed(d, &l, &m, IPFIX_KIND_SCTP) == 0 && l.removed == 0,
	    "withdraw unknown");
	CHECK(problem(&l, 0, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C46",
	    BASE + 20), "unknown withdrawal is a note (C46)");
	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	msg_tmpl(&m, 100, 257, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	msg_withdraw(&m, 2, 2);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.removed == 2 &&
	    ntmpl(d) == 0, "withdraw all (C47)");
	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	ipfix_decoder_end_session(d, 1);
	CHECK(ntmpl(d) == 0 && stats(d, 5).messages == 9,
	    "end of session drops templates, keeps stats");
	ipfix_decoder_free(d);
}

static void
test_template_rules_udp_file(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 1800);
	struct mb m;

	msg_tmpl(&m, 1000, 256, false);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	msg_tmpl(&m, 1100, 256, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    l.how[0] == IPFIX_TADD_SAME, "UDP refresh is silent");
	msg_tmpl(&m, 1200, 256, true);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    l.how[0] == IPFIX_TADD_CHANGED, "UDP redefinition is normal (C52)");
	msg_withdraw(&m, 2, 256);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.removed == 0 &&
	    ntmpl(d) == 1, "UDP withdrawal ignored");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, "C50",
	    BASE + 20), "UDP withdrawal warned (C50)");
	mb_init(&m, 1200 + 1801, 0, 5);
	set_open(&m, 256);
	u16(&m, 80);
	u8(&m, 0);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C53",
	    BASE + 16), "expired UDP template (C53)");
	ipfix_decoder_free(d);
	d = newdec(&l, false, 0, 1800);
	msg_tmpl(&m, 1000, 256, false);
	feed(d, &l, &m, IPFIX_KIND_FILE);
	msg_tmpl(&m, 9000, 256, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_FILE) == 0 && l.np == 0,
	    "file: unchanged re-send accepted silently, no lifetime");
	msg_tmpl(&m, 9000, 256, true);
	CHECK(feed(d, &l, &m, IPFIX_KIND_FILE) == 0 && l.np == 1 &&
	    l.p[0].severity == IPFIX_SEV_NOTE, "file: redefinition noted");
	ipfix_decoder_free(d);
}

static void
test_withdraw_in_message(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, true);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	/* withdraw, then a data set that would not frame: not malformed,
	 * since no template applies to it any more */
	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	u16(&m, 256);
	u16(&m, 0);
	set_close(&m);
	set_open(&m, 256);
	u16(&m, 80);
	u8(&m, 9);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec_fixed(&m, 80, 6);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0, "withdraw + redefine");
	CHECK_STR(l.ev, "MWPTRE", "data after withdrawal skipped, redefined "
	    "template used");
	CHECK(l.np == 1 && l.p[0].code == IPFIX_E_NO_TEMPLATE &&
	    strcmp(l.p[0].check, "C40") == 0,
	    "skipped set reported (template follows)");
	/* over UDP the withdrawal is ignored, so the old varlen template
	 * still frames the data: a record past the set is malformed */
	ipfix_decoder_free(d);
	d = newdec(&l, false, 0, 0);
	msg_tmpl(&m, 100, 256, true);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	u16(&m, 2);
	u16(&m, 0);
	set_close(&m);
	set_open(&m, 256);
	u16(&m, 80);
	u8(&m, 9);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == -1 &&
	    problem(&l, 0, IPFIX_SEV_MALFORMED, IPFIX_E_RECORD, "C28",
	    BASE + 16 + 8 + 6), "UDP: withdrawal ignored in pass 1 too");
	ipfix_decoder_free(d);
}

static void
test_odid_and_cap(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 2, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	msg_tmpl(&m, 100, 256, true);
	ipfix_put32(m.b + 12, 6);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.how[0] ==
	    IPFIX_TADD_NEW, "same id in another ODID is new (C12)");
	CHECK(!ipfix_tstore_find(ipfix_decoder_templates(d), 1, 5, 256)->varlen
	    && ipfix_tstore_find(ipfix_decoder_templates(d), 1, 6, 256)->varlen,
	    "both definitions kept");
	msg_tmpl(&m, 100, 257, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	msg_tmpl(&m, 100, 258, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_LIMIT, NULL, BASE + 20) &&
	    strcmp(l.ev, "MPE") == 0, "template cap warned, not stored");
	ipfix_decoder_free(d);
}

static void
test_check_values(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, true, 0, 0);
	struct ipfix_decoder *q = newdec(&l, false, 0, 0);
	struct mb m;
	size_t b0, s0;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	u16(&m, 256);
	u16(&m, 2);
	u16(&m, 276);	/* dataRecordsReliability, boolean */
	u16(&m, 1);
	u16(&m, 82);	/* interfaceName, string */
	u16(&m, 0xffff);
	set_close(&m);
	set_open(&m, 256);
	u8(&m, 1);
	u8(&m, 2);
	u8(&m, 'o');
	u8(&m, 'k');
	b0 = m.n;
	u8(&m, 0);
	u8(&m, 2);
	s0 = m.n;
	u8(&m, 0xc3);
	u8(&m, 0x28);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.np == 2,
	    "value checks on: two warnings");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_VALUE, "C33", BASE + b0),
	    "boolean 0 (C33)");
	/* Value problems point at the field, varlen prefix included. */
	CHECK(problem(&l, 1, IPFIX_SEV_WARN, IPFIX_E_VALUE, "C34",
	    BASE + s0 - 1), "invalid UTF-8 (C34)");
	CHECK(feed(q, &l, &m, IPFIX_KIND_TCP) == 0 && l.np == 0 &&
	    strcmp(l.ev, "MTRRE") == 0, "value checks off: silent");
	ipfix_decoder_free(d);
	ipfix_decoder_free(q);
}

static void
msg_data(struct mb *m, uint32_t seq, int n)
{
	int i;

	mb_init(m, 100, seq, 5);
	set_open(m, 256);
	for (i = 0; i < n; i++)
		rec_fixed(m, 80, 6);
	set_close(m);
}

static void
test_sequence(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	ipfix_put32(m.b + 8, 1000);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	msg_data(&m, 1000, 2);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0,
	    "first data message in sequence");
	msg_tmpl(&m, 100, 256, false);
	ipfix_put32(m.b + 8, 1002);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    stats(d, 5).next_seq == 1002, "template-only: no advance (C06)");
	msg_data(&m, 1005, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C09", BASE + 8),
	    "gap reported (C09)");
	CHECK(stats(d, 5).lost == 3 && stats(d, 5).next_seq == 1006,
	    "3 lost, resynced");
	msg_data(&m, 1003, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C10", BASE + 8),
	    "late message out of order (C10)");
	CHECK(stats(d, 5).seq_out_of_order == 1 &&
	    stats(d, 5).next_seq == 1006, "expectation kept");
	msg_data(&m, 1006, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0,
	    "in order again");
	/* exporter restart: 0 then 1 agree with each other */
	msg_data(&m, 0, 1);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	CHECK(stats(d, 5).seq_out_of_order == 2 &&
	    stats(d, 5).next_seq == 1007, "restart not trusted at once");
	msg_data(&m, 1, 2);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    problem(&l, 0, IPFIX_SEV_NOTE, IPFIX_E_RECORD, "C10", BASE + 8) &&
	    stats(d, 5).next_seq == 3 && stats(d, 5).seq_out_of_order == 2,
	    "resync after two messages agree (C10)");
	/* a far-ahead injected value is not followed */
	msg_data(&m, 3u + 0x80000000u, 1);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	CHECK(stats(d, 5).lost == 3 && stats(d, 5).next_seq == 3 &&
	    stats(d, 5).seq_out_of_order == 3, "far value not followed");
	msg_data(&m, 3, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    stats(d, 5).next_seq == 4, "old sequence goes on");
	CHECK(stats(d, 5).records == 10, "records counted (%llu)",
	    (unsigned long long)stats(d, 5).records);
	ipfix_decoder_free(d);
}

/* Timing note only: printed, never a pass/fail. */
static void
note_speed(void)
{
	struct log l;
	struct ipfix_decoder_ops none;
	struct ipfix_decoder *d;
	struct ipfix_err err;
	struct mb m;
	struct timespec a, b;
	double s;
	int i;

	memset(&none, 0, sizeof(none));
	d = ipfix_decoder_new(NULL, &none, &l);
	msg_tmpl(&m, 100, 256, false);
	ipfix_decoder_feed(d, m.b, mb_done(&m), 1, IPFIX_KIND_FILE, 0, &err);
	msg_data(&m, 0, 400);
	mb_done(&m);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 5000; i++) {
		ipfix_put32(m.b + 8, (uint32_t)i * 400);
		ipfix_decoder_feed(d, m.b, m.n, 1, IPFIX_KIND_FILE, 0, &err);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("# note: decoder framed %d records in %.3f s (%.1f M/s)\n",
	    5000 * 400, s, s > 0 ? 5000 * 400 / s / 1e6 : 0.0);
	ipfix_decoder_free(d);
}

static int
feed_stream(struct ipfix_decoder *d, struct log *l, struct mb *m,
    uint16_t stream)
{
	struct ipfix_err err;

	memset(l, 0, sizeof(*l));
	return ipfix_decoder_feed_stream(d, m->b, mb_done(m), 1, stream,
	    IPFIX_KIND_SCTP, BASE, &err);
}

/* SCTP: sequence numbers per stream (C69), templates per session. */
static void
test_sctp_streams(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	feed_stream(d, &l, &m, 0);
	msg_data(&m, 0, 4);
	CHECK(feed_stream(d, &l, &m, 1) == 0 && l.nrec == 4,
	    "sctp: template from stream 0 decodes data on stream 1");
	msg_data(&m, 0, 3);
	CHECK(feed_stream(d, &l, &m, 2) == 0 && l.np == 0,
	    "sctp: stream 2 numbers from 0 on its own");
	msg_data(&m, 4, 1);
	CHECK(feed_stream(d, &l, &m, 1) == 0 && l.np == 0,
	    "sctp: stream 1 continues at 4");
	msg_data(&m, 13, 1);
	CHECK(feed_stream(d, &l, &m, 2) == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C09", BASE + 8),
	    "sctp: gap on stream 2 reported");
	CHECK(stream_stats(d, 5, 2).lost == 10 &&
	    stream_stats(d, 5, 1).lost == 0 &&
	    stream_stats(d, 5, 1).records == 5 &&
	    stream_stats(d, 5, 2).records == 4,
	    "sctp: loss and records counted per stream");
	ipfix_decoder_free(d);
}

/* on_records: runs of fixed-length records in one call ------------------- */

/* The log above plus what on_records saw; l first, so the callbacks
 * above take a struct rlog too. */
struct rlog {
	struct log l;
	bool take;		/* what on_records returns */
	int calls;
	uint32_t n[4];
	size_t len[4];
	size_t at[4];		/* p - the message */
	uint64_t off[4];
	uint16_t tid[4];
	uint8_t first[4][3];	/* the run's first record */
	uint8_t last[4][3];	/* and its last */
};

static bool
on_run(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const uint8_t *p, size_t len, uint32_t n, uint64_t offset)
{
	struct rlog *r = arg;
	int i = r->calls++;

	ev(&r->l, 'N');
	if (i < 4) {
		r->n[i] = n;
		r->len[i] = len;
		r->at[i] = (size_t)(p - m->msg);
		r->off[i] = offset;
		r->tid[i] = t->id;
		memcpy(r->first[i], p, 3);
		if (len >= 3)
			memcpy(r->last[i], p + len - 3, 3);
	}
	return r->take;
}

static const struct ipfix_decoder_ops run_ops = {
	.on_message = on_message,
	.on_template = on_template,
	.on_withdrawal = on_withdrawal,
	.on_record = on_record,
	.on_problem = on_problem,
	.on_message_end = on_end,
	.on_records = on_run,
};

static struct ipfix_decoder *
newdec_run(struct rlog *r, bool check_values)
{
	struct ipfix_decoder_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.check_values = check_values;
	memset(r, 0, sizeof(*r));
	return ipfix_decoder_new(&cfg, &run_ops, r);
}

static int
feed_run(struct ipfix_decoder *d, struct rlog *r, struct mb *m, bool take)
{
	struct ipfix_err err;

	memset(r, 0, sizeof(*r));
	r->take = take;
	return ipfix_decoder_feed(d, m->b, mb_done(m), 1, IPFIX_KIND_TCP,
	    BASE, &err);
}

/* n records (port 1000 + first + i, proto i) of template 256. */
static void
recs_run(struct mb *m, int first, int n)
{
	int i;

	for (i = 0; i < n; i++)
		rec_fixed(m, (uint16_t)(1000 + first + i), (uint8_t)i);
}

static bool
rec_is(const uint8_t *p, int port, int proto)
{
	return ipfix_be16(p) == port && p[2] == proto;
}

static void
test_on_records_taken(void)
{
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_domain_stats st;
	struct mb m;
	size_t rec0, pad;

	/* template + 5 records + 2 bytes of non-zero padding */
	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec0 = m.n;
	recs_run(&m, 0, 5);
	pad = m.n;
	u8(&m, 0);
	u8(&m, 9);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0, "run: decoded");
	CHECK_STR(r.l.ev, "MTNPE", "run: one on_records, no on_record, "
	    "then the padding problem");
	CHECK_EQ_U(r.calls, 1, "run: called once");
	CHECK_EQ_U(r.n[0], 5, "run: n = 5");
	CHECK_EQ_U(r.len[0], 15, "run: len = 5 * 3 (padding excluded)");
	CHECK_EQ_U(r.at[0], rec0, "run: p at the first record (%zu)", rec0);
	CHECK_EQ_U(r.off[0], BASE + rec0, "run: absolute offset of the first "
	    "record");
	CHECK_EQ_U(r.tid[0], 256, "run: template 256");
	CHECK(rec_is(r.first[0], 1000, 0) && rec_is(r.last[0], 1004, 4),
	    "run: first and last record bytes");
	CHECK(r.l.np == 1 && problem(&r.l, 0, IPFIX_SEV_WARN, IPFIX_E_SET,
	    "C18", BASE + pad), "run: non-zero padding still reported at %zu "
	    "(C18)", pad);
	st = stats(d, 5);
	CHECK(st.records == 5 && st.next_seq == 5 && st.messages == 1,
	    "run: stats count 5 records, next seq 5");

	/* next message numbered after the 5: no loss */
	mb_init(&m, 100, 5, 5);
	set_open(&m, 256);
	recs_run(&m, 5, 3);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0 && r.l.np == 0,
	    "run: seq 5 follows, no C09");
	CHECK_STR(r.l.ev, "MNE", "run: exact set, no padding, no problem");
	CHECK(r.n[0] == 3 && r.len[0] == 9 && r.at[0] == 20 &&
	    r.off[0] == BASE + 20, "run: 3 records at offset 20");
	st = stats(d, 5);
	CHECK(st.records == 8 && st.next_seq == 8 && st.lost == 0,
	    "run: 8 records, next seq 8, none lost");

	/* two data sets and a zero-padded one in one message */
	mb_init(&m, 100, 8, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 257);
	set_close(&m);
	set_open(&m, 256);
	recs_run(&m, 8, 2);
	u8(&m, 0);
	u8(&m, 0);
	set_close(&m);
	rec0 = m.n + 4;
	set_open(&m, 257);
	recs_run(&m, 10, 4);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0 && r.l.np == 0,
	    "run: zero padding silent (C19)");
	CHECK_STR(r.l.ev, "MTNNE", "run: one call per data set");
	CHECK(r.calls == 2 && r.n[0] == 2 && r.len[0] == 6 && r.tid[0] == 256 &&
	    r.n[1] == 4 && r.len[1] == 12 && r.tid[1] == 257,
	    "run: 2 of 256, then 4 of 257");
	CHECK(r.at[1] == rec0 && r.off[1] == BASE + rec0 &&
	    rec_is(r.first[1], 1010, 0) && rec_is(r.last[1], 1013, 3),
	    "run: second set's offset and bytes");
	st = stats(d, 5);
	CHECK(st.records == 14 && st.next_seq == 14,
	    "run: sequence advanced by 6");

	/* a gap is still a gap */
	mb_init(&m, 100, 20, 5);
	set_open(&m, 256);
	recs_run(&m, 0, 1);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0 &&
	    problem(&r.l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C09", BASE + 8) &&
	    stats(d, 5).lost == 6 && stats(d, 5).next_seq == 21,
	    "run: a real gap of 6 is reported (C09)");
	ipfix_decoder_free(d);
}

static void
test_on_records_declined(void)
{
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct mb m;
	size_t rec0;

	msg_tmpl(&m, 100, 256, false);
	(void)feed_run(d, &r, &m, false);
	mb_init(&m, 100, 0, 5);
	set_open(&m, 256);
	rec0 = m.n;
	recs_run(&m, 0, 4);
	u8(&m, 0);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, false) == 0, "declined: decoded");
	CHECK_STR(r.l.ev, "MNRRRRE", "declined: offered, then on_record for "
	    "each of the 4");
	CHECK(r.n[0] == 4 && r.len[0] == 12 && r.off[0] == BASE + rec0,
	    "declined: the offer had n 4, len 12");
	CHECK(r.l.nrec == 4 && r.l.rec_off[0] == BASE + rec0 &&
	    r.l.rec_off[3] == BASE + rec0 + 9,
	    "declined: record offsets as without on_records");
	CHECK(stats(d, 5).records == 4 && stats(d, 5).next_seq == 4,
	    "declined: counted once (4, not 8)");
	mb_init(&m, 100, 4, 5);
	set_open(&m, 256);
	recs_run(&m, 0, 1);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, false) == 0 && r.l.np == 0 &&
	    stats(d, 5).next_seq == 5, "declined: sequence continues at 4");
	ipfix_decoder_free(d);
}

static void
test_on_records_not_offered(void)
{
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_decoder *cv = newdec_run(&r, true);
	struct mb m;

	/* varlen template */
	msg_tmpl(&m, 100, 256, true);
	(void)feed_run(d, &r, &m, true);
	mb_init(&m, 100, 0, 5);
	set_open(&m, 256);
	u16(&m, 80);
	u8(&m, 2);
	u8(&m, 'a');
	u8(&m, 'b');
	u16(&m, 81);
	u8(&m, 0);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0 && r.calls == 0,
	    "not offered: template with a varlen field");
	CHECK_STR(r.l.ev, "MRRE", "not offered: varlen records one by one");
	CHECK_EQ_U(stats(d, 5).records, 2, "not offered: varlen counted");

	/* check_values */
	msg_tmpl(&m, 100, 257, false);
	(void)feed_run(cv, &r, &m, true);
	mb_init(&m, 100, 0, 5);
	set_open(&m, 257);
	recs_run(&m, 0, 3);
	set_close(&m);
	CHECK(feed_run(cv, &r, &m, true) == 0 && r.calls == 0,
	    "not offered: check_values on");
	CHECK_STR(r.l.ev, "MRRRE", "not offered: checked records one by one");

	/* 0-record sets: empty, and padding shorter than a record */
	msg_tmpl(&m, 100, 258, false);
	(void)feed_run(d, &r, &m, true);
	mb_init(&m, 100, 2, 5);
	set_open(&m, 258);
	set_close(&m);
	set_open(&m, 258);
	u8(&m, 0);
	u8(&m, 0);
	set_close(&m);
	CHECK(feed_run(d, &r, &m, true) == 0 && r.calls == 0,
	    "not offered: sets without a whole record");
	CHECK_STR(r.l.ev, "ME", "not offered: nothing but the message");
	CHECK(stats(d, 5).records == 2 && stats(d, 5).next_seq == 2,
	    "not offered: nothing counted");
	ipfix_decoder_free(d);
	ipfix_decoder_free(cv);
}

/* Identical template re-sends, matched on the wire unparsed ------------- */

/* A field specifier of the templates built below. */
struct fs {
	uint32_t pen;
	uint16_t id;
	uint16_t len;
};

/* A template record; sent in an options template set when scope is set. */
struct tdef {
	uint16_t scope;
	uint16_t n;
	struct fs f[3];
};

/* tmpl_fixed's fields: sourceTransportPort 2, protocolIdentifier 1 */
static const struct tdef def_plain = { 0, 2, { { 0, 7, 2 }, { 0, 4, 1 } } };
/* observationDomainId 4 (scope), exportedMessageTotalCount 8 */
static const struct tdef def_opt = { 1, 2, { { 0, 149, 4 }, { 0, 41, 8 } } };
/* octetDeltaCount 8, element 7 of PEN 4242 (2) */
static const struct tdef def_ent = { 0, 2, { { 0, 1, 8 }, { 4242, 7, 2 } } };
/* sourceTransportPort 2, destinationTransportPort 2 */
static const struct tdef def_ports = { 0, 2, { { 0, 7, 2 }, { 0, 11, 2 } } };

static void
tmpl_def(struct mb *m, uint16_t id, const struct tdef *t)
{
	uint16_t i;

	u16(m, id);
	u16(m, t->n);
	if (t->scope > 0)
		u16(m, t->scope);
	for (i = 0; i < t->n; i++) {
		u16(m, (uint16_t)(t->f[i].id |
		    (t->f[i].pen != 0 ? 0x8000 : 0)));
		u16(m, t->f[i].len);
		if (t->f[i].pen != 0)
			u32(m, t->f[i].pen);
	}
}

/* One message defining id as t at export time 'when'. */
static void
msg_def(struct mb *m, uint32_t when, uint16_t id, const struct tdef *t)
{
	mb_init(m, when, 0, 5);
	set_open(m, t->scope > 0 ? 3 : 2);
	tmpl_def(m, id, t);
	set_close(m);
}

/* A data set of n 3-byte records of tid (recs_run's). */
static void
add_data(struct mb *m, uint16_t tid, int n)
{
	set_open(m, tid);
	recs_run(m, 0, n);
	set_close(m);
}

static const struct ipfix_tmpl *
held(struct ipfix_decoder *d, uint16_t id)
{
	return ipfix_tstore_find(ipfix_decoder_templates(d), 1, 5, id);
}

/* The held template's export times, 0 when id is not held. */
static uint32_t
first_seen(struct ipfix_decoder *d, uint16_t id)
{
	const struct ipfix_tmpl *h = held(d, id);

	return h != NULL ? h->first_seen : 0;
}

static uint32_t
last_seen(struct ipfix_decoder *d, uint16_t id)
{
	const struct ipfix_tmpl *h = held(d, id);

	return h != NULL ? h->last_seen : 0;
}

/* Does the stored template id say what t says? */
static bool
held_is(struct ipfix_decoder *d, uint16_t id, const struct tdef *t)
{
	const struct ipfix_tmpl *h = held(d, id);
	uint16_t i;

	if (h == NULL || h->nfields != t->n || h->scope_count != t->scope ||
	    h->options != (t->scope > 0))
		return false;
	for (i = 0; i < t->n; i++) {
		if (h->fields[i].pen != t->f[i].pen ||
		    h->fields[i].id != t->f[i].id ||
		    h->fields[i].len != t->f[i].len)
			return false;
	}
	return true;
}

/* On every kind an identical re-send is SAME with the stored template
 * and refreshes last_seen; TCP and SCTP also note it (C48). */
static void
resend_same_kind(enum ipfix_transport_kind kind, bool note, const char *what)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	const struct ipfix_tmpl *t0;
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	CHECK(feed(d, &l, &m, kind) == 0 && l.how[0] == IPFIX_TADD_NEW,
	    "%s: first definition NEW", what);
	t0 = held(d, 256);
	msg_tmpl(&m, 200, 256, false);
	CHECK(feed(d, &l, &m, kind) == 0, "%s: re-send decoded", what);
	CHECK_STR(l.ev, note ? "MPTE" : "MTE", "%s: callbacks", what);
	CHECK(l.nhow == 1 && l.how[0] == IPFIX_TADD_SAME && l.tp[0] == t0 &&
	    held(d, 256) == t0, "%s: SAME, with the stored template", what);
	CHECK(!note || problem(&l, 0, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C48",
	    BASE + 20), "%s: C48 note at the record when TCP/SCTP", what);
	CHECK(last_seen(d, 256) == 200 &&
	    first_seen(d, 256) == 100,
	    "%s: last_seen is the re-send's export time", what);
	ipfix_decoder_free(d);
}

/* Defines id as t at 100 and re-sends it at 200 over UDP. */
static void
resend_same_def(uint16_t id, const struct tdef *t, const char *what)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	const struct ipfix_tmpl *t0;
	struct mb m;

	msg_def(&m, 100, id, t);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    l.how[0] == IPFIX_TADD_NEW && held_is(d, id, t),
	    "%s: defined", what);
	t0 = held(d, id);
	msg_def(&m, 200, id, t);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    l.how[0] == IPFIX_TADD_SAME && l.tp[0] == t0 && held(d, id) == t0,
	    "%s: identical re-send SAME", what);
	CHECK(last_seen(d, id) == 200 && first_seen(d, id) == 100,
	    "%s: last_seen refreshed", what);
	ipfix_decoder_free(d);
}

static void
test_resend_same(void)
{
	resend_same_kind(IPFIX_KIND_TCP, true, "same tcp");
	resend_same_kind(IPFIX_KIND_SCTP, true, "same sctp");
	resend_same_kind(IPFIX_KIND_UDP, false, "same udp");
	resend_same_kind(IPFIX_KIND_FILE, false, "same file");
	resend_same_def(300, &def_opt, "same options template");
	resend_same_def(400, &def_ent, "same enterprise template");
}

/* UDP lifetime 1800 s: a re-send restarts it even when matched unparsed. */
static void
test_resend_lifetime(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 1800);
	struct mb m;
	size_t s257;

	/* 256 and 257 defined at 1000; only 256 re-sent, at 2500 */
	mb_init(&m, 1000, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	tmpl_fixed(&m, 257);
	set_close(&m);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	msg_tmpl(&m, 2500, 256, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.np == 0 &&
	    l.how[0] == IPFIX_TADD_SAME, "lifetime: re-send at 2500 SAME");
	CHECK(last_seen(d, 256) == 2500 &&
	    first_seen(d, 256) == 1000 &&
	    last_seen(d, 257) == 1000,
	    "lifetime: only the re-sent template refreshed");
	mb_init(&m, 3500, 0, 5);
	add_data(&m, 256, 1);
	s257 = m.n;
	add_data(&m, 257, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0, "lifetime: at 3500");
	CHECK_STR(l.ev, "MRPE", "lifetime: 256 decodes at 3500, 257 does not");
	CHECK(problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C53",
	    BASE + s257), "lifetime: 257 expired 2500 s after its definition "
	    "(C53)");
	mb_init(&m, 4300, 1, 5);
	add_data(&m, 256, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    strcmp(l.ev, "MRE") == 0,
	    "lifetime: 256 alive 1800 s after the re-send");
	mb_init(&m, 4301, 2, 5);
	add_data(&m, 256, 1);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nrec == 0 &&
	    problem(&l, 0, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C53",
	    BASE + 16), "lifetime: 256 expired 1801 s after the re-send");
	/* an expired template re-sent unchanged comes back, as parsed */
	msg_tmpl(&m, 4400, 257, false);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    l.how[0] == IPFIX_TADD_SAME && last_seen(d, 257) == 4400,
	    "lifetime: expired template re-sent: SAME, refreshed");
	mb_init(&m, 4400, 0, 5);
	add_data(&m, 257, 2);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nrec == 2 &&
	    l.np == 0, "lifetime: and its data decodes again");
	ipfix_decoder_free(d);
}

/* Defines id as a, re-sends a (SAME), then b over UDP (no notes): b is
 * CHANGED and stored. */
static void
expect_changed(uint16_t id, const struct tdef *a, const struct tdef *b,
    const char *what)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_def(&m, 100, id, a);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    l.how[0] == IPFIX_TADD_NEW, "%s: defined", what);
	msg_def(&m, 200, id, a);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    l.how[0] == IPFIX_TADD_SAME, "%s: identical re-send SAME", what);
	msg_def(&m, 300, id, b);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 && l.nhow == 1 &&
	    l.how[0] == IPFIX_TADD_CHANGED, "%s: CHANGED", what);
	CHECK(held_is(d, id, b) && l.tp[0] == held(d, id) &&
	    first_seen(d, id) == 300, "%s: the new definition stored",
	    what);
	ipfix_decoder_free(d);
}

static void
test_resend_changed(void)
{
	static const struct tdef len1 = { 0, 2,
	    { { 0, 7, 1 }, { 0, 4, 1 } } };
	static const struct tdef id11 = { 0, 2,
	    { { 0, 11, 2 }, { 0, 4, 1 } } };
	static const struct tdef more = { 0, 3,
	    { { 0, 7, 2 }, { 0, 4, 1 }, { 0, 11, 2 } } };
	static const struct tdef opt1 = { 1, 2,
	    { { 0, 7, 2 }, { 0, 4, 1 } } };
	static const struct tdef plain = { 0, 2,
	    { { 0, 149, 4 }, { 0, 41, 8 } } };
	static const struct tdef scope2 = { 2, 2,
	    { { 0, 149, 4 }, { 0, 41, 8 } } };
	static const struct tdef pen2 = { 0, 2,
	    { { 0, 1, 8 }, { 4243, 7, 2 } } };
	static const struct tdef iana = { 0, 2,
	    { { 0, 1, 8 }, { 0, 7, 2 } } };
	/* octetDeltaCount 4, octetDeltaCount 2 */
	static const struct tdef plain_bytes = { 0, 2,
	    { { 0, 1, 4 }, { 0, 1, 2 } } };
	/* scope 1: protocolIdentifier 1, packetDeltaCount 8 */
	static const struct tdef opt_bytes = { 1, 2,
	    { { 0, 4, 1 }, { 0, 2, 8 } } };

	expect_changed(256, &def_plain, &len1, "changed: field length");
	expect_changed(256, &def_plain, &id11, "changed: field id");
	expect_changed(256, &def_plain, &more, "changed: one field more");
	expect_changed(256, &more, &def_plain, "changed: one field less");
	expect_changed(256, &def_plain, &opt1, "changed: plain to options");
	expect_changed(300, &def_opt, &plain, "changed: options to plain");
	expect_changed(300, &def_opt, &scope2, "changed: scope count");
	expect_changed(400, &def_ent, &pen2, "changed: PEN");
	expect_changed(400, &def_ent, &iana, "changed: PEN to IANA");
	/* opt_bytes' record is plain_bytes' with 2 more bytes: matched
	 * against the held plain template, an options set's record would
	 * look identical */
	expect_changed(256, &plain_bytes, &opt_bytes,
	    "changed: options record starting with the plain one's bytes");
}

static void
withdraw_rec(struct mb *m, uint16_t id)
{
	u16(m, id);
	u16(m, 0);
}

/* TCP: a re-send after a withdrawal of the same id in the same message
 * defines the template anew, whatever the store held before. */
static void
test_resend_after_withdrawal(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	mb_init(&m, 300, 0, 5);
	set_open(&m, 2);
	withdraw_rec(&m, 256);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0, "withdrawn: decoded");
	CHECK_STR(l.ev, "MWTE", "withdrawn in the same set: no C48 note");
	CHECK(l.removed == 1 && l.how[0] == IPFIX_TADD_NEW &&
	    l.tp[0] == held(d, 256) && first_seen(d, 256) == 300,
	    "withdrawn in the same set: NEW, first_seen 300");
	mb_init(&m, 400, 0, 5);
	set_open(&m, 2);
	withdraw_rec(&m, 256);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MWTE") == 0 && l.how[0] == IPFIX_TADD_NEW &&
	    first_seen(d, 256) == 400,
	    "withdrawn in an earlier set: NEW");
	mb_init(&m, 500, 0, 5);
	set_open(&m, 2);
	withdraw_rec(&m, 2);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MWTE") == 0 && l.how[0] == IPFIX_TADD_NEW &&
	    first_seen(d, 256) == 500, "all withdrawn (id 2): NEW");
	/* withdrawing another id does not make the re-send new */
	msg_tmpl(&m, 600, 257, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	mb_init(&m, 700, 0, 5);
	set_open(&m, 2);
	withdraw_rec(&m, 257);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MWPTE") == 0 && l.removed == 1 &&
	    l.how[0] == IPFIX_TADD_SAME && first_seen(d, 256) == 500 &&
	    last_seen(d, 256) == 700,
	    "257 withdrawn, then 256 re-sent: SAME (C48)");
	ipfix_decoder_free(d);
	/* over UDP the withdrawal is ignored (C50): the re-send stays SAME */
	d = newdec(&l, false, 0, 0);
	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	mb_init(&m, 200, 0, 5);
	set_open(&m, 2);
	withdraw_rec(&m, 256);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0 &&
	    strcmp(l.ev, "MPWTE") == 0 && l.how[0] == IPFIX_TADD_SAME &&
	    first_seen(d, 256) == 100 && last_seen(d, 256) == 200,
	    "udp: withdrawal ignored, re-send SAME");
	ipfix_decoder_free(d);
}

/* Data around an identical re-send decodes with the held template. */
static void
test_resend_then_data(void)
{
	struct log l;
	struct rlog r;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct ipfix_decoder *rd = newdec_run(&r, false);
	struct mb m;
	size_t rec0, rec1;

	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_UDP);
	mb_init(&m, 200, 0, 5);
	set_open(&m, 256);
	rec0 = m.n;
	rec_fixed(&m, 53, 17);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec1 = m.n;
	rec_fixed(&m, 80, 6);
	rec_fixed(&m, 443, 6);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_UDP) == 0, "resend + data: decoded");
	CHECK_STR(l.ev, "MRTRRE", "resend + data: records on both sides");
	CHECK(l.how[0] == IPFIX_TADD_SAME && l.nrec == 3 &&
	    l.rec_off[0] == BASE + rec0 && l.rec_off[1] == BASE + rec1 &&
	    l.rec_off[2] == BASE + rec1 + 3, "resend + data: record offsets");
	CHECK(stats(d, 5).records == 3 && stats(d, 5).next_seq == 3,
	    "resend + data: 3 records counted");
	/* the same as one run (TCP: with the C48 note) */
	msg_tmpl(&m, 100, 256, false);
	(void)feed_run(rd, &r, &m, true);
	mb_init(&m, 200, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 256);
	rec0 = m.n;
	recs_run(&m, 0, 4);
	set_close(&m);
	CHECK(feed_run(rd, &r, &m, true) == 0, "resend + run: decoded");
	CHECK_STR(r.l.ev, "MPTNE", "resend + run: C48, SAME, one run");
	CHECK(r.l.how[0] == IPFIX_TADD_SAME && r.calls == 1 && r.n[0] == 4 &&
	    r.tid[0] == 256 && r.off[0] == BASE + rec0 &&
	    rec_is(r.first[0], 1000, 0) && rec_is(r.last[0], 1003, 3),
	    "resend + run: the 4 records of 256");
	ipfix_decoder_free(d);
	ipfix_decoder_free(rd);
}

/* Several re-sends of one id in a message, each compared with what is
 * held by the time it is applied. */
static void
test_resend_twice(void)
{
	struct log l;
	struct ipfix_decoder *d = newdec(&l, false, 0, 0);
	struct mb m;

	msg_tmpl(&m, 100, 256, false);
	feed(d, &l, &m, IPFIX_KIND_TCP);
	mb_init(&m, 200, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MPTPTE") == 0, "twice in a set: decoded");
	CHECK(l.nhow == 2 && l.how[0] == IPFIX_TADD_SAME &&
	    l.how[1] == IPFIX_TADD_SAME && l.tp[0] == held(d, 256) &&
	    l.tp[1] == held(d, 256), "twice in a set: SAME, SAME");
	CHECK(problem(&l, 0, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C48",
	    BASE + 20) && problem(&l, 1, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE,
	    "C48", BASE + 32), "twice in a set: C48 at each record");
	mb_init(&m, 300, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 && l.nhow == 2 &&
	    l.how[0] == IPFIX_TADD_SAME && l.how[1] == IPFIX_TADD_SAME &&
	    problem(&l, 1, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C48",
	    BASE + 36) && last_seen(d, 256) == 300,
	    "twice in two sets: SAME, SAME");
	/* a new id sent twice: NEW, then SAME */
	mb_init(&m, 400, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 257);
	tmpl_fixed(&m, 257);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MTPTE") == 0 && l.how[0] == IPFIX_TADD_NEW &&
	    l.how[1] == IPFIX_TADD_SAME && problem(&l, 0, IPFIX_SEV_NOTE,
	    IPFIX_E_TEMPLATE, "C48", BASE + 32),
	    "new, then re-sent: NEW, SAME");
	/* the held definition after another one: two redefinitions */
	mb_init(&m, 500, 0, 5);
	set_open(&m, 2);
	tmpl_var(&m, 256);
	tmpl_fixed(&m, 256);
	set_close(&m);
	CHECK(feed(d, &l, &m, IPFIX_KIND_TCP) == 0 &&
	    strcmp(l.ev, "MPTPTE") == 0 && l.how[0] == IPFIX_TADD_CHANGED &&
	    l.how[1] == IPFIX_TADD_CHANGED && problem(&l, 1, IPFIX_SEV_WARN,
	    IPFIX_E_TEMPLATE, NULL, BASE + 32),
	    "other, then the held one again: CHANGED, CHANGED");
	CHECK(held_is(d, 256, &def_plain) && first_seen(d, 256) == 500,
	    "other, then the held one again: the last one stored");
	ipfix_decoder_free(d);
}

/* ipfix_decoder_runs ------------------------------------------------------ */

/* n 4-byte records of def_ports: ports 2000 + first + i and 53. */
static void
recs4(struct mb *m, int first, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		u16(m, (uint16_t)(2000 + first + i));
		u16(m, 53);
	}
}

/* The message as a forwarder names it: session 1, stream 0, at BASE. */
static size_t
runs(struct ipfix_decoder *d, struct rlog *r, struct mb *m, size_t len,
    enum ipfix_transport_kind kind, struct ipfix_msg_ctx *mc,
    struct ipfix_run *rv, size_t cap)
{
	memset(r, 0, sizeof(*r));
	memset(mc, 0, sizeof(*mc));
	mc->msg = m->b;
	mc->len = len;
	mc->offset = BASE;
	mc->session = 1;
	mc->kind = kind;
	return ipfix_decoder_runs(d, mc, rv, cap);
}

static void
count_dom(const struct ipfix_domain_stats *st, void *arg)
{
	(void)st;
	(*(size_t *)arg)++;
}

static size_t
ndomains(struct ipfix_decoder *d)
{
	size_t n = 0;

	ipfix_decoder_foreach_domain(d, count_dom, &n);
	return n;
}

static bool
same_stats(const struct ipfix_domain_stats *a,
    const struct ipfix_domain_stats *b)
{
	return a->messages == b->messages && a->records == b->records &&
	    a->records_no_template == b->records_no_template &&
	    a->lost == b->lost && a->seq_out_of_order == b->seq_out_of_order &&
	    a->malformed == b->malformed && a->seq_known == b->seq_known &&
	    a->next_seq == b->next_seq;
}

/*
 * ipfix_decoder_runs must decline m (len bytes): no runs, no callback,
 * nothing counted, no domain made. Then, when recs >= 0, the message is
 * fed to show it was well-formed: it decodes with recs records.
 */
static void
expect_decline(struct ipfix_decoder *d, struct rlog *r, struct mb *m,
    size_t len, enum ipfix_transport_kind kind, size_t cap, int recs,
    const char *what)
{
	struct ipfix_domain_stats a = stats(d, 5), b;
	struct ipfix_run rv[IPFIX_RUNS_MAX];
	struct ipfix_msg_ctx mc;
	size_t nd = ndomains(d), nt = ntmpl(d);
	struct ipfix_err err;

	CHECK_EQ_U(runs(d, r, m, len, kind, &mc, rv, cap), 0,
	    "%s: declined", what);
	CHECK(r->l.nev == 0 && r->calls == 0, "%s: no callback (%s)", what,
	    r->l.ev);
	b = stats(d, 5);
	CHECK(same_stats(&a, &b) && ndomains(d) == nd && ntmpl(d) == nt,
	    "%s: nothing counted", what);
	if (recs < 0)
		return;
	memset(r, 0, sizeof(*r));
	CHECK(ipfix_decoder_feed(d, m->b, len, 1, kind, BASE, &err) == 0 &&
	    stats(d, 5).records == b.records + (uint64_t)recs &&
	    stats(d, 5).messages == b.messages + 1,
	    "%s: fed instead, %d records", what, recs);
}

static void
test_runs_taken(void)
{
	static const uint16_t tid[4] = { 256, 257, 256, 257 };
	static const int want[4] = { 2, 3, 1, 1 };
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_run rv[IPFIX_RUNS_MAX];
	struct ipfix_msg_ctx mc;
	struct ipfix_domain_stats st;
	struct mb m;
	size_t at[4], len, i, n;
	bool ok = true;

	/* 256: 3-byte records, 257: 4-byte */
	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	tmpl_def(&m, 257, &def_ports);
	set_close(&m);
	(void)feed_run(d, &r, &m, false);
	/* sets alternate between the two */
	mb_init(&m, 150, 0, 5);
	for (i = 0; i < 4; i++) {
		at[i] = m.n;
		set_open(&m, tid[i]);
		if (tid[i] == 256)
			recs_run(&m, (int)i * 10, want[i]);
		else
			recs4(&m, (int)i * 10, want[i]);
		set_close(&m);
	}
	len = mb_done(&m);
	n = runs(d, &r, &m, len, IPFIX_KIND_TCP, &mc, rv, IPFIX_RUNS_MAX);
	CHECK_EQ_U(n, 4, "runs: four sets, four runs");
	CHECK(r.l.nev == 0 && r.calls == 0, "runs: no callback (%s)", r.l.ev);
	for (i = 0; i < n && i < 4; i++)
		ok = ok && rv[i].t == held(d, tid[i]) &&
		    rv[i].n == (uint32_t)want[i] &&
		    rv[i].p == m.b + at[i] + 4 &&
		    rv[i].offset == BASE + at[i] + 4;
	CHECK(ok, "runs: template, count, set body and first record's "
	    "offset of each set");
	CHECK(n == 4 && rv[0].t->min_len == 3 && rv[1].t->min_len == 4 &&
	    rec_is(rv[0].p + 3, 1001, 1) && ipfix_be16(rv[1].p + 8) == 2012 &&
	    rec_is(rv[2].p, 1020, 0), "runs: the records' bytes");
	CHECK(mc.hdr.seq == 0 && mc.hdr.odid == 5 &&
	    mc.hdr.export_time == 150 && mc.hdr.length == len,
	    "runs: m->hdr is the message's header");
	st = stats(d, 5);
	CHECK(st.messages == 2 && st.records == 7 && st.next_seq == 7 &&
	    st.lost == 0, "runs: counted as a feed counts it");
	/* fed next: in sequence, so silent */
	msg_data(&m, 7, 1);
	CHECK(feed_run(d, &r, &m, false) == 0 && r.l.np == 0 &&
	    stats(d, 5).next_seq == 8, "runs: next message fed, no C09");
	mb_init(&m, 150, 8, 5);
	add_data(&m, 256, 2);
	CHECK(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 1) == 1 &&
	    rv[0].n == 2 && r.l.nev == 0 && stats(d, 5).next_seq == 10,
	    "runs: one set with cap 1, sequence at 10");
	/* fed after a gap of 3 */
	msg_data(&m, 13, 1);
	CHECK(feed_run(d, &r, &m, false) == 0 &&
	    problem(&r.l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C09", BASE + 8) &&
	    strstr(r.l.p[0].reason, "expected 10: 3 records lost") != NULL,
	    "runs: a later gap is counted from the runs' end (C09)");
	st = stats(d, 5);
	CHECK(st.lost == 3 && st.messages == 5 && st.records == 11 &&
	    st.next_seq == 14, "runs: 3 lost, 5 messages, 11 records");
	ipfix_decoder_free(d);
}

/* Three templates: the one two runs back is not always the one wanted. */
static void
test_runs_three(void)
{
	static const struct tdef octets = { 0, 1, { { 0, 1, 8 } } };
	static const uint16_t tid[4] = { 256, 257, 259, 256 };
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_run rv[IPFIX_RUNS_MAX];
	struct ipfix_msg_ctx mc;
	struct mb m;
	size_t i, n;
	bool ok = true;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	tmpl_def(&m, 257, &def_ports);
	tmpl_def(&m, 259, &octets);
	set_close(&m);
	(void)feed_run(d, &r, &m, false);
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	set_open(&m, 257);
	recs4(&m, 0, 1);
	set_close(&m);
	set_open(&m, 259);
	u32(&m, 0);
	u32(&m, 1500);
	set_close(&m);
	add_data(&m, 256, 1);
	n = runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 4);
	CHECK_EQ_U(n, 4, "runs three: four runs");
	for (i = 0; i < n && i < 4; i++)
		ok = ok && rv[i].t == held(d, tid[i]) && rv[i].n == 1;
	CHECK(ok, "runs three: 256, 257, 259, 256, one record each");
	CHECK(n == 4 && rv[2].t->min_len == 8 && ipfix_be32(rv[2].p + 4) ==
	    1500, "runs three: 259's 8-byte record");
	CHECK(stats(d, 5).records == 4 && stats(d, 5).next_seq == 4,
	    "runs three: 4 records counted");
	ipfix_decoder_free(d);
}

/* Messages built for the declines: 256 fixed, 258 varlen held. */
static void
runs_declined_sets(struct ipfix_decoder *d, struct rlog *r)
{
	struct mb m;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	add_data(&m, 256, 2);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 2,
	    "decline: template set");
	mb_init(&m, 100, 0, 5);
	set_open(&m, 256);
	recs_run(&m, 0, 2);
	u8(&m, 0);
	set_close(&m);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 2,
	    "decline: a byte of padding");
	mb_init(&m, 100, 0, 5);
	/* 6 bytes: two records of min_len 3 if the varlen were ignored */
	set_open(&m, 258);
	u16(&m, 80);
	u8(&m, 3);
	u8(&m, 'a');
	u8(&m, 'b');
	u8(&m, 'c');
	set_close(&m);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 1,
	    "decline: variable-length template");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	add_data(&m, 999, 1);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 1,
	    "decline: unknown template 999");
	mb_init(&m, 100, 0, 5);
	set_open(&m, 4);
	u32(&m, 0);
	set_close(&m);
	add_data(&m, 256, 1);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 1,
	    "decline: reserved set id 4");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	set_open(&m, 256);
	set_close(&m);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 1,
	    "decline: empty data set");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	add_data(&m, 256, 1);
	add_data(&m, 256, 1);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 2, -1,
	    "decline: 3 sets, cap 2");
}

/* Headers and framing that ipfix_decoder_feed would call malformed. */
static void
runs_declined_framing(struct ipfix_decoder *d, struct rlog *r)
{
	struct mb m;
	size_t len;

	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 2);
	len = mb_done(&m);
	m.b[1] = 9;
	expect_decline(d, r, &m, len, IPFIX_KIND_TCP, 4, -1,
	    "decline: version 9");
	m.b[1] = 10;
	expect_decline(d, r, &m, len + 4, IPFIX_KIND_TCP, 4, -1,
	    "decline: 4 bytes more than the header length");
	expect_decline(d, r, &m, len - 1, IPFIX_KIND_TCP, 4, -1,
	    "decline: 1 byte less than the header length");
	expect_decline(d, r, &m, 12, IPFIX_KIND_TCP, 4, -1,
	    "decline: 12 bytes");
	/* the bytes past the header length frame as one more set */
	add_data(&m, 256, 1);
	expect_decline(d, r, &m, m.n, IPFIX_KIND_TCP, 4, -1,
	    "decline: a whole set past the header length");
	mb_init(&m, 100, 0, 5);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 0,
	    "decline: header only");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	ipfix_put16(m.b + m.set + 2, 9);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, -1,
	    "decline: set past the message");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	u16(&m, 256);
	expect_decline(d, r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, -1,
	    "decline: 2 bytes after the last set");
}

static void
test_runs_declined(void)
{
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_decoder *cv = newdec_run(&r, true);
	struct ipfix_decoder_config cfg;
	struct ipfix_run rv[4];
	struct ipfix_msg_ctx mc;
	struct mb m;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	tmpl_var(&m, 258);
	set_close(&m);
	(void)feed_run(d, &r, &m, false);
	(void)feed_run(cv, &r, &m, false);
	runs_declined_sets(d, &r);
	runs_declined_framing(d, &r);
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 1);
	add_data(&m, 256, 1);
	add_data(&m, 256, 1);
	CHECK_EQ_U(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 3), 3,
	    "decline: but 3 sets with cap 3 taken");
	mb_init(&m, 100, 0, 5);
	add_data(&m, 256, 2);
	expect_decline(cv, &r, &m, mb_done(&m), IPFIX_KIND_TCP, 4, 2,
	    "decline: decoder checks values");
	CHECK_EQ_U(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 4), 1,
	    "decline: but taken by a decoder that does not");
	ipfix_decoder_free(d);
	ipfix_decoder_free(cv);
	/* UDP: a template past its lifetime is not held (fed: C53) */
	memset(&cfg, 0, sizeof(cfg));
	cfg.limits.udp_lifetime = 1800;
	d = ipfix_decoder_new(&cfg, &run_ops, &r);
	msg_tmpl(&m, 1000, 256, false);
	ipfix_decoder_feed(d, m.b, mb_done(&m), 1, IPFIX_KIND_UDP, BASE, NULL);
	mb_init(&m, 2800, 0, 5);
	add_data(&m, 256, 1);
	CHECK_EQ_U(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_UDP, &mc, rv, 4), 1,
	    "runs udp: template alive 1800 s after its definition");
	mb_init(&m, 2801, 1, 5);
	add_data(&m, 256, 1);
	expect_decline(d, &r, &m, mb_done(&m), IPFIX_KIND_UDP, 4, 0,
	    "decline: udp template expired");
	ipfix_decoder_free(d);
}

/* Sequence problems found by the runs path itself go to on_problem. */
static void
test_runs_problems(void)
{
	struct rlog r;
	struct ipfix_decoder *d = newdec_run(&r, false);
	struct ipfix_run rv[4];
	struct ipfix_msg_ctx mc;
	struct ipfix_domain_stats st;
	struct mb m;

	mb_init(&m, 100, 0, 5);
	set_open(&m, 2);
	tmpl_fixed(&m, 256);
	set_close(&m);
	add_data(&m, 256, 2);
	(void)feed_run(d, &r, &m, false);
	/* 2 records fed, so 5 is a gap of 3 */
	mb_init(&m, 100, 5, 5);
	add_data(&m, 256, 3);
	CHECK_EQ_U(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 4), 1,
	    "runs gap: taken");
	CHECK_STR(r.l.ev, "P", "runs gap: on_problem, no other callback");
	CHECK(r.l.np == 1 && problem(&r.l, 0, IPFIX_SEV_WARN, IPFIX_E_RECORD,
	    "C09", BASE + 8) && r.l.p[0].session == 1 && r.l.p[0].odid == 5 &&
	    strstr(r.l.p[0].reason, "3 records lost") != NULL,
	    "runs gap: C09, 3 lost, at the sequence number");
	st = stats(d, 5);
	CHECK(st.lost == 3 && st.next_seq == 8 && st.messages == 2 &&
	    st.records == 5, "runs gap: 3 lost, next 8");
	mb_init(&m, 100, 1, 5);
	add_data(&m, 256, 1);
	CHECK(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 4) == 1 &&
	    strcmp(r.l.ev, "P") == 0 && problem(&r.l, 0, IPFIX_SEV_WARN,
	    IPFIX_E_RECORD, "C10", BASE + 8), "runs: message behind (C10)");
	st = stats(d, 5);
	CHECK(st.seq_out_of_order == 1 && st.next_seq == 8 && st.lost == 3,
	    "runs: expectation kept at 8");
	mb_init(&m, 100, 8, 5);
	add_data(&m, 256, 1);
	CHECK(runs(d, &r, &m, mb_done(&m), IPFIX_KIND_TCP, &mc, rv, 4) == 1 &&
	    r.l.nev == 0 && stats(d, 5).next_seq == 9,
	    "runs: in sequence again, silent");
	ipfix_decoder_free(d);
}

int
main(void)
{
	test_basic();
	test_malformed();
	test_quirks_tolerated();
	test_quirks_strict();
	test_message_padding();
	test_skipped_sets();
	test_order_and_padding();
	test_template_rules_tcp();
	test_template_rules_udp_file();
	test_withdraw_in_message();
	test_odid_and_cap();
	test_check_values();
	test_sequence();
	test_sctp_streams();
	test_on_records_taken();
	test_on_records_declined();
	test_on_records_not_offered();
	test_resend_same();
	test_resend_lifetime();
	test_resend_changed();
	test_resend_after_withdrawal();
	test_resend_then_data();
	test_resend_twice();
	test_runs_taken();
	test_runs_three();
	test_runs_declined();
	test_runs_problems();
	note_speed();
	TEST_DONE();
}
