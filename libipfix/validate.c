#include <stdarg.h>
#include <stdio.h>

#include "outbuf.h"
#include "validate.h"
#include "value.h"

struct vctx {
	const struct ipfix_tstore *ts;
	const struct ipfix_msg_ctx *m;
	unsigned max_depth;
	ipfix_validate_fn fn;
	void *arg;
	unsigned count;
};

static void vfields(struct vctx *x, const struct ipfix_tmpl *t,
    struct ipfix_cursor *c, unsigned depth);
static void vvalue(struct vctx *x, const struct ipfix_field *f,
    const struct ipfix_value *v, uint64_t off, unsigned depth);

static void
report(struct vctx *x, const char *check, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct vctx *x, const char *check, uint64_t off, const char *fmt, ...)
{
	struct ipfix_problem p;
	va_list ap;

	p.severity = IPFIX_SEV_WARN;
	p.code = IPFIX_E_VALUE;
	p.check = check;
	p.offset = off;
	p.session = x->m->session;
	p.odid = x->m->hdr.odid;
	va_start(ap, fmt);
	vsnprintf(p.reason, sizeof(p.reason), fmt, ap);
	va_end(ap);
	x->count++;
	if (x->fn != NULL)
		x->fn(x->arg, &p);
}

static const char *
fname(const struct ipfix_field *f, char *buf, size_t size)
{
	if (f->ie != NULL && f->ie->name != NULL)
		return f->ie->name;
	return ipfix_ie_label(f->pen, f->id, buf, size);
}

static void
vrecords(struct vctx *x, uint16_t tid, const struct ipfix_cursor *recs,
    uint64_t off, unsigned depth)
{
	const struct ipfix_tmpl *t;
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_cursor c;
	struct ipfix_err err;
	int rc;

	t = ipfix_tstore_get(x->ts, x->m->session, x->m->hdr.odid, tid,
	    x->m->hdr.export_time);
	if (t == NULL) {
		report(x, "C38", off, "list refers to unknown template %u",
		    tid);
		return;
	}
	ipfix_rec_iter_init_bytes(&it, recs, t);
	while ((rc = ipfix_rec_next(&it, &r, &err)) == 1) {
		ipfix_cursor_init(&c, r.p, r.len, r.offset);
		vfields(x, t, &c, depth);
	}
	if (rc == -1)
		report(x, "C38", err.offset, "list records of template %u: %s",
		    tid, err.reason);
}

static void
vlist(struct vctx *x, const struct ipfix_field *f, const struct ipfix_value *v,
    uint64_t off, unsigned depth)
{
	struct ipfix_basiclist bl;
	struct ipfix_stlist sl;
	struct ipfix_stmlist ml;
	struct ipfix_stml_block b;
	struct ipfix_value e;
	struct ipfix_err err;
	char lab[32];
	int rc = 0;

	if (depth >= x->max_depth) {
		report(x, "C38", off, "%s: lists nested deeper than %u",
		    fname(f, lab, sizeof(lab)), x->max_depth);
		return;
	}
	if (v->type == IPFIX_T_BASICLIST) {
		if ((rc = ipfix_basiclist_open(v, &bl, &err)) == 0)
			while ((rc = ipfix_basiclist_next(&bl, &e, &err)) == 1)
				vvalue(x, &bl.field, &e, off, depth + 1);
	} else if (v->type == IPFIX_T_SUBTEMPLATELIST) {
		if ((rc = ipfix_stlist_open(v, &sl, &err)) == 0)
			vrecords(x, sl.tid, &sl.recs, off, depth + 1);
	} else if ((rc = ipfix_stmlist_open(v, &ml, &err)) == 0)
		while ((rc = ipfix_stmlist_next(&ml, &b, &err)) == 1)
			vrecords(x, b.tid, &b.recs, off, depth + 1);
	if (rc == -1)
		report(x, v->type == IPFIX_T_BASICLIST ? "C37" : "C38", off,
		    "%s: %s", fname(f, lab, sizeof(lab)), err.reason);
}

static void
vvalue(struct vctx *x, const struct ipfix_field *f, const struct ipfix_value *v,
    uint64_t off, unsigned depth)
{
	char lab[32];

	if (v->bad && f->ie != NULL && f->ie->type == IPFIX_T_BOOLEAN)
		report(x, "C33", off, "%s: boolean value is neither 1 nor 2",
		    fname(f, lab, sizeof(lab)));
	else if (v->bad)
		report(x, "C31", off, "%s: %zu-byte value not allowed for %s",
		    fname(f, lab, sizeof(lab)), v->len,
		    ipfix_type_name(f->ie != NULL ?
		    (enum ipfix_type)f->ie->type : v->type));
	else if (v->type == IPFIX_T_STRING && !ipfix_utf8_valid(v->raw,
	    v->len))
		report(x, "C34", off, "%s: string is not valid UTF-8",
		    fname(f, lab, sizeof(lab)));
	else if (x->ts != NULL && (v->type == IPFIX_T_BASICLIST ||
	    v->type == IPFIX_T_SUBTEMPLATELIST ||
	    v->type == IPFIX_T_SUBTEMPLATEMULTILIST))
		vlist(x, f, v, off, depth);
}

static void
vfields(struct vctx *x, const struct ipfix_tmpl *t, struct ipfix_cursor *c,
    unsigned depth)
{
	struct ipfix_value v;
	struct ipfix_err err;
	uint64_t off;
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		off = ipfix_cursor_offset(c);
		if (ipfix_value_read(c, &t->fields[i], &v, &err) == -1) {
			report(x, err.check != NULL ? err.check : "C28",
			    err.offset, "%s", err.reason);
			return;
		}
		vvalue(x, &t->fields[i], &v, off, depth);
	}
}

unsigned
ipfix_validate_record(const struct ipfix_tstore *ts,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r, unsigned max_depth, ipfix_validate_fn fn,
    void *arg)
{
	struct vctx x = { ts, m, max_depth != 0 ? max_depth : 8, fn, arg, 0 };
	struct ipfix_cursor c;

	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	vfields(&x, t, &c, 0);
	return x.count;
}
