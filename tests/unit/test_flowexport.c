/*
 * Unit tests of flowexport: templates (default, biflow, --fields), record
 * values, time precision, sequence numbers, export time, the message size
 * limit and the RFC 7011 §4 options records. Messages are parsed back with
 * msg.h and template.h.
 */
#include <stdlib.h>
#include <string.h>

#include "flowexport.h"
#include "msg.h"
#include "template.h"
#include "testhelp.h"

#define SEC 1000000000LL
#define MAXMSG 256

struct out {
	uint8_t *msg[MAXMSG];
	size_t len[MAXMSG];
	int n;
};

static int
sink(const uint8_t *msg, size_t len, void *arg, struct ipfix_err *err)
{
	struct out *o = arg;

	(void)err;
	if (o->n == MAXMSG)
		return -1;
	o->msg[o->n] = malloc(len);
	memcpy(o->msg[o->n], msg, len);
	o->len[o->n++] = len;
	return 0;
}

static void
out_free(struct out *o)
{
	while (o->n > 0)
		free(o->msg[--o->n]);
}

static struct flowcache_flow
mkflow(int ver, uint64_t octets, uint32_t packets)
{
	struct flowcache_flow f;

	memset(&f, 0, sizeof(f));
	f.key.ipver = (uint8_t)ver;
	f.key.src[0] = 192;
	f.key.src[15] = 1;
	f.key.dst[0] = 10;
	f.key.sport = 1234;
	f.key.dport = 80;
	f.key.proto = 6;
	f.dir[0].octets = octets;
	f.dir[0].packets = packets;
	f.dir[0].start_ns = 1000 * SEC + 5000000;
	f.dir[0].end_ns = 1001 * SEC;
	f.dir[0].tcp_flags = 0x1b;
	f.reason = FLOWCACHE_END;
	return f;
}

/* The template with id tid from the messages, or NULL (caller frees). */
static struct ipfix_tmpl *
find_tmpl(const struct out *o, uint16_t tid)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	struct ipfix_cursor c;
	struct ipfix_tmpl *t;
	uint16_t wid;
	int i;

	for (i = 0; i < o->n; i++) {
		ipfix_set_iter_init(&it, o->msg[i], o->len[i], 0);
		while (ipfix_set_next(&it, &s, NULL) == 1) {
			if (s.id != 2 && s.id != 3)
				continue;
			ipfix_cursor_init(&c, s.body, s.length - 4u, 0);
			while (ipfix_cursor_left(&c) >= 4 &&
			    ipfix_tmpl_parse(&c, s.id, false, &t, &wid, NULL) == 1) {
				if (t->id == tid)
					return t;
				ipfix_tmpl_free(t);
			}
		}
	}
	return NULL;
}

/* First record of data set tid in the messages, or NULL. */
static const uint8_t *
find_rec(const struct out *o, uint16_t tid, int nth)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	int i;

	for (i = 0; i < o->n; i++) {
		ipfix_set_iter_init(&it, o->msg[i], o->len[i], 0);
		while (ipfix_set_next(&it, &s, NULL) == 1)
			if (s.id == tid && nth-- == 0)
				return s.body;
	}
	return NULL;
}

static uint64_t
be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

static struct flowexport *
mkexp(struct out *o, const char *fields, bool bi, size_t size,
    enum flowexport_precision prec, struct ipfix_err *err)
{
	struct flowexport_config cfg;

	memset(o, 0, sizeof(*o));
	memset(&cfg, 0, sizeof(cfg));
	cfg.odid = 7;
	cfg.fields = fields;
	cfg.biflow = bi;
	cfg.msg_size = size;
	cfg.precision = prec;
	cfg.process_id = 1;
	return flowexport_new(&cfg, sink, o, err);
}

static void
test_default(void)
{
	struct out o;
	struct flowexport_meter m = { 10, 2, 120, 1 * SEC, 2 * SEC };
	struct flowexport *fx = mkexp(&o, NULL, false, 0, 0, NULL);
	struct flowcache_flow f4 = mkflow(4, 1500, 3), f6 = mkflow(6, 80, 1);
	struct ipfix_hdr h;
	struct ipfix_tmpl *t;
	const uint8_t *r;

	flowexport_start(fx, 1000 * SEC, &m, NULL);
	flowexport_flow(fx, &f4, 1002 * SEC, NULL);
	flowexport_flow(fx, &f6, 1003 * SEC, NULL);
	flowexport_finish(fx, 1003 * SEC, &m, NULL);
	CHECK_EQ_U(o.n, 2, "default: start+flows, then closing message");
	ipfix_hdr_parse(o.msg[0], o.len[0], 0, &h, NULL);
	CHECK_EQ_U(h.version, 10, "default: version 10 (C01)");
	CHECK_EQ_U(h.length, o.len[0], "default: length (C01)");
	CHECK_EQ_U(h.odid, 7, "default: odid");
	CHECK_EQ_U(h.seq, 0, "default: first seq 0");
	CHECK_EQ_U(h.export_time, 1000, "default: export time = packet time");
	ipfix_hdr_parse(o.msg[1], o.len[1], 0, &h, NULL);
	CHECK_EQ_U(h.seq, 5, "default: 3 options + 2 flows before (C05, C07)");
	CHECK_EQ_U(h.export_time, 1003, "default: closing export time");
	t = find_tmpl(&o, FLOWEXPORT_TID_V4);
	CHECK(t != NULL && t->nfields == 16 && t->fields[0].id == 8,
	    "default: IPv4 template, 16 fields");
	ipfix_tmpl_free(t);
	t = find_tmpl(&o, FLOWEXPORT_TID_V6);
	CHECK(t != NULL && t->fields[0].id == 27 && t->fields[8].id == 139,
	    "default: IPv6 template with IPv6 addresses and ICMP");
	ipfix_tmpl_free(t);
	r = find_rec(&o, FLOWEXPORT_TID_V4, 0);
	CHECK(r != NULL, "default: IPv4 record");
	if (r != NULL) {
		CHECK_EQ_U(be(r, 4), 0xc0000000u, "default: source address");
		CHECK_EQ_U(be(r + 8, 2), 1234, "default: source port");
		CHECK_EQ_U(be(r + 16, 2), 0x1b, "default: tcp flags");
		CHECK_EQ_U(be(r + 22, 8), 1500, "default: octets");
		CHECK_EQ_U(be(r + 30, 8), 3, "default: packets");
		CHECK_EQ_U(be(r + 38, 8), 1000005, "default: start ms");
		CHECK_EQ_U(be(r + 46, 8), 1001000, "default: end ms");
		CHECK_EQ_U(r[54], 3, "default: flowEndReason");
	}
	r = find_rec(&o, FLOWEXPORT_TID_MREL, 1);
	CHECK(r != NULL && be(r + 8, 8) == 2 && be(r + 16, 8) == 120 &&
	    be(r + 24, 8) == 1000, "options: ignored packets/octets/time");
	r = find_rec(&o, FLOWEXPORT_TID_MSTATS, 1);
	CHECK(r != NULL && be(r, 4) == 7 && be(r + 8, 8) == 1 &&
	    be(r + 16, 8) == 2, "options: exported messages and flows");
	t = find_tmpl(&o, FLOWEXPORT_TID_EREL);
	CHECK(t != NULL && t->scope_count == 1 && t->fields[0].id == 144,
	    "options: §4.3 scope exportingProcessId (C58)");
	ipfix_tmpl_free(t);
	flowexport_free(fx);
	out_free(&o);
}

static void
test_biflow(void)
{
	struct out o;
	struct flowexport_meter m;
	struct flowexport *fx = mkexp(&o, NULL, true, 0, FLOWEXPORT_NANO, NULL);
	struct flowcache_flow f = mkflow(4, 100, 1);
	struct ipfix_tmpl *t;
	size_t i, rev = 0, bad = 0;

	memset(&m, 0, sizeof(m));
	f.dir[1].packets = 2;
	f.dir[1].octets = 200;
	flowexport_start(fx, 1000 * SEC, &m, NULL);
	flowexport_flow(fx, &f, 1002 * SEC, NULL);
	flowexport_finish(fx, 1003 * SEC, &m, NULL);
	t = find_tmpl(&o, FLOWEXPORT_TID_V4);
	for (i = 0; t != NULL && i < t->nfields; i++) {
		if (t->fields[i].pen == IPFIX_PEN_REVERSE)
			rev++;
		if (t->fields[i].pen != 0 && (t->fields[i].id == 136 ||
		    t->fields[i].id == 239 || t->fields[i].id == 8))
			bad++;
	}
	CHECK_EQ_U(rev, 8, "biflow: 8 reverse elements, PEN 29305 (C113)");
	CHECK_EQ_U(bad, 0, "biflow: keys and non-reversibles not reversed");
	CHECK(t != NULL && t->fields[13].id == 156 && t->fields[14].id == 157,
	    "biflow: nanosecond times");
	ipfix_tmpl_free(t);
	flowexport_free(fx);
	out_free(&o);
}

static void
test_fields(void)
{
	struct out o;
	struct ipfix_err err;
	struct flowexport_meter m;
	struct flowexport *fx;
	struct ipfix_tmpl *t;

	memset(&m, 0, sizeof(m));
	fx = mkexp(&o, "sourceIPv4Address,packetDeltaCount", false, 0, 0,
	    NULL);
	CHECK(fx != NULL, "fields: valid list accepted");
	flowexport_start(fx, 0, &m, NULL);
	flowexport_finish(fx, 0, &m, NULL);
	t = find_tmpl(&o, FLOWEXPORT_TID_V6);
	CHECK(t != NULL && t->nfields == 2 && t->fields[0].id == 27 &&
	    t->fields[1].id == 2, "fields: IPv6 template swaps the address");
	ipfix_tmpl_free(t);
	flowexport_free(fx);
	out_free(&o);
	fx = mkexp(&o, "sourceIPv4Address,noSuchThing", false, 0, 0, &err);
	CHECK(fx == NULL && err.code == IPFIX_E_USAGE &&
	    strstr(err.reason, "unknown") != NULL, "fields: unknown name");
	fx = mkexp(&o, "sourceIPv4Address,applicationName", false, 0, 0, &err);
	CHECK(fx == NULL && strstr(err.reason, "cannot fill") != NULL,
	    "fields: known but unsupported element");
	fx = mkexp(&o, "sourceIPv4Address,reverseOctetDeltaCount", false, 0,
	    0, &err);
	CHECK(fx == NULL && strstr(err.reason, "--biflow") != NULL,
	    "fields: reverse element needs --biflow");
	fx = mkexp(&o, "protocolIdentifier,reverseOctetDeltaCount", true, 0,
	    0, &err);
	CHECK(fx == NULL && err.check != NULL &&
	    strcmp(err.check, "C114") == 0,
	    "fields: reverse elements need a directional key (C114)");
	fx = mkexp(&o, "octetDeltaCount", false, 0, 0, &err);
	CHECK(fx == NULL && strstr(err.reason, "key") != NULL,
	    "fields: a flow key is required");
	fx = mkexp(&o, "sourceIPv4Address,,octetDeltaCount", false, 0, 0,
	    &err);
	CHECK(fx == NULL, "fields: empty name rejected");
}

static void
test_size_limit(void)
{
	struct out o;
	struct flowexport_meter m;
	struct flowexport *fx = mkexp(&o, NULL, false, 512, 0, NULL);
	struct flowcache_flow f = mkflow(4, 100, 1);
	struct ipfix_hdr h;
	uint32_t expect = 0;
	int i, ok = 1, seq_ok = 1;

	memset(&m, 0, sizeof(m));
	flowexport_start(fx, 5 * SEC, &m, NULL);
	for (i = 0; i < 100; i++)
		flowexport_flow(fx, &f, (5 + i) * SEC, NULL);
	flowexport_finish(fx, 200 * SEC, &m, NULL);
	CHECK(o.n > 10, "size limit: many messages (%d)", o.n);
	for (i = 0; i < o.n; i++) {
		struct ipfix_set_iter it;
		struct ipfix_set s;
		uint32_t recs = 0;

		ok &= o.len[i] <= 512;
		ipfix_hdr_parse(o.msg[i], o.len[i], 0, &h, NULL);
		seq_ok &= h.seq == expect;
		ipfix_set_iter_init(&it, o.msg[i], o.len[i], 0);
		while (ipfix_set_next(&it, &s, NULL) == 1)
			if (s.id >= 256)
				recs += (s.length - 4u) / (s.id ==
				    FLOWEXPORT_TID_V4 ? 55u : s.id ==
				    FLOWEXPORT_TID_EREL ? 44u : s.id ==
				    FLOWEXPORT_TID_MREL ? 40u : 32u);
		expect += recs;
	}
	CHECK(ok, "size limit: every message <= 512 bytes");
	CHECK(seq_ok, "size limit: sequence = records before (C05)");
	CHECK_EQ_U(expect, 106, "size limit: 100 flows + 6 options records");
	flowexport_free(fx);
	out_free(&o);
}

static void
test_micro(void)
{
	struct out o;
	struct flowexport_meter m;
	struct flowexport *fx = mkexp(&o, "sourceIPv4Address,"
	    "flowStartMicroseconds,flowStartNanoseconds", false, 0, 0, NULL);
	struct flowcache_flow f = mkflow(4, 1, 1);
	const uint8_t *r;

	memset(&m, 0, sizeof(m));
	f.dir[0].start_ns = 1 * SEC + 500000000;
	flowexport_start(fx, 0, &m, NULL);
	flowexport_flow(fx, &f, 0, NULL);
	flowexport_finish(fx, 0, &m, NULL);
	r = find_rec(&o, FLOWEXPORT_TID_V4, 0);
	CHECK(r != NULL && be(r + 4, 4) == 2208988801u &&
	    be(r + 8, 4) == 0x80000000u, "micro: NTP seconds and fraction");
	CHECK(r != NULL && be(r + 12, 4) == 2208988801u &&
	    be(r + 16, 4) == 0x80000000u, "nano: NTP seconds and fraction");
	flowexport_free(fx);
	out_free(&o);
}

int
main(void)
{
	test_default();
	test_biflow();
	test_fields();
	test_size_limit();
	test_micro();
	TEST_DONE();
}
