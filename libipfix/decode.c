/*
 * decode: the Collecting Process rules of RFC 7011 §8-9 over one template
 * store. Each message is validated whole first (pass 1: header, set
 * framing, template records, framing of varlen data records), so a
 * malformed message reaches nobody but on_problem and leaves the store as
 * it was; pass 2 applies templates and withdrawals in wire order and hands
 * out records. After warm-up nothing is allocated per message or record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "validate.h"
#include "value.h"

/* OP_SAME: an identical re-send of a held template, taken unparsed. */
enum op_kind { OP_TMPL, OP_SAME, OP_WITHDRAW, OP_PAD };

/* One item of a template set found by pass 1, applied by pass 2. */
struct op {
	enum op_kind kind;
	uint16_t set_id;
	uint16_t wid;		/* OP_WITHDRAW: the withdrawn id; OP_SAME:
				   the template's */
	bool nonzero;		/* OP_PAD: some padding byte is not zero */
	struct ipfix_tmpl *t;	/* OP_TMPL: owned until pass 2 stores it */
	uint64_t set_offset;	/* the set the item belongs to */
	uint64_t offset;
};

struct dom {
	struct dom *hnext;	/* hash chain */
	struct dom *next;	/* creation order */
	struct ipfix_domain_stats st;
	bool hold;		/* this message is out of sequence */
	bool cand_valid;	/* cand_seq is where a restart would go on */
	uint32_t cand_seq;
};

#define FOUND_MAX	32

struct ipfix_decoder {
	struct ipfix_decoder_config cfg;
	struct ipfix_decoder_ops ops;
	void *arg;
	struct ipfix_tstore *ts;
	struct op *opv;		/* pass-1 items of the current message */
	size_t nops;
	size_t opcap;
	/* The templates of the message's first data sets as pass 1 found
	 * them: pass 2 takes them again when no item changed the store. */
	const struct ipfix_tmpl *found[FOUND_MAX];
	size_t nfound;
	struct dom **db;
	size_t dbmask;
	size_t ndom;
	struct dom *first, *last;	/* creation order */
	struct dom *cache;	/* domain of the previous message */
	struct dom spare;	/* stands in when a domain cannot be allocated */
};

/* Per-message state of pass 2. */
struct pass2 {
	const struct ipfix_msg_ctx *m;
	struct dom *dom;
	size_t opi;		/* next op to apply */
	uint32_t records;
	bool countable;		/* every data set had its template */
	size_t dsets;		/* data sets seen so far */
	bool found_hold;	/* no item changes the store: pass 1's
				   template lookups still hold */
};

#define DOM_BUCKETS 64

struct ipfix_decoder *
ipfix_decoder_new(const struct ipfix_decoder_config *cfg,
    const struct ipfix_decoder_ops *ops, void *arg)
{
	struct ipfix_decoder *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (cfg != NULL)
		d->cfg = *cfg;
	if (ops != NULL)
		d->ops = *ops;
	d->arg = arg;
	d->ts = ipfix_tstore_new(&d->cfg.limits);
	d->db = calloc(DOM_BUCKETS, sizeof(*d->db));
	if (d->ts == NULL || d->db == NULL) {
		ipfix_tstore_free(d->ts);
		free(d->db);
		free(d);
		return NULL;
	}
	d->dbmask = DOM_BUCKETS - 1;
	return d;
}

static void
ops_clear(struct ipfix_decoder *d)
{
	size_t i;

	for (i = 0; i < d->nops; i++)
		ipfix_tmpl_free(d->opv[i].t);
	d->nops = 0;
}

void
ipfix_decoder_free(struct ipfix_decoder *d)
{
	struct dom *x, *xn;

	if (d == NULL)
		return;
	ops_clear(d);
	free(d->opv);
	for (x = d->first; x != NULL; x = xn) {
		xn = x->next;
		free(x);
	}
	free(d->db);
	ipfix_tstore_free(d->ts);
	free(d);
}

const struct ipfix_tstore *
ipfix_decoder_templates(const struct ipfix_decoder *d)
{
	return d->ts;
}

/* Problems ------------------------------------------------------------------ */

static void
report(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    enum ipfix_severity sev, enum ipfix_errcode code, const char *check,
    uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
report(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    enum ipfix_severity sev, enum ipfix_errcode code, const char *check,
    uint64_t offset, const char *fmt, ...)
{
	struct ipfix_problem p;
	va_list ap;

	if (d->ops.on_problem == NULL)
		return;
	p.severity = sev;
	p.code = code;
	p.check = check;
	p.offset = offset;
	p.session = m->session;
	p.odid = m->hdr.odid;
	va_start(ap, fmt);
	vsnprintf(p.reason, sizeof(p.reason), fmt, ap);
	va_end(ap);
	d->ops.on_problem(d->arg, &p);
}

/* Domains ------------------------------------------------------------------- */

static size_t
dom_hash(uint32_t session, uint32_t odid, uint16_t stream)
{
	uint64_t h = ((uint64_t)session << 32 | odid) * 0x9E3779B97F4A7C15ull;

	return (size_t)((h ^ stream) >> 24);
}

static bool
dom_is(const struct dom *x, uint32_t session, uint32_t odid, uint16_t stream)
{
	return x->st.session == session && x->st.odid == odid &&
	    x->st.stream == stream;
}

static struct dom *
dom_find(const struct ipfix_decoder *d, uint32_t session, uint32_t odid,
    uint16_t stream)
{
	struct dom *x = d->db[dom_hash(session, odid, stream) & d->dbmask];

	for (; x != NULL; x = x->hnext) {
		if (dom_is(x, session, odid, stream))
			return x;
	}
	return NULL;
}

static void
dom_grow(struct ipfix_decoder *d)
{
	size_t n = (d->dbmask + 1) * 2;
	struct dom **db, *x;

	if (d->ndom <= d->dbmask + 1 || (db = calloc(n, sizeof(*db))) == NULL)
		return;
	for (x = d->first; x != NULL; x = x->next) {
		size_t h = dom_hash(x->st.session, x->st.odid, x->st.stream) &
		    (n - 1);

		x->hnext = db[h];
		db[h] = x;
	}
	free(d->db);
	d->db = db;
	d->dbmask = n - 1;
}

/* The domain's counters; the spare stands in when memory is short, so
 * decoding goes on with counts lost rather than failing. */
static struct dom *
dom_get(struct ipfix_decoder *d, uint32_t session, uint32_t odid,
    uint16_t stream)
{
	struct dom *x = d->cache;
	size_t h;

	if (x != NULL && dom_is(x, session, odid, stream))
		return x;
	if ((x = dom_find(d, session, odid, stream)) == NULL) {
		if ((x = calloc(1, sizeof(*x))) == NULL)
			return &d->spare;
		x->st.session = session;
		x->st.odid = odid;
		x->st.stream = stream;
		h = dom_hash(session, odid, stream) & d->dbmask;
		x->hnext = d->db[h];
		d->db[h] = x;
		if (d->last != NULL)
			d->last->next = x;
		else
			d->first = x;
		d->last = x;
		d->ndom++;
		dom_grow(d);
	}
	d->cache = x;
	return x;
}

void
ipfix_decoder_foreach_domain(const struct ipfix_decoder *d,
    void (*fn)(const struct ipfix_domain_stats *, void *), void *arg)
{
	const struct dom *x;

	for (x = d->first; x != NULL; x = x->next)
		fn(&x->st, arg);
}

void
ipfix_decoder_end_session(struct ipfix_decoder *d, uint32_t session)
{
	struct dom *x;

	ipfix_tstore_drop_session(d->ts, session);
	/* A later session with the same id starts a new sequence (§3.1). */
	for (x = d->first; x != NULL; x = x->next) {
		if (x->st.session == session) {
			x->st.seq_known = false;
			x->cand_valid = false;
		}
	}
}

/* Template lookup ----------------------------------------------------------- */

static const struct ipfix_tmpl *
store_lookup(const struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    uint16_t tid)
{
	if (m->kind == IPFIX_KIND_UDP)
		return ipfix_tstore_get(d->ts, m->session, m->hdr.odid, tid,
		    m->hdr.export_time);
	return ipfix_tstore_find(d->ts, m->session, m->hdr.odid, tid);
}

/*
 * Pass 1: the template a data set would use after the items found so far
 * in this message were applied. Scans them backwards; withdrawals count
 * except on UDP, where pass 2 ignores them.
 */
static const struct ipfix_tmpl *
pending_lookup(const struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    uint16_t tid)
{
	const struct ipfix_tmpl *t = NULL;
	bool all[2] = { false, false };
	size_t i;

	for (i = d->nops; i-- > 0 && t == NULL;) {
		const struct op *o = &d->opv[i];

		if (o->kind == OP_TMPL && o->t->id == tid)
			t = o->t;
		else if (o->kind == OP_WITHDRAW && m->kind != IPFIX_KIND_UDP) {
			if (o->wid == tid)
				return NULL;
			if (o->wid == IPFIX_SET_TEMPLATE ||
			    o->wid == IPFIX_SET_OPTIONS_TEMPLATE)
				all[o->wid - IPFIX_SET_TEMPLATE] = true;
		}
	}
	if (t == NULL)
		t = store_lookup(d, m, tid);
	if (t != NULL && all[t->options ? 1 : 0])
		return NULL;
	return t;
}

/* Pass 1 ---------------------------------------------------------------------- */

static struct op *
op_push(struct ipfix_decoder *d)
{
	if (d->nops == d->opcap) {
		size_t n = d->opcap == 0 ? 16 : d->opcap * 2;
		struct op *v = realloc(d->opv, n * sizeof(*v));

		if (v == NULL)
			return NULL;
		d->opv = v;
		d->opcap = n;
	}
	memset(&d->opv[d->nops], 0, sizeof(d->opv[0]));
	return &d->opv[d->nops++];
}

/* Trailing bytes of a template set: fewer than a withdrawal record, or all
 * zero (a template id of 0 is impossible, and some exporters pad a 6-byte
 * options withdrawal). */
static bool
tmpl_set_padding(const struct ipfix_cursor *c, bool *nonzero)
{
	size_t i, n = ipfix_cursor_left(c);

	*nonzero = false;
	for (i = 0; i < n; i++) {
		if (c->p[c->pos + i] != 0)
			*nonzero = true;
	}
	return n < 4 || !*nonzero;
}

/*
 * The wire size of the template record at c when it is an identical
 * re-send of the held template that no earlier item of this message
 * touched, else 0. UDP exporters refresh every few messages (RFC 5153:
 * 20); parsing each re-send cost a fifth of ipfix-recv's decoding.
 */
static size_t
resend_size(const struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_cursor *c, uint16_t set_id)
{
	const uint8_t *p = c->p + c->pos;
	const struct ipfix_tmpl *t;
	uint16_t id;
	size_t i;

	if (ipfix_cursor_left(c) < 4 ||
	    (id = ipfix_be16(p)) < IPFIX_MIN_DATA_SET_ID ||
	    (t = store_lookup(d, m, id)) == NULL ||
	    t->options != (set_id == IPFIX_SET_OPTIONS_TEMPLATE))
		return 0;
	for (i = 0; i < d->nops; i++) {
		const struct op *o = &d->opv[i];

		if (o->kind == OP_WITHDRAW ||
		    (o->kind == OP_TMPL && o->t->id == id))
			return 0;
	}
	return ipfix_tmpl_wire_match(t, p, ipfix_cursor_left(c));
}

static int
tmpl_item(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    struct ipfix_cursor *c, const struct ipfix_set *s, struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	size_t same = resend_size(d, m, c, s->id);
	enum op_kind kind = OP_SAME;
	struct ipfix_tmpl *t = NULL;
	uint16_t wid = 0;
	struct op *o;
	int rc;

	if (same > 0) {
		wid = ipfix_be16(c->p + c->pos);
		c->pos += same;
	} else if ((rc = ipfix_tmpl_parse(c, s->id,
	    !d->cfg.strict, &t, &wid, err)) == -1) {
		return -1;
	} else {
		kind = rc == 1 ? OP_TMPL : OP_WITHDRAW;
	}
	if ((o = op_push(d)) == NULL) {
		ipfix_tmpl_free(t);
		return ipfix_err_set(err, IPFIX_E_NOMEM, at, NULL,
		    "out of memory");
	}
	o->kind = kind;
	o->t = t;
	o->wid = wid;
	o->set_id = s->id;
	o->set_offset = s->offset;
	o->offset = at;
	return 0;
}

static int
tmpl_set_check(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_set *s, struct ipfix_err *err)
{
	struct ipfix_cursor c;
	bool nonzero;
	struct op *o;

	ipfix_cursor_init(&c, s->body, s->length - IPFIX_SET_HDR_LEN,
	    s->offset + IPFIX_SET_HDR_LEN);
	while (!tmpl_set_padding(&c, &nonzero)) {
		if (tmpl_item(d, m, &c, s, err) == -1)
			return -1;
	}
	if (ipfix_cursor_left(&c) == 0)
		return 0;
	if ((o = op_push(d)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, s->offset, NULL,
		    "out of memory");
	o->kind = OP_PAD;
	o->nonzero = nonzero;
	o->set_id = s->id;
	o->set_offset = s->offset;
	o->offset = ipfix_cursor_offset(&c);
	return 0;
}

/* Only records with varlen fields can fail to frame; fixed-length ones
 * always split into records and padding. */
static int
data_set_check(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_set *s, struct ipfix_err *err)
{
	const struct ipfix_tmpl *t = pending_lookup(d, m, s->id);
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	int rc;

	if (d->nfound < FOUND_MAX)
		d->found[d->nfound++] = t;
	if (t == NULL || !t->varlen)
		return 0;
	ipfix_rec_iter_init(&it, s, t);
	while ((rc = ipfix_rec_next(&it, &r, err)) == 1)
		;
	return rc;
}

/* 1-3 zero bytes after the last set, where RFC 7011 has no padding: some
 * exporters align the whole message. Taken with a warning (C15) unless
 * strict; the sets before them are whole. */
static bool
msg_padding(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_err *err)
{
	size_t at, i;

	if (d->cfg.strict || err->code != IPFIX_E_SET ||
	    err->offset < m->offset + IPFIX_HDR_LEN ||
	    (at = (size_t)(err->offset - m->offset)) + 4 <= m->len)
		return false;
	for (i = at; i < m->len; i++) {
		if (m->msg[i] != 0)
			return false;
	}
	report(d, m, IPFIX_SEV_WARN, IPFIX_E_SET, "C15", err->offset,
	    "%zu zero bytes after the last set taken as padding",
	    m->len - at);
	return true;
}

static int
validate(struct ipfix_decoder *d, struct ipfix_msg_ctx *m,
    struct ipfix_err *err)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	int rc;

	if (ipfix_hdr_parse(m->msg, m->len, m->offset, &m->hdr, err) == -1)
		return -1;
	if (m->hdr.length != m->len)
		return ipfix_err_set(err, IPFIX_E_LENGTH, m->offset + 2, "C03",
		    "message length %u, %zu bytes delivered", m->hdr.length,
		    m->len);
	ipfix_set_iter_init(&it, m->msg, m->len, m->offset);
	while ((rc = ipfix_set_next(&it, &s, err)) == 1) {
		if (s.id == IPFIX_SET_TEMPLATE ||
		    s.id == IPFIX_SET_OPTIONS_TEMPLATE)
			rc = tmpl_set_check(d, m, &s, err);
		else if (s.id >= IPFIX_MIN_DATA_SET_ID)
			rc = data_set_check(d, m, &s, err);
		if (rc == -1)
			return -1;
	}
	return rc == -1 && msg_padding(d, m, err) ? 0 : rc;
}

/* Pass 2: templates ------------------------------------------------------- */

static void
tmpl_outcome(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    uint16_t id, int how, uint64_t at)
{
	/* Files accept repeats like UDP does (RFC 5655 §7.1): many are
	 * captures of UDP export with periodic template refresh. */
	if (how == IPFIX_TADD_SAME && (m->kind == IPFIX_KIND_TCP ||
	    m->kind == IPFIX_KIND_SCTP))
		report(d, m, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C48", at,
		    "template %u re-sent unchanged", id);
	else if (how == IPFIX_TADD_CHANGED && (m->kind == IPFIX_KIND_TCP ||
	    m->kind == IPFIX_KIND_SCTP))
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, NULL, at,
		    "template %u redefined without withdrawal; the new "
		    "definition replaces it", id);
	else if (how == IPFIX_TADD_CHANGED && m->kind == IPFIX_KIND_FILE)
		report(d, m, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C106", at,
		    "template %u redefined", id);
}

static void
apply_tmpl(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    struct op *o)
{
	struct ipfix_tmpl *t = o->t;
	uint16_t id = t->id;
	struct ipfix_err e, q;
	int how;
	unsigned quirks = ipfix_tmpl_quirk(t, o->offset, &q);

	o->t = NULL;	/* the store owns it now, also on failure */
	t->first_seen = t->last_seen = m->hdr.export_time;
	how = ipfix_tstore_add(d->ts, m->session, m->hdr.odid, t, &e);
	if (how == -1) {
		report(d, m, IPFIX_SEV_WARN, e.code, e.check, o->offset,
		    "%s", e.reason);
		return;
	}
	/* once per definition: refreshes of it are SAME */
	if (quirks > 0 && how != IPFIX_TADD_SAME)
		report(d, m, IPFIX_SEV_WARN, q.code, q.check, q.offset, "%s",
		    q.reason);
	tmpl_outcome(d, m, id, how, o->offset);
	if (d->ops.on_template != NULL)
		d->ops.on_template(d->arg, m, ipfix_tstore_find(d->ts,
		    m->session, m->hdr.odid, id), (enum ipfix_tadd)how,
		    o->offset);
}

static void
apply_same(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct op *o)
{
	const struct ipfix_tmpl *t = ipfix_tstore_touch(d->ts, m->session,
	    m->hdr.odid, o->wid, m->hdr.export_time);

	tmpl_outcome(d, m, o->wid, IPFIX_TADD_SAME, o->offset);
	if (d->ops.on_template != NULL && t != NULL)
		d->ops.on_template(d->arg, m, t, IPFIX_TADD_SAME, o->offset);
}

static void
apply_withdrawal(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct op *o)
{
	int removed = 0;

	if (m->kind == IPFIX_KIND_UDP)
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_TEMPLATE, "C50", o->offset,
		    "withdrawal of template %u over UDP ignored", o->wid);
	else if ((removed = ipfix_tstore_withdraw(d->ts, m->session,
	    m->hdr.odid, o->wid)) == 0)
		report(d, m, IPFIX_SEV_NOTE, IPFIX_E_TEMPLATE, "C46", o->offset,
		    "withdrawal of unknown template %u ignored", o->wid);
	if (d->ops.on_withdrawal != NULL)
		d->ops.on_withdrawal(d->arg, m, o->set_id, o->wid, removed,
		    o->offset);
}

static void
apply_tmpl_set(struct ipfix_decoder *d, struct pass2 *p,
    const struct ipfix_set *s)
{
	for (; p->opi < d->nops; p->opi++) {
		struct op *o = &d->opv[p->opi];

		if (o->set_offset != s->offset)
			break;
		if (o->kind == OP_TMPL)
			apply_tmpl(d, p->m, o);
		else if (o->kind == OP_SAME)
			apply_same(d, p->m, o);
		else if (o->kind == OP_WITHDRAW)
			apply_withdrawal(d, p->m, o);
		else if (o->nonzero)
			report(d, p->m, IPFIX_SEV_WARN, IPFIX_E_SET, "C18",
			    o->offset, "non-zero padding in set %u", s->id);
	}
}

/* Pass 2: data ---------------------------------------------------------- */

/* Value checks (C31, C33, C34, C37, C38) live in validate.c; the decoder
 * only routes their findings through on_problem like its own. */
static void
value_problem(void *arg, const struct ipfix_problem *p)
{
	struct ipfix_decoder *d = arg;

	if (d->ops.on_problem != NULL)
		d->ops.on_problem(d->arg, p);
}

static void
check_record(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	ipfix_validate_record(d->ts, m, t, r, d->cfg.max_list_depth,
	    value_problem, d);
}

/* Is tid defined by a template item still to be applied? (C40) */
static bool
defined_later(const struct ipfix_decoder *d, size_t from, uint16_t tid)
{
	size_t i;

	for (i = from; i < d->nops; i++) {
		if (d->opv[i].kind == OP_TMPL && d->opv[i].t->id == tid)
			return true;
	}
	return false;
}

static void
no_template(struct ipfix_decoder *d, struct pass2 *p,
    const struct ipfix_set *s)
{
	const struct ipfix_msg_ctx *m = p->m;

	p->countable = false;
	p->dom->st.records_no_template++;
	if (defined_later(d, p->opi, s->id))
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C40",
		    s->offset, "data set %u precedes its template", s->id);
	else if (m->kind == IPFIX_KIND_UDP && ipfix_tstore_find(d->ts,
	    m->session, m->hdr.odid, s->id) != NULL)
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, "C53",
		    s->offset, "template %u expired; data set skipped",
		    s->id);
	else
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_NO_TEMPLATE, NULL,
		    s->offset, "no template %u; data set skipped", s->id);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	while (n > 0 && p[n - 1] == 0)
		n--;
	return n == 0;
}

/* Offer the set's records to on_records in one piece; true when taken
 * (the iterator then stands before the padding). */
static bool
take_run(struct ipfix_decoder *d, struct pass2 *p, const struct ipfix_tmpl *t,
    struct ipfix_rec_iter *it)
{
	struct ipfix_cursor *c = &it->c;
	size_t n;

	if (d->ops.on_records == NULL || d->cfg.check_values || t->varlen ||
	    t->min_len == 0)
		return false;
	n = ipfix_cursor_left(c) / t->min_len;
	if (n == 0 || !d->ops.on_records(d->arg, p->m, t, c->p + c->pos,
	    n * t->min_len, (uint32_t)n, c->base + c->pos))
		return false;
	c->pos += n * t->min_len;
	p->records += (uint32_t)n;
	return true;
}

/* The template of the data set s: pass 1's answer when it still holds. */
static const struct ipfix_tmpl *
data_set_tmpl(struct ipfix_decoder *d, struct pass2 *p,
    const struct ipfix_set *s)
{
	size_t i = p->dsets++;

	if (p->found_hold && i < d->nfound)
		return d->found[i];
	return store_lookup(d, p->m, s->id);
}

static void
data_set(struct ipfix_decoder *d, struct pass2 *p, const struct ipfix_set *s)
{
	const struct ipfix_tmpl *t = data_set_tmpl(d, p, s);
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	bool nonzero, taken;

	if (t == NULL) {
		no_template(d, p, s);
		return;
	}
	ipfix_rec_iter_init(&it, s, t);
	r.len = 0;
	taken = take_run(d, p, t, &it);
	while (!taken && ipfix_rec_next(&it, &r, NULL) == 1) {
		p->records++;
		if (d->ops.on_record != NULL)
			d->ops.on_record(d->arg, p->m, t, &r);
		if (d->cfg.check_values)
			check_record(d, p->m, t, &r);
	}
	if (ipfix_rec_iter_padding(&it, &nonzero) > 0 && nonzero)
		report(d, p->m, IPFIX_SEV_WARN, IPFIX_E_SET, "C18",
		    ipfix_cursor_offset(&it.c), "non-zero padding in set %u",
		    s->id);
	if (t->min_len == 0 && !t->varlen && s->length > IPFIX_SET_HDR_LEN)
		report(d, p->m, IPFIX_SEV_WARN, IPFIX_E_SET, "C18", s->offset,
		    "template %u has 0-byte records: the set's %u bytes are "
		    "padding no shorter than a record", s->id,
		    s->length - IPFIX_SET_HDR_LEN);
	else if (d->cfg.check_values && r.len > 0 && all_zero(r.p, r.len))
		report(d, p->m, IPFIX_SEV_NOTE, IPFIX_E_SET, "C18", r.offset,
		    "set %u ends in an all-zero record: padding as long as a "
		    "record would be one", s->id);
}

static void
skip_set(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_set *s)
{
	if (s->id < IPFIX_SET_TEMPLATE)
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_SET, "C13", s->offset,
		    "NetFlow v9 set id %u skipped", s->id);
	else
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_SET, "C14", s->offset,
		    "reserved set id %u skipped", s->id);
}

/* Pass 2: sequence numbers (C09, C10) --------------------------------------- */

static void
seq_begin(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    struct dom *x)
{
	struct ipfix_domain_stats *st = &x->st;
	uint32_t seq = m->hdr.seq, diff = seq - st->next_seq;

	x->hold = false;
	if (!st->seq_known || diff == 0)
		return;
	if (diff < 0x80000000u) {
		st->lost += diff;
		report(d, m, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C09", m->offset + 8,
		    "sequence %u, expected %u: %u records lost", seq,
		    st->next_seq, diff);
		return;
	}
	if (x->cand_valid && seq == x->cand_seq) {
		/* Two messages agree on the new numbering: exporter restart. */
		report(d, m, IPFIX_SEV_NOTE, IPFIX_E_RECORD, "C10", m->offset + 8,
		    "sequence resynchronised to %u (expected %u)", seq,
		    st->next_seq);
		return;
	}
	st->seq_out_of_order++;
	x->hold = true;
	report(d, m, IPFIX_SEV_WARN, IPFIX_E_RECORD, "C10", m->offset + 8,
	    "sequence %u out of order (expected %u)", seq, st->next_seq);
}

/*
 * An out-of-order message leaves the expectation alone and only proposes
 * where the numbering would go on. When a data set could not be counted
 * (no template), the next message is taken as it comes (§5.2 of the
 * digest: loss accounting for such records is deferred).
 */
static void
seq_end(const struct ipfix_msg_ctx *m, struct dom *x, uint32_t records,
    bool countable)
{
	struct ipfix_domain_stats *st = &x->st;

	if (x->hold) {
		x->cand_valid = countable;
		x->cand_seq = m->hdr.seq + records;
		return;
	}
	x->cand_valid = false;
	st->seq_known = countable;
	st->next_seq = m->hdr.seq + records;
}

/* Feeding ----------------------------------------------------------------- */

static void
decode(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m)
{
	struct pass2 p = { m, dom_get(d, m->session, m->hdr.odid, m->stream),
	    0, 0, true, 0, true };
	struct ipfix_set_iter it;
	struct ipfix_set s;
	size_t i;

	for (i = 0; i < d->nops; i++)
		p.found_hold &= d->opv[i].kind == OP_SAME ||
		    d->opv[i].kind == OP_PAD;

	if (d->ops.on_message != NULL)
		d->ops.on_message(d->arg, m);
	seq_begin(d, m, p.dom);
	ipfix_set_iter_init(&it, m->msg, m->len, m->offset);
	while (ipfix_set_next(&it, &s, NULL) == 1) {
		if (s.id == IPFIX_SET_TEMPLATE ||
		    s.id == IPFIX_SET_OPTIONS_TEMPLATE)
			apply_tmpl_set(d, &p, &s);
		else if (s.id >= IPFIX_MIN_DATA_SET_ID)
			data_set(d, &p, &s);
		else
			skip_set(d, m, &s);
	}
	seq_end(m, p.dom, p.records, p.countable);
	p.dom->st.messages++;
	p.dom->st.records += p.records;
	if (d->ops.on_message_end != NULL)
		d->ops.on_message_end(d->arg, m);
}

/* The template of set id, from the two runs before r when one has it
 * (sets of a few templates alternate; the store is not changed here). */
static const struct ipfix_tmpl *
run_tmpl(const struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_run *r, size_t before, uint16_t id)
{
	if (before >= 1 && r[-1].t->id == id)
		return r[-1].t;
	if (before >= 2 && r[-2].t->id == id)
		return r[-2].t;
	return store_lookup(d, m, id);
}

/* A set the fast path can take whole: known fixed-length records that
 * fill it exactly. r follows 'before' runs of the same message. */
static bool
run_of(const struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_set *s, struct ipfix_run *r, size_t before)
{
	size_t body = (size_t)s->length - IPFIX_SET_HDR_LEN;

	if (s->id < IPFIX_MIN_DATA_SET_ID || body == 0 ||
	    (r->t = run_tmpl(d, m, r, before, s->id)) == NULL ||
	    r->t->varlen || r->t->min_len == 0 || body % r->t->min_len != 0)
		return false;
	r->p = s->body;
	r->n = (uint32_t)(body / r->t->min_len);
	r->offset = s->offset + IPFIX_SET_HDR_LEN;
	return true;
}

size_t
ipfix_decoder_runs(struct ipfix_decoder *d, struct ipfix_msg_ctx *m,
    struct ipfix_run *runs, size_t cap)
{
	struct ipfix_set_iter it;
	struct ipfix_set s;
	struct dom *x;
	uint32_t records = 0;
	size_t n = 0;
	int rc;

	if (d->cfg.check_values ||
	    ipfix_hdr_parse(m->msg, m->len, m->offset, &m->hdr, NULL) == -1 ||
	    m->hdr.length != m->len)
		return 0;
	ipfix_set_iter_init(&it, m->msg, m->len, m->offset);
	while ((rc = ipfix_set_next(&it, &s, NULL)) == 1) {
		if (n == cap || !run_of(d, m, &s, &runs[n], n))
			return 0;
		records += runs[n++].n;
	}
	if (rc != 0 || n == 0)
		return 0;
	x = dom_get(d, m->session, m->hdr.odid, m->stream);
	seq_begin(d, m, x);
	seq_end(m, x, records, true);
	x->st.messages++;
	x->st.records += records;
	return n;
}

/* Garbage must not create a domain per random ODID: a message counts
 * under its ODID only when that domain is known, else under ODID 0. */
static struct dom *
malformed_domain(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m)
{
	struct dom *x = dom_find(d, m->session, m->hdr.odid, m->stream);

	return x != NULL ? x : dom_get(d, m->session, 0, m->stream);
}

static void
discard(struct ipfix_decoder *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_err *err)
{
	struct ipfix_problem p;

	ops_clear(d);
	malformed_domain(d, m)->st.malformed++;
	if (d->ops.on_problem == NULL)
		return;
	p.severity = IPFIX_SEV_MALFORMED;
	p.code = err->code;
	p.check = err->check;
	p.offset = err->offset;
	p.session = m->session;
	p.odid = m->hdr.odid;
	memcpy(p.reason, err->reason, sizeof(p.reason));
	d->ops.on_problem(d->arg, &p);
}

int
ipfix_decoder_feed(struct ipfix_decoder *d, const uint8_t *msg, size_t len,
    uint32_t session, enum ipfix_transport_kind kind, uint64_t offset,
    struct ipfix_err *err)
{
	return ipfix_decoder_feed_stream(d, msg, len, session, 0, kind, offset,
	    err);
}

int
ipfix_decoder_feed_stream(struct ipfix_decoder *d, const uint8_t *msg,
    size_t len, uint32_t session, uint16_t stream,
    enum ipfix_transport_kind kind, uint64_t offset, struct ipfix_err *err)
{
	struct ipfix_msg_ctx m;
	struct ipfix_err local;

	if (err == NULL)
		err = &local;
	memset(&m, 0, sizeof(m));
	m.msg = msg;
	m.len = len;
	m.offset = offset;
	m.session = session;
	m.stream = stream;
	m.kind = kind;
	d->nops = 0;
	d->nfound = 0;
	if (validate(d, &m, err) == -1) {
		discard(d, &m, err);
		return -1;
	}
	decode(d, &m);
	ops_clear(d);
	return 0;
}
