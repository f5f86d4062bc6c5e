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

/* Re-packing runs of fixed-length records ---------------------------------- */

#define RUN_MAXREC 8192

/* The input: which records, in which order, with which export time. */
struct runs_in {
	uint8_t *msg[8];
	size_t len[8];
	int n;
	uint32_t odid[RUN_MAXREC], time[RUN_MAXREC];
	uint16_t tid[RUN_MAXREC];
	uint32_t nrec;
	uint32_t per_odid7, per_odid9;
};

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
	if (m->hdr.odid == 0) {
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
	struct ipfix_decoder *d = ipfix_decoder_new(NULL, &ops, r);
	size_t i;

	memset(r, 0, sizeof(*r));
	r->in = in;
	for (i = 0; i < o->n; i++)
		(void)ipfix_decoder_feed(d, o->msg[i], o->len[i],
		    o->session[i], kind, 0, NULL);
	ipfix_decoder_free(d);
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
	for (k = 0; k < in.n; k++)
		free(in.msg[k]);
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
	for (k = 0; k < in.n; k++)
		free(in.msg[k]);
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
	test_repack_runs(1400, true);
	test_repack_runs(512, false);
	test_repack_runs(9000, true);
	test_refresh_in_runs();
	test_fatal_run_counted();
	TEST_DONE();
}
