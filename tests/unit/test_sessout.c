/*
 * test_sessout: the output writer driven directly: IPv6 session metadata,
 * a changed template written as withdrawal plus definition, output
 * messages cut at 65535 bytes each with its Message Details, the ODID
 * cap, and --split parts after a reopen.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filehelp.h"
#include "testhelp.h"
#include "decode.h"
#include "sessout.h"
#include "stream.h"

struct seen {
	unsigned recs, md6, sd6, bad, msgs, withdrawals;
	uint16_t last_len;
	char cert[64];
};

static void
on_rec(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct seen *s = arg;

	(void)m;
	if (t->id == IPFIX_SESSOUT_TID_MSG6)
		s->md6++;
	else if (t->id == IPFIX_SESSOUT_TID_SESS6) {
		s->sd6++;
		/* exporterCertificate: last field, short varlen */
		snprintf(s->cert, sizeof(s->cert), "%.*s", (int)r->p[39],
		    (const char *)r->p + 40);
	} else {
		s->recs++;
		s->last_len = (uint16_t)r->len;
	}
}

static void
on_prob(void *arg, const struct ipfix_problem *p)
{
	if (p->severity != IPFIX_SEV_NOTE) {
		((struct seen *)arg)->bad++;
		printf("#   %s\n", p->reason);
	}
}

static void
on_msg(void *arg, const struct ipfix_msg_ctx *m)
{
	(void)m;
	((struct seen *)arg)->msgs++;
}

static void
on_wd(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	(void)m;
	(void)set_id;
	(void)tid;
	(void)offset;
	if (removed > 0)
		((struct seen *)arg)->withdrawals++;
}

static void
read_file(const char *path, struct seen *s)
{
	static const struct ipfix_decoder_ops ops = {
		.on_record = on_rec, .on_problem = on_prob, .on_message = on_msg,
		.on_withdrawal = on_wd,
	};

	memset(s, 0, sizeof(*s));
	test_decode_file(path, &ops, s);
}

static struct ipfix_tmpl *
tmpl(uint16_t id, uint16_t len)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, 1, 0);

	t->fields[0].id = 1;		/* octetDeltaCount */
	t->fields[0].len = len;
	ipfix_tmpl_finish(t);
	return t;
}

static void
sess6(struct ipfix_sessout_session *s, uint32_t id)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->exporter;
	struct sockaddr_in6 *c = (struct sockaddr_in6 *)&s->collector;

	memset(s, 0, sizeof(*s));
	s->id = id;
	a->sin6_family = c->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &a->sin6_addr);
	inet_pton(AF_INET6, "2001:db8::2", &c->sin6_addr);
	a->sin6_port = htons(1234);
	c->sin6_port = htons(4739);
	s->proto = IPPROTO_SCTP;
	s->identity = "psk=exp1";
	s->start_ms = 1700000000000LL;
}

static void
test_v6_change_cut(const char *dir)
{
	struct ipfix_sessout_config cfg = { 0 };
	struct ipfix_sessout_session s;
	struct ipfix_sessout *o;
	struct ipfix_tmpl *t8 = tmpl(300, 8), *t4 = tmpl(300, 4);
	uint8_t rec[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char path[512];
	struct seen seen;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/v6.ipfix", dir);
	cfg.path = path;
	o = ipfix_sessout_open(&cfg, NULL);
	CHECK(o != NULL, "merged output opens");
	sess6(&s, 5);
	CHECK(ipfix_sessout_begin(o, &s, NULL) == 0, "IPv6 session begins");
	CHECK(ipfix_sessout_begin(o, &s, NULL) == -1, "duplicate id refused");
	rc |= ipfix_sessout_msg_begin(o, 5, 9, 100, 3, 1, NULL);
	rc |= ipfix_sessout_template(o, t8, IPFIX_TADD_NEW, NULL);
	/* 9000 records of 8 bytes do not fit in one message */
	for (int i = 0; i < 9000 && rc == 0; i++)
		rc |= ipfix_sessout_record(o, t8, rec, 8, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	rc |= ipfix_sessout_msg_begin(o, 5, 9, 101, 3, 2, NULL);
	rc |= ipfix_sessout_template(o, t4, IPFIX_TADD_CHANGED, NULL);
	rc |= ipfix_sessout_record(o, t4, rec, 4, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	CHECK(rc == 0, "9001 records and a changed template written");
	CHECK(ipfix_sessout_end(o, 5, NULL) == 0, "session ends");
	CHECK(ipfix_sessout_close(o, NULL) == 0, "output closes");
	read_file(path, &seen);
	CHECK_EQ_U(seen.recs, 9001, "every record reads back");
	CHECK_EQ_U(seen.last_len, 4, "the last one with the new definition");
	CHECK_EQ_U(seen.sd6, 1, "IPv6 Export Session Details once");
	CHECK_EQ_U(seen.md6, seen.msgs, "Message Details in every message");
	CHECK(seen.msgs >= 3, "the big message was cut (%u messages)",
	    seen.msgs);
	CHECK_STR(seen.cert, "psk=exp1", "identity in exporterCertificate");
	CHECK_EQ_U(seen.withdrawals, 2, "change and end both withdraw");
	CHECK_EQ_U(seen.bad, 0, "no warnings reading it back");
	ipfix_tmpl_free(t8);
	ipfix_tmpl_free(t4);
}

static void
test_domain_cap(void)
{
	struct ipfix_sessout_config cfg = { .path = "/dev/null",
	    .max_domains = 2 };
	struct ipfix_sessout_session s;
	struct ipfix_sessout *o = ipfix_sessout_open(&cfg, NULL);
	struct ipfix_err err;

	sess6(&s, 1);
	(void)ipfix_sessout_begin(o, &s, NULL);
	CHECK(ipfix_sessout_msg_begin(o, 1, 1, 0, 0, 0, NULL) == 0 &&
	    ipfix_sessout_msg_end(o, NULL) == 0 &&
	    ipfix_sessout_msg_begin(o, 1, 2, 0, 0, 0, NULL) == 0 &&
	    ipfix_sessout_msg_end(o, NULL) == 0, "two ODIDs fit the cap");
	CHECK(ipfix_sessout_msg_begin(o, 1, 3, 0, 0, 0, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "a third is refused (E_LIMIT)");
	CHECK(ipfix_sessout_msg_begin(o, 77, 1, 0, 0, 0, NULL) == -1,
	    "unknown session refused");
	(void)ipfix_sessout_close(o, NULL);
}

static void
test_split_parts(const char *dir)
{
	struct ipfix_sessout_config cfg = { .split_dir = dir };
	struct ipfix_sessout_session s;
	struct ipfix_sessout *o = ipfix_sessout_open(&cfg, NULL);
	struct ipfix_sessout_stats st;
	uint8_t msg[16] = { 0, 10, 0, 16 };
	char p[600];
	struct stat sb;

	sess6(&s, 2);
	CHECK(ipfix_sessout_split(o), "split mode");
	CHECK(ipfix_sessout_begin(o, &s, NULL) == 0, "split session begins");
	(void)ipfix_sessout_raw(o, 2, msg, 16, NULL);
	CHECK(ipfix_sessout_reopen(o, NULL, NULL) == 0, "split reopen");
	(void)ipfix_sessout_raw(o, 2, msg, 16, NULL);
	(void)ipfix_sessout_raw(o, 2, msg, 16, NULL);
	ipfix_sessout_stats(o, &st);
	CHECK_EQ_U(st.files, 2, "two files");
	CHECK(ipfix_sessout_msg_begin(o, 2, 1, 0, 0, 0, NULL) == -1,
	    "no merged messages in split mode");
	(void)ipfix_sessout_close(o, NULL);
	snprintf(p, sizeof(p), "%s/20231114T221320-sctp-2001:db8::1-1234-s2"
	    ".ipfix", dir);
	CHECK(stat(p, &sb) == 0 && sb.st_size == 16, "first part: 16 bytes");
	snprintf(p, sizeof(p), "%s/20231114T221320-sctp-2001:db8::1-1234-s2"
	    ".ipfix.1", dir);
	CHECK(stat(p, &sb) == 0 && sb.st_size == 32, "second part: 32 bytes");
}

static void
test_reopen_same(const char *dir)
{
	struct ipfix_sessout_config cfg = { 0 };
	struct ipfix_sessout *o;
	char path[512];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/same.ipfix", dir);
	cfg.path = path;
	o = ipfix_sessout_open(&cfg, NULL);
	/* one message, so there is something to lose */
	{
		struct ipfix_sessout_session s;
		struct ipfix_tmpl *t = tmpl(256, 8);
		uint8_t rec[8] = { 0 };

		sess6(&s, 1);
		(void)ipfix_sessout_begin(o, &s, NULL);
		(void)ipfix_sessout_msg_begin(o, 1, 1, 0, 0, 0, NULL);
		(void)ipfix_sessout_template(o, t, IPFIX_TADD_NEW, NULL);
		(void)ipfix_sessout_record(o, t, rec, 8, NULL);
		(void)ipfix_sessout_msg_end(o, NULL);
		ipfix_tmpl_free(t);
	}
	(void)ipfix_sessout_flush(o, NULL);
	stat(path, &a);
	CHECK(ipfix_sessout_reopen(o, NULL, NULL) == 0, "reopen, not moved");
	stat(path, &b);
	CHECK(a.st_size > 0 && b.st_size == a.st_size && a.st_ino == b.st_ino,
	    "same path not truncated (%lld bytes)", (long long)b.st_size);
	(void)ipfix_sessout_close(o, NULL);
}

/* The whole file, malloc'd; NULL when it cannot be read. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n)) != NULL &&
	    fread(p, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	fclose(f);
	return p;
}

/* One run of n records: in one call, or one record at a time. */
static int
put_run(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    const uint8_t *recs, size_t rl, uint32_t n, bool batched,
    struct ipfix_err *err)
{
	int rc = 0;

	if (batched)
		return ipfix_sessout_records(o, t, recs, rl * n, n, err);
	for (uint32_t i = 0; i < n; i++)
		rc |= ipfix_sessout_record(o, t, recs + i * rl, rl, err);
	return rc;
}

/* The same input to an output, either way. */
static int
write_runs(const char *path, bool batched, const uint8_t *recs,
    struct ipfix_sessout_stats *st, struct ipfix_err *unknown)
{
	struct ipfix_sessout_config cfg = { 0 };
	struct ipfix_sessout_session s;
	struct ipfix_sessout *o;
	struct ipfix_tmpl *t8 = tmpl(300, 8), *t12 = tmpl(301, 8);
	struct ipfix_tmpl *t5 = tmpl(302, 8);
	int rc = 0;

	/* interfaceName: any fixed length */
	t12->fields[0].id = 82;
	t12->fields[0].len = 12;
	ipfix_tmpl_finish(t12);
	t5->fields[0].id = 82;
	t5->fields[0].len = 5;
	ipfix_tmpl_finish(t5);
	cfg.path = path;
	if ((o = ipfix_sessout_open(&cfg, NULL)) == NULL)
		return -1;
	sess6(&s, 5);
	rc |= ipfix_sessout_begin(o, &s, NULL);
	/* message 1: two templates, short runs alternating */
	rc |= ipfix_sessout_msg_begin(o, 5, 9, 100, 3, 1700000000001LL, NULL);
	rc |= ipfix_sessout_template(o, t8, IPFIX_TADD_NEW, NULL);
	rc |= ipfix_sessout_template(o, t12, IPFIX_TADD_NEW, NULL);
	rc |= put_run(o, t8, recs, 8, 3, batched, NULL);
	rc |= put_run(o, t12, recs + 24, 12, 4, batched, NULL);
	rc |= put_run(o, t8, recs + 72, 8, 1, batched, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	/* message 2: 10000 8-byte records (80000 bytes): cut in two output
	 * messages, then a run that starts in the second */
	rc |= ipfix_sessout_msg_begin(o, 5, 9, 101, 3, 1700000000002LL, NULL);
	rc |= put_run(o, t8, recs + 100, 8, 10000, batched, NULL);
	rc |= put_run(o, t12, recs + 7, 12, 2000, batched, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	/* message 3: another ODID (its first output message also carries
	 * the metadata templates and session details): 65520 bytes of
	 * records do not fit after them, so the run is split */
	rc |= ipfix_sessout_msg_begin(o, 5, 10, 102, 0, 1700000000003LL, NULL);
	rc |= ipfix_sessout_template(o, t8, IPFIX_TADD_NEW, NULL);
	rc |= put_run(o, t8, recs + 3, 8, 8190, batched, NULL);
	rc |= put_run(o, t8, recs + 5, 8, 5, batched, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	/* a template this output never got: the run is dropped */
	rc |= ipfix_sessout_msg_begin(o, 5, 9, 103, 3, 1700000000004LL, NULL);
	if (put_run(o, t5, recs, 5, 7, batched, unknown) != -1)
		rc = -1;
	rc |= ipfix_sessout_msg_end(o, NULL);
	rc |= ipfix_sessout_end(o, 5, NULL);
	ipfix_sessout_stats(o, st);
	rc |= ipfix_sessout_close(o, NULL);
	ipfix_tmpl_free(t8);
	ipfix_tmpl_free(t12);
	ipfix_tmpl_free(t5);
	return rc == 0 ? 0 : -1;
}

struct order {
	uint64_t recs8, recs12, hash, bigmsgs;
	uint32_t maxlen;
};

static void
ord_rec(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct order *o = arg;

	(void)m;
	if (t->id >= IPFIX_SESSOUT_TID_SESS4)
		return;
	o->recs8 += r->len == 8;
	o->recs12 += r->len == 12;
	for (size_t i = 0; i < r->len; i++)
		o->hash = (o->hash ^ r->p[i]) * 1099511628211ULL;
}

static void
ord_msg(void *arg, const struct ipfix_msg_ctx *m)
{
	struct order *o = arg;

	if (m->len > o->maxlen)
		o->maxlen = (uint32_t)m->len;
	o->bigmsgs += m->len > 60000;
}

static void
test_records_batched(const char *dir)
{
	static const struct ipfix_decoder_ops ops = {
		.on_record = ord_rec, .on_message = ord_msg,
	};
	struct ipfix_sessout_stats one, many;
	struct ipfix_err err;
	static uint8_t recs[12 * 12000];
	char pa[512], pb[512];
	uint8_t *a, *b;
	size_t la, lb, i;
	uint64_t hash = 0;
	struct order ord = { 0 };
	struct ipfix_decoder *d;

	for (i = 0; i < sizeof(recs); i++)
		recs[i] = (uint8_t)(i * 131 + (i >> 8));
	snprintf(pa, sizeof(pa), "%s/one-by-one.ipfix", dir);
	snprintf(pb, sizeof(pb), "%s/batched.ipfix", dir);
	CHECK(write_runs(pa, false, recs, &one, NULL) == 0,
	    "records: written one at a time");
	memset(&err, 0, sizeof(err));
	CHECK(write_runs(pb, true, recs, &many, &err) == 0,
	    "records: written in runs");
	a = slurp(pa, &la);
	b = slurp(pb, &lb);
	CHECK(a != NULL && b != NULL && la > 2 * 65535,
	    "records: both outputs read (%zu bytes)", la);
	CHECK_EQ_U(lb, la, "records: same length");
	for (i = 0; a != NULL && b != NULL && i < la && i < lb; i++)
		if (a[i] != b[i])
			break;
	CHECK(a != NULL && la == lb && i == la,
	    "records: byte-identical output (first difference at %zu)", i);
	CHECK(one.messages == many.messages && one.records == many.records &&
	    one.dropped == many.dropped, "records: same stats (%llu "
	    "messages, %llu records, %llu dropped)",
	    (unsigned long long)many.messages,
	    (unsigned long long)many.records,
	    (unsigned long long)many.dropped);
	CHECK_EQ_U(many.dropped, 7, "records: a run without an output "
	    "template is dropped, counted per record");
	CHECK_EQ_U(err.code, IPFIX_E_NO_TEMPLATE, "records: E_NO_TEMPLATE");
	/* and the output holds the records in order */
	d = ipfix_decoder_new(NULL, &ops, &ord);
	for (i = 0; b != NULL && i + 16 <= lb; ) {
		size_t ml = (size_t)b[i + 2] << 8 | b[i + 3];

		if (ml < 16 || i + ml > lb ||
		    ipfix_decoder_feed(d, b + i, ml, 0, IPFIX_KIND_FILE, i,
		    &err) == -1) {
			printf("#   at %zu: %s\n", i, err.reason);
			break;
		}
		i += ml;
	}
	ipfix_decoder_free(d);
	CHECK_EQ_U(i, lb, "records: the batched output decodes");
	CHECK_EQ_U(ord.recs8, 3 + 1 + 10000 + 8190 + 5,
	    "records: every 8-byte record");
	CHECK_EQ_U(ord.recs12, 4 + 2000, "records: every 12-byte record");
	CHECK(ord.maxlen <= 65535 && ord.bigmsgs >= 2,
	    "records: long runs cut into full messages (%llu over 60000)",
	    (unsigned long long)ord.bigmsgs);
	/* the expected order */
	{
		static const struct { size_t at, rl, n; } runs[] = {
			{ 0, 8, 3 }, { 24, 12, 4 }, { 72, 8, 1 },
			{ 100, 8, 10000 }, { 7, 12, 2000 }, { 3, 8, 8190 },
			{ 5, 8, 5 },
		};
		for (size_t r = 0; r < 7; r++)
			for (i = 0; i < runs[r].rl * runs[r].n; i++)
				hash = (hash ^ recs[runs[r].at + i]) *
				    1099511628211ULL;
	}
	CHECK(ord.hash == hash, "records: same records in the same order");
	free(a);
	free(b);
}

int
main(void)
{
	char dir[] = "/tmp/test_sessout.XXXXXX";
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_v6_change_cut(dir);
	test_domain_cap();
	test_split_parts(dir);
	test_reopen_same(dir);
	test_records_batched(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	TEST_DONE();
}
