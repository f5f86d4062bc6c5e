/*
 * test_collector: the Collecting Process fed by hand (no sockets): two
 * sessions with colliding template ids and ODIDs merged into one stream
 * that decodes to each session's records, session and message details,
 * malformed input per transport, loss, template caps, withdrawals,
 * compressed frames, --split byte-exactness and reopen, and the fast path
 * of data-only messages (same records and counters, loss included, as a
 * decoder that checks values and so takes every message the long way).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filehelp.h"
#include "testhelp.h"
#include "collector.h"
#include "compress.h"
#include "msg.h"
#include "stream.h"

struct tmsg {
	uint8_t b[2048];
	size_t n;
};

/* A template of nf fields (id, len pairs) with id tid. */
static struct ipfix_tmpl *
mk_tmpl(uint16_t tid, const uint16_t *f, uint16_t nf)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(tid, nf, 0);

	for (uint16_t i = 0; i < nf; i++) {
		t->fields[i].id = f[2 * i];
		t->fields[i].len = f[2 * i + 1];
	}
	ipfix_tmpl_finish(t);
	return t;
}

static const uint16_t fa[] = { 8, 4, 1, 8 };	/* srcIPv4, octets */
static const uint16_t fb[] = { 2, 8 };		/* packets */

/* A message with (optionally) template t and nrec records of it. */
static void
mk_msg(struct tmsg *m, uint32_t odid, uint32_t seq, struct ipfix_tmpl *t,
    bool with_tmpl, int nrec, uint8_t fill)
{
	struct ipfix_builder b;
	uint8_t rec[64];

	ipfix_builder_init(&b, m->b, sizeof(m->b), odid, 1700000000, seq);
	if (with_tmpl)
		(void)ipfix_builder_add_template(&b, t, NULL);
	for (int i = 0; i < nrec; i++) {
		memset(rec, fill + i, t->min_len);
		(void)ipfix_builder_add_record(&b, t->id, rec, t->min_len,
		    NULL);
	}
	m->n = ipfix_builder_finish(&b);
}

static void
peer(struct ipfix_collector_peer *p, const char *ip, uint16_t port,
    uint8_t proto)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&p->exporter;
	struct sockaddr_in *c = (struct sockaddr_in *)&p->collector;

	memset(p, 0, sizeof(*p));
	a->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &a->sin_addr);
	a->sin_port = htons(port);
	c->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.100", &c->sin_addr);
	c->sin_port = htons(4739);
	p->proto = proto;
}

/* Reading the output back ------------------------------------------------ */

struct readback {
	unsigned recs[4];	/* by first field: 8 (A), 2 (B), other */
	unsigned msgdet, sessdet, warn, malformed, messages;
	uint8_t first_byte[2];	/* A's and B's first record byte */
};

static void
rb_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct readback *rb = arg;

	(void)m;
	if (t->id == IPFIX_SESSOUT_TID_MSG4)
		rb->msgdet++;
	else if (t->id == IPFIX_SESSOUT_TID_SESS4)
		rb->sessdet++;
	else if (t->fields[0].id == 8) {
		if (rb->recs[0]++ == 0)
			rb->first_byte[0] = r->p[0];
	} else if (t->fields[0].id == 2) {
		if (rb->recs[1]++ == 0)
			rb->first_byte[1] = r->p[0];
	} else
		rb->recs[2]++;
}

static void
rb_problem(void *arg, const struct ipfix_problem *p)
{
	struct readback *rb = arg;

	if (p->severity == IPFIX_SEV_MALFORMED)
		rb->malformed++;
	else if (p->severity == IPFIX_SEV_WARN) {
		rb->warn++;
		printf("#   readback: %s\n", p->reason);
	}
}

static void
rb_message(void *arg, const struct ipfix_msg_ctx *m)
{
	(void)m;
	((struct readback *)arg)->messages++;
}

static void
read_back(const char *path, struct readback *rb)
{
	static const struct ipfix_decoder_ops ops = {
		.on_record = rb_record, .on_problem = rb_problem,
		.on_message = rb_message,
	};

	memset(rb, 0, sizeof(*rb));
	test_decode_file(path, &ops, rb);
}

/* Tests ---------------------------------------------------------------- */

static struct ipfix_collector *
new_col(const char *out, const char *split, size_t max_templates)
{
	struct ipfix_collector_config cfg;
	struct ipfix_err err;
	struct ipfix_collector *col;

	memset(&cfg, 0, sizeof(cfg));
	cfg.out.path = out;
	cfg.out.split_dir = split;
	cfg.max_templates = max_templates;
	col = ipfix_collector_new(&cfg, NULL, &err);
	if (col == NULL)
		printf("#   %s\n", err.reason);
	return col;
}

static void
test_merge(const char *dir)
{
	char path[512];
	struct ipfix_collector *col;
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *ta = mk_tmpl(256, fa, 2), *tb = mk_tmpl(256, fb, 1);
	struct tmsg m;
	struct readback rb;
	uint32_t a, b;

	snprintf(path, sizeof(path), "%s/merged.ipfix", dir);
	col = new_col(path, NULL, 0);
	CHECK(col != NULL, "collector opens its output");
	peer(&p, "10.0.0.1", 1000, IPPROTO_UDP);
	a = ipfix_collector_open(col, &p, NULL);
	peer(&p, "10.0.0.2", 2000, IPPROTO_TCP);
	b = ipfix_collector_open(col, &p, NULL);
	CHECK(a == 1 && b == 2, "sessions get ids 1 and 2");
	mk_msg(&m, 7, 0, ta, true, 3, 0x10);
	CHECK(ipfix_collector_feed(col, a, m.b, m.n, 0, NULL) == 0, "A fed");
	mk_msg(&m, 7, 0, tb, true, 2, 0x20);
	CHECK(ipfix_collector_feed(col, b, m.b, m.n, 0, NULL) == 0, "B fed");
	mk_msg(&m, 7, 3, ta, false, 4, 0x30);
	CHECK(ipfix_collector_feed(col, a, m.b, m.n, 0, NULL) == 0,
	    "A's data without template fed");
	CHECK(ipfix_collector_free(col, NULL) == 0, "collector closes");
	read_back(path, &rb);
	CHECK_EQ_U(rb.recs[0], 7, "A's 7 records decode with A's template");
	CHECK_EQ_U(rb.recs[1], 2, "B's 2 records decode with B's template");
	CHECK_EQ_U(rb.recs[2], 0, "no record under a wrong template");
	CHECK_EQ_U(rb.first_byte[0], 0x10, "A's first record intact");
	CHECK_EQ_U(rb.first_byte[1], 0x20, "B's first record intact");
	CHECK_EQ_U(rb.sessdet, 2, "one Export Session Details per session");
	CHECK(rb.msgdet >= 3, "Message Details in every data message (%u)",
	    rb.msgdet);
	CHECK_EQ_U(rb.warn + rb.malformed, 0,
	    "output reads as one clean session (sequence numbers too)");
	ipfix_tmpl_free(ta);
	ipfix_tmpl_free(tb);
}

static void
test_malformed_loss(void)
{
	struct ipfix_collector *col = new_col("/dev/null", NULL, 0);
	struct ipfix_collector_peer p;
	struct ipfix_collector_totals tot;
	struct ipfix_tmpl *ta = mk_tmpl(300, fa, 2);
	struct tmsg m;
	uint8_t junk[40];
	uint32_t u, t;

	peer(&p, "10.0.0.3", 3000, IPPROTO_UDP);
	u = ipfix_collector_open(col, &p, NULL);
	peer(&p, "10.0.0.4", 4000, IPPROTO_TCP);
	t = ipfix_collector_open(col, &p, NULL);
	memset(junk, 0xab, sizeof(junk));
	CHECK(ipfix_collector_feed(col, u, junk, sizeof(junk), 0, NULL) == -1,
	    "garbage over UDP: message dropped");
	CHECK(ipfix_collector_feed(col, t, junk, sizeof(junk), 0, NULL) == -2,
	    "garbage over TCP: session must close");
	ipfix_collector_close(col, t, NULL);
	mk_msg(&m, 1, 0, ta, true, 2, 1);
	CHECK(ipfix_collector_feed(col, u, m.b, m.n, 0, NULL) == 0,
	    "UDP session still served after garbage");
	mk_msg(&m, 1, 12, ta, false, 3, 1);	/* 10 records missing */
	(void)ipfix_collector_feed(col, u, m.b, m.n, 0, NULL);
	CHECK(ipfix_collector_feed(col, t, m.b, m.n, 0, NULL) == -1,
	    "closed session refuses messages");
	ipfix_collector_totals(col, &tot);
	CHECK_EQ_U(tot.c.lost, 10, "sequence gap counted as 10 lost records");
	CHECK_EQ_U(tot.c.malformed, 2, "two malformed messages counted");
	CHECK_EQ_U(tot.c.records, 5, "5 records decoded");
	CHECK_EQ_U(tot.sessions_open, 1, "one session still open");
	(void)ipfix_collector_free(col, NULL);
	ipfix_tmpl_free(ta);
}

static void
count_exp(const struct ipfix_collector_exp_stats *e, void *arg)
{
	(*(unsigned *)arg) += e->sessions;
}

static void
last_prev(const struct ipfix_collector_sess_stats *s, void *arg)
{
	*(uint32_t *)arg = s->prev;
}

static void
test_association(void)
{
	struct ipfix_collector *col = new_col("/dev/null", NULL, 0);
	struct ipfix_collector_peer p;
	unsigned n = 0;
	uint32_t a, b, prev = 0;

	peer(&p, "10.0.0.5", 5000, IPPROTO_TCP);
	a = ipfix_collector_open(col, &p, NULL);
	ipfix_collector_close(col, a, NULL);
	peer(&p, "10.0.0.5", 5001, IPPROTO_TCP);
	b = ipfix_collector_open(col, &p, NULL);
	ipfix_collector_foreach_exporter(col, count_exp, &n);
	ipfix_collector_foreach_session(col, last_prev, &prev);
	CHECK_EQ_U(n, 2, "two sessions counted under their exporter");
	CHECK_EQ_U(prev, 0, "a session without messages follows none "
	    "(%u after %u)", b, a);
	(void)ipfix_collector_free(col, NULL);
}

/* An RFC 7011 §4.1 record: observationDomainId (scope), exported
 * messages, records and octets, as ipfix-send sends after a hand-off. */
static void
mk_stats_msg(struct tmsg *m, uint32_t odid, uint64_t exported)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(400, 4, 1);
	static const uint16_t ids[] = { 149, 41, 42, 40 };
	struct ipfix_builder b;
	uint8_t rec[28] = { 0 };

	for (int i = 0; i < 4; i++) {
		t->fields[i].id = ids[i];
		t->fields[i].len = i == 0 ? 4 : 8;
	}
	ipfix_tmpl_finish(t);
	ipfix_put32(rec, odid);
	ipfix_put64(rec + 12, exported);
	ipfix_builder_init(&b, m->b, sizeof(m->b), odid, 1700000000, 0);
	(void)ipfix_builder_add_template(&b, t, NULL);
	(void)ipfix_builder_add_record(&b, 400, rec, sizeof(rec), NULL);
	m->n = ipfix_builder_finish(&b);
	ipfix_tmpl_free(t);
}

static void
get_exp(const struct ipfix_collector_exp_stats *e, void *arg)
{
	*(struct ipfix_collector_exp_stats *)arg = *e;
}

/* One exporter: session 1 delivers 3 records; session 2 says 5 were
 * exported before it (a hand-off: 2 lost between) and delivers 2;
 * session 3 has no statistics (a restart: a new count) and delivers 3;
 * session 4 says 2 were exported since the restart: 1 duplicated. */
static void
test_association_chain(void)
{
	struct ipfix_collector *col = new_col("/dev/null", NULL, 0);
	struct ipfix_collector_exp_stats e;
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *t = mk_tmpl(256, fb, 1);
	int nrec[4] = { 3, 2, 3, 1 };
	int64_t exported[4] = { -1, 5, -1, 2 };
	uint32_t id;
	struct tmsg m;

	for (int i = 0; i < 4; i++) {
		peer(&p, "10.0.0.20", (uint16_t)(100 + i), IPPROTO_TCP);
		p.identity = "psk=exp1";
		id = ipfix_collector_open(col, &p, NULL);
		if (exported[i] >= 0) {
			mk_stats_msg(&m, 7, (uint64_t)exported[i]);
			(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
		}
		mk_msg(&m, 7, 0, t, true, nrec[i], 0);
		(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
		ipfix_collector_close(col, id, NULL);
	}
	memset(&e, 0, sizeof(e));
	ipfix_collector_foreach_exporter(col, get_exp, &e);
	CHECK_STR(e.key, "psk=exp1 at 10.0.0.20 over tcp", "chain: exporter key");
	CHECK_EQ_U(e.sessions, 4, "chain: four sessions");
	CHECK_EQ_U(e.handoffs, 2, "chain: two hand-offs (with counts)");
	CHECK_EQ_U(e.restarts, 1, "chain: one restart (no counts)");
	CHECK_EQ_U(e.lost_between, 2, "chain: 2 lost between sessions");
	CHECK_EQ_U(e.duplicated, 1, "chain: 1 duplicated");
	CHECK_EQ_U(e.c.records, 9 + 2, "chain: records (with the 2 stats)");
	CHECK_EQ_U(e.c.lost, 2, "chain: lost in all");
	(void)ipfix_collector_free(col, NULL);
	ipfix_tmpl_free(t);
}

/* Sessions 1 (ODID 1), 2 (ODID 2), 3 (ODID 1) of one exporter: 3
 * follows 1, the session of its ODID, not 2. */
static void
test_association_odid(void)
{
	struct ipfix_collector *col = new_col("/dev/null", NULL, 0);
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *t = mk_tmpl(256, fb, 1);
	uint32_t odid[3] = { 1, 2, 1 }, id = 0, prev = 99;
	struct tmsg m;

	for (int i = 0; i < 3; i++) {
		peer(&p, "10.0.0.10", (uint16_t)(100 + i), IPPROTO_TCP);
		id = ipfix_collector_open(col, &p, NULL);
		mk_msg(&m, odid[i], 0, t, true, 1, 0);
		(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
		ipfix_collector_close(col, id, NULL);
	}
	ipfix_collector_foreach_session(col, last_prev, &prev);
	CHECK_EQ_U(prev, 1, "session 3 (ODID 1) follows session 1, not 2");
	(void)ipfix_collector_free(col, NULL);
	ipfix_tmpl_free(t);
}

static void
test_limits_withdraw(const char *dir)
{
	char path[512];
	struct ipfix_collector *col;
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *t1 = mk_tmpl(256, fa, 2), *t2 = mk_tmpl(257, fb, 1);
	struct ipfix_tmpl *t3 = mk_tmpl(258, fb, 1);
	struct ipfix_builder b;
	struct tmsg m;
	struct readback rb;
	uint32_t s1, s2;

	snprintf(path, sizeof(path), "%s/limits.ipfix", dir);
	col = new_col(path, NULL, 2);
	peer(&p, "10.0.0.6", 6000, IPPROTO_TCP);
	s1 = ipfix_collector_open(col, &p, NULL);
	peer(&p, "10.0.0.7", 7000, IPPROTO_TCP);
	s2 = ipfix_collector_open(col, &p, NULL);
	ipfix_builder_init(&b, m.b, sizeof(m.b), 1, 1, 0);
	(void)ipfix_builder_add_template(&b, t1, NULL);
	(void)ipfix_builder_add_template(&b, t2, NULL);
	(void)ipfix_builder_add_template(&b, t3, NULL);
	m.n = ipfix_builder_finish(&b);
	CHECK(ipfix_collector_feed(col, s1, m.b, m.n, 0, NULL) == 0,
	    "3 templates over a cap of 2: message still decoded");
	mk_msg(&m, 1, 0, t1, true, 1, 0x40);
	(void)ipfix_collector_feed(col, s2, m.b, m.n, 0, NULL);
	ipfix_builder_init(&b, m.b, sizeof(m.b), 1, 1, 0);
	(void)ipfix_builder_add_withdrawal(&b, 2, 2, NULL);
	m.n = ipfix_builder_finish(&b);
	CHECK(ipfix_collector_feed(col, s1, m.b, m.n, 0, NULL) == 0,
	    "withdraw-all from session 1");
	mk_msg(&m, 1, 1, t1, false, 2, 0x50);
	(void)ipfix_collector_feed(col, s2, m.b, m.n, 0, NULL);
	(void)ipfix_collector_free(col, NULL);
	read_back(path, &rb);
	CHECK_EQ_U(rb.recs[0], 3, "session 2's records survive session 1's "
	    "withdraw-all");
	CHECK_EQ_U(rb.warn + rb.malformed, 0, "limits output reads clean");
	ipfix_tmpl_free(t1);
	ipfix_tmpl_free(t2);
	ipfix_tmpl_free(t3);
}

static bool
same_file(const char *path, const uint8_t *want, size_t n)
{
	uint8_t got[8192];
	FILE *f = fopen(path, "rb");
	size_t r = f ? fread(got, 1, sizeof(got), f) : 0;

	if (f != NULL)
		fclose(f);
	return r == n && memcmp(got, want, n) == 0;
}

static void
test_split_compress(const char *dir)
{
	struct ipfix_collector *col = new_col(NULL, dir, 0);
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *ta = mk_tmpl(256, fa, 2);
	struct ipfix_z *z = ipfix_z_new(true, false, NULL);
	struct tmsg m, f;
	uint8_t all[4096];
	size_t n = 0;
	char path[600], cmd[700];
	uint32_t s;

	peer(&p, "10.0.0.8", 8000, IPPROTO_UDP);
	s = ipfix_collector_open(col, &p, NULL);
	mk_msg(&m, 3, 0, ta, true, 2, 0x60);
	memcpy(all, m.b, m.n);
	n = m.n;
	(void)ipfix_collector_feed(col, s, m.b, m.n, 0, NULL);
	mk_msg(&m, 3, 2, ta, false, 5, 0x70);
	memcpy(all + n, m.b, m.n);
	n += m.n;
	CHECK(ipfix_z_pack(z, m.b, m.n, f.b, sizeof(f.b), &f.n, NULL) == 0,
	    "frame compressed");
	CHECK(ipfix_collector_feed(col, s, f.b, f.n, 0, NULL) == 0,
	    "compressed frame detected and inflated");
	(void)ipfix_collector_free(col, NULL);
	snprintf(cmd, sizeof(cmd), "ls %s/*-udp-10.0.0.8-8000-s1.ipfix",
	    dir);
	snprintf(path, sizeof(path), "%s", "");
	{
		FILE *pp = popen(cmd, "r");

		if (pp != NULL) {
			if (fgets(path, sizeof(path), pp) != NULL)
				path[strcspn(path, "\n")] = '\0';
			pclose(pp);
		}
	}
	CHECK(same_file(path, all, n), "--split file is byte-exact (%s)",
	    path);
	ipfix_z_free(z);
	ipfix_tmpl_free(ta);
}

static void
test_reopen(const char *dir)
{
	char p1[512], p2[512];
	struct ipfix_collector *col;
	struct ipfix_collector_peer p;
	struct ipfix_tmpl *ta = mk_tmpl(256, fa, 2);
	struct tmsg m;
	struct readback rb;
	uint32_t s;

	snprintf(p1, sizeof(p1), "%s/r1.ipfix", dir);
	snprintf(p2, sizeof(p2), "%s/r2.ipfix", dir);
	col = new_col(p1, NULL, 0);
	peer(&p, "10.0.0.9", 9000, IPPROTO_TCP);
	s = ipfix_collector_open(col, &p, NULL);
	mk_msg(&m, 4, 0, ta, true, 2, 0x60);
	(void)ipfix_collector_feed(col, s, m.b, m.n, 0, NULL);
	CHECK(ipfix_collector_reopen(col, p2, NULL) == 0, "reopen");
	mk_msg(&m, 4, 2, ta, false, 3, 0x70);
	(void)ipfix_collector_feed(col, s, m.b, m.n, 0, NULL);
	(void)ipfix_collector_free(col, NULL);
	read_back(p2, &rb);
	CHECK_EQ_U(rb.recs[0], 3, "new file is self-contained: 3 records");
	CHECK_EQ_U(rb.sessdet, 1, "session details again in the new file");
	CHECK_EQ_U(rb.warn + rb.malformed, 0, "new file reads clean");
	ipfix_tmpl_free(ta);
}

/* The fast path: data-only messages of fixed-length templates ----------- */

#define FP_MSGS	41
#define FP_GAP	17		/* this message comes 4 records late */
#define FP_B	100000u		/* session B's records start here */

static const uint16_t fv[] = { 8, 4, 82, 65535 };	/* + interfaceName */

struct fp_in {
	struct tmsg m[FP_MSGS];
	uint32_t nrec;
};

/* Record k: k itself first (sourceIPv4Address), then bytes made of k. */
static size_t
fp_rec(uint8_t *p, uint32_t k, bool var)
{
	size_t i;

	ipfix_put32(p, k);
	if (var) {
		p[4] = 3;		/* a 3-byte interfaceName */
		for (i = 5; i < 8; i++)
			p[i] = (uint8_t)('a' + (k + i) % 26);
		return 8;
	}
	for (i = 4; i < 12; i++)
		p[i] = (uint8_t)(k * 7 + i);
	return 12;
}

static bool
fp_rec_ok(const uint8_t *p, size_t len, uint32_t k)
{
	uint8_t want[12];
	size_t n = fp_rec(want, k, len == 8);

	return n == len && memcmp(p, want, n) == 0;
}

/* Message i of a session whose records start at base: templates and 3
 * records first; then 5 records of 256, but every 5th message has 2 of
 * the variable-length 257, every 7th pads its set, message 13 has two
 * sets, and message FP_GAP is numbered as if 4 records were lost. */
static void
fp_msg(struct fp_in *in, int i, uint32_t base, struct ipfix_tmpl *ta,
    struct ipfix_tmpl *tv)
{
	struct ipfix_builder b;
	struct tmsg *m = &in->m[i];
	uint8_t rec[12];
	size_t rl, set = 0;
	uint32_t seq = in->nrec + (i >= FP_GAP ? 4 : 0);
	int j, n = i == 0 ? 3 : i % 5 == 0 ? 2 : 5;
	bool var = i > 0 && i % 5 == 0;

	ipfix_builder_init(&b, m->b, sizeof(m->b), 5, 1700000000, seq);
	if (i == 0) {
		(void)ipfix_builder_add_template(&b, ta, NULL);
		(void)ipfix_builder_add_template(&b, tv, NULL);
	}
	for (j = 0; j < n + (i == 13 ? 4 : 0); j++) {
		if (i == 13 && j == 3) {	/* close the set: a new one */
			ipfix_put16(b.buf + b.set_start, 256);
			ipfix_put16(b.buf + b.set_start + 2,
			    (uint16_t)(b.len - b.set_start));
			b.set_start = 0;
			b.set_id = 0;
		}
		rl = fp_rec(rec, base + in->nrec++, var);
		set = b.set_start;
		(void)ipfix_builder_add_record(&b, var ? 257 : 256, rec, rl,
		    NULL);
		if (set == 0)
			set = b.set_start;
	}
	m->n = ipfix_builder_finish(&b);
	if (i > 0 && i % 7 == 0) {		/* 3 bytes of padding */
		memset(m->b + m->n, 0, 3);
		ipfix_put16(m->b + set + 2,
		    (uint16_t)(ipfix_be16(m->b + set + 2) + 3));
		m->n += 3;
		ipfix_put16(m->b + 2, (uint16_t)m->n);
	}
}

static void
fp_input(struct fp_in *in, uint32_t base)
{
	struct ipfix_tmpl *ta = mk_tmpl(256, fa, 2), *tv = mk_tmpl(257, fv, 2);
	int i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < FP_MSGS; i++)
		fp_msg(in, i, base, ta, tv);
	ipfix_tmpl_free(ta);
	ipfix_tmpl_free(tv);
}

/* Records seen in order, per session (A: k below FP_B, B: above). */
struct fp_seen {
	uint32_t next[2], bad_order[2], bad_bytes[2], n[2];
	unsigned c09[3];		/* by collector session id */
};

static void
fp_take(struct fp_seen *s, const uint8_t *p, size_t len)
{
	uint32_t k = ipfix_be32(p);
	int w = k >= FP_B;

	s->n[w]++;
	if (k - (w ? FP_B : 0) != s->next[w])
		s->bad_order[w]++;
	s->next[w] = k - (w ? FP_B : 0) + 1;
	s->bad_bytes[w] += !fp_rec_ok(p, len, k);
}

static void
fp_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	(void)m;
	if (t->id < IPFIX_SESSOUT_TID_SESS4 && t->fields[0].id == 8)
		fp_take(arg, r->p, r->len);
}

static void
fp_problem(void *arg, const struct ipfix_problem *p)
{
	struct fp_seen *s = arg;

	if (p->check != NULL && strcmp(p->check, "C09") == 0 &&
	    p->session < 3)
		s->c09[p->session]++;
}

static void
fp_hook_problem(void *arg, uint32_t id, const struct ipfix_problem *p)
{
	struct fp_seen *s = arg;

	if (p->check != NULL && strcmp(p->check, "C09") == 0 && id < 3)
		s->c09[id]++;
}

/* Domain counters of sessions 1 and 2, ODID 5. */
struct fp_doms {
	struct ipfix_domain_stats d[2];
	unsigned n;
};

static void
fp_dom(const struct ipfix_domain_stats *d, void *arg)
{
	struct fp_doms *f = arg;

	if (d->odid == 5 && (d->session == 1 || d->session == 2)) {
		f->d[d->session - 1] = *d;
		f->n++;
	}
}

static void
fp_sess(const struct ipfix_collector_sess_stats *s, void *arg)
{
	struct ipfix_collector_counts *c = arg;

	if (s->id == 1 || s->id == 2)
		c[s->id - 1] = s->c;
}

static bool
fp_same_dom(const struct ipfix_domain_stats *a,
    const struct ipfix_domain_stats *b)
{
	return a->messages == b->messages && a->records == b->records &&
	    a->lost == b->lost && a->seq_out_of_order == b->seq_out_of_order &&
	    a->malformed == b->malformed &&
	    a->records_no_template == b->records_no_template &&
	    a->seq_known == b->seq_known && a->next_seq == b->next_seq;
}

/* The records of the collector's output file, into s. */
static void
fp_read_back(const char *path, struct fp_seen *s)
{
	static const struct ipfix_decoder_ops ops = { .on_record = fp_record };

	memset(s, 0, sizeof(*s));
	test_decode_file(path, &ops, s);
}

/* Sessions 1 (UDP) and 2 (TCP) get in[0] and in[1], message by message
 * in turn; ref gets the same under the same session ids and offsets. */
static int
fp_feed(struct ipfix_collector *col, struct ipfix_decoder *ref,
    const struct fp_in *in)
{
	struct ipfix_collector_peer p;
	uint64_t off[2] = { 0, 0 };
	uint32_t id[2];
	int i, w, rc = 0;

	peer(&p, "10.0.1.1", 1000, IPPROTO_UDP);
	id[0] = ipfix_collector_open(col, &p, NULL);
	peer(&p, "10.0.1.2", 2000, IPPROTO_TCP);
	id[1] = ipfix_collector_open(col, &p, NULL);
	if (id[0] != 1 || id[1] != 2)
		return -1;
	for (i = 0; i < FP_MSGS; i++)
		for (w = 0; w < 2; w++) {
			rc |= ipfix_collector_feed(col, id[w], in[w].m[i].b,
			    in[w].m[i].n, 0, NULL);
			rc |= ipfix_decoder_feed(ref, in[w].m[i].b,
			    in[w].m[i].n, id[w], w ? IPFIX_KIND_TCP :
			    IPFIX_KIND_UDP, off[w], NULL);
			off[w] += in[w].m[i].n;
		}
	return rc;
}

/* The counters of session w + 1: as expected, and as ref's. */
static void
fp_check_counts(struct ipfix_collector *col, struct ipfix_decoder *ref,
    const struct fp_in *in, const struct fp_seen *got,
    const struct fp_seen *want)
{
	struct ipfix_collector_counts sc[2];
	struct fp_doms cd, rd;
	int w;

	memset(&cd, 0, sizeof(cd));
	memset(&rd, 0, sizeof(rd));
	memset(sc, 0, sizeof(sc));
	ipfix_collector_foreach_domain(col, fp_dom, &cd);
	ipfix_decoder_foreach_domain(ref, fp_dom, &rd);
	ipfix_collector_foreach_session(col, fp_sess, sc);
	for (w = 0; w < 2; w++) {
		CHECK(cd.d[w].messages == FP_MSGS &&
		    cd.d[w].records == in[w].nrec && cd.d[w].lost == 4 &&
		    cd.d[w].next_seq == in[w].nrec + 4,
		    "fast path %c: %llu messages, %llu records, %llu lost, "
		    "next %u", 'A' + w,
		    (unsigned long long)cd.d[w].messages,
		    (unsigned long long)cd.d[w].records,
		    (unsigned long long)cd.d[w].lost, cd.d[w].next_seq);
		CHECK(cd.n == 2 && rd.n == 2 &&
		    fp_same_dom(&cd.d[w], &rd.d[w]), "fast path %c: domain "
		    "counters as with value checks", 'A' + w);
		CHECK(sc[w].messages == FP_MSGS && sc[w].records ==
		    in[w].nrec && sc[w].lost == 4, "fast path %c: session "
		    "counts %llu messages, %llu records, %llu lost", 'A' + w,
		    (unsigned long long)sc[w].messages,
		    (unsigned long long)sc[w].records,
		    (unsigned long long)sc[w].lost);
		CHECK(got->c09[w + 1] == 1 && want->c09[w + 1] == 1,
		    "fast path %c: the gap reported once (C09), as with "
		    "value checks", 'A' + w);
		CHECK(want->n[w] == in[w].nrec && want->bad_order[w] == 0 &&
		    want->bad_bytes[w] == 0, "fast path %c: the reference "
		    "saw %u records", 'A' + w, want->n[w]);
	}
}

/*
 * Session A (UDP) and B (TCP), interleaved: the collector against a
 * decoder that checks values, which never takes the fast path (the
 * collector has no such option). Same counters per (session, ODID), the
 * same records in the same order in the output, and the gap of message
 * FP_GAP (a fast-path message) counted as 4 lost records with a C09
 * warning.
 */
static void
test_fast_path(const char *dir)
{
	static const struct ipfix_decoder_ops ref_ops = {
		.on_record = fp_record, .on_problem = fp_problem,
	};
	struct ipfix_decoder_config dc = { .max_list_depth = 8,
	    .check_values = true };
	struct ipfix_collector_hooks hooks = { .on_problem = fp_hook_problem };
	struct ipfix_collector_config cfg;
	struct ipfix_collector *col;
	struct ipfix_decoder *ref;
	static struct fp_in in[2];
	struct fp_seen got, want, back;
	char path[512];
	int w;

	snprintf(path, sizeof(path), "%s/fast.ipfix", dir);
	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	memset(&cfg, 0, sizeof(cfg));
	cfg.out.path = path;
	hooks.arg = &got;
	col = ipfix_collector_new(&cfg, &hooks, NULL);
	ref = ipfix_decoder_new(&dc, &ref_ops, &want);
	CHECK(col != NULL && ref != NULL, "fast path: collector and "
	    "value-checking decoder");
	if (col == NULL || ref == NULL)
		return;
	fp_input(&in[0], 0);
	fp_input(&in[1], FP_B);
	CHECK(fp_feed(col, ref, in) == 0, "fast path: %d messages of %u "
	    "records per session fed", FP_MSGS, in[0].nrec);
	fp_check_counts(col, ref, in, &got, &want);
	CHECK(ipfix_collector_free(col, NULL) == 0, "fast path: output "
	    "closed");
	ipfix_decoder_free(ref);
	fp_read_back(path, &back);
	for (w = 0; w < 2; w++)
		CHECK(back.n[w] == in[w].nrec && back.next[w] == in[w].nrec &&
		    back.bad_order[w] == 0 && back.bad_bytes[w] == 0,
		    "fast path %c: output has each of the %u records once, "
		    "in order, intact (%u)", 'A' + w, in[w].nrec, back.n[w]);
}

/* --append (resume.h) ---------------------------------------------------- */

static struct ipfix_collector *
new_col_append(const char *out, struct ipfix_err *err)
{
	struct ipfix_collector_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.out.path = out;
	cfg.out.append = true;
	return ipfix_collector_new(&cfg, NULL, err);
}

static long
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) == -1) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	n = ftell(f);
	fclose(f);
	return n;
}

static void
get_exp1(const struct ipfix_collector_exp_stats *e, void *arg)
{
	if (strncmp(e->key, "psk=exp1 ", 9) == 0)
		get_exp(e, arg);
}

/* The first collector: exporter psk=exp1 at 10.0.0.20 (session 1, ODID
 * 7, 3 records) and an exporter at 10.0.0.30 (session 2, 2 records); it
 * is killed while writing a message, 9 bytes of it in the file. */
static void
append_first(const char *path, struct ipfix_tmpl *t)
{
	struct ipfix_collector *col = new_col(path, NULL, 0);
	struct ipfix_collector_peer p;
	struct tmsg m;
	uint32_t id;
	FILE *f;

	/* as a listener names them: a file tells secured by the identity */
	peer(&p, "10.0.0.20", 100, IPPROTO_TCP);
	p.identity = "psk=exp1";
	p.scheme = "tls";
	id = ipfix_collector_open(col, &p, NULL);
	mk_msg(&m, 7, 0, t, true, 3, 0);
	(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
	peer(&p, "10.0.0.30", 100, IPPROTO_UDP);
	id = ipfix_collector_open(col, &p, NULL);
	mk_msg(&m, 7, 0, t, true, 2, 0);
	(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
	(void)ipfix_collector_free(col, NULL);
	if ((f = fopen(path, "ab")) != NULL) {
		fwrite(m.b, 1, 9, f);
		fclose(f);
	}
}

/* The second collector continues the file: exporter psk=exp1 comes back
 * from a new port and says 5 records were exported before its session: 2
 * lost (the file holds 3), including what the first collector never
 * wrote. Its session is 3, follows 1; the file decodes cleanly. */
static void
test_append(const char *dir)
{
	struct ipfix_tmpl *t = mk_tmpl(256, fb, 1);
	struct ipfix_collector_exp_stats e;
	struct ipfix_collector_peer p;
	struct ipfix_resume_info in;
	struct ipfix_collector *col;
	struct readback rb;
	struct ipfix_err err;
	char path[256];
	uint32_t id, prev = 0;
	unsigned n;
	long whole;
	struct tmsg m;

	snprintf(path, sizeof(path), "%s/append.ipfix", dir);
	append_first(path, t);
	whole = file_size(path) - 9;
	col = new_col_append(path, &err);
	CHECK(col != NULL, "append: the file is taken back");
	if (col == NULL)
		return;
	ipfix_collector_resumed(col, &in);
	CHECK(in.sessions == 2 && in.last_id == 2 && in.records == 5,
	    "append: 2 sessions, ids up to 2, 5 records (%u, %u, %llu)",
	    in.sessions, in.last_id, (unsigned long long)in.records);
	CHECK(in.size == (uint64_t)whole + 9 && in.kept == (uint64_t)whole &&
	    file_size(path) == whole, "append: the cut message (9 bytes at "
	    "%ld) is cut off", whole);
	peer(&p, "10.0.0.20", 101, IPPROTO_TCP);
	p.identity = "psk=exp1";
	p.scheme = "tls";
	id = ipfix_collector_open(col, &p, NULL);
	CHECK_EQ_U(id, 3, "append: new session ids follow the file's");
	mk_stats_msg(&m, 7, 5);
	(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
	mk_msg(&m, 7, 0, t, true, 2, 0);
	(void)ipfix_collector_feed(col, id, m.b, m.n, 0, NULL);
	memset(&e, 0, sizeof(e));
	ipfix_collector_foreach_exporter(col, get_exp1, &e);
	CHECK_STR(e.key, "psk=exp1 at 10.0.0.20 over tls",
	    "append: one exporter key, read back and new alike");
	n = 0;
	ipfix_collector_foreach_exporter(col, count_exp, &n);
	CHECK_EQ_U(n, 2 + 1, "append: no new exporter (2 + 1 sessions)");
	CHECK(e.handoffs == 1 && e.restarts == 0 && e.lost_between == 2,
	    "append: the chain goes on: 2 lost between (%llu)",
	    (unsigned long long)e.lost_between);
	ipfix_collector_foreach_session(col, last_prev, &prev);
	CHECK_EQ_U(prev, 1, "append: session 3 follows session 1");
	(void)ipfix_collector_free(col, NULL);
	read_back(path, &rb);
	CHECK(rb.malformed == 0 && rb.warn == 0 && rb.recs[1] == 7 &&
	    rb.sessdet == 3, "append: the file decodes cleanly: 7 records, "
	    "3 sessions (%u, %u)", rb.recs[1], rb.sessdet);
	ipfix_tmpl_free(t);
}

/* Refused, and left as it was: bytes that are no IPFIX, and an IPFIX
 * stream no collector wrote (no details name its records' sessions). */
static void
test_append_refused(const char *dir)
{
	struct ipfix_tmpl *t = mk_tmpl(256, fb, 1);
	struct ipfix_collector_config cfg;
	struct ipfix_err err;
	char path[256];
	struct tmsg m;
	FILE *f;

	snprintf(path, sizeof(path), "%s/text", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("not IPFIX at all\n", f);
		fclose(f);
	}
	CHECK(new_col_append(path, &err) == NULL &&
	    err.code == IPFIX_E_FORMAT && file_size(path) == 17,
	    "append: text refused, kept (%s)", err.reason);
	snprintf(path, sizeof(path), "%s/foreign", dir);
	mk_msg(&m, 7, 0, t, true, 2, 0);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(m.b, 1, m.n, f);
		fclose(f);
	}
	CHECK(new_col_append(path, &err) == NULL &&
	    err.code == IPFIX_E_FORMAT && strstr(err.reason,
	    "records of no session") != NULL &&
	    file_size(path) == (long)m.n,
	    "append: a foreign stream refused, kept (%s)", err.reason);
	/* gzip'd output would be truncated when opened: refused before */
	memset(&cfg, 0, sizeof(cfg));
	cfg.out.path = path;
	cfg.out.append = cfg.out.gzip = true;
	CHECK(ipfix_collector_new(&cfg, NULL, &err) == NULL &&
	    err.code == IPFIX_E_USAGE && file_size(path) == (long)m.n,
	    "append: with gzip refused, the file kept (%s)", err.reason);
	ipfix_tmpl_free(t);
}

int
main(void)
{
	char dir[] = "/tmp/test_collector.XXXXXX";
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_merge(dir);
	test_malformed_loss();
	test_association();
	test_association_odid();
	test_association_chain();
	test_limits_withdraw(dir);
	test_split_compress(dir);
	test_reopen(dir);
	test_fast_path(dir);
	test_append(dir);
	test_append_refused(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	TEST_DONE();
}
