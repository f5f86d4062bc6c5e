/*
 * Unit tests of exporter without sockets: a sink stands in for the
 * Transport Session. Checked: records survive re-packing in order, message
 * sizes, templates before data on every session, sequence numbers per
 * session and ODID, UDP refresh, withdrawals (TCP only), a lost session
 * (drop counted, §4.3 record sent), compression, and the pacing and
 * backoff arithmetic.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

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
};

static int
sink_send(void *arg, uint64_t session, const uint8_t *msg, size_t len,
    uint16_t stream, struct ipfix_err *err)
{
	struct out *o = arg;

	if (o->n + 1 == o->fail_at) {
		o->fail_at = 0;
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
	uint64_t odid0_records;
	uint32_t last_template;
	/* §4.1 records: per session, the first exportedFlowRecordTotalCount
	 * and the data records seen in that session. */
	uint64_t meter[64], recs_in[64];
	bool meter_seen[64];
};

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

	if (m->hdr.odid == 0 && t->id >= 65000) {
		s->odid0_records++;
		/* The exporter's own statistics; §4.1 has exported records
		 * (42) third. */
		if (t->nfields == 4 && t->fields[2].id == 42 &&
		    m->session < 64 && !s->meter_seen[m->session]) {
			s->meter_seen[m->session] = true;
			s->meter[m->session] = get64(r->p + 12);
		}
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

/* Decode the sink's messages, each sink session its own session. */
static void
decode_out(const struct out *o, enum ipfix_transport_kind kind,
    struct seen *s)
{
	struct ipfix_decoder *d = ipfix_decoder_new(NULL, &seen_ops, s);
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < o->n; i++)
		(void)ipfix_decoder_feed(d, o->msg[i], o->len[i],
		    o->session[i], kind, 0, NULL);
	ipfix_decoder_free(d);
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

static struct ipfix_exporter *
new_exp(struct ipfix_exp_sink *sink, struct out *o, size_t max,
    bool reliable)
{
	struct ipfix_exporter_config cfg;
	struct ipfix_err err;

	out_free(o);
	memset(sink, 0, sizeof(*sink));
	sink->max_msg = max;
	sink->reliable = reliable;
	sink->stream = reliable;
	sink->send = sink_send;
	sink->arg = o;
	ipfix_exporter_config_init(&cfg);
	cfg.sink = sink;
	cfg.retry_min_ms = 1;
	return ipfix_exporter_new(&cfg, &err);
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
		before[j] += s.records + s.odid0_records - total_prev;
		total_prev = s.records + s.odid0_records;
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

	x = new_exp(&sink, &o, 1400, true);
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
	CHECK_EQ_U(got.odid0_records, 1, "one §4.3 statistics record (C59)");
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
		before += got.recs_in[k];
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

int
main(void)
{
	test_arith();
	test_repack(512, false);
	test_repack(1400, false);
	test_repack(65535, true);
	test_refresh();
	test_loss();
	test_withdraw(true);
	test_withdraw(false);
	test_compress(false);
	test_compress(true);
	test_rekey();
	test_config();
	TEST_DONE();
}
