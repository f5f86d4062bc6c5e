/*
 * test_collector: the Collecting Process fed by hand (no sockets): two
 * sessions with colliding template ids and ODIDs merged into one stream
 * that decodes to each session's records, session and message details,
 * malformed input per transport, loss, template caps, withdrawals,
 * compressed frames, --split byte-exactness and reopen.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	struct ipfix_decoder_config dc = { .max_list_depth = 8 };
	struct ipfix_decoder *d = ipfix_decoder_new(&dc, &ops, rb);
	struct ipfix_reader *r = ipfix_reader_open(path, NULL, NULL);
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	size_t len;

	memset(rb, 0, sizeof(*rb));
	while (r != NULL && ipfix_reader_next(r, &msg, &len, &meta, NULL) == 1)
		(void)ipfix_decoder_feed(d, msg, len, 0, IPFIX_KIND_FILE,
		    meta.offset, NULL);
	ipfix_reader_close(r);
	ipfix_decoder_free(d);
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
	CHECK_EQ_U(prev, a, "second session follows the first (%u)", b);
	(void)ipfix_collector_free(col, NULL);
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
	test_limits_withdraw(dir);
	test_split_compress(dir);
	test_reopen(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	TEST_DONE();
}
