/*
 * fuzz_decode: bytes -> ipfix_decoder_feed over several transport sessions,
 * every message, template and record rendered by the text AND the JSON
 * printer (whose output must be UTF-8, one JSON object per line), so that
 * message and set parsing, the template store, value decoding and RFC 6313
 * list walking are all fuzzed.
 *
 * Input: byte 0 configures the run, byte 1 gives the transport kind of each
 * of up to four sessions (2 bits each), the rest is split into messages.
 *   byte 0 bits 0-1  number of sessions - 1
 *          bit 2     0: split by each header's length field (a real stream
 *                    is a valid input after the two bytes); 1: chunks of
 *                    [session byte][u16 length][bytes]
 *          bit 3     split mode 0: round robin over sessions, else by the
 *                    low byte of the ODID
 *          bit 4     end a session every 8th message
 *          bits 5-6  template store limits
 *          bit 7     JSON printer also prints messages and templates,
 *                    and lists may nest 3 deep instead of 8
 * Bit 0 also turns on byte offsets in the text printer. Every third
 * message first goes to ipfix_decoder_runs (the forwarders' fast path),
 * with a cap of 1 to 4 sets; a message it declines is fed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decode.h"
#include "print.h"
#include "fuzz.h"

#define OUT_SIZE (1 << 16)

struct fuzz_decode {
	struct ipfix_printer *text;
	struct ipfix_printer *json;
};

struct fuzz_input {
	const uint8_t *data;
	size_t size;
	size_t pos;
	uint8_t cfg;
	uint8_t kinds;
	unsigned nsess;
	unsigned index;		/* messages fed so far */
};

static void
on_message(void *arg, const struct ipfix_msg_ctx *m)
{
	struct fuzz_decode *fd = arg;

	FUZZ_ASSERT(m->len >= IPFIX_HDR_LEN && m->hdr.length <= m->len);
	ipfix_print_message(fd->text, m);
	ipfix_print_message(fd->json, m);
}

static void
on_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct fuzz_decode *fd = arg;

	(void)how;
	FUZZ_ASSERT(t->id >= IPFIX_MIN_DATA_SET_ID);
	FUZZ_ASSERT(offset >= m->offset && offset - m->offset < m->len);
	ipfix_print_template(fd->text, m, t);
	ipfix_print_template(fd->json, m, t);
}

static void
on_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct fuzz_decode *fd = arg;

	(void)removed;
	(void)offset;
	ipfix_print_withdrawal(fd->text, m, set_id, tid);
	ipfix_print_withdrawal(fd->json, m, set_id, tid);
}

static void
on_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct fuzz_decode *fd = arg;

	/* A record must lie inside its message. */
	FUZZ_ASSERT(r->p >= m->msg && r->p <= m->msg + m->len);
	FUZZ_ASSERT(r->len <= (size_t)(m->msg + m->len - r->p));
	FUZZ_ASSERT(r->len >= t->min_len);
	ipfix_print_record(fd->text, m, t, r);
	ipfix_print_record(fd->json, m, t, r);
}

/* A run of fixed-length records: taken (each record then checked and
 * printed as on_record does) for even counts, declined for odd ones, so
 * that both of the decoder's paths run. */
static bool
on_records(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const uint8_t *p, size_t len, uint32_t n,
    uint64_t offset)
{
	struct ipfix_rec r;
	uint32_t i;

	FUZZ_ASSERT(!t->varlen && t->min_len > 0 && n > 0);
	FUZZ_ASSERT(len == (size_t)n * t->min_len);
	FUZZ_ASSERT(p >= m->msg && len <= (size_t)(m->msg + m->len - p));
	FUZZ_ASSERT(offset == m->offset + (uint64_t)(p - m->msg));
	if (n % 2 != 0)
		return false;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		r.p = p + (size_t)i * t->min_len;
		r.len = t->min_len;
		r.offset = offset + (uint64_t)i * t->min_len;
		on_record(arg, m, t, &r);
	}
	return true;
}

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	struct fuzz_decode *fd = arg;

	/* Reasons may quote input bytes, so they are not printed here. */
	(void)fd;
	FUZZ_ASSERT(memchr(p->reason, '\0', sizeof(p->reason)) != NULL);
}

static void
on_domain(const struct ipfix_domain_stats *st, void *arg)
{
	unsigned *n = arg;

	(void)st;
	(*n)++;
}

static const struct ipfix_decoder_ops fuzz_ops = {
	.on_message = on_message,
	.on_template = on_template,
	.on_withdrawal = on_withdrawal,
	.on_record = on_record,
	.on_problem = on_problem,
	.on_records = on_records,
};

static void
config_for(uint8_t cfg, struct ipfix_decoder_config *dc)
{
	static const struct ipfix_tstore_limits lims[4] = {
		{ 0, 0 }, { 4, 0 }, { 0, 30 }, { 2, 1 },
	};

	memset(dc, 0, sizeof(*dc));
	dc->limits = lims[(cfg >> 5) & 3];
	dc->max_list_depth = (cfg & 0x80) ? 3 : 8;
}

/* Next message of split mode 0: the header's length when it is plausible,
 * else everything left (which the decoder must reject cleanly). */
static size_t
next_by_header(struct fuzz_input *in, uint32_t *session)
{
	const uint8_t *p = in->data + in->pos;
	size_t left = in->size - in->pos;
	size_t len = left;

	if (left >= 4) {
		len = ipfix_be16(p + 2);
		if (len < IPFIX_HDR_LEN || len > left)
			len = left;
	}
	if ((in->cfg & 0x08) && left >= IPFIX_HDR_LEN)
		*session = p[15] % in->nsess;
	else
		*session = in->index % in->nsess;
	return len;
}

/* Next message of split mode 1: [session byte][u16 length][bytes]. */
static size_t
next_by_chunk(struct fuzz_input *in, uint32_t *session, bool *end)
{
	struct ipfix_cursor c;
	uint8_t sel;
	size_t len;

	ipfix_cursor_init(&c, in->data + in->pos, in->size - in->pos, 0);
	sel = ipfix_get_u8(&c);
	len = ipfix_get_u16(&c);
	if (c.bad)
		len = ipfix_cursor_left(&c);
	if (len > ipfix_cursor_left(&c))
		len = ipfix_cursor_left(&c);
	*session = (sel & 3) % in->nsess;
	*end = (sel & 0x80) != 0;
	in->pos += c.pos;
	return len;
}

/* The fast path; true when it took the message (its runs checked and
 * their records printed as on_record does). */
static bool
try_runs(struct ipfix_decoder *d, struct fuzz_decode *fd,
    const struct fuzz_input *in, size_t len, uint32_t session,
    enum ipfix_transport_kind kind)
{
	struct ipfix_msg_ctx m = { .msg = in->data + in->pos, .len = len,
	    .offset = in->pos, .session = session, .kind = kind };
	struct ipfix_run runs[4];
	size_t i, n, cap = 1 + in->index / 3 % 4;
	uint64_t end = m.offset + IPFIX_HDR_LEN;
	struct ipfix_rec r;

	if (in->index % 3 != 1 ||
	    (n = ipfix_decoder_runs(d, &m, runs, cap)) == 0)
		return false;
	FUZZ_ASSERT(n <= cap && m.hdr.length == len);
	for (i = 0; i < n; i++) {
		const struct ipfix_run *x = &runs[i];

		/* Each run fills its set exactly; the sets tile the message. */
		FUZZ_ASSERT(!x->t->varlen && x->t->min_len > 0 && x->n > 0);
		FUZZ_ASSERT(x->offset == end + IPFIX_SET_HDR_LEN);
		FUZZ_ASSERT(x->p == m.msg + (x->offset - m.offset));
		end = x->offset + (uint64_t)x->n * x->t->min_len;
		memset(&r, 0, sizeof(r));
		r.len = x->t->min_len;
		for (uint32_t k = 0; k < x->n; k++) {
			r.p = x->p + (size_t)k * r.len;
			r.offset = x->offset + (uint64_t)k * r.len;
			on_record(fd, &m, x->t, &r);
		}
	}
	FUZZ_ASSERT(end == m.offset + len);
	return true;
}

static void
feed_all(struct ipfix_decoder *d, struct fuzz_decode *fd,
    struct fuzz_input *in)
{
	struct ipfix_err err;
	uint32_t session;
	enum ipfix_transport_kind kind;
	size_t len;
	bool end = false;
	int rc;

	while (in->pos < in->size) {
		if (in->cfg & 0x04)
			len = next_by_chunk(in, &session, &end);
		else
			len = next_by_header(in, &session);
		if (end || ((in->cfg & 0x10) && in->index % 8 == 7))
			ipfix_decoder_end_session(d, session);
		kind = (enum ipfix_transport_kind)((in->kinds >> (2 *
		    session)) & 3);
		rc = try_runs(d, fd, in, len, session, kind) ? 0 :
		    ipfix_decoder_feed(d, in->data + in->pos, len, session,
		    kind, in->pos, &err);
		FUZZ_ASSERT(rc == 0 || rc == -1);
		if (rc == -1)
			FUZZ_ASSERT(err.code != IPFIX_OK);
		in->pos += len;
		in->index++;
	}
}

/* Length of the valid UTF-8 sequence at p (n > 0 bytes left), or 0. */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * The printed output up to its last newline (an overflowing buffer may cut
 * the last line) must be UTF-8 (C34: invalid string bytes are escaped);
 * JSON lines must be one object each, without raw control characters.
 */
static void
check_output(const char *buf, bool json)
{
	const uint8_t *p = (const uint8_t *)buf, *line = p;
	const uint8_t *end;
	size_t n;

	/* The buffer was zeroed, and output never fills its last byte. */
	end = memrchr(p, '\n', OUT_SIZE - 1);
	if (end == NULL)
		return;
	for (; p < end; p += n) {
		n = utf8_len(p, (size_t)(end - p));
		FUZZ_ASSERT(n > 0);
		if (json)
			FUZZ_ASSERT(*p >= 0x20 || *p == '\n');
		if (json && *p == '\n') {
			FUZZ_ASSERT(line[0] == '{' && p[-1] == '}');
			line = p + 1;
		}
	}
	if (json)
		FUZZ_ASSERT(line[0] == '{' && end[-1] == '}');
}

static void
run(struct fuzz_input *in, FILE *tout, FILE *jout)
{
	struct ipfix_print_options topt = { .offsets = (in->cfg & 1) != 0 };
	struct ipfix_print_options jopt = { .json = true };
	struct ipfix_decoder_config dc;
	struct ipfix_decoder *d;
	struct fuzz_decode fd;
	unsigned ndomains = 0;

	config_for(in->cfg, &dc);
	jopt.json_messages = jopt.json_templates = (in->cfg & 0x80) != 0;
	jopt.max_depth = topt.max_depth = dc.max_list_depth;
	d = ipfix_decoder_new(&dc, &fuzz_ops, &fd);
	if (d == NULL)
		return;
	fd.text = ipfix_printer_new(tout, &topt, ipfix_decoder_templates(d),
	    NULL, NULL);
	fd.json = ipfix_printer_new(jout, &jopt, ipfix_decoder_templates(d),
	    NULL, NULL);
	if (fd.text != NULL && fd.json != NULL)
		feed_all(d, &fd, in);
	ipfix_decoder_foreach_domain(d, on_domain, &ndomains);
	FUZZ_ASSERT(ndomains <= in->index + 1);
	/* Output may overflow the buffer: a failed write is expected. */
	if (fd.text != NULL)
		(void)ipfix_printer_free(fd.text);
	if (fd.json != NULL)
		(void)ipfix_printer_free(fd.json);
	ipfix_decoder_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	char *tbuf, *jbuf;
	FILE *tout, *jout;

	if (size < 2)
		return 0;
	memset(&in, 0, sizeof(in));
	in.cfg = data[0];
	in.kinds = data[1];
	in.nsess = (data[0] & 3) + 1u;
	in.data = data + 2;
	in.size = size - 2;
	tbuf = calloc(1, OUT_SIZE);
	jbuf = calloc(1, OUT_SIZE);
	FUZZ_ASSERT(tbuf != NULL && jbuf != NULL);
	tout = fmemopen(tbuf, OUT_SIZE - 1, "w");
	jout = fmemopen(jbuf, OUT_SIZE - 1, "w");
	FUZZ_ASSERT(tout != NULL && jout != NULL);
	run(&in, tout, jout);
	fclose(tout);
	fclose(jout);
	check_output(tbuf, false);
	check_output(jbuf, true);
	free(tbuf);
	free(jbuf);
	return 0;
}
