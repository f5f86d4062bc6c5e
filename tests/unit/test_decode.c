/*
 * test_decode: the collector rules of RFC 7011 §8-9 as the decoder applies
 * them, on hand-built messages: every malformation (whole message dropped,
 * nothing but on_problem called, store unchanged, check id and offset),
 * every warning, the template rules per transport kind, sequence numbers,
 * and a timing note (never a pass/fail on time).
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
	(void)t;
	(void)offset;
	if (l->nhow < 8)
		l->how[l->nhow++] = (int)how;
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

static void
test_malformed(void)
{
	struct ipfix_decoder *d = newdec(&mlog, false, 0, 0);

	test_malformed_framing(d);
	test_malformed_templates(d);
	test_malformed_records(d);
	CHECK(stats(d, 0).malformed == 12 && stats(d, 5).malformed == 1,
	    "unknown ODID counted under 0, known ODID under itself");
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

int
main(void)
{
	test_basic();
	test_malformed();
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
	note_speed();
	TEST_DONE();
}
