/*
 * Unit tests of stream (reader and writer), capture_ipfix and pcap_in:
 * round trips raw and gzip, resync over injected garbage, cut input,
 * refused formats, IPFIX extraction from real and built captures,
 * live input (a pipe kept open) never waiting for more than a message,
 * and the writer: messages built in place (space, commit) mixed with
 * copies, more than its buffer, writes above IPFIX_MSG_MAX, flush, and
 * failed writes (closed pipe, full device) reported.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "msg.h"
#include "pcap_in.h"
#include "stream.h"
#include "testhelp.h"

#define DATA "tests/data/"
#define SRV6_RAW DATA "ipfix/NetGauze__srv6.udp-payloads.ipfix"
#define SRV6_PCAP DATA "ipfix/NetGauze__srv6.pcap"

static char tmpdir[64];

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob
slurp(const char *path)
{
	struct blob b = { NULL, 0 };
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		if (f != NULL)
			fclose(f);
		return b;
	}
	rewind(f);
	b.p = malloc((size_t)n + 1);
	if (b.p != NULL && fread(b.p, 1, (size_t)n, f) == (size_t)n)
		b.n = (size_t)n;
	fclose(f);
	return b;
}

static int
spill(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(p, 1, n, f) == n ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

static const char *
tmp(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* What reading a whole input gave. */
struct tally {
	size_t msgs, errs;
	uint64_t err_off[8];
	enum ipfix_errcode err_code[8];
	char last_reason[IPFIX_REASON_MAX];
	struct blob cat;	/* all messages back to back */
	uint32_t max_session;
	uint64_t last_packet;
	bool packets_rise;
	bool ts_set;
};

static void
tally_msg(struct tally *t, const uint8_t *msg, size_t len,
    const struct ipfix_msg_meta *m)
{
	uint8_t *p = realloc(t->cat.p, t->cat.n + len);

	if (p != NULL) {
		memcpy(p + t->cat.n, msg, len);
		t->cat.p = p;
		t->cat.n += len;
	}
	t->msgs++;
	if (m->session > t->max_session)
		t->max_session = m->session;
	if (m->packet < t->last_packet)
		t->packets_rise = false;
	t->last_packet = m->packet;
	if (m->ts_sec != 0)
		t->ts_set = true;
}

static int
read_all(const char *path, const struct ipfix_reader_options *opt,
    struct tally *t)
{
	struct ipfix_reader *r;
	struct ipfix_msg_meta m;
	struct ipfix_err err;
	const uint8_t *msg;
	size_t len;
	int rc, guard = 0;

	memset(t, 0, sizeof(*t));
	t->packets_rise = true;
	if ((r = ipfix_reader_open(path, opt, &err)) == NULL) {
		snprintf(t->last_reason, sizeof(t->last_reason), "%s",
		    err.reason);
		return -1;
	}
	while ((rc = ipfix_reader_next(r, &msg, &len, &m, &err)) != 0 &&
	    guard++ < 100000) {
		if (rc == -2)
			break;
		if (rc == 1) {
			tally_msg(t, msg, len, &m);
			continue;
		}
		if (t->errs < 8) {
			t->err_off[t->errs] = err.offset;
			t->err_code[t->errs] = err.code;
		}
		t->errs++;
		snprintf(t->last_reason, sizeof(t->last_reason), "%s",
		    err.reason);
	}
	ipfix_reader_close(r);
	return rc == -2 ? -2 : 0;
}

static void
tally_free(struct tally *t)
{
	free(t->cat.p);
	t->cat.p = NULL;
}

/* Writes the messages of 'src' through a writer (gzip or not). */
static int
write_through(const struct blob *src, const char *path, bool gz)
{
	struct ipfix_writer *w;
	struct ipfix_err err;
	size_t off = 0, len;

	if ((w = ipfix_writer_open(path, gz, &err)) == NULL)
		return -1;
	while (off + 4 <= src->n) {
		len = (size_t)src->p[off + 2] << 8 | src->p[off + 3];
		if (len == 0 || ipfix_writer_write(w, src->p + off, len,
		    &err) == -1)
			break;
		off += len;
		if (off == 4096)
			(void)ipfix_writer_flush(w, &err);
	}
	return ipfix_writer_close(w, &err);
}

static void
test_raw_roundtrip(const struct blob *raw)
{
	struct tally t;
	struct blob out;

	CHECK(raw->n == 28936, "srv6 raw input present (%zu bytes)", raw->n);
	CHECK_EQ_U(read_all(SRV6_RAW, NULL, &t), 0, "raw: read");
	CHECK_EQ_U(t.msgs, 170, "raw: 170 messages");
	CHECK_EQ_U(t.errs, 0, "raw: no errors");
	CHECK_EQ_U(t.max_session, 0, "raw: session 0");
	tally_free(&t);
	CHECK_EQ_U(write_through(raw, tmp("rt.ipfix"), false), 0,
	    "raw writer: written and closed");
	out = slurp(tmp("rt.ipfix"));
	CHECK(out.n == raw->n && memcmp(out.p, raw->p, raw->n) == 0,
	    "raw writer: byte-identical copy");
	free(out.p);
	CHECK_EQ_U(read_all(tmp("rt.ipfix"), NULL, &t), 0, "raw copy: read");
	CHECK(t.msgs == 170 && t.cat.n == raw->n &&
	    memcmp(t.cat.p, raw->p, raw->n) == 0,
	    "raw copy: same 170 messages");
	tally_free(&t);
}

static void
test_gzip_roundtrip(const struct blob *raw)
{
	struct ipfix_reader *r;
	struct ipfix_err err;
	struct tally t;
	struct blob gz;

	CHECK_EQ_U(write_through(raw, tmp("rt.ipfix.gz"), true), 0,
	    "gzip writer: written and closed");
	gz = slurp(tmp("rt.ipfix.gz"));
	CHECK(gz.n > 2 && gz.p[0] == 0x1f && gz.p[1] == 0x8b,
	    "gzip writer: gzip magic");
	CHECK(gz.n < raw->n, "gzip writer: compressed (%zu < %zu)", gz.n,
	    raw->n);
	r = ipfix_reader_open(tmp("rt.ipfix.gz"), NULL, &err);
	CHECK(r != NULL && ipfix_reader_format(r) == IPFIX_IN_GZIP,
	    "gzip: detected by magic");
	ipfix_reader_close(r);
	CHECK_EQ_U(read_all(tmp("rt.ipfix.gz"), NULL, &t), 0, "gzip: read");
	CHECK(t.msgs == 170 && t.errs == 0 && t.cat.n == raw->n &&
	    memcmp(t.cat.p, raw->p, raw->n) == 0,
	    "gzip: same 170 messages back");
	tally_free(&t);

	/* two gzip members back to back are one stream (like zcat) */
	if (gz.n > 0) {
		uint8_t *two = malloc(2 * gz.n);

		memcpy(two, gz.p, gz.n);
		memcpy(two + gz.n, gz.p, gz.n);
		spill(tmp("two.gz"), two, 2 * gz.n);
		free(two);
	}
	CHECK_EQ_U(read_all(tmp("two.gz"), NULL, &t), 0, "gzip x2: read");
	CHECK(t.msgs == 340 && t.errs == 0, "gzip x2: 340 messages");
	tally_free(&t);

	spill(tmp("cut.gz"), gz.p, gz.n / 2);
	CHECK_EQ_U(read_all(tmp("cut.gz"), NULL, &t), 0, "cut gzip: read");
	CHECK(t.msgs > 0 && t.msgs < 170, "cut gzip: first messages (%zu)",
	    t.msgs);
	CHECK(t.errs >= 1, "cut gzip: reported");
	CHECK(strstr(t.last_reason, "gzip") != NULL ||
	    strstr(t.last_reason, "cut") != NULL,
	    "cut gzip: reason \"%s\"", t.last_reason);
	tally_free(&t);
	free(gz.p);
}

/* Offsets of the messages in raw (the first n of them). */
static size_t
msg_offsets(const struct blob *raw, size_t *off, size_t n)
{
	size_t i = 0, p = 0;

	while (i < n && p + 4 <= raw->n) {
		off[i++] = p;
		p += (size_t)raw->p[p + 2] << 8 | raw->p[p + 3];
	}
	return i;
}

static void
test_resync(const struct blob *raw)
{
	/* garbage that looks like headers: 00 0A with a bad length, and a
	 * plausible header whose length leads nowhere */
	static const uint8_t g1[7] = { 'j', 'u', 'n', 'k', 0, 10, 0 };
	static const uint8_t g2[13] = { 0, 10, 0, 20, 1, 2, 3, 0, 10, 0, 3,
	    9, 9 };
	static const uint8_t g3[5] = { 0xff, 0, 10, 0, 1 };
	size_t off[171], n = msg_offsets(raw, off, 171);
	uint8_t *buf = malloc(raw->n + 64);
	size_t b = 0, at_g2, at_g3;
	struct tally t;

	CHECK_EQ_U(n, 170, "resync: 170 message offsets");
	memcpy(buf + b, g1, sizeof(g1));
	b += sizeof(g1);
	memcpy(buf + b, raw->p, off[50]);
	b += off[50];
	at_g2 = b;
	memcpy(buf + b, g2, sizeof(g2));
	b += sizeof(g2);
	memcpy(buf + b, raw->p + off[50], raw->n - off[50]);
	b += raw->n - off[50];
	at_g3 = b;
	memcpy(buf + b, g3, sizeof(g3));
	b += sizeof(g3);
	spill(tmp("garbage.ipfix"), buf, b);
	CHECK_EQ_U(read_all(tmp("garbage.ipfix"), NULL, &t), 0,
	    "resync: read");
	CHECK_EQ_U(t.msgs, 170, "resync: all 170 messages recovered");
	CHECK_EQ_U(t.errs, 3, "resync: 3 skipped ranges reported");
	CHECK_EQ_U(t.err_off[0], 0, "resync: garbage at offset 0");
	CHECK_EQ_U(t.err_off[1], at_g2, "resync: garbage in the middle at %zu",
	    at_g2);
	CHECK_EQ_U(t.err_off[2], at_g3, "resync: trailing garbage at %zu",
	    at_g3);
	CHECK(t.cat.n == raw->n && memcmp(t.cat.p, raw->p, raw->n) == 0,
	    "resync: messages intact");
	CHECK(strstr(t.last_reason, "5 bytes") != NULL,
	    "resync: size of skipped range: \"%s\"", t.last_reason);
	tally_free(&t);

	/* a message whose bytes were overwritten inside: one range lost */
	memcpy(buf, raw->p, raw->n);
	memset(buf + off[100], 0xee, 3);
	spill(tmp("smash.ipfix"), buf, raw->n);
	CHECK_EQ_U(read_all(tmp("smash.ipfix"), NULL, &t), 0, "smash: read");
	CHECK_EQ_U(t.msgs, 169, "smash: the other 169 messages");
	CHECK(t.errs == 1 && t.err_off[0] == off[100],
	    "smash: reported at the broken message");
	tally_free(&t);

	/* cut final message */
	spill(tmp("cut.ipfix"), raw->p, raw->n - 10);
	CHECK_EQ_U(read_all(tmp("cut.ipfix"), NULL, &t), 0, "cut: read");
	CHECK_EQ_U(t.msgs, 169, "cut: 169 whole messages");
	CHECK(t.errs == 1 && t.err_code[0] == IPFIX_E_TRUNCATED &&
	    t.err_off[0] == off[169], "cut: truncated at the last message");
	tally_free(&t);
	spill(tmp("cut3.ipfix"), raw->p, off[169] + 3);
	CHECK_EQ_U(read_all(tmp("cut3.ipfix"), NULL, &t), 0, "cut3: read");
	CHECK(t.msgs == 169 && t.errs == 1, "cut inside the header: reported");
	tally_free(&t);
	spill(tmp("empty.ipfix"), "", 0);
	CHECK_EQ_U(read_all(tmp("empty.ipfix"), NULL, &t), 0, "empty: read");
	CHECK(t.msgs == 0 && t.errs == 0, "empty: nothing, no error");
	tally_free(&t);
	free(buf);
}

static void
test_refused(void)
{
	static const char bz[] = "BZh91AY&SY\x01\x02\x03";
	struct ipfix_err err;
	struct tally t;

	spill(tmp("x.bz2"), bz, sizeof(bz) - 1);
	CHECK(ipfix_reader_open(tmp("x.bz2"), NULL, &err) == NULL,
	    "bzip2: refused at open");
	CHECK(err.code == IPFIX_E_FORMAT && strstr(err.reason, "bzip2"),
	    "bzip2: clear message \"%s\"", err.reason);
	CHECK(ipfix_reader_open(tmp("does-not-exist"), NULL, &err) == NULL &&
	    err.code == IPFIX_E_IO, "missing file: i/o error");
	/* NetFlow v9 is read as the IPFIX it converts to (nfv9.h) */
	CHECK_EQ_U(read_all(DATA "ipfix/NetGauze__101-NFv9-CISCO-cust_"
	    "primitives__traffic-00.pcap", NULL, &t), 0, "NetFlow v9 pcap");
	CHECK(t.msgs == 40 && t.errs == 0, "NetFlow v9 pcap: 40 messages");
	tally_free(&t);
}

static void
test_capture_srv6(const struct blob *raw)
{
	struct ipfix_reader_options opt = { .port = 9991 };
	const struct ipfix_session_info *s;
	struct ipfix_reader *r;
	struct ipfix_err err;
	struct tally t;

	CHECK_EQ_U(read_all(SRV6_PCAP, NULL, &t), 0, "srv6 pcap: read");
	CHECK_EQ_U(t.msgs, 170, "srv6 pcap: 170 messages");
	CHECK_EQ_U(t.errs, 0, "srv6 pcap: no errors");
	CHECK_EQ_U(t.max_session, 1, "srv6 pcap: one session");
	CHECK(t.packets_rise && t.ts_set, "srv6 pcap: packet numbers, times");
	CHECK(t.cat.n == raw->n && memcmp(t.cat.p, raw->p, raw->n) == 0,
	    "srv6 pcap: same bytes as the derived raw file");
	tally_free(&t);
	r = ipfix_reader_open(SRV6_PCAP, NULL, &err);
	CHECK(r != NULL && ipfix_reader_format(r) == IPFIX_IN_PCAP,
	    "srv6 pcap: format pcap");
	if (r != NULL) {
		const uint8_t *m;
		size_t len;
		struct ipfix_msg_meta meta;

		(void)ipfix_reader_next(r, &m, &len, &meta, &err);
		s = ipfix_reader_session(r, 1);
		CHECK(s != NULL && s->proto == IPPROTO_UDP &&
		    s->family == AF_INET6 && s->dport == 9992 &&
		    s->src[0] == 0x2a && s->src[1] == 0x02,
		    "srv6 session 1: UDP from 2a02:... to port 9992");
		CHECK(ipfix_reader_session(r, 2) == NULL &&
		    ipfix_reader_session(r, 0) == NULL,
		    "srv6: no session 0 or 2");
		CHECK_EQ_U(ipfix_reader_size(r), 42220, "srv6: size");
		ipfix_reader_close(r);
	}
	CHECK_EQ_U(read_all(SRV6_PCAP, &opt, &t), 0, "srv6 port 9991: read");
	CHECK_EQ_U(t.msgs, 0, "srv6 port 9991: nothing");
	tally_free(&t);
	opt.port = 9992;
	CHECK_EQ_U(read_all(SRV6_PCAP, &opt, &t), 0, "srv6 port 9992: read");
	CHECK_EQ_U(t.msgs, 170, "srv6 port 9992: 170 messages");
	tally_free(&t);
}

static void
test_capture_sessions(void)
{
	const struct ipfix_session_info *s1, *s2;
	struct ipfix_reader *r;
	struct ipfix_msg_meta m;
	struct ipfix_err err;
	struct tally t;
	const uint8_t *msg;
	size_t len, n = 0;
	uint64_t other, v5, v9;

	r = ipfix_reader_open(DATA "ipfix/NetGauze__100-IPFIXv10-CISCO__"
	    "traffic-00.pcap", NULL, &err);
	CHECK(r != NULL, "cisco 100: open");
	if (r == NULL)
		return;
	while (ipfix_reader_next(r, &msg, &len, &m, &err) == 1)
		n++;
	s1 = ipfix_reader_session(r, 1);
	s2 = ipfix_reader_session(r, 2);
	CHECK_EQ_U(n, 6, "cisco 100: 6 messages");
	CHECK(s1 != NULL && s1->sport == 50109 && s1->dport == 9991 &&
	    s1->family == AF_INET, "cisco 100: session 1 = port 50109");
	CHECK(s2 != NULL && s2->sport == 50111,
	    "cisco 100: session 2 = port 50111 (first-seen order)");
	ipfix_reader_close(r);

	CHECK_EQ_U(read_all(DATA "ipfix/NetGauze__400-IPFIXv10-BMP-CISCO-"
	    "SRv6-multiple-sources__traffic-00.pcap", NULL, &t), 0,
	    "cisco 400: read");
	CHECK(t.msgs == 583 && t.errs == 0,
	    "cisco 400: 583 messages, BMP/TCP ignored");
	tally_free(&t);

	r = ipfix_reader_open(DATA "pcap/nDPI__dtls2.pcap", NULL, &err);
	CHECK(r != NULL, "no-IPFIX capture opens");
	if (r == NULL)
		return;
	CHECK_EQ_U(ipfix_reader_next(r, &msg, &len, &m, &err), -1,
	    "no-IPFIX capture: one report");
	CHECK(strstr(err.reason, "no IPFIX") != NULL, "no-IPFIX: \"%s\"",
	    err.reason);
	CHECK_EQ_U(ipfix_reader_next(r, &msg, &len, &m, &err), 0,
	    "no-IPFIX capture: then the end");
	ipfix_reader_capture_counts(r, &other, &v5, &v9);
	CHECK(other == 30 && v5 == 0 && v9 == 0, "dtls2: 30 other payloads");
	ipfix_reader_close(r);
}

/* ---- a capture built here: UDP with several messages, TCP ----------- */

struct pcapw {
	FILE *f;
	uint32_t t;
	size_t cut;		/* capture this many bytes less (snaplen) */
};

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

/* One Ethernet/IPv4 frame, UDP (proto 17) or TCP (6) with seq/flags. */
static void
frame(struct pcapw *w, int proto, unsigned sport, uint32_t seq,
    unsigned flags, const uint8_t *pl, size_t n)
{
	uint8_t f[14 + 20 + 20 + 1500], rec[16];
	size_t th = proto == 6 ? 20 : 8, len = 14 + 20 + th + n;

	memset(f, 0, sizeof(f));
	be16(f + 12, 0x0800);
	f[14] = 0x45;
	be16(f + 16, (unsigned)(20 + th + n));
	f[22] = 64;
	f[23] = (uint8_t)proto;
	be32(f + 26, 0xc0000201);
	be32(f + 30, 0xc0000202);
	be16(f + 34, sport);
	be16(f + 36, 4739);
	if (proto == 6) {
		be32(f + 38, seq);
		f[46] = 0x50;
		f[47] = (uint8_t)flags;
	} else {
		be16(f + 38, (unsigned)(8 + n));
	}
	if (n > 0)
		memcpy(f + 14 + 20 + th, pl, n);
	le32(rec, 1700000000 + w->t++);
	le32(rec + 4, 0);
	le32(rec + 8, (uint32_t)(len - w->cut));
	le32(rec + 12, (uint32_t)len);
	fwrite(rec, 1, 16, w->f);
	fwrite(f, 1, len - w->cut, w->f);
	w->cut = 0;
}

static void
build_capture(const char *path, const struct blob *raw, size_t *off)
{
	static const uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	struct pcapw w = { fopen(path, "wb"), 0, 0 };
	uint32_t isn = 0xfffff000;	/* wraps during the transfer */
	size_t p, seg;

	if (w.f == NULL)
		return;
	fwrite(hdr, 1, sizeof(hdr), w.f);
	/* messages 0-2 in one UDP payload, 3 alone from another port */
	frame(&w, 17, 5000, 0, 0, raw->p, off[3]);
	frame(&w, 17, 5001, 0, 0, raw->p + off[3], off[4] - off[3]);
	/* a non-IPFIX TCP connection, then IPFIX over TCP from port 6000:
	 * messages 4-39 in 700-byte segments, one segment sent twice */
	frame(&w, 6, 7000, 1, 0x02, NULL, 0);
	frame(&w, 6, 7000, 2, 0x18, (const uint8_t *)"GET / HTTP/1.0\r\n", 16);
	frame(&w, 6, 6000, isn, 0x02, NULL, 0);
	for (p = off[4]; p < off[40]; p += seg) {
		seg = off[40] - p < 700 ? off[40] - p : 700;
		frame(&w, 6, 6000, isn + 1 + (uint32_t)(p - off[4]), 0x18,
		    raw->p + p, seg);
		if (p == off[4] + 1400)
			frame(&w, 6, 6000, isn + 1 + (uint32_t)(p - off[4]),
			    0x18, raw->p + p, seg);
	}
	/* port 6001: the second of three segments is lost; then one
	 * message cut by the snaplen; then 6002 ends inside a message */
	frame(&w, 6, 6001, 100, 0x02, NULL, 0);
	frame(&w, 6, 6001, 101, 0x18, raw->p + off[40], 300);
	frame(&w, 6, 6001, 701, 0x18, raw->p + off[40] + 600, 300);
	w.cut = 10;
	frame(&w, 17, 5000, 0, 0, raw->p + off[41], off[42] - off[41]);
	frame(&w, 6, 6002, 100, 0x02, NULL, 0);
	frame(&w, 6, 6002, 101, 0x18, raw->p + off[42], 10);
	fclose(w.f);
}

static void
test_capture_built(const struct blob *raw)
{
	size_t off[171];
	struct ipfix_reader *r;
	struct ipfix_msg_meta m;
	struct ipfix_err err;
	const uint8_t *msg;
	const struct ipfix_session_info *s;
	size_t len, n = 0, same = 0;
	uint32_t sess[64] = { 0 };
	struct ipfix_err errs[4];
	size_t nerr = 0;
	int rc;

	msg_offsets(raw, off, 171);
	build_capture(tmp("built.pcap"), raw, off);
	r = ipfix_reader_open(tmp("built.pcap"), NULL, &err);
	CHECK(r != NULL, "built capture: open");
	if (r == NULL)
		return;
	while ((rc = ipfix_reader_next(r, &msg, &len, &m, &err)) != 0 &&
	    n < 64) {
		if (rc != 1) {
			if (nerr < 4)
				errs[nerr] = err;
			nerr++;
			continue;
		}
		if (len == off[n + 1] - off[n] &&
		    memcmp(msg, raw->p + off[n], len) == 0)
			same++;
		sess[n++] = m.session;
	}
	CHECK_EQ_U(rc, 0, "built capture: clean end");
	CHECK_EQ_U(n, 42, "built capture: 42 messages (3+1 UDP, 36+2 TCP)");
	CHECK_EQ_U(same, 42, "built capture: in order, bytes intact");
	CHECK(sess[40] == 4 && sess[41] == 4,
	    "built capture: messages before the TCP gap kept");
	CHECK(sess[0] == 1 && sess[2] == 1 && sess[3] == 2 &&
	    sess[4] == 3 && sess[39] == 3, "built capture: sessions 1, 2, 3");
	CHECK_EQ_U(nerr, 3, "built capture: 3 problems reported");
	CHECK(nerr >= 3 && strstr(errs[0].reason, "gap") != NULL,
	    "built capture: TCP gap \"%s\"", errs[0].reason);
	CHECK(nerr >= 3 && errs[1].code == IPFIX_E_TRUNCATED &&
	    strstr(errs[1].reason, "cut by the capture") != NULL,
	    "built capture: UDP message cut \"%s\"", errs[1].reason);
	CHECK(nerr >= 3 && strstr(errs[2].reason, "ends inside") != NULL,
	    "built capture: TCP left over \"%s\"", errs[2].reason);
	s = ipfix_reader_session(r, 3);
	CHECK(s != NULL && s->proto == IPPROTO_TCP && s->sport == 6000 &&
	    s->dport == 4739, "built capture: session 3 is the TCP one");
	ipfix_reader_close(r);
}

/* pcap_in directly: peeked bytes put back, stdin, byte orders, nsec */
static void
test_pcap_in(void)
{
	struct pcap_frame fr;
	struct ipfix_err err;
	struct pcap_in *in;
	uint8_t peek[4];
	FILE *f;
	size_t n = 0;

	f = fopen(DATA "pcap/tcpdump__tcp-handshake-nano.pcap", "rb");
	CHECK(f != NULL && fread(peek, 1, 4, f) == 4, "nano: peek 4 bytes");
	CHECK(pcap_in_magic(peek, 4), "nano: magic recognised");
	in = pcap_in_open_stream(f, peek, 4, &err);
	CHECK(in != NULL, "nano: open with peek");
	if (in != NULL) {
		CHECK_EQ_U(pcap_in_next(in, &fr, &err), 1, "nano: frame 1");
		CHECK(fr.ts_sec == 1418145369 && fr.ts_nsec == 924505488,
		    "nano: nanoseconds kept");
		CHECK_EQ_U(pcap_in_dlt(in), 113, "nano: SLL");
		while (pcap_in_next(in, &fr, &err) == 1)
			;
		CHECK_EQ_U(fr.number, 3, "nano: 3 frames");
		pcap_in_close(in);
	}
	in = pcap_in_open_file(DATA "pcap/tcpdump__tcp-handshake-nano.pcap",
	    peek, 4, &err);
	CHECK(in != NULL && pcap_in_next(in, &fr, &err) == 1 &&
	    fr.ts_nsec == 924505488, "open_file with peek: same first frame");
	pcap_in_close(in);
	in = pcap_in_open_file(DATA "pcap/nDPI__nfsv3.pcap", NULL, 0, &err);
	CHECK(in != NULL, "big-endian pcap: open");
	if (in != NULL) {
		CHECK(pcap_in_next(in, &fr, &err) == 1 &&
		    fr.ts_sec == 944207397 && fr.ts_nsec == 280000000,
		    "big-endian: usec scaled to nsec");
		while (pcap_in_next(in, &fr, &err) == 1)
			n++;
		CHECK_EQ_U(n + 1, 128, "big-endian: 128 frames");
		CHECK(!pcap_in_is_pcapng(in), "big-endian: not pcapng");
		pcap_in_close(in);
	}
	in = pcap_in_open_file(DATA "pcap/nDPI__stun_dtls_rtp.pcapng", NULL, 0,
	    &err);
	CHECK(in != NULL && pcap_in_is_pcapng(in), "pcapng: open");
	if (in != NULL) {
		CHECK(pcap_in_set_filter(in, "udp", &err) == 0, "pcapng: BPF");
		n = 0;
		while (pcap_in_next(in, &fr, &err) == 1)
			n++;
		CHECK(n > 0 && n < 102, "pcapng: filter kept %zu frames", n);
		CHECK_EQ_U(pcap_in_position(in), pcap_in_size(in),
		    "pcapng: position reaches size");
		CHECK(pcap_in_set_filter(in, "udp and (", &err) == -1,
		    "bad BPF filter: error");
		pcap_in_close(in);
	}
	CHECK(pcap_in_open_file(SRV6_RAW, NULL, 0, &err) == NULL &&
	    err.code == IPFIX_E_FORMAT, "raw IPFIX is not a capture");
}

/* "-" reads stdin; the magic sniffed there is put back */
static void
test_stdin(void)
{
	struct tally t;

	if (freopen(SRV6_PCAP, "rb", stdin) == NULL) {
		CHECK(0, "stdin: freopen");
		return;
	}
	CHECK_EQ_U(read_all("-", NULL, &t), 0, "stdin pcap: read");
	CHECK_EQ_U(t.msgs, 170, "stdin pcap: 170 messages");
	tally_free(&t);
	if (freopen(SRV6_RAW, "rb", stdin) == NULL)
		return;
	CHECK_EQ_U(read_all("-", NULL, &t), 0, "stdin raw: read");
	CHECK_EQ_U(t.msgs, 170, "stdin raw: 170 messages");
	tally_free(&t);
}

/* A live capture that sees nothing comes back idle within its read
 * timeout, so a caller can look at its stop flag. */
static void
test_live_idle(void)
{
	struct pcap_in *live_in;
	struct pcap_frame fr;
	struct ipfix_err err;
	struct timespec t0, t1;
	int rc;

	live_in = pcap_in_open_live("lo", "udp port 9", 256, &err);
	if (live_in == NULL) {
		printf("ok - live capture on lo # SKIP %s\n", err.reason);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pcap_in_next(live_in, &fr, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_EQ_U(rc, PCAP_IN_IDLE, "live: a quiet capture returns idle");
	CHECK(t1.tv_sec - t0.tv_sec < 2, "live: within the read timeout");
	pcap_in_close(live_in);
	CHECK(pcap_in_open_live("no-such-if0", NULL, 0, &err) == NULL,
	    "live: unknown interface refused \"%s\"", err.reason);
}

/* ---- live input: a pipe kept open ------------------------------------ */

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Next message within 1 s (a timer, repeating so that no retry can
 * outlast it, interrupts a read that would wait for more input than the
 * message needs: then -2, EINTR). */
static int
next_soon(struct ipfix_reader *r, const uint8_t **msg, size_t *len)
{
	struct itimerval on = { { 0, 100000 }, { 1, 0 } }, off;
	struct ipfix_msg_meta m;
	struct ipfix_err err;
	int rc;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &on, NULL);
	rc = ipfix_reader_next(r, msg, len, &m, &err);
	setitimer(ITIMER_REAL, &off, NULL);
	return rc;
}

static void
put(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		printf("# short write to the pipe\n");
}

/* Messages 0-3 of raw written in pieces; each comes out as soon as its
 * bytes are in, and buffered() says when the next one is in memory. */
static void
test_live_raw(const struct blob *raw, const size_t *off)
{
	struct ipfix_reader *r;
	struct ipfix_err err;
	const uint8_t *msg;
	char path[32];
	size_t len;
	int p[2];

	if (pipe(p) == -1)
		return;
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	put(p[1], raw->p, off[1]);
	r = ipfix_reader_open(path, NULL, &err);
	CHECK(r != NULL && !ipfix_reader_buffered(r),
	    "live: opens on 4 bytes, message not yet in memory");
	if (r == NULL)
		goto out;
	CHECK(next_soon(r, &msg, &len) == 1 && len == off[1],
	    "live: message 0 while the pipe stays open");
	CHECK(!ipfix_reader_buffered(r), "live: then nothing buffered");
	put(p[1], raw->p + off[1], off[3] - off[1]);
	CHECK(next_soon(r, &msg, &len) == 1 && len == off[2] - off[1],
	    "live: message 1 of a write holding two");
	CHECK(ipfix_reader_buffered(r), "live: message 2 is buffered");
	CHECK(next_soon(r, &msg, &len) == 1 && len == off[3] - off[2] &&
	    memcmp(msg, raw->p + off[2], len) == 0, "live: message 2");
	put(p[1], raw->p + off[3], 10);
	CHECK(!ipfix_reader_buffered(r), "live: part of a message: not "
	    "buffered");
	put(p[1], raw->p + off[3] + 10, off[4] - off[3] - 10);
	CHECK(next_soon(r, &msg, &len) == 1 && len == off[4] - off[3],
	    "live: message 3 once its rest came");
	CHECK(next_soon(r, &msg, &len) == -2 && errno == EINTR,
	    "live: a signal interrupts a read that waits");
	put(p[1], "junk", 4);
	put(p[1], raw->p + off[4], off[5] - off[4]);
	CHECK(next_soon(r, &msg, &len) == -1, "live: junk skipped at once");
	CHECK(next_soon(r, &msg, &len) == 1 && len == off[5] - off[4],
	    "live: then message 4, nothing lost to the signal");
	close(p[1]);
	p[1] = -1;
	CHECK(next_soon(r, &msg, &len) == 0 && ipfix_reader_buffered(r),
	    "live: the end when the pipe closes");
	ipfix_reader_close(r);
out:
	close(p[0]);
	if (p[1] != -1)
		close(p[1]);
}

/* gzip through a pipe: a sync flush is enough to see the message. */
static void
test_live_gzip(const struct blob *raw, const size_t *off)
{
	struct ipfix_writer *w;
	struct ipfix_reader *r = NULL;
	struct ipfix_err err;
	const uint8_t *msg;
	char path[32];
	size_t len;
	int p[2];

	if (pipe(p) == -1)
		return;
	snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
	w = ipfix_writer_open(path, true, &err);
	CHECK(w != NULL && ipfix_writer_write(w, raw->p, off[1], &err) == 0 &&
	    ipfix_writer_flush(w, &err) == 0, "live gzip: written, flushed");
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	if (w != NULL)
		r = ipfix_reader_open(path, NULL, &err);
	CHECK(r != NULL && ipfix_reader_format(r) == IPFIX_IN_GZIP,
	    "live gzip: detected");
	CHECK(r != NULL && next_soon(r, &msg, &len) == 1 && len == off[1],
	    "live gzip: message 0 while the pipe stays open");
	CHECK(r != NULL && ipfix_writer_write(w, raw->p + off[1],
	    off[3] - off[1], &err) == 0 && ipfix_writer_flush(w, &err) == 0 &&
	    next_soon(r, &msg, &len) == 1 && ipfix_reader_buffered(r) &&
	    next_soon(r, &msg, &len) == 1 && len == off[3] - off[2],
	    "live gzip: messages 1 and 2, the second buffered");
	if (w != NULL)
		(void)ipfix_writer_close(w, NULL);
	close(p[1]);
	CHECK(r != NULL && next_soon(r, &msg, &len) == 0,
	    "live gzip: the end when the pipe closes");
	ipfix_reader_close(r);
	close(p[0]);
}

static void
test_live(const struct blob *raw)
{
	struct sigaction sa;
	struct ipfix_reader *r;
	struct ipfix_err err;
	size_t off[6];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: reads see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	msg_offsets(raw, off, 6);
	test_live_raw(raw, off);
	test_live_gzip(raw, off);
	r = ipfix_reader_open(SRV6_RAW, NULL, &err);
	CHECK(r != NULL && ipfix_reader_buffered(r),
	    "regular file: always buffered (its reads never wait)");
	ipfix_reader_close(r);
}

static void
test_writer_errors(const struct blob *raw)
{
	struct ipfix_writer *w;
	struct ipfix_err err;
	int rc = 0, i;

	CHECK(ipfix_writer_open(tmp("no/such/dir/x"), false, &err) == NULL &&
	    err.code == IPFIX_E_IO, "writer: bad path refused");
	w = ipfix_writer_open("/dev/full", false, &err);
	CHECK(w != NULL, "writer: /dev/full opens");
	if (w == NULL)
		return;
	for (i = 0; i < 20 && rc == 0; i++)
		rc = ipfix_writer_write(w, raw->p, raw->n, &err);
	if (rc == 0)
		rc = ipfix_writer_close(w, &err);
	else
		(void)ipfix_writer_close(w, NULL);
	CHECK(rc == -1 && err.code == IPFIX_E_IO &&
	    strstr(err.reason, "space") != NULL,
	    "writer: ENOSPC reported \"%s\"", err.reason);
	w = ipfix_writer_open("/dev/full", true, &err);
	rc = w == NULL ? 0 : ipfix_writer_write(w, raw->p, raw->n, &err);
	if (rc == 0 && w != NULL)
		rc = ipfix_writer_close(w, &err);
	else if (w != NULL)
		(void)ipfix_writer_close(w, NULL);
	CHECK(rc == -1 && err.code == IPFIX_E_IO, "gzip writer: ENOSPC");
}

/* ---- writer: messages built in place, large writes, errors ----------- */

/* The messages of raw, 'times' times over: even ones built in place
 * (space, then commit), odd ones written. The room is filled whole
 * first, so a room smaller than IPFIX_MSG_MAX shows under ASan. */
static int
write_mixed(struct ipfix_writer *w, const struct blob *raw, int times,
    struct ipfix_err *err)
{
	size_t off, len;
	uint8_t *p;
	int i = 0;

	for (; times > 0; times--)
		for (off = 0; off + 4 <= raw->n; off += len, i++) {
			len = (size_t)raw->p[off + 2] << 8 | raw->p[off + 3];
			if (i % 2 == 1) {
				if (ipfix_writer_write(w, raw->p + off, len,
				    err) == -1)
					return -1;
				continue;
			}
			if ((p = ipfix_writer_space(w, err)) == NULL)
				return -1;
			memset(p, 0xee, IPFIX_MSG_MAX);
			memcpy(p, raw->p + off, len);
			if (ipfix_writer_commit(w, len, err) == -1)
				return -1;
		}
	return 0;
}

/* Does f hold 'times' copies of raw, and nothing else? */
static bool
holds_copies(const struct blob *f, const struct blob *raw, int times)
{
	int i;

	if (f->n != raw->n * (size_t)times)
		return false;
	for (i = 0; i < times; i++)
		if (memcmp(f->p + raw->n * (size_t)i, raw->p, raw->n) != 0)
			return false;
	return true;
}

static long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void
test_writer_space(const struct blob *raw)
{
	struct ipfix_writer *w;
	struct ipfix_err err;
	struct blob out;
	struct tally t;
	int rc = -1;

	/* raw: in place and copied, in order, byte-exact */
	if ((w = ipfix_writer_open(tmp("sp.ipfix"), false, &err)) != NULL) {
		rc = write_mixed(w, raw, 1, &err);
		rc |= ipfix_writer_commit(w, 0, &err);
		rc |= ipfix_writer_close(w, &err);
	}
	out = slurp(tmp("sp.ipfix"));
	CHECK(rc == 0 && holds_copies(&out, raw, 1), "space: 170 messages, "
	    "half built in place, byte-exact in order (%zu bytes)", out.n);
	free(out.p);

	/* 40 copies: 1.1 MB through a 256 KiB buffer, drained often */
	rc = -1;
	if ((w = ipfix_writer_open(tmp("sp40.ipfix"), false, &err)) != NULL) {
		rc = write_mixed(w, raw, 40, &err);
		rc |= ipfix_writer_close(w, &err);
	}
	out = slurp(tmp("sp40.ipfix"));
	CHECK(rc == 0 && holds_copies(&out, raw, 40), "space: 40 copies "
	    "(%zu bytes, want %zu) arrive whole and in order", out.n,
	    40 * raw->n);
	free(out.p);

	/* gzip: space and commit too; the reader gets the same messages */
	rc = -1;
	if ((w = ipfix_writer_open(tmp("sp.ipfix.gz"), true, &err)) != NULL) {
		rc = write_mixed(w, raw, 2, &err);
		rc |= ipfix_writer_close(w, &err);
	}
	CHECK_EQ_U(rc, 0, "space gzip: written and closed");
	CHECK(read_all(tmp("sp.ipfix.gz"), NULL, &t) == 0 && t.msgs == 340 &&
	    t.errs == 0 && holds_copies(&t.cat, raw, 2),
	    "space gzip: 340 messages read back byte-exact (%zu)", t.msgs);
	tally_free(&t);
}

/* Messages 0-4 of raw, a 100000-byte block written through, messages
 * 5-9; gz reads the file back through zlib. */
static void
test_writer_big(const struct blob *raw, bool gz)
{
	const char *name = gz ? "big.gz" : "big.raw";
	struct ipfix_writer *w;
	struct ipfix_err err;
	struct blob want, out = { NULL, 0 };
	size_t off[11], i;
	uint8_t *p;
	gzFile f;
	int rc = -1, n;

	msg_offsets(raw, off, 11);
	want.n = off[10] + 100000;
	want.p = malloc(want.n);
	memcpy(want.p, raw->p, off[5]);
	for (i = 0; i < 100000; i++)
		want.p[off[5] + i] = (uint8_t)(i * 31 + i / 251);
	memcpy(want.p + off[5] + 100000, raw->p + off[5], off[10] - off[5]);
	if ((w = ipfix_writer_open(tmp(name), gz, &err)) != NULL) {
		rc = 0;
		for (i = 0; i < 5 && rc == 0; i++)
			if ((p = ipfix_writer_space(w, &err)) == NULL)
				rc = -1;
			else {
				memcpy(p, raw->p + off[i], off[i + 1] - off[i]);
				rc = ipfix_writer_commit(w, off[i + 1] - off[i],
				    &err);
			}
		rc |= ipfix_writer_write(w, want.p + off[5], 100000, &err);
		for (i = 5; i < 10 && rc == 0; i++)
			rc = ipfix_writer_write(w, raw->p + off[i],
			    off[i + 1] - off[i], &err);
		rc |= ipfix_writer_close(w, &err);
	}
	CHECK_EQ_U(rc, 0, "%s: 10 messages around a 100000-byte write",
	    name);
	if (!gz) {
		out = slurp(tmp(name));
	} else if ((f = gzopen(tmp(name), "rb")) != NULL) {
		out.p = malloc(want.n + 1);
		while ((n = gzread(f, out.p + out.n,
		    (unsigned)(want.n + 1 - out.n))) > 0)
			out.n += (size_t)n;
		gzclose(f);
	}
	CHECK(out.n == want.n && memcmp(out.p, want.p, want.n) == 0,
	    "%s: %zu bytes back, the large write intact and in its place",
	    name, out.n);
	free(out.p);
	free(want.p);
}

/* Held until a flush, then in the file while the writer stays open. */
static void
test_writer_flush(const struct blob *raw)
{
	struct ipfix_writer *w;
	struct ipfix_reader *r;
	struct ipfix_msg_meta m;
	struct ipfix_err err;
	const uint8_t *msg;
	size_t off[3], len;
	uint8_t *p;
	bool ok;

	msg_offsets(raw, off, 3);
	w = ipfix_writer_open(tmp("fl.ipfix"), false, &err);
	if (w == NULL || (p = ipfix_writer_space(w, &err)) == NULL) {
		CHECK(false, "flush: writer (%s)", err.reason);
		if (w != NULL)
			(void)ipfix_writer_close(w, NULL);
		return;
	}
	memcpy(p, raw->p, off[1]);
	ok = ipfix_writer_commit(w, off[1], &err) == 0;
	CHECK(ok && file_size(tmp("fl.ipfix")) == 0,
	    "flush: a committed message is held");
	CHECK(ipfix_writer_flush(w, &err) == 0 &&
	    file_size(tmp("fl.ipfix")) == (long)off[1],
	    "flush: then in the file (%ld bytes)", file_size(tmp("fl.ipfix")));
	CHECK(ipfix_writer_write(w, raw->p + off[1], off[2] - off[1],
	    &err) == 0 && ipfix_writer_flush(w, &err) == 0 &&
	    file_size(tmp("fl.ipfix")) == (long)off[2],
	    "flush: a written one too, before close");
	CHECK(ipfix_writer_flush(w, &err) == 0, "flush: nothing new, fine");
	(void)ipfix_writer_close(w, NULL);

	w = ipfix_writer_open(tmp("fl.ipfix.gz"), true, &err);
	ok = w != NULL && (p = ipfix_writer_space(w, &err)) != NULL;
	if (ok) {
		memcpy(p, raw->p, off[1]);
		ok = ipfix_writer_commit(w, off[1], &err) == 0 &&
		    ipfix_writer_flush(w, &err) == 0;
	}
	r = ok ? ipfix_reader_open(tmp("fl.ipfix.gz"), NULL, &err) : NULL;
	CHECK(r != NULL && ipfix_reader_next(r, &msg, &len, &m, &err) == 1 &&
	    len == off[1] && memcmp(msg, raw->p, len) == 0,
	    "flush gzip: the message readable while the writer is open");
	ipfix_reader_close(r);
	if (w != NULL)
		(void)ipfix_writer_close(w, NULL);
}

/* A pipe whose reader is gone (SIGPIPE is ignored in main): EPIPE. */
static void
test_writer_pipe(const struct blob *raw, bool gz)
{
	const char *what = gz ? "gzip" : "raw";
	struct ipfix_writer *w;
	struct ipfix_err err;
	uint8_t *big;
	char path[32];
	int p[2], rc;

	if (pipe(p) == -1)
		return;
	snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
	w = ipfix_writer_open(path, gz, &err);
	close(p[0]);
	if (w == NULL) {
		CHECK(false, "pipe %s: writer (%s)", what, err.reason);
		close(p[1]);
		return;
	}
	memset(&err, 0, sizeof(err));
	rc = ipfix_writer_write(w, raw->p, 100, &err);
	if (rc == 0)
		rc = ipfix_writer_flush(w, &err);
	CHECK(rc == -1 && err.code == IPFIX_E_IO &&
	    strstr(err.reason, path) != NULL &&
	    strstr(err.reason, strerror(EPIPE)) != NULL,
	    "pipe %s: the write fails, at the latest on flush \"%s\"", what,
	    err.reason);
	if (!gz && (big = calloc(1, 70000)) != NULL) {
		memset(&err, 0, sizeof(err));
		rc = ipfix_writer_write(w, big, 70000, &err);
		CHECK(rc == -1 && strstr(err.reason, strerror(EPIPE)) != NULL,
		    "pipe raw: a write above IPFIX_MSG_MAX fails at once");
		free(big);
	}
	(void)ipfix_writer_close(w, NULL);
	close(p[1]);
}

/* Filling the buffer drains it inside ipfix_writer_space: its failure
 * is NULL with the error, not a silent drop. */
static void
test_writer_space_errors(const struct blob *raw)
{
	struct ipfix_writer *w;
	struct ipfix_err err;
	uint8_t *p = NULL;
	size_t len = (size_t)raw->p[2] << 8 | raw->p[3];
	int i;

	w = ipfix_writer_open("/dev/full", false, &err);
	CHECK(w != NULL, "space /dev/full: opens");
	if (w == NULL)
		return;
	memset(&err, 0, sizeof(err));
	for (i = 0; i < 1000; i++) {
		if ((p = ipfix_writer_space(w, &err)) == NULL)
			break;
		memcpy(p, raw->p, len);
		if (ipfix_writer_commit(w, len, &err) == -1)
			break;
	}
	CHECK(p == NULL && i * len > 256 * 1024 - IPFIX_MSG_MAX &&
	    i * len <= 256 * 1024 && err.code == IPFIX_E_IO &&
	    strstr(err.reason, "/dev/full") != NULL &&
	    strstr(err.reason, strerror(ENOSPC)) != NULL,
	    "space /dev/full: NULL once the buffer must drain (%d messages): "
	    "\"%s\"", i, err.reason);
	(void)ipfix_writer_close(w, NULL);
	w = ipfix_writer_open("/dev/full", false, &err);
	memset(&err, 0, sizeof(err));
	p = w != NULL ? ipfix_writer_space(w, &err) : NULL;
	if (p != NULL)
		memcpy(p, raw->p, len);
	CHECK(p != NULL && ipfix_writer_commit(w, len, &err) == 0 &&
	    ipfix_writer_close(w, &err) == -1 && err.code == IPFIX_E_IO &&
	    strstr(err.reason, strerror(ENOSPC)) != NULL,
	    "space /dev/full: one committed message fails at close \"%s\"",
	    err.reason);
	w = ipfix_writer_open("/dev/null", false, &err);
	memset(&err, 0, sizeof(err));
	CHECK(w != NULL && ipfix_writer_space(w, &err) != NULL &&
	    ipfix_writer_commit(w, IPFIX_MSG_MAX + 1, &err) == -1 &&
	    err.code == IPFIX_E_USAGE, "commit of more than the room: \"%s\"",
	    err.reason);
	(void)ipfix_writer_close(w, NULL);
}

int
main(void)
{
	struct blob raw;

	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_stream.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 32 ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("not ok - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	raw = slurp(SRV6_RAW);
	test_raw_roundtrip(&raw);
	test_gzip_roundtrip(&raw);
	test_resync(&raw);
	test_refused();
	test_capture_srv6(&raw);
	test_capture_sessions();
	test_capture_built(&raw);
	test_pcap_in();
	test_stdin();
	test_live_idle();
	test_live(&raw);
	test_writer_errors(&raw);
	test_writer_space(&raw);
	test_writer_big(&raw, false);
	test_writer_big(&raw, true);
	test_writer_flush(&raw);
	test_writer_pipe(&raw, false);
	test_writer_pipe(&raw, true);
	test_writer_space_errors(&raw);
	free(raw.p);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	TEST_DONE();
}
