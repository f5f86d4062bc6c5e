/*
 * Unit tests of exporter without sockets: a sink stands in for the
 * Transport Session (one test needs a TCP port that refuses). Checked:
 * records survive re-packing in order, message sizes, templates before
 * data on every session, sequence numbers per session and ODID, UDP
 * refresh, withdrawals (TCP only), a lost session (drop counted, §4.3
 * record sent, per ODID in a message of that ODID), compression, the pacing and backoff arithmetic, and
 * forwarding: which input messages go out whole (only their sequence
 * number, or export time when asked, changed), gathering and cutting
 * around them, refresh beside them, and their records counted when
 * sent, refused, or never placed (fatal error, stop without a session).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "compress.h"
#include "decode.h"
#include "exporter.h"
#include "msg.h"
#include "stream.h"
#include "testhelp.h"

#define MAXOUT 4096
#define SRV6 "tests/data/ipfix/NetGauze__srv6.udp-payloads.ipfix"

struct out {
	uint8_t *msg[MAXOUT];
	size_t len[MAXOUT];
	uint16_t stream[MAXOUT];
	uint32_t session[MAXOUT];
	size_t n;
	size_t fail_at;		/* fail the send with this index, 0: never */
	size_t fail_then;	/* ... then this one, 0: never */
};

static int
sink_send(void *arg, uint64_t session, const uint8_t *msg, size_t len,
    uint16_t stream, struct ipfix_err *err)
{
	struct out *o = arg;

	if (o->n + 1 == o->fail_at) {
		o->fail_at = o->fail_then;
		o->fail_then = 0;
		return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "injected failure");
	}
	if (o->n == MAXOUT)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "test sink full");
	o->msg[o->n] = malloc(len);
	memcpy(o->msg[o->n], msg, len);
	o->len[o->n] = len;
	o->stream[o->n] = stream;
	o->session[o->n] = (uint32_t)session;
	o->n++;
	return IPFIX_T_OK;
}

static void
out_free(struct out *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->msg[i]);
	memset(o, 0, sizeof(*o));
}

/* What a decode of a message sequence saw. */
struct seen {
	uint64_t records, tmpl_recs, withdrawals, problems, hash;
	uint64_t own_records;		/* our §4.1 and §4.3 records */
	uint64_t rel_records;		/* of them §4.3 */
	uint32_t last_template;
	/* §4.1 records: per session, the first exportedFlowRecordTotalCount
	 * and the records (data and ours) seen in that session. */
	uint64_t meter[64], recs_in[64], own_in[64];
	bool meter_seen[64];
};

/* The exporter's own §4.1 record: exported records (42) third. */
static bool
is_meter(const struct ipfix_tmpl *t)
{
	return t->id >= 65000 && t->nfields == 4 && t->fields[2].id == 42;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)ipfix_be32(p) << 32 | ipfix_be32(p + 4);
}

static void
s_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct seen *s = arg;
	size_t i;

	/* The exporter's own statistics, in any ODID: our templates take
	 * the highest free ids, which the inputs here leave free. */
	if (t->id >= 65000) {
		s->own_records++;
		s->rel_records += !is_meter(t);
		if (is_meter(t) && m->session < 64 &&
		    !s->meter_seen[m->session]) {
			s->meter_seen[m->session] = true;
			s->meter[m->session] = get64(r->p + 12);
		}
		if (m->session < 64)
			s->own_in[m->session]++;
		return;
	}
	if (m->session < 64)
		s->recs_in[m->session]++;
	s->records++;
	s->hash = s->hash * 1099511628211ULL ^ t->id;
	for (i = 0; i < r->len; i++)
		s->hash = (s->hash ^ r->p[i]) * 1099511628211ULL;
}

static void
s_template(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    enum ipfix_tadd how, uint64_t off)
{
	struct seen *s = arg;

	(void)m;
	(void)how;
	(void)off;
	s->tmpl_recs++;
	s->last_template = t->id;
}

static void
s_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t off)
{
	struct seen *s = arg;

	(void)m;
	(void)set_id;
	(void)tid;
	(void)removed;
	(void)off;
	s->withdrawals++;
}

static void
s_problem(void *arg, const struct ipfix_problem *p)
{
	struct seen *s = arg;

	if (p->severity != IPFIX_SEV_NOTE) {
		s->problems++;
		printf("#   problem: %s (%s)\n", p->reason,
		    p->check ? p->check : "-");
	}
}

static const struct ipfix_decoder_ops seen_ops = {
	.on_record = s_record,
	.on_template = s_template,
	.on_withdrawal = s_withdrawal,
	.on_problem = s_problem,
};

/* Decode the sink's messages with ops, each sink session its own
 * session. */
static void
decode_with(const struct out *o, enum ipfix_transport_kind kind,
    const struct ipfix_decoder_ops *ops, void *arg)
{
	struct ipfix_decoder *d = ipfix_decoder_new(NULL, ops, arg);
	size_t i;

	for (i = 0; i < o->n; i++)
		(void)ipfix_decoder_feed(d, o->msg[i], o->len[i],
		    o->session[i], kind, 0, NULL);
	ipfix_decoder_free(d);
}

static void
decode_out(const struct out *o, enum ipfix_transport_kind kind,
    struct seen *s)
{
	memset(s, 0, sizeof(*s));
	decode_with(o, kind, &seen_ops, s);
}

static void
decode_file(const char *path, struct seen *s)
{
	struct ipfix_decoder *d = ipfix_decoder_new(NULL, &seen_ops, s);
	struct ipfix_reader *r = ipfix_reader_open(path, NULL, NULL);
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	size_t len;

	memset(s, 0, sizeof(*s));
	while (r != NULL && ipfix_reader_next(r, &msg, &len, &meta, NULL) > 0)
		(void)ipfix_decoder_feed(d, msg, len, 0, IPFIX_KIND_FILE, 0,
		    NULL);
	ipfix_reader_close(r);
	ipfix_decoder_free(d);
}

/* An exporter on the sink with cfg's settings (refresh, export time). */
static struct ipfix_exporter *
new_exp_cfg(struct ipfix_exp_sink *sink, struct out *o, size_t max,
    bool reliable, struct ipfix_exporter_config *cfg)
{
	struct ipfix_err err;

	out_free(o);
	memset(sink, 0, sizeof(*sink));
	sink->max_msg = max;
	sink->reliable = reliable;
	sink->stream = reliable;
	sink->send = sink_send;
	sink->arg = o;
	cfg->sink = sink;
	cfg->retry_min_ms = 1;
	return ipfix_exporter_new(cfg, &err);
}

static struct ipfix_exporter *
new_exp(struct ipfix_exp_sink *sink, struct out *o, size_t max,
    bool reliable)
{
	struct ipfix_exporter_config cfg;

	ipfix_exporter_config_init(&cfg);
	return new_exp_cfg(sink, o, max, reliable, &cfg);
}

/* The same without a spool: what a lost session held is dropped. */
static struct ipfix_exporter *
new_exp_nospool(struct ipfix_exp_sink *sink, struct out *o, size_t max,
    bool reliable)
{
	struct ipfix_exporter_config cfg;

	ipfix_exporter_config_init(&cfg);
	cfg.spool_bytes = 0;
	return new_exp_cfg(sink, o, max, reliable, &cfg);
}

static int
run_file(struct ipfix_exporter *x, const char *path)
{
	struct ipfix_reader *r = ipfix_reader_open(path, NULL, NULL);
	struct ipfix_err err;
	int rc;

	if (r == NULL)
		return -1;
	rc = ipfix_exporter_run(x, r, &err);
	ipfix_reader_close(r);
	return rc;
}

/* Records of each message, counted with a fresh decode of the prefix. */
static bool
seq_check(const struct out *o)
{
	uint64_t before[64] = { 0 };
	uint32_t odids[64], sess[64];
	size_t nd = 0, i, j;
	struct ipfix_hdr h;
	struct seen s;
	struct out pre = *o;
	uint64_t total_prev = 0;

	for (i = 0; i < o->n; i++) {
		if (ipfix_hdr_parse(o->msg[i], o->len[i], 0, &h, NULL) == -1)
			return false;
		for (j = 0; j < nd; j++)
			if (odids[j] == h.odid && sess[j] == o->session[i])
				break;
		if (j == nd && nd < 64) {
			odids[nd] = h.odid;
			sess[nd++] = o->session[i];
		}
		if (j == 64 || h.seq != (uint32_t)before[j]) {
			printf("#   message %zu: seq %u, want %llu\n", i, h.seq,
			    (unsigned long long)before[j]);
			return false;
		}
		pre.n = i + 1;
		decode_out(&pre, IPFIX_KIND_TCP, &s);
		before[j] += s.records + s.own_records - total_prev;
		total_prev = s.records + s.own_records;
	}
	return true;
}

static void
test_arith(void)
{
	CHECK_EQ_U(ipfix_exp_backoff_ms(0, 1000, 60000), 1000, "backoff 0");
	CHECK_EQ_U(ipfix_exp_backoff_ms(3, 1000, 60000), 8000, "backoff 3");
	CHECK_EQ_U(ipfix_exp_backoff_ms(10, 1000, 60000), 60000,
	    "backoff capped");
	CHECK_EQ_U(ipfix_exp_backoff_ms(200, 60000, 300000), 300000,
	    "backoff does not overflow");
	CHECK_EQ_U(ipfix_exp_pace_due(5000, 0, 10), 5000, "pace first");
	CHECK_EQ_U(ipfix_exp_pace_due(5000, 25, 10), 7500, "pace 25 at 10/s");
	CHECK_EQ_U(ipfix_exp_pace_due(0, 3, 1000), 3, "pace 1000/s");
	CHECK_EQ_U(ipfix_exp_realtime_due(100, 50000, 52000, 1), 2100,
	    "realtime 2 s later");
	CHECK_EQ_U(ipfix_exp_realtime_due(100, 50000, 52000, 4), 600,
	    "realtime at 4x");
	CHECK_EQ_U(ipfix_exp_realtime_due(100, 50000, 40000, 1), 100,
	    "realtime: input going back in time is not held");
}

static void
test_repack(size_t max, bool reliable)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x;
	struct seen in, got;
	static struct out o;
	size_t i, big = 0;

	x = new_exp(&sink, &o, max, reliable);
	CHECK(x != NULL, "exporter (max %zu, %s)", max,
	    reliable ? "tcp" : "udp");
	CHECK(run_file(x, SRV6) == 0, "srv6 exported");
	ipfix_exporter_stats(x, &st);
	decode_file(SRV6, &in);
	decode_out(&o, reliable ? IPFIX_KIND_TCP : IPFIX_KIND_UDP, &got);
	CHECK(in.records > 100 && got.records == in.records,
	    "every record arrives (%llu of %llu)",
	    (unsigned long long)got.records, (unsigned long long)in.records);
	CHECK(got.hash == in.hash, "same records in the same order");
	CHECK_EQ_U(got.problems, 0, "no problem decoding the output");
	for (i = 0; i < o.n; i++)
		if (o.len[i] > max)
			big++;
	CHECK_EQ_U(big, 0, "no message above %zu bytes", max);
	CHECK(seq_check(&o), "sequence numbers count records before");
	CHECK_EQ_U(st.not_sent_records, 0, "nothing dropped");
	CHECK_EQ_U(st.out_records, in.records, "stats count the records");
	ipfix_exporter_free(x);
	out_free(&o);
}

static void
test_refresh(void)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x;
	struct seen in, got;
	static struct out o;

	x = new_exp(&sink, &o, 512, false);
	CHECK(run_file(x, SRV6) == 0, "udp refresh run");
	ipfix_exporter_stats(x, &st);
	decode_file(SRV6, &in);
	decode_out(&o, IPFIX_KIND_UDP, &got);
	/* 8 templates; data messages every 20 bring all again. */
	CHECK(st.out_templates >= 8 * (o.n / 21),
	    "udp: templates refreshed every 20 data messages (%llu "
	    "template records, %zu messages)",
	    (unsigned long long)st.out_templates, o.n);
	ipfix_exporter_free(x);
	x = new_exp(&sink, &o, 512, true);
	CHECK(run_file(x, SRV6) == 0, "tcp run");
	ipfix_exporter_stats(x, &st);
	CHECK(st.out_templates <= 16, "tcp: templates sent once per "
	    "definition (%llu)", (unsigned long long)st.out_templates);
	ipfix_exporter_free(x);
	out_free(&o);
}

static void
test_loss(void)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x;
	struct seen in, got;
	static struct out o;
	size_t i, first = 0;
	struct ipfix_hdr h;

	x = new_exp_nospool(&sink, &o, 1400, true);
	o.fail_at = 10;
	CHECK(run_file(x, SRV6) == 0, "run with a session lost");
	ipfix_exporter_stats(x, &st);
	decode_file(SRV6, &in);
	decode_out(&o, IPFIX_KIND_TCP, &got);
	CHECK_EQ_U(st.not_sent_messages, 1, "one message not sent");
	CHECK(st.not_sent_records > 0 && got.records + st.not_sent_records ==
	    in.records, "sent + not sent = input (%llu + %llu = %llu)",
	    (unsigned long long)got.records,
	    (unsigned long long)st.not_sent_records,
	    (unsigned long long)in.records);
	CHECK_EQ_U(st.sessions, 2, "a second session");
	CHECK_EQ_U(got.problems, 0, "templates resent on the new session");
	CHECK_EQ_U(got.rel_records, 1, "one §4.3 statistics record (C59)");
	for (i = 0; i < o.n; i++)
		if (o.session[i] == 2) {
			first = i;
			break;
		}
	CHECK(first > 0 && ipfix_hdr_parse(o.msg[first], o.len[first], 0, &h,
	    NULL) == 0 && h.seq == 0, "sequence numbers restart at 0");
	CHECK(seq_check(&o), "sequence numbers per session");
	ipfix_exporter_free(x);
	out_free(&o);
}

/* With the spool (the default), the message the lost session refused
 * goes out on the next session after its templates: nothing is lost,
 * nothing is announced as not sent. */
static void
test_spool(void)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x;
	struct seen in, got;
	static struct out o;

	x = new_exp(&sink, &o, 1400, true);
	o.fail_at = 10;
	CHECK(run_file(x, SRV6) == 0, "spool: run with a session lost");
	ipfix_exporter_stats(x, &st);
	decode_file(SRV6, &in);
	decode_out(&o, IPFIX_KIND_TCP, &got);
	CHECK(st.not_sent_records == 0 && st.spooled_messages == 1,
	    "spool: the refused message waited (not sent %llu, spooled %llu)",
	    (unsigned long long)st.not_sent_records,
	    (unsigned long long)st.spooled_messages);
	CHECK(got.records == in.records, "spool: every record arrived "
	    "(%llu of %llu)", (unsigned long long)got.records,
	    (unsigned long long)in.records);
	CHECK_EQ_U(st.sessions, 2, "spool: a second session");
	CHECK_EQ_U(got.problems, 0, "spool: templates before the spooled "
	    "message on the new session");
	CHECK_EQ_U(got.rel_records, 0, "spool: no §4.3 record (none lost)");
	CHECK(seq_check(&o), "spool: sequence numbers per session");
	ipfix_exporter_free(x);
	out_free(&o);
}

/* Input built by hand: a template, data, its withdrawal, a new one. */
static size_t
build_input(uint8_t *buf, int step)
{
	struct ipfix_builder b;
	struct ipfix_tmpl *t = ipfix_tmpl_new(300, 1, 0);
	uint8_t rec[4] = { 0, 0, 0, (uint8_t)step };

	t->fields[0].id = step < 3 ? 8 : 12;	/* src, then dst addr */
	t->fields[0].len = 4;
	ipfix_tmpl_finish(t);
	ipfix_builder_init(&b, buf, 1000, 7, 1700000000 + (uint32_t)step, 0);
	if (step == 0 || step == 3)
		(void)ipfix_builder_add_template(&b, t, NULL);
	if (step == 2)
		(void)ipfix_builder_add_withdrawal(&b, 2, 300, NULL);
	else
		(void)ipfix_builder_add_record(&b, 300, rec, 4, NULL);
	ipfix_tmpl_free(t);
	return ipfix_builder_finish(&b);
}

static void
test_withdraw(bool reliable)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_err err;
	struct seen got;
	static struct out o;
	uint8_t buf[1000];
	int step, rc = 0;

	x = new_exp(&sink, &o, 1400, reliable);
	for (step = 0; step < 5; step++)
		rc |= ipfix_exporter_feed(x, buf, build_input(buf, step), NULL,
		    &err);
	rc |= ipfix_exporter_finish(x, &err);
	CHECK(rc == 0, "%s: fed 5 messages", reliable ? "tcp" : "udp");
	decode_out(&o, reliable ? IPFIX_KIND_TCP : IPFIX_KIND_UDP, &got);
	CHECK_EQ_U(got.records, 4, "%s: 4 records", reliable ? "tcp" : "udp");
	CHECK_EQ_U(got.withdrawals, reliable ? 1 : 0,
	    "%s: withdrawal forwarded only on TCP (C49)",
	    reliable ? "tcp" : "udp");
	CHECK_EQ_U(got.problems, 0, "%s: output decodes cleanly",
	    reliable ? "tcp" : "udp");
	ipfix_exporter_free(x);
	out_free(&o);
}

static void
test_compress(bool reliable)
{
	struct ipfix_exporter_config cfg;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_err err;
	struct seen in, got;
	static struct out o, plain;
	static uint8_t buf[65535];
	struct ipfix_z *z;
	size_t i, n, bytes = 0;

	out_free(&o);
	out_free(&plain);
	memset(&sink, 0, sizeof(sink));
	sink.max_msg = 1400;
	sink.reliable = sink.stream = reliable;
	sink.send = sink_send;
	sink.arg = &o;
	ipfix_exporter_config_init(&cfg);
	cfg.sink = &sink;
	cfg.compress = true;
	x = ipfix_exporter_new(&cfg, &err);
	CHECK(x != NULL && run_file(x, SRV6) == 0, "compressed run (%s)",
	    reliable ? "stream" : "per frame");
	z = ipfix_z_new(false, reliable, &err);
	for (i = 0; i < o.n; i++) {
		bytes += o.len[i];
		if (!ipfix_z_is_frame(o.msg[i], o.len[i])) {
			plain.msg[plain.n] = o.msg[i];
			plain.len[plain.n] = o.len[i];
			plain.session[plain.n++] = 1;
			continue;
		}
		if (ipfix_z_unpack(z, o.msg[i], o.len[i], buf, sizeof(buf), &n,
		    &err) == -1)
			break;
		plain.msg[plain.n] = malloc(n);
		memcpy(plain.msg[plain.n], buf, n);
		plain.len[plain.n] = n;
		plain.session[plain.n++] = 1;
		free(o.msg[i]);
	}
	CHECK_EQ_U(i, o.n, "every frame inflates");
	o.n = 0;
	decode_file(SRV6, &in);
	decode_out(&plain, IPFIX_KIND_TCP, &got);
	CHECK(got.records == in.records && got.hash == in.hash,
	    "records survive compression");
	CHECK(bytes < 1400 * plain.n, "frames within the limit");
	ipfix_z_free(z);
	ipfix_exporter_free(x);
	out_free(&plain);
}

/* Hand-off every 20 ms while the input trickles in. */
static void
test_rekey(void)
{
	struct ipfix_exporter_config cfg;
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_reader *r;
	struct ipfix_msg_meta meta;
	struct ipfix_err err;
	struct seen in, got;
	static struct out o;
	const uint8_t *msg;
	size_t len, k;
	uint64_t before = 0;
	bool counts_ok = true;

	out_free(&o);
	memset(&sink, 0, sizeof(sink));
	sink.max_msg = 1400;
	sink.reliable = true;
	sink.send = sink_send;
	sink.arg = &o;
	ipfix_exporter_config_init(&cfg);
	cfg.sink = &sink;
	cfg.rekey_ms = 20;
	x = ipfix_exporter_new(&cfg, &err);
	r = ipfix_reader_open(SRV6, NULL, NULL);
	CHECK(x != NULL && r != NULL, "rekey: exporter and input");
	while (r != NULL && ipfix_reader_next(r, &msg, &len, &meta, NULL) > 0) {
		(void)ipfix_exporter_feed(x, msg, len, &meta, &err);
		(void)poll(NULL, 0, 2);
	}
	ipfix_reader_close(r);
	CHECK(ipfix_exporter_finish(x, &err) == 0, "rekey: finished");
	ipfix_exporter_stats(x, &st);
	decode_file(SRV6, &in);
	decode_out(&o, IPFIX_KIND_TCP, &got);
	CHECK(st.handoffs >= 3 && st.sessions == st.handoffs + 1,
	    "rekey: %llu hand-offs", (unsigned long long)st.handoffs);
	CHECK(got.records == in.records && got.hash == in.hash,
	    "rekey: every record once, in order");
	CHECK_EQ_U(got.problems, 0, "rekey: each session has its templates");
	CHECK(seq_check(&o), "rekey: sequence numbers restart per session");
	for (k = 1; k < 64 && k <= st.sessions; k++) {
		if (k > 1 && (!got.meter_seen[k] || got.meter[k] != before))
			counts_ok = false;
		/* the count is of every record before it, ours too */
		before += got.recs_in[k] + got.own_in[k];
	}
	CHECK(counts_ok, "rekey: each new session starts with the §4.1 "
	    "count of the records before it");
	ipfix_exporter_free(x);
	out_free(&o);
}

static void
test_config(void)
{
	struct ipfix_exporter_config cfg;
	struct ipfix_err err;

	ipfix_exporter_config_init(&cfg);
	CHECK(ipfix_endpoint_parse("udp://127.0.0.1", &cfg.ep, &err) == 0,
	    "endpoint");
	cfg.data_streams = 4;
	CHECK(ipfix_exporter_new(&cfg, &err) == NULL &&
	    err.code == IPFIX_E_USAGE, "data streams need SCTP");
	cfg.data_streams = 0;
	cfg.pace = IPFIX_PACE_MSGS;
	CHECK(ipfix_exporter_new(&cfg, &err) == NULL &&
	    err.code == IPFIX_E_USAGE, "a rate of 0 is refused");
	CHECK(ipfix_endpoint_parse("sctp://127.0.0.1", &cfg.ep, &err) == 0,
	    "sctp endpoint");
	cfg.pace = IPFIX_PACE_FAST;
	cfg.pr_rtx = 2;
	cfg.compress = true;
	CHECK(ipfix_exporter_new(&cfg, &err) == NULL &&
	    err.code == IPFIX_E_USAGE, "compression with PR-SCTP refused");
}

/* on_progress: once per input message, with the running exporter, whose
 * statistics at each call count the messages fed so far. */
struct progress_seen {
	const struct ipfix_exporter *x;
	uint64_t calls, in_order;
};

static void
on_progress(void *arg, const struct ipfix_exporter *x)
{
	struct progress_seen *p = arg;
	struct ipfix_exporter_stats st;

	p->x = x;
	p->calls++;
	ipfix_exporter_stats(x, &st);
	p->in_order += st.in_messages == p->calls;
}

static void
test_progress(void)
{
	struct ipfix_exporter_config cfg;
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct progress_seen p = { 0 };
	struct ipfix_exporter *x;
	struct out o = { 0 };

	ipfix_exporter_config_init(&cfg);
	cfg.on_progress = on_progress;
	cfg.arg = &p;
	x = new_exp_cfg(&sink, &o, 1400, false, &cfg);
	CHECK(x != NULL && run_file(x, SRV6) == 0, "progress: run");
	ipfix_exporter_stats(x, &st);
	CHECK(st.in_messages > 1 && p.calls == st.in_messages,
	    "progress: one call per input message (%llu calls, %llu "
	    "messages)", (unsigned long long)p.calls,
	    (unsigned long long)st.in_messages);
	CHECK(p.x == x && p.in_order == p.calls,
	    "progress: the exporter's counts are current at each call");
	ipfix_exporter_free(x);
	out_free(&o);
}

/* Re-packing runs of fixed-length records ---------------------------------- */

#define RUN_MAXREC 8192

/* The input: which records, in which order, with which export time. */
struct runs_in {
	uint8_t *msg[32];
	size_t len[32];
	int n;
	uint32_t odid[RUN_MAXREC], time[RUN_MAXREC];
	uint16_t tid[RUN_MAXREC];
	uint32_t nrec;
	uint32_t per_odid7, per_odid9;
};

static void
in_free(struct runs_in *in)
{
	int k;

	for (k = 0; k < in->n; k++)
		free(in->msg[k]);
	in->n = 0;
}

/* Record k of template 300 (24 bytes) or 301 (12): k, the ODID, filler. */
static size_t
run_rec(uint8_t *p, uint16_t tid, uint32_t k, uint32_t odid)
{
	size_t n = tid == 300 ? 24 : 12, i;

	ipfix_put32(p, k);
	ipfix_put32(p + 4, odid);
	for (i = 8; i < n; i++)
		p[i] = (uint8_t)(k * 13 + i);
	return n;
}

static struct ipfix_tmpl *
run_tmpl(uint16_t tid)
{
	static const uint16_t ids[2][4] = { { 8, 12, 1, 2 }, { 7, 11, 8, 12 } };
	static const uint16_t lens[2][4] = { { 4, 4, 8, 8 }, { 2, 2, 4, 4 } };
	int w = tid == 300 ? 0 : 1, i;
	struct ipfix_tmpl *t = ipfix_tmpl_new(tid, 4, 0);

	for (i = 0; i < 4; i++) {
		t->fields[i].id = ids[w][i];
		t->fields[i].len = lens[w][i];
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* One input message: templates (0, 1 or 2 of them), then data sets of
 * (tid, count) pairs. */
static void
run_msg(struct runs_in *in, uint32_t odid, uint32_t time, uint32_t seq,
    int ntmpl, const int (*sets)[2], int nsets)
{
	struct ipfix_builder b;
	struct ipfix_tmpl *t;
	uint8_t rec[24];
	size_t rl;
	int i, j;

	in->msg[in->n] = malloc(IPFIX_MSG_MAX);
	ipfix_builder_init(&b, in->msg[in->n], IPFIX_MSG_MAX, odid, time, seq);
	for (i = 0; i < ntmpl; i++) {
		t = run_tmpl((uint16_t)(300 + i));
		(void)ipfix_builder_add_template(&b, t, NULL);
		ipfix_tmpl_free(t);
	}
	for (i = 0; i < nsets; i++) {
		/* a new set even when the id repeats */
		if (i > 0 && b.set_start != 0) {
			ipfix_put16(b.buf + b.set_start, (uint16_t)sets[i - 1][0]);
			ipfix_put16(b.buf + b.set_start + 2,
			    (uint16_t)(b.len - b.set_start));
			b.set_start = 0;
			b.set_id = 0;
		}
		for (j = 0; j < sets[i][1]; j++) {
			rl = run_rec(rec, (uint16_t)sets[i][0], in->nrec, odid);
			(void)ipfix_builder_add_record(&b, (uint16_t)sets[i][0],
			    rec, rl, NULL);
			in->odid[in->nrec] = odid;
			in->time[in->nrec] = time;
			in->tid[in->nrec++] = (uint16_t)sets[i][0];
			if (odid == 7)
				in->per_odid7++;
			else
				in->per_odid9++;
		}
	}
	in->len[in->n++] = ipfix_builder_finish(&b);
}

static void
runs_input(struct runs_in *in)
{
	static const int m0[][2] = { { 300, 2000 } };
	static const int m1[][2] = { { 300, 1500 }, { 301, 50 }, { 300, 30 } };
	static const int m2[][2] = { { 300, 2500 } };
	static const int m3[][2] = { { 301, 100 }, { 301, 7 } };

	memset(in, 0, sizeof(*in));
	run_msg(in, 7, 1700000000, 0, 1, m0, 1);
	run_msg(in, 9, 1700000000, 0, 2, m1, 3);
	run_msg(in, 7, 1700000001, 2000, 0, m2, 1);
	run_msg(in, 9, 1700000002, 1580, 0, m3, 2);
}

/* What the output decodes to. */
struct runs_out {
	const struct runs_in *in;
	uint32_t next;		/* input record expected next */
	uint32_t bad_order, bad_odid, bad_time, bad_tid, other;
	uint32_t cur;		/* output message being decoded */
	uint32_t recs_in_msg[MAXOUT];
	uint64_t problems;
};

static void
ro_message(void *arg, const struct ipfix_msg_ctx *m)
{
	struct runs_out *r = arg;

	(void)m;
	r->cur++;
}

static void
ro_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *rec)
{
	struct runs_out *r = arg;
	uint32_t k;

	if (r->cur - 1 < MAXOUT)
		r->recs_in_msg[r->cur - 1]++;
	if (t->id >= 65000) {
		r->other++;	/* the exporter's own statistics */
		return;
	}
	k = ipfix_be32(rec->p);
	if (k != r->next || k >= r->in->nrec) {
		r->bad_order++;
		r->next = k + 1;
		return;
	}
	r->next++;
	r->bad_odid += m->hdr.odid != r->in->odid[k] ||
	    ipfix_be32(rec->p + 4) != m->hdr.odid;
	r->bad_time += m->hdr.export_time != r->in->time[k];
	r->bad_tid += t->id != r->in->tid[k] ||
	    rec->len != (t->id == 300 ? 24u : 12u);
}

static void
ro_problem(void *arg, const struct ipfix_problem *p)
{
	struct runs_out *r = arg;

	if (p->severity != IPFIX_SEV_NOTE) {
		r->problems++;
		printf("#   problem: %s (%s)\n", p->reason,
		    p->check ? p->check : "-");
	}
}

static void
runs_decode(const struct out *o, enum ipfix_transport_kind kind,
    const struct runs_in *in, struct runs_out *r)
{
	static const struct ipfix_decoder_ops ops = {
		.on_message = ro_message,
		.on_record = ro_record,
		.on_problem = ro_problem,
	};

	memset(r, 0, sizeof(*r));
	r->in = in;
	decode_with(o, kind, &ops, r);
}

/* Each message's sequence number is the count of data records of its
 * (session, ODID) in the messages before it. */
static bool
runs_seq(const struct out *o, const struct runs_out *r, uint64_t *tot7,
    uint64_t *tot9)
{
	uint64_t before[16] = { 0 };
	uint32_t key_odid[16], key_sess[16];
	size_t nk = 0, i, j;
	struct ipfix_hdr h;

	for (i = 0; i < o->n; i++) {
		if (ipfix_hdr_parse(o->msg[i], o->len[i], 0, &h, NULL) == -1)
			return false;
		for (j = 0; j < nk; j++)
			if (key_odid[j] == h.odid && key_sess[j] == o->session[i])
				break;
		if (j == nk) {
			if (nk == 16)
				return false;
			key_odid[nk] = h.odid;
			key_sess[nk++] = o->session[i];
		}
		if (h.seq != (uint32_t)before[j]) {
			printf("#   message %zu (ODID %u): seq %u, want %llu\n",
			    i, h.odid, h.seq, (unsigned long long)before[j]);
			return false;
		}
		before[j] += r->recs_in_msg[i];
	}
	*tot7 = *tot9 = 0;
	for (j = 0; j < nk; j++) {
		if (key_odid[j] == 7)
			*tot7 += before[j];
		if (key_odid[j] == 9)
			*tot9 += before[j];
	}
	return true;
}

/* Messages are full: one of the same ODID and export time follows only
 * when no further record (24 bytes and a set header) fitted. */
static size_t
runs_loose(const struct out *o, size_t max)
{
	struct ipfix_hdr a, b;
	size_t i, loose = 0;

	for (i = 0; i + 1 < o->n; i++) {
		if (ipfix_hdr_parse(o->msg[i], o->len[i], 0, &a, NULL) == -1 ||
		    ipfix_hdr_parse(o->msg[i + 1], o->len[i + 1], 0, &b,
		    NULL) == -1)
			return o->n;
		if (a.odid == b.odid && a.export_time == b.export_time &&
		    a.odid != 0 && o->session[i] == o->session[i + 1] &&
		    o->len[i] + 24 + 4 <= max) {
			printf("#   message %zu: %zu bytes, room left\n", i,
			    o->len[i]);
			loose++;
		}
	}
	return loose;
}

static void
test_repack_runs(size_t max, bool reliable)
{
	const char *kind = reliable ? "tcp" : "udp";
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_err err;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	uint64_t tot7 = 0, tot9 = 0;
	size_t i, big = 0;
	int k, rc = 0;

	runs_input(&in);
	x = new_exp(&sink, &o, max, reliable);
	CHECK(x != NULL, "runs %s %zu: exporter", kind, max);
	for (k = 0; k < in.n && x != NULL; k++)
		rc |= ipfix_exporter_feed(x, in.msg[k], in.len[k], NULL, &err);
	rc |= ipfix_exporter_finish(x, &err);
	CHECK(rc == 0, "runs %s %zu: 4 input messages of up to %zu bytes fed",
	    kind, max, in.len[2]);
	ipfix_exporter_stats(x, &st);
	for (i = 0; i < o.n; i++)
		big += o.len[i] > max;
	CHECK_EQ_U(big, 0, "runs %s %zu: no message above the limit "
	    "(%zu messages)", kind, max, o.n);
	CHECK(o.n >= (size_t)in.nrec * 12 / max,
	    "runs %s %zu: the input was cut (%zu messages)", kind, max, o.n);
	runs_decode(&o, reliable ? IPFIX_KIND_TCP : IPFIX_KIND_UDP, &in, &r);
	CHECK_EQ_U(r.next, in.nrec, "runs %s %zu: %u records out", kind, max,
	    in.nrec);
	CHECK_EQ_U(r.bad_order, 0, "runs %s %zu: each once, in input order",
	    kind, max);
	CHECK(r.bad_odid == 0 && r.bad_tid == 0 && r.bad_time == 0,
	    "runs %s %zu: ODID, template and export time kept", kind, max);
	CHECK_EQ_U(r.problems, 0, "runs %s %zu: output decodes cleanly "
	    "(sequence numbers included)", kind, max);
	CHECK(runs_seq(&o, &r, &tot7, &tot9),
	    "runs %s %zu: sequence numbers advance by the records per ODID",
	    kind, max);
	CHECK(tot7 == in.per_odid7 && tot9 == in.per_odid9,
	    "runs %s %zu: ODID 7 numbered %llu records (%u), ODID 9 %llu "
	    "(%u)", kind, max, (unsigned long long)tot7, in.per_odid7,
	    (unsigned long long)tot9, in.per_odid9);
	CHECK_EQ_U(runs_loose(&o, max), 0, "runs %s %zu: messages filled",
	    kind, max);
	CHECK(st.in_records == in.nrec && st.out_records == in.nrec &&
	    st.not_sent_records == 0, "runs %s %zu: stats in %llu out %llu",
	    kind, max, (unsigned long long)st.in_records,
	    (unsigned long long)st.out_records);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/*
 * UDP: templates again after at most refresh_msgs (20) data messages of
 * their ODID (C51), also inside one long input data set that fills many
 * output messages. Counted per run (the output of one input message:
 * same ODID and export time) and, separately, across input messages.
 */
static void
test_refresh_in_runs(void)
{
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_err err;
	struct ipfix_set_iter it;
	struct ipfix_set set;
	struct ipfix_hdr h;
	static struct runs_in in;
	static struct out o;
	unsigned run[2] = { 0, 0 }, all[2] = { 0, 0 };
	unsigned worst_run = 0, worst_all = 0, refreshes = 0;
	uint32_t time[2] = { 0, 0 };
	bool tmpl, data;
	size_t i;
	int k, w;

	runs_input(&in);
	x = new_exp(&sink, &o, 512, false);
	for (k = 0; k < in.n && x != NULL; k++)
		(void)ipfix_exporter_feed(x, in.msg[k], in.len[k], NULL, &err);
	(void)ipfix_exporter_finish(x, &err);
	for (i = 0; i < o.n; i++) {
		if (ipfix_hdr_parse(o.msg[i], o.len[i], 0, &h, NULL) == -1 ||
		    (h.odid != 7 && h.odid != 9))
			continue;
		w = h.odid == 7 ? 0 : 1;
		if (h.export_time != time[w])
			run[w] = 0;
		time[w] = h.export_time;
		tmpl = data = false;
		ipfix_set_iter_init(&it, o.msg[i], o.len[i], 0);
		while (ipfix_set_next(&it, &set, NULL) == 1) {
			tmpl |= set.id == 2;
			data |= set.id >= 256;
		}
		if (tmpl) {
			refreshes++;
			run[w] = all[w] = 0;
		} else if (data) {
			if (++run[w] > worst_run)
				worst_run = run[w];
			if (++all[w] > worst_all)
				worst_all = all[w];
		}
	}
	CHECK(refreshes >= in.nrec / 20 / 20,
	    "udp refresh: %u template messages of %zu", refreshes, o.n);
	CHECK(worst_run <= 20, "udp refresh: at most 20 data messages "
	    "without templates inside one input data set (%u)", worst_run);
	CHECK(worst_all <= 20, "udp refresh: at most 20 data messages "
	    "without templates across input messages (%u)", worst_all);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/*
 * A record that fits no message is fatal: the run ends with an error.
 * Every record of the input is counted as sent or not sent.
 */
static void
test_fatal_run_counted(void)
{
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_builder b;
	struct ipfix_err err;
	struct ipfix_tmpl *t = ipfix_tmpl_new(300, 1, 0);
	static uint8_t buf[IPFIX_MSG_MAX], rec[600];
	static struct out o;
	size_t len;
	int i, rc;

	t->fields[0].id = 82;		/* interfaceName, 600 bytes */
	t->fields[0].len = 600;
	ipfix_tmpl_finish(t);
	ipfix_builder_init(&b, buf, sizeof(buf), 1, 1700000000, 0);
	(void)ipfix_builder_add_template(&b, t, NULL);
	for (i = 0; i < 10; i++)
		(void)ipfix_builder_add_record(&b, 300, rec, sizeof(rec), NULL);
	len = ipfix_builder_finish(&b);
	x = new_exp(&sink, &o, 512, true);
	rc = ipfix_exporter_feed(x, buf, len, NULL, &err);
	ipfix_exporter_stats(x, &st);
	CHECK(rc == -1 && err.code == IPFIX_E_LIMIT && st.in_records == 10 &&
	    st.out_records == 0, "fatal: a 600-byte record in 512-byte "
	    "messages ends the run (%s)", err.reason);
	CHECK(st.out_records + st.not_sent_records == st.in_records,
	    "fatal: sent + not sent = input (%llu + %llu of %llu)",
	    (unsigned long long)st.out_records,
	    (unsigned long long)st.not_sent_records,
	    (unsigned long long)st.in_records);
	ipfix_exporter_free(x);
	out_free(&o);
	ipfix_tmpl_free(t);
}

/* Forwarding whole messages ------------------------------------------------ */

#define FW_T	1700000000u

static const int fw_40[][2] = { { 300, 40 } };	/* 980 bytes */

/* a and b are one message but for the sequence number (bytes 8-11), and
 * with any_time also the export time (4-7). */
static bool
same_but_seq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    bool any_time)
{
	if (alen != blen || alen < IPFIX_HDR_LEN)
		return false;
	return memcmp(a, b, any_time ? 4 : 8) == 0 &&
	    memcmp(a + 12, b + 12, alen - 12) == 0;
}

/* The output message that is input message k sent whole, or -1. */
static long
whole_at(const struct out *o, const struct runs_in *in, int k)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (same_but_seq(o->msg[i], o->len[i], in->msg[k], in->len[k],
		    false))
			return (long)i;
	return -1;
}

static uint32_t
seq_of(const struct out *o, long i)
{
	if (i < 0 || (size_t)i >= o->n || o->len[i] < IPFIX_HDR_LEN)
		return UINT32_MAX;
	return ipfix_be32(o->msg[i] + 8);
}

/* Only template sets: a UDP refresh on its own. */
static bool
tmpl_only(const uint8_t *msg, size_t len)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	int sets = 0;

	ipfix_set_iter_init(&it, msg, len, 0);
	while (ipfix_set_next(&it, &s, NULL) == 1) {
		if (s.id != IPFIX_SET_TEMPLATE)
			return false;
		sets++;
	}
	return sets > 0;
}

/* n zero bytes of padding after the last set of input message k
 * (RFC 7011 §3.3.1): the records no longer fill their set exactly. */
static void
pad_last_set(struct runs_in *in, int k, size_t n)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	uint8_t *m = in->msg[k];
	size_t last = 0;

	ipfix_set_iter_init(&it, m, in->len[k], 0);
	while (ipfix_set_next(&it, &s, NULL) == 1)
		last = (size_t)s.offset;
	memset(m + in->len[k], 0, n);
	ipfix_put16(m + last + 2, (uint16_t)(ipfix_be16(m + last + 2) + n));
	in->len[k] += n;
	ipfix_put16(m + 2, (uint16_t)in->len[k]);
}

static int
feed_in(struct ipfix_exporter *x, const struct runs_in *in)
{
	struct ipfix_err err;
	int k, rc = 0;

	for (k = 0; k < in->n; k++)
		rc |= ipfix_exporter_feed(x, in->msg[k], in->len[k], NULL,
		    &err);
	return rc | ipfix_exporter_finish(x, &err);
}

static uint64_t
out_bytes(const struct out *o)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < o->n; i++)
		n += o->len[i];
	return n;
}

/*
 * A data-only message of templates already on the session, larger than
 * half the session's limit and within it, goes out whole: only its
 * sequence number is ours. Smaller ones are gathered, larger ones cut,
 * and the numbering runs on across both kinds (C08). The input's own
 * sequence numbers (90001...) are wrong on purpose.
 */
static void
test_fwd_whole(bool reliable)
{
	/* two sets of one template: re-packing makes them one */
	static const int m0[][2] = { { 300, 5 }, { 300, 5 } };
	static const int m2[][2] = { { 300, 50 }, { 301, 5 } };
	static const int m3[][2] = { { 301, 10 } };
	static const int m4[][2] = { { 300, 5 } };
	static const int m5[][2] = { { 300, 100 } };
	static const int m6[][2] = { { 300, 55 } };
	static const int m7[][2] = { { 300, 30 } };
	/* input message, output message, records before it */
	static const int whole[4][3] = { { 1, 1, 10 }, { 2, 2, 50 },
	    { 6, 5, 220 }, { 7, 6, 275 } };
	static const int cut[4] = { 0, 3, 4, 5 };
	const char *kind = reliable ? "tcp" : "udp";
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	uint64_t tot7, tot9;
	size_t i, big = 0;
	int j;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 90001, 2, m0, 2);	/* templates: decoded */
	run_msg(&in, 7, FW_T, 90002, 0, fw_40, 1);	/* 980 bytes: whole */
	run_msg(&in, 7, FW_T, 90003, 0, m2, 2);	/* 1284, 2 sets: whole */
	run_msg(&in, 7, FW_T, 90004, 0, m3, 1);	/* 140: gathered */
	run_msg(&in, 7, FW_T, 90005, 0, m4, 1);	/* 140: gathered */
	run_msg(&in, 7, FW_T, 90006, 0, m5, 1);	/* 2420: cut */
	run_msg(&in, 7, FW_T, 90007, 0, m6, 1);	/* 1340: whole */
	run_msg(&in, 7, FW_T + 1, 90008, 0, m7, 1);	/* 740: whole */
	x = new_exp(&sink, &o, 1400, reliable);
	CHECK(x != NULL && feed_in(x, &in) == 0, "fwd %s: 8 messages fed",
	    kind);
	ipfix_exporter_stats(x, &st);
	CHECK_EQ_U(o.n, 7, "fwd %s: 7 messages out", kind);
	for (j = 0; j < 4; j++) {
		CHECK_EQ_U(whole_at(&o, &in, whole[j][0]), whole[j][1],
		    "fwd %s: input %d (%zu bytes) is output %d, byte for "
		    "byte but the sequence number", kind, whole[j][0],
		    in.len[whole[j][0]], whole[j][1]);
		CHECK_EQ_U(seq_of(&o, whole[j][1]), whole[j][2],
		    "fwd %s: its sequence number counts the %d records "
		    "before it", kind, whole[j][2]);
	}
	for (j = 0; j < 4; j++)
		CHECK_EQ_U(whole_at(&o, &in, cut[j]), -1, "fwd %s: input %d "
		    "(%zu bytes) is not sent whole", kind, cut[j],
		    in.len[cut[j]]);
	for (i = 0; i < o.n; i++)
		big += o.len[i] > 1400;
	CHECK_EQ_U(big, 0, "fwd %s: no message above 1400 bytes", kind);
	runs_decode(&o, reliable ? IPFIX_KIND_TCP : IPFIX_KIND_UDP, &in, &r);
	CHECK(r.recs_in_msg[3] == 10 + 5 + 47 && r.recs_in_msg[4] == 53,
	    "fwd %s: the two small inputs and the 2420-byte one share "
	    "outputs 3 and 4 (%u + %u records)", kind, r.recs_in_msg[3],
	    r.recs_in_msg[4]);
	CHECK(r.next == in.nrec && in.nrec == 305 && r.bad_order == 0,
	    "fwd %s: %u records, each once, in order", kind, r.next);
	CHECK(r.bad_odid == 0 && r.bad_tid == 0 && r.bad_time == 0 &&
	    r.problems == 0, "fwd %s: output decodes cleanly", kind);
	CHECK(runs_seq(&o, &r, &tot7, &tot9) && tot7 == 305,
	    "fwd %s: sequence numbers continuous across forwarded and "
	    "re-packed messages", kind);
	CHECK(st.in_messages == 8 && st.in_records == 305 &&
	    st.out_records == 305 && st.not_sent_records == 0,
	    "fwd %s: stats in %llu records, out %llu", kind,
	    (unsigned long long)st.in_records,
	    (unsigned long long)st.out_records);
	CHECK(st.out_messages == o.n && st.out_bytes == out_bytes(&o) &&
	    st.out_templates == 2, "fwd %s: stats %llu messages, %llu "
	    "bytes, %llu templates", kind,
	    (unsigned long long)st.out_messages,
	    (unsigned long long)st.out_bytes,
	    (unsigned long long)st.out_templates);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* Messages of at most half the limit are gathered, not sent one by one. */
static void
test_fwd_gather(void)
{
	static const int m[][2] = { { 300, 5 } };	/* 140 bytes */
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	int k;

	memset(&in, 0, sizeof(in));
	for (k = 0; k < 20; k++)
		run_msg(&in, 7, FW_T, 0, k == 0, m, 1);
	x = new_exp(&sink, &o, 1400, true);
	CHECK(x != NULL && feed_in(x, &in) == 0, "gather: 20 messages fed");
	ipfix_exporter_stats(x, &st);
	runs_decode(&o, IPFIX_KIND_TCP, &in, &r);
	CHECK(o.n == 2 && r.recs_in_msg[0] == 56 && r.recs_in_msg[1] == 44,
	    "gather: 20 small inputs make 2 full messages (%zu: %u + %u "
	    "records)", o.n, r.recs_in_msg[0], r.recs_in_msg[1]);
	CHECK(r.next == 100 && r.bad_order == 0 && r.problems == 0,
	    "gather: 100 records, each once, in order");
	CHECK(st.out_messages == 2 && st.out_records == 100,
	    "gather: stats count 2 messages of 100 records");
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* Over UDP, a refresh due before a message that is gathered, not sent
 * whole, goes with data as before: never a message of templates alone. */
static void
test_fwd_gather_refresh(void)
{
	static const int m[][2] = { { 300, 5 } };	/* 140 bytes */
	struct ipfix_exporter_config cfg;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	unsigned alone = 0;
	struct seen s;
	size_t i;
	int k;

	memset(&in, 0, sizeof(in));
	for (k = 0; k < 30; k++)
		run_msg(&in, 7, FW_T + (uint32_t)k, 0, k == 0, m, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.refresh_ms = 0;
	cfg.refresh_msgs = 2;
	x = new_exp_cfg(&sink, &o, 1400, false, &cfg);
	CHECK(x != NULL && feed_in(x, &in) == 0,
	    "gather refresh: 30 messages fed");
	for (i = 0; i < o.n; i++)
		alone += tmpl_only(o.msg[i], o.len[i]);
	decode_out(&o, IPFIX_KIND_UDP, &s);
	runs_decode(&o, IPFIX_KIND_UDP, &in, &r);
	CHECK(alone == 0 && s.tmpl_recs > 1 && r.next == 150 &&
	    r.bad_order == 0, "gather refresh: %u template records, none in a "
	    "message of its own (%u), 150 records in order",
	    (unsigned)s.tmpl_recs, alone);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* A 500-byte data message: gathered at a limit of 1000 (not more than
 * half), whole at 500 (exactly the limit), cut at 499. */
static void
test_fwd_bounds(void)
{
	static const int m0[][2] = { { 300, 1 } };
	static const int m1[][2] = { { 300, 20 } };
	static const size_t max[3] = { 1000, 500, 499 };
	static const size_t nout[3] = { 1, 2, 2 };
	static const long at[3] = { -1, 1, -1 };
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	size_t i, big;
	int j;

	for (j = 0; j < 3; j++) {
		memset(&in, 0, sizeof(in));
		run_msg(&in, 7, FW_T, 0, 1, m0, 1);
		run_msg(&in, 7, FW_T, 1, 0, m1, 1);
		x = new_exp(&sink, &o, max[j], true);
		CHECK(x != NULL && feed_in(x, &in) == 0 && in.len[1] == 500,
		    "bounds %zu: fed", max[j]);
		CHECK_EQ_U(o.n, nout[j], "bounds %zu: %zu messages out",
		    max[j], nout[j]);
		CHECK_EQ_U(whole_at(&o, &in, 1), at[j], "bounds %zu: the "
		    "500-byte message %s", max[j], at[j] == -1 ?
		    "is re-packed" : "goes out whole");
		for (i = 0, big = 0; i < o.n; i++)
			big += o.len[i] > max[j];
		runs_decode(&o, IPFIX_KIND_TCP, &in, &r);
		CHECK(big == 0 && r.next == 21 && r.bad_order == 0 &&
		    r.problems == 0, "bounds %zu: 21 records in order, none "
		    "above the limit", max[j]);
		ipfix_exporter_free(x);
		out_free(&o);
		in_free(&in);
	}
}

/*
 * Only data sets that their records fill exactly go out whole: a
 * message with a template set (a re-send or a new one) or with padding
 * is decoded and re-packed, and its records still arrive.
 */
static void
test_fwd_not_whole(void)
{
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	int k;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 1, fw_40, 1);	/* template 300 */
	run_msg(&in, 7, FW_T, 40, 1, fw_40, 1);	/* 300 again, unchanged */
	run_msg(&in, 7, FW_T, 80, 2, fw_40, 1);	/* 300 and a new 301 */
	run_msg(&in, 7, FW_T, 120, 0, fw_40, 1);
	pad_last_set(&in, 3, 3);
	run_msg(&in, 7, FW_T, 160, 0, fw_40, 1);	/* plain: whole */
	x = new_exp(&sink, &o, 1400, true);
	CHECK(x != NULL && feed_in(x, &in) == 0, "not whole: 5 messages fed");
	ipfix_exporter_stats(x, &st);
	for (k = 0; k < 3; k++)
		CHECK_EQ_U(whole_at(&o, &in, k), -1, "not whole: %zu-byte "
		    "message %d with a template set is re-packed",
		    in.len[k], k);
	CHECK(in.len[3] == 983 && whole_at(&o, &in, 3) == -1,
	    "not whole: a padded data set is re-packed");
	CHECK(whole_at(&o, &in, 4) >= 0, "not whole: the plain data message "
	    "after them goes out whole");
	runs_decode(&o, IPFIX_KIND_TCP, &in, &r);
	CHECK(r.next == 200 && r.bad_order == 0 && r.problems == 0,
	    "not whole: 200 records, each once, in order");
	CHECK_EQ_U(st.out_templates, 2, "not whole: tcp sends each template "
	    "once (the unchanged re-send is not forwarded)");
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/*
 * UDP, templates again after every 3 data messages (C51): the refresh
 * is a message of its own, and the data message that made it due still
 * goes out whole right after it.
 */
static void
test_fwd_refresh(void)
{
	static const int m0[][2] = { { 300, 10 } };
	struct ipfix_exporter_config cfg;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	struct seen s;
	uint64_t tot7, tot9;
	unsigned refreshes = 0, after_ok = 0, run = 0, worst = 0, whole = 0;
	size_t i;
	int k;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 2, m0, 1);
	for (k = 1; k <= 9; k++)
		run_msg(&in, 7, FW_T, 0, 0, fw_40, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.refresh_ms = 0;
	cfg.refresh_msgs = 3;
	x = new_exp_cfg(&sink, &o, 1400, false, &cfg);
	CHECK(x != NULL && feed_in(x, &in) == 0, "fwd refresh: 10 fed");
	for (i = 0; i < o.n; i++) {
		if (!tmpl_only(o.msg[i], o.len[i])) {
			if (++run > worst)
				worst = run;
			continue;
		}
		refreshes++;
		run = 0;
		for (k = 1; k <= 9 && i + 1 < o.n; k++)
			if (same_but_seq(o.msg[i + 1], o.len[i + 1],
			    in.msg[k], in.len[k], false))
				after_ok++;
	}
	for (k = 1; k <= 9; k++)
		whole += whole_at(&o, &in, k) >= 0;
	CHECK(o.n == 13 && refreshes == 3, "fwd refresh: 3 template "
	    "messages of their own in %zu", o.n);
	CHECK_EQ_U(after_ok, 3, "fwd refresh: the data message after each "
	    "is the input's, byte for byte but the sequence number");
	CHECK_EQ_U(whole, 9, "fwd refresh: all 9 data messages whole");
	CHECK_EQ_U(worst, 3, "fwd refresh: at most 3 data messages without "
	    "templates");
	decode_out(&o, IPFIX_KIND_UDP, &s);
	CHECK_EQ_U(s.tmpl_recs, 2 + 3 * 2, "fwd refresh: both templates "
	    "each time");
	runs_decode(&o, IPFIX_KIND_UDP, &in, &r);
	CHECK(r.next == 370 && r.bad_order == 0 && r.problems == 0 &&
	    runs_seq(&o, &r, &tot7, &tot9) && tot7 == 370,
	    "fwd refresh: 370 records in order, numbered without gaps");
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/*
 * The refresh clock is read once per input message. A later reading taken
 * while the templates went out (a millisecond boundary crossed in the
 * middle of a feed) made the elapsed time wrap and the refresh repeat at
 * once: the data message then went out with the templates again. A
 * refresh on every message, 2000 times, crosses many such boundaries.
 */
static void
test_fwd_refresh_clock(void)
{
	static const int m0[][2] = { { 300, 10 } };
	struct ipfix_exporter_config cfg;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct out o;
	struct ipfix_err err;
	unsigned tmpl = 0, whole = 0, other = 0;
	size_t i;
	int k, rc;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 1, m0, 1);
	run_msg(&in, 7, FW_T, 10, 0, fw_40, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.refresh_msgs = 1;	/* refresh_ms stays at its 60 s default */
	x = new_exp_cfg(&sink, &o, 1400, false, &cfg);
	rc = x == NULL ? -1 : ipfix_exporter_feed(x, in.msg[0], in.len[0],
	    NULL, &err);
	out_free(&o);
	for (k = 0; k < 2000 && rc == 0; k++)
		rc = ipfix_exporter_feed(x, in.msg[1], in.len[1], NULL, &err);
	CHECK(rc == 0, "fwd refresh clock: 2000 messages fed");
	for (i = 0; i < o.n; i++) {
		if (tmpl_only(o.msg[i], o.len[i]))
			tmpl++;
		else if (same_but_seq(o.msg[i], o.len[i], in.msg[1],
		    in.len[1], false))
			whole++;
		else
			other++;
	}
	/* other: the input's template message, sent before data message 1 */
	CHECK(tmpl == 1999 && whole == 2000 && other == 1, "fwd refresh "
	    "clock: one template message before each whole data message "
	    "(%u template, %u whole, %u other)", tmpl, whole, other);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* export_time_now: a forwarded message carries our export time. */
static void
test_fwd_time_now(void)
{
	static const int m0[][2] = { { 300, 10 } };
	struct ipfix_exporter_config cfg;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct out o;
	uint32_t t0, t1, t = 0;
	long at;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 1, m0, 1);
	run_msg(&in, 7, FW_T, 10, 0, fw_40, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.export_time_now = true;
	x = new_exp_cfg(&sink, &o, 1400, true, &cfg);
	t0 = (uint32_t)time(NULL);
	CHECK(x != NULL && feed_in(x, &in) == 0, "fwd time: fed");
	t1 = (uint32_t)time(NULL);
	at = -1;
	if (o.n == 2 && same_but_seq(o.msg[1], o.len[1], in.msg[1],
	    in.len[1], true)) {
		at = 1;
		t = ipfix_be32(o.msg[1] + 4);
	}
	CHECK(at == 1, "fwd time: whole but for sequence number and time");
	CHECK(t >= t0 && t <= t1 && t != FW_T, "fwd time: export time %u "
	    "is now (%u-%u), not the input's", t, t0, t1);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/*
 * The sink refuses the third message, a forwarded one: its 40 records
 * are counted as not sent, the next message finds no session and is
 * re-packed on a new one (templates first, numbering from 0), and the
 * messages after it are forwarded whole again.
 */
static void
test_fwd_lost(void)
{
	static const int m0[][2] = { { 300, 10 } };
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	struct seen s;
	uint64_t tot7, tot9;
	long first2 = -1, at4, at5;
	size_t i;
	int k;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 2, m0, 1);
	for (k = 1; k <= 5; k++)
		run_msg(&in, 7, FW_T, 0, 0, fw_40, 1);
	x = new_exp_nospool(&sink, &o, 1400, true);
	o.fail_at = 3;
	CHECK(x != NULL && feed_in(x, &in) == 0, "fwd lost: fed");
	ipfix_exporter_stats(x, &st);
	CHECK(st.not_sent_messages == 1 && st.not_sent_records == 40,
	    "fwd lost: the refused forwarded message counted: 1 message, "
	    "%llu records", (unsigned long long)st.not_sent_records);
	CHECK(st.out_records + st.not_sent_records == st.in_records &&
	    st.in_records == 210, "fwd lost: sent + not sent = input "
	    "(%llu + %llu = %llu)", (unsigned long long)st.out_records,
	    (unsigned long long)st.not_sent_records,
	    (unsigned long long)st.in_records);
	CHECK_EQ_U(st.sessions, 2, "fwd lost: a second session");
	CHECK(whole_at(&o, &in, 1) == 1 && whole_at(&o, &in, 2) == -1 &&
	    whole_at(&o, &in, 3) == -1, "fwd lost: input 1 whole, 2 lost, "
	    "3 re-packed (its templates not yet on the new session)");
	for (i = 0; i < o.n && first2 == -1; i++)
		if (o.session[i] == 2 && ipfix_be32(o.msg[i] + 12) == 7)
			first2 = (long)i;
	CHECK_EQ_U(seq_of(&o, first2), 0, "fwd lost: ODID 7 numbered from 0 "
	    "on session 2");
	at4 = whole_at(&o, &in, 4);
	at5 = whole_at(&o, &in, 5);
	/* Session 2 opens after a loss: the §4.1 and §4.3 records of
	 * ODID 7 are two of its records there, numbered before the data. */
	CHECK(at4 > first2 && o.session[at4] == 2 && seq_of(&o, at4) == 42 &&
	    at5 > at4 && seq_of(&o, at5) == 82, "fwd lost: inputs 4 and 5 "
	    "whole on session 2, numbered 42 and 82 (after its §4.1 and §4.3 "
	    "records; %lu and %lu here)", (unsigned long)seq_of(&o, at4),
	    (unsigned long)seq_of(&o, at5));
	decode_out(&o, IPFIX_KIND_TCP, &s);
	CHECK(s.problems == 0 && s.records == 170, "fwd lost: session 2 has "
	    "its templates before data (170 records decode)");
	CHECK(s.rel_records == 1, "fwd lost: one §4.3 statistics record "
	    "(C59; %llu sent)", (unsigned long long)s.rel_records);
	runs_decode(&o, IPFIX_KIND_TCP, &in, &r);
	CHECK(r.next == 210 && r.bad_order == 1 &&
	    runs_seq(&o, &r, &tot7, &tot9), "fwd lost: records in order "
	    "but for the one gap; numbering per session");
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* Per ODID (of 7 and 9): data records received and the last §4.3
 * notSentFlowTotalCount announced in a message of that ODID. */
struct dom_seen {
	uint64_t recs[2], told[2], tells[2], bad;
	uint64_t told_on[2];	/* the session of the last */
};

static void
ds_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct dom_seen *s = arg;
	int k = m->hdr.odid == 9;

	if (m->hdr.odid != 7 && m->hdr.odid != 9) {
		s->bad++;
		return;
	}
	if (t->id < 65000) {
		s->recs[k]++;
		return;
	}
	/* §4.3: exportingProcessId, notSentFlowTotalCount (166), times */
	if (t->nfields == 4 && t->fields[1].id == 166) {
		s->told[k] = get64(r->p + 4);
		s->tells[k]++;
		s->told_on[k] = m->session;
	}
}

static void
dom_decode(const struct out *o, struct dom_seen *s)
{
	static const struct ipfix_decoder_ops ops = { .on_record = ds_record };

	memset(s, 0, sizeof(*s));
	decode_with(o, IPFIX_KIND_TCP, &ops, s);
}

/* Two ODIDs, a refused message in each: each ODID's §4.3 record
 * carries its own count, in a message of that ODID, on every session
 * after a drop, and the totals are their sum. With a spool that holds
 * ODID 9's messages but not ODID 7's, only ODID 7 announces drops. */
static void
test_dom_stats(size_t spool)
{
	static const int m7[][2] = { { 300, 40 } }, m9[][2] = { { 300, 15 } };
	struct ipfix_exporter_config cfg;
	struct ipfix_exporter_stats st;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	static struct runs_in in;
	static struct runs_out r;
	static struct out o;
	struct dom_seen s;
	uint64_t t7, t9;
	int k;

	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 1, m7, 1);
	run_msg(&in, 9, FW_T, 0, 1, m9, 1);
	for (k = 0; k < 10; k++)
		run_msg(&in, k % 2 ? 9 : 7, FW_T, 0, 0, k % 2 ? m9 : m7, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.spool_bytes = spool;
	cfg.flush_each_input = true;	/* one message per input */
	x = new_exp_cfg(&sink, &o, 1400, true, &cfg);
	/* Sends 3 (the first data message of ODID 9) and, on session 2
	 * (after its §4.1 records), 8 (messages of both, lost twice in a
	 * row: the spool overflows). */
	o.fail_at = 3;
	o.fail_then = 8;
	CHECK(x != NULL && feed_in(x, &in) == 0, "dom stats %zu: fed", spool);
	ipfix_exporter_stats(x, &st);
	dom_decode(&o, &s);
	CHECK(s.bad == 0 && s.tells[0] > 0 && s.told[0] > 0 &&
	    (spool > 0 ? s.tells[1] == 0 : s.tells[1] > 0 && s.told[1] > 0),
	    "dom stats %zu: a §4.3 record in each ODID with drops (7: %llu, "
	    "9: %llu)", spool, (unsigned long long)s.told[0],
	    (unsigned long long)s.told[1]);
	CHECK(s.told_on[0] == o.session[o.n - 1] && (spool > 0 ||
	    s.told_on[1] == o.session[o.n - 1]), "dom stats %zu: repeated on "
	    "the last session (%u)", spool, o.session[o.n - 1]);
	CHECK(s.recs[0] + s.told[0] == in.per_odid7 &&
	    s.recs[1] + s.told[1] == in.per_odid9, "dom stats %zu: received "
	    "+ announced = input per ODID (7: %llu + %llu = %u, 9: %llu + "
	    "%llu = %u)", spool, (unsigned long long)s.recs[0],
	    (unsigned long long)s.told[0], in.per_odid7,
	    (unsigned long long)s.recs[1], (unsigned long long)s.told[1],
	    in.per_odid9);
	CHECK(st.not_sent_records == s.told[0] + s.told[1] &&
	    st.out_records == s.recs[0] + s.recs[1], "dom stats %zu: totals "
	    "are the sum (not sent %llu)", spool,
	    (unsigned long long)st.not_sent_records);
	runs_decode(&o, IPFIX_KIND_TCP, &in, &r);
	CHECK(runs_seq(&o, &r, &t7, &t9), "dom stats %zu: numbering per "
	    "session and ODID, our records counted (also when spooled)",
	    spool);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
}

/* After a fatal error nothing more is taken, forwardable or not. */
static void
test_fwd_fatal(void)
{
	static const int m2[][2] = { { 300, 15 } };	/* 380 bytes */
	struct ipfix_exporter_stats st, st2;
	struct ipfix_exp_sink sink;
	struct ipfix_exporter *x;
	struct ipfix_builder b;
	struct ipfix_err err;
	struct ipfix_tmpl *t = run_tmpl(300), *big = ipfix_tmpl_new(302, 1, 0);
	static uint8_t buf[2048], rec[600];
	static struct runs_in in;
	static struct out o;
	size_t len, n;
	int rc;

	big->fields[0].id = 82;		/* interfaceName, 600 bytes */
	big->fields[0].len = 600;
	ipfix_tmpl_finish(big);
	ipfix_builder_init(&b, buf, sizeof(buf), 7, FW_T, 0);
	(void)ipfix_builder_add_template(&b, t, NULL);
	(void)ipfix_builder_add_template(&b, big, NULL);
	(void)ipfix_builder_add_record(&b, 302, rec, sizeof(rec), NULL);
	len = ipfix_builder_finish(&b);
	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 1, 0, m2, 1);
	x = new_exp(&sink, &o, 512, true);
	rc = ipfix_exporter_feed(x, buf, len, NULL, &err);
	CHECK(rc == -1 && err.code == IPFIX_E_LIMIT, "fwd fatal: a 600-byte "
	    "record in 512-byte messages ends the run");
	ipfix_exporter_stats(x, &st);
	n = o.n;
	rc = ipfix_exporter_feed(x, in.msg[0], in.len[0], NULL, &err);
	ipfix_exporter_stats(x, &st2);
	CHECK(rc == -1 && err.code == IPFIX_E_LIMIT && o.n == n,
	    "fwd fatal: a forwardable message after it is refused with the "
	    "fatal error, nothing sent");
	CHECK(st2.in_records == st.in_records && st2.in_records == 1 &&
	    st2.out_messages == st.out_messages &&
	    st2.not_sent_records == st.not_sent_records &&
	    st2.out_records + st2.not_sent_records == st2.in_records,
	    "fwd fatal: stats unchanged (in %llu, out %llu, not sent %llu)",
	    (unsigned long long)st2.in_records,
	    (unsigned long long)st2.out_records,
	    (unsigned long long)st2.not_sent_records);
	ipfix_exporter_free(x);
	out_free(&o);
	in_free(&in);
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(big);
}

/*
 * A stop asked while no session can be had (a TCP port that refuses):
 * every record, those of a forwardable message too, is counted as not
 * sent, and nothing is sent.
 */
static void
test_fwd_stopping(void)
{
	static const int m0[][2] = { { 300, 10 } };
	static volatile sig_atomic_t stop = 1;
	struct ipfix_exporter_config cfg;
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x = NULL;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct ipfix_err err;
	static struct runs_in in;
	char url[64];
	int fd, rc = -1;

	/* bound, not listening: connections to it are refused */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1) {
		printf("ok - fwd stopping # SKIP no loopback socket\n");
		if (fd != -1)
			close(fd);
		return;
	}
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	memset(&in, 0, sizeof(in));
	run_msg(&in, 7, FW_T, 0, 1, m0, 1);
	run_msg(&in, 7, FW_T, 10, 0, fw_40, 1);
	ipfix_exporter_config_init(&cfg);
	cfg.retry_min_ms = 1;
	cfg.stop = &stop;
	if (ipfix_endpoint_parse(url, &cfg.ep, &err) == 0 &&
	    (x = ipfix_exporter_new(&cfg, &err)) != NULL)
		rc = feed_in(x, &in);
	CHECK(rc == 0, "fwd stopping: a stop is no failure");
	if (x != NULL) {
		ipfix_exporter_stats(x, &st);
		CHECK(st.in_records == 50 && st.not_sent_records == 50 &&
		    st.out_records == 0 && st.out_messages == 0 &&
		    st.sessions == 0, "fwd stopping: all 50 records counted as "
		    "not sent (in %llu, not sent %llu, out %llu)",
		    (unsigned long long)st.in_records,
		    (unsigned long long)st.not_sent_records,
		    (unsigned long long)st.out_records);
	}
	ipfix_exporter_free(x);
	in_free(&in);
	close(fd);
}

int
main(void)
{
	test_arith();
	test_repack(512, false);
	test_repack(1400, false);
	test_repack(65535, true);
	test_refresh();
	test_loss();
	test_spool();
	test_withdraw(true);
	test_withdraw(false);
	test_compress(false);
	test_compress(true);
	test_rekey();
	test_config();
	test_progress();
	test_repack_runs(1400, true);
	test_repack_runs(512, false);
	test_repack_runs(9000, true);
	test_refresh_in_runs();
	test_fatal_run_counted();
	test_fwd_whole(true);
	test_fwd_whole(false);
	test_fwd_gather();
	test_fwd_bounds();
	test_fwd_not_whole();
	test_fwd_refresh();
	test_fwd_time_now();
	test_fwd_refresh_clock();
	test_fwd_gather_refresh();
	test_fwd_lost();
	test_dom_stats(0);
	test_dom_stats(600);
	test_fwd_fatal();
	test_fwd_stopping();
	TEST_DONE();
}
