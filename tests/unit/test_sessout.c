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
	struct ipfix_decoder_config dc = { .max_list_depth = 8 };
	struct ipfix_decoder *d = ipfix_decoder_new(&dc, &ops, s);
	struct ipfix_reader *r = ipfix_reader_open(path, NULL, NULL);
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	size_t len;

	memset(s, 0, sizeof(*s));
	while (r != NULL && ipfix_reader_next(r, &msg, &len, &meta, NULL) == 1)
		(void)ipfix_decoder_feed(d, msg, len, 0, IPFIX_KIND_FILE,
		    meta.offset, NULL);
	ipfix_reader_close(r);
	ipfix_decoder_free(d);
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
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	TEST_DONE();
}
