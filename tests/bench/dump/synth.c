/*
 * synth: writes a deterministic synthetic IPFIX stream (RFC 5655 file) for
 * the dump benchmark, built with the libipfix message builder. Three
 * templates: IPv4 flows, IPv6 flows (with MAC and flow label) and IPv4
 * flows carrying a variable-length applicationName string; records are
 * mixed 50/30/20 by a fixed-seed PRNG, so every run writes the same bytes.
 *
 * usage: synth [-n records] [-m message-size] [-o file]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "msg.h"
#include "template.h"

#define TID_V4 256
#define TID_V6 257
#define TID_APP 258
#define EXPORT_BASE 1764000000u	/* 2025-11-24, a fixed export time */
#define REC_MAX 128
#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

struct fspec {
	uint16_t id, len;
};

static const struct fspec v4_fields[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 2 },
	{ 1, 8 }, { 2, 8 }, { 152, 8 }, { 153, 8 }, { 10, 4 }, { 14, 4 },
	{ 5, 1 }, { 58, 2 }, { 136, 1 },
};
static const struct fspec v6_fields[] = {
	{ 27, 16 }, { 28, 16 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 6, 2 },
	{ 1, 8 }, { 2, 8 }, { 152, 8 }, { 153, 8 }, { 31, 4 }, { 56, 6 },
	{ 136, 1 },
};
static const struct fspec app_fields[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 }, { 1, 8 },
	{ 2, 8 }, { 152, 8 }, { 153, 8 }, { 96, IPFIX_VARLEN },
};
static const char *const apps[] = {
	"dns", "http", "https", "quic", "ssh", "ntp", "imap-over-tls",
	"bittorrent", "netflix-video", "ms-teams-media",
};

struct synth {
	FILE *out;
	uint64_t state;		/* xorshift64 */
	uint64_t written;	/* data records so far (sequence number) */
	uint64_t msgs;
	uint8_t buf[IPFIX_MSG_MAX];
	size_t limit;
	struct ipfix_builder b;
	struct ipfix_tmpl *t[3];
};

static uint64_t
rnd(struct synth *s)
{
	s->state ^= s->state << 13;
	s->state ^= s->state >> 7;
	s->state ^= s->state << 17;
	return s->state;
}

static struct ipfix_tmpl *
make_tmpl(uint16_t id, const struct fspec *f, size_t n)
{
	struct ipfix_tmpl *t;
	size_t i;

	if ((t = ipfix_tmpl_new(id, (uint16_t)n, 0)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		t->fields[i].pen = 0;
		t->fields[i].id = f[i].id;
		t->fields[i].len = f[i].len;
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* Ports, protocol, counters and times shared by the three layouts. */
static size_t
put_common(struct synth *s, uint8_t *p, uint64_t r, bool flags)
{
	uint64_t start = (uint64_t)EXPORT_BASE * 1000 - 60000 +
	    s->written / 10;
	uint8_t proto = (r & 3) == 0 ? 17 : 6;
	size_t n = 0;

	ipfix_put16(p, (uint16_t)(1024 + (r >> 8) % 60000));
	ipfix_put16(p + 2, (uint16_t)((r & 4) ? 443 : 53));
	p[4] = proto;
	n = 5;
	if (flags) {
		ipfix_put16(p + n, proto == 6 ? 0x1b : 0);
		n += 2;
	}
	ipfix_put64(p + n, 40 + (r >> 20) % 1500000);
	ipfix_put64(p + n + 8, 1 + (r >> 40) % 1000);
	ipfix_put64(p + n + 16, start);
	ipfix_put64(p + n + 24, start + (r >> 24) % 30000);
	return n + 32;
}

static size_t
rec_v4(struct synth *s, uint8_t *p, uint64_t r)
{
	size_t n;

	ipfix_put32(p, 0x0a000000u | (uint32_t)(r % 65536));
	ipfix_put32(p + 4, 0xc6336400u | (uint32_t)((r >> 16) % 256));
	n = 8 + put_common(s, p + 8, r, true);
	ipfix_put32(p + n, 1 + (uint32_t)(r % 48));
	ipfix_put32(p + n + 4, 1 + (uint32_t)((r >> 6) % 48));
	p[n + 8] = (uint8_t)((r >> 12) & 0xfc);
	ipfix_put16(p + n + 9, (uint16_t)(r % 4094 + 1));
	p[n + 11] = (uint8_t)(1 + (r >> 33) % 5);
	return n + 12;
}

static size_t
rec_v6(struct synth *s, uint8_t *p, uint64_t r)
{
	static const uint8_t pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 };
	size_t n;

	memcpy(p, pfx, 8);
	ipfix_put64(p + 8, r);
	memcpy(p + 16, pfx, 8);
	ipfix_put64(p + 24, (r >> 17) % 100000);
	n = 32 + put_common(s, p + 32, r, true);
	ipfix_put32(p + n, (uint32_t)(r & 0xfffff));
	p[n + 4] = 0x02;
	p[n + 5] = 0x42;
	ipfix_put32(p + n + 6, (uint32_t)(r >> 32));
	p[n + 10] = (uint8_t)(1 + (r >> 33) % 5);
	return n + 11;
}

static size_t
rec_app(struct synth *s, uint8_t *p, uint64_t r)
{
	const char *app = apps[(r >> 3) % NITEMS(apps)];
	size_t n, len = strlen(app);

	ipfix_put32(p, 0x0a010000u | (uint32_t)(r % 65536));
	ipfix_put32(p + 4, 0xcb007100u | (uint32_t)((r >> 16) % 256));
	n = 8 + put_common(s, p + 8, r, false);
	p[n] = (uint8_t)len;
	memcpy(p + n + 1, app, len);
	return n + 1 + len;
}

static int
flush_msg(struct synth *s)
{
	size_t len;

	if (ipfix_builder_empty(&s->b))
		return 0;
	len = ipfix_builder_finish(&s->b);
	if (fwrite(s->buf, 1, len, s->out) != len)
		return -1;
	s->written += s->b.records;
	s->msgs++;
	ipfix_builder_init(&s->b, s->buf, s->limit, 1,
	    EXPORT_BASE + (uint32_t)(s->written / 100000), (uint32_t)s->written);
	return 0;
}

/* Add one record (or template), starting a new message when it is full. */
static int
add(struct synth *s, const struct ipfix_tmpl *t, const uint8_t *rec,
    size_t len)
{
	struct ipfix_err err;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		rc = t != NULL ? ipfix_builder_add_template(&s->b, t, &err) :
		    ipfix_builder_add_record(&s->b, ipfix_be16(rec), rec + 2,
		    len - 2, &err);
		if (rc == 0)
			return 0;
		if (rc == -1 || flush_msg(s) == -1)
			break;
	}
	fprintf(stderr, "synth: cannot add a %s: %s\n",
	    t != NULL ? "template" : "record", rc == -1 ? err.reason :
	    "write failed");
	return -1;
}

/* One record with its template id in the first two bytes of rec. */
static size_t
make_record(struct synth *s, uint8_t *rec)
{
	uint64_t r = rnd(s);
	unsigned pick = (unsigned)(r % 10);

	if (pick < 5) {
		ipfix_put16(rec, TID_V4);
		return 2 + rec_v4(s, rec + 2, r);
	}
	if (pick < 8) {
		ipfix_put16(rec, TID_V6);
		return 2 + rec_v6(s, rec + 2, r);
	}
	ipfix_put16(rec, TID_APP);
	return 2 + rec_app(s, rec + 2, r);
}

static int
synth_run(struct synth *s, uint64_t nrec)
{
	uint8_t rec[REC_MAX];
	uint64_t i;
	size_t len;
	int k;

	ipfix_builder_init(&s->b, s->buf, s->limit, 1, EXPORT_BASE, 0);
	for (k = 0; k < 3; k++)
		if (add(s, s->t[k], NULL, 0) == -1)
			return -1;
	for (i = 0; i < nrec; i++) {
		len = make_record(s, rec);
		if (add(s, NULL, rec, len) == -1)
			return -1;
	}
	if (flush_msg(s) == -1 || fflush(s->out) != 0)
		return -1;
	return 0;
}

static int
parse_num(const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: synth [-n records] [-m message-size] "
	    "[-o file]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static struct synth s;
	uint64_t nrec = 1000000, limit = 1400;
	const char *path = NULL;
	int ch, rc;

	while ((ch = getopt(argc, argv, "n:m:o:")) != -1) {
		if (ch == 'n' && parse_num(optarg, 0, UINT32_MAX, &nrec) == 0)
			continue;
		if (ch == 'm' && parse_num(optarg, 256, IPFIX_MSG_MAX,
		    &limit) == 0)
			continue;
		if (ch == 'o') {
			path = optarg;
			continue;
		}
		return usage();
	}
	s.out = path != NULL ? fopen(path, "wb") : stdout;
	if (s.out == NULL) {
		fprintf(stderr, "synth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	s.state = 0x9e3779b97f4a7c15ull;
	s.limit = (size_t)limit;
	s.t[0] = make_tmpl(TID_V4, v4_fields, NITEMS(v4_fields));
	s.t[1] = make_tmpl(TID_V6, v6_fields, NITEMS(v6_fields));
	s.t[2] = make_tmpl(TID_APP, app_fields, NITEMS(app_fields));
	rc = s.t[0] && s.t[1] && s.t[2] ? synth_run(&s, nrec) : -1;
	for (ch = 0; ch < 3; ch++)
		ipfix_tmpl_free(s.t[ch]);
	if (fclose(s.out) != 0)
		rc = -1;
	if (rc == 0)
		fprintf(stderr, "synth: %" PRIu64 " records in %" PRIu64
		    " messages\n", s.written, s.msgs);
	return rc == 0 ? 0 : 1;
}
