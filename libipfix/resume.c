/*
 * resume: the collector's output file read back (resume.h). One decoder
 * over the file; the origins tracker names each record's session; assoc
 * gets the sessions and their records as the collector gave them first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "grow.h"
#include "resume.h"
#include "stream.h"

/* Session ids index the association's table: a file naming ids beyond
 * this (16 million sessions) is refused rather than trusted with memory. */
#define RESUME_ID_MAX	(1u << 24)

/* An ODID of the file: where its sequence numbers stand and which
 * template ids it left defined. */
struct rdom {
	uint32_t odid, seq;
	uint8_t used[65536 / 8];
};

struct rctx {
	struct ipfix_assoc *a;
	struct ipfix_origins *org;
	struct ipfix_resume_info *info;
	struct rdom **doms;
	size_t ndoms, capdoms;
	struct rdom *cur;		/* the message's ODID */
	uint32_t msg_seq, msg_recs;
	bool failed;			/* the first problem is in bad */
	struct ipfix_err bad;
};

static void
fail(struct rctx *x, enum ipfix_errcode code, uint64_t off, const char *why)
{
	if (!x->failed)
		ipfix_err_set(&x->bad, code, off, NULL, "%s", why);
	x->failed = true;
}

static struct rdom *
dom_get(struct rctx *x, uint32_t odid)
{
	struct rdom *d;

	for (size_t i = 0; i < x->ndoms; i++)
		if (x->doms[i]->odid == odid)
			return x->doms[i];
	if (ipfix_grow((void **)&x->doms, &x->capdoms, x->ndoms + 1,
	    sizeof(*x->doms)) == -1 || (d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->odid = odid;
	x->doms[x->ndoms++] = d;
	return d;
}

static void
on_message(void *arg, const struct ipfix_msg_ctx *m)
{
	struct rctx *x = arg;

	if ((x->cur = dom_get(x, m->hdr.odid)) == NULL)
		fail(x, IPFIX_E_NOMEM, m->offset, "out of memory");
	x->msg_seq = m->hdr.seq;
	x->msg_recs = 0;
	x->info->messages++;
}

static void
on_message_end(void *arg, const struct ipfix_msg_ctx *m)
{
	struct rctx *x = arg;

	(void)m;
	if (x->cur != NULL)
		x->cur->seq = x->msg_seq + x->msg_recs;
}

static void
on_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct rctx *x = arg;

	(void)m;
	(void)how;
	(void)offset;
	if (x->cur != NULL)
		x->cur->used[t->id / 8] |= (uint8_t)(1u << (t->id % 8));
}

static void
on_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct rctx *x = arg;

	(void)m;
	(void)set_id;
	(void)removed;
	(void)offset;
	if (x->cur == NULL)
		return;
	if (tid >= IPFIX_MIN_DATA_SET_ID)
		x->cur->used[tid / 8] &= (uint8_t)~(1u << (tid % 8));
	else	/* all of a kind: the metadata ids stay reserved anyway */
		memset(x->cur->used, 0, sizeof(x->cur->used));
}

/* A session's details in one ODID: the session (once) and its link in
 * that ODID's chain, in the order the collector made them. */
static void
session_details(struct rctx *x, const struct ipfix_msg_ctx *m,
    const struct ipfix_origin *w)
{
	char key[300];
	bool fresh;

	if (w == NULL || w->session == 0 || w->session > RESUME_ID_MAX) {
		fail(x, IPFIX_E_FORMAT, m->offset, "session details record "
		    "without a session id (or one above 16777216)");
		return;
	}
	if (!ipfix_assoc_has(x->a, w->session)) {
		ipfix_assoc_key(key, sizeof(key), w->identity, w->addr,
		    w->transport);
		if (ipfix_assoc_session(x->a, w->session, key, false) ==
		    UINT32_MAX) {
			fail(x, IPFIX_E_NOMEM, m->offset, "out of memory");
			return;
		}
		x->info->sessions++;
		if (w->session > x->info->last_id)
			x->info->last_id = w->session;
	}
	(void)ipfix_assoc_domain(x->a, w->session, m->hdr.odid, &fresh);
}

static void
data(struct rctx *x, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const uint8_t *p, size_t len, uint32_t n)
{
	const struct ipfix_origin *w = ipfix_origins_current(x->org, m);

	if (w == NULL || w->session == 0) {
		fail(x, IPFIX_E_FORMAT, m->offset, "records of no session "
		    "(no Message Details record names one)");
		return;
	}
	ipfix_assoc_records(x->a, w->session, m->hdr.odid, t, p, len, n);
	x->info->records += n;
}

static void
on_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct rctx *x = arg;

	x->msg_recs++;
	if (!ipfix_origins_record(x->org, m, t, r))
		data(x, m, t, r->p, r->len, 1);
	else if (t->id == IPFIX_SESSOUT_TID_SESS4 ||
	    t->id == IPFIX_SESSOUT_TID_SESS6)
		session_details(x, m, ipfix_origins_current(x->org, m));
}

static bool
on_records(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const uint8_t *p, size_t len, uint32_t n,
    uint64_t offset)
{
	struct rctx *x = arg;

	(void)offset;
	if (t->id >= IPFIX_ORIGIN_TID_FIRST)
		return false;	/* details, one by one through on_record */
	x->msg_recs += n;
	data(x, m, t, p, len, n);
	return true;
}

static const struct ipfix_decoder_ops ops = {
	.on_message = on_message,
	.on_template = on_template,
	.on_withdrawal = on_withdrawal,
	.on_record = on_record,
	.on_records = on_records,
	.on_message_end = on_message_end,
};

/* Every message into the decoder; a cut last one only moves kept. */
static int
read_all(struct rctx *x, struct ipfix_reader *rd, struct ipfix_decoder *dec,
    struct ipfix_err *err)
{
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	struct ipfix_err e;
	size_t len;
	int rc;

	while ((rc = ipfix_reader_next(rd, &msg, &len, &meta, &e)) != 0) {
		if (rc == -1 && e.code == IPFIX_E_TRUNCATED) {
			x->info->kept = e.offset;
			continue;
		}
		if (rc == -2)
			return *err = e, -1;
		if (rc == -1)
			return ipfix_err_set(err, IPFIX_E_FORMAT, e.offset,
			    NULL, "not an IPFIX stream: %s", e.reason);
		if (ipfix_decoder_feed(dec, msg, len, 0, IPFIX_KIND_FILE,
		    meta.offset, &e) == -1)
			return ipfix_err_set(err, IPFIX_E_FORMAT, meta.offset,
			    NULL, "malformed message at offset %llu: %s",
			    (unsigned long long)meta.offset, e.reason);
		if (x->failed)
			return ipfix_err_set(err, x->bad.code, x->bad.offset,
			    NULL, "not written by ipfix-recv: %s in the "
			    "message at offset %llu", x->bad.reason,
			    (unsigned long long)x->bad.offset);
		x->info->kept = meta.offset + len;
	}
	return 0;
}

/* Each ODID goes on where the file left it. */
static int
hand_over(struct rctx *x, struct ipfix_sessout *o, struct ipfix_err *err)
{
	for (size_t i = 0; i < x->ndoms; i++)
		if (ipfix_sessout_continue(o, x->doms[i]->odid,
		    x->doms[i]->seq, x->doms[i]->used, err) == -1)
			return -1;
	return 0;
}

static int
read_file(struct rctx *x, const char *path, struct ipfix_sessout *o,
    struct ipfix_err *err)
{
	struct ipfix_reader_options ro = { 0 };
	struct ipfix_decoder_config dc;
	struct ipfix_decoder *dec;
	struct ipfix_reader *rd;
	int rc;

	if ((rd = ipfix_reader_open(path, &ro, err)) == NULL)
		return -1;
	if (ipfix_reader_format(rd) != IPFIX_IN_RAW) {
		ipfix_reader_close(rd);
		return ipfix_err_set(err, IPFIX_E_FORMAT, 0, NULL, "not a raw "
		    "IPFIX stream (gzip'd or a capture): cannot append");
	}
	memset(&dc, 0, sizeof(dc));
	dc.max_list_depth = 8;
	if ((dec = ipfix_decoder_new(&dc, &ops, x)) == NULL) {
		ipfix_reader_close(rd);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "decoder");
	}
	rc = read_all(x, rd, dec, err);
	ipfix_decoder_free(dec);
	ipfix_reader_close(rd);
	return rc == 0 ? hand_over(x, o, err) : -1;
}

int
ipfix_resume_read(const char *path, struct ipfix_assoc *a,
    struct ipfix_sessout *o, ipfix_der_namer namer,
    struct ipfix_resume_info *info, struct ipfix_err *err)
{
	struct rctx x;
	struct stat st;
	int rc;

	memset(info, 0, sizeof(*info));
	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : ipfix_err_sys(err, IPFIX_E_IO,
		    "%s", path);
	if (!S_ISREG(st.st_mode))
		return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET,
		    NULL, "not a regular file: cannot append");
	if ((info->size = (uint64_t)st.st_size) == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.info = info;
	if ((x.org = ipfix_origins_new(namer)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "origins");
	rc = read_file(&x, path, o, err);
	for (size_t i = 0; i < x.ndoms; i++)
		free(x.doms[i]);
	free(x.doms);
	ipfix_origins_free(x.org);
	if (rc == 0 && info->kept < info->size &&
	    truncate(path, (off_t)info->kept) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "cut %s", path);
	return rc;
}
