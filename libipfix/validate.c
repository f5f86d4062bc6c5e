#include <stdarg.h>
#include <stdio.h>

#include "validate.h"
#include "value.h"
#include "walk.h"

/* The checks are a visitor of walk.h: the walk finds lists that are
 * malformed, too deep or name an unknown sub-template; this file turns
 * those and the values' own faults into problems. Offsets are those of
 * the record field holding the value (a list's, for its elements). */

struct vctx {
	const struct ipfix_msg_ctx *m;
	unsigned max_depth;
	ipfix_validate_fn fn;
	void *arg;
	unsigned count;
};

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

/* Booleans other than 1 and 2 (C33), lengths the type does not allow
 * (C31), ill-formed UTF-8 (C34). */
static void
v_value(void *arg, const struct ipfix_walk_at *at, const struct ipfix_value *v)
{
	const struct ipfix_field *f = at->f;
	uint64_t off = at->field_offset;
	char lab[32];

	if (v->bad && f->ie != NULL && f->ie->type == IPFIX_T_BOOLEAN)
		report(arg, "C33", off, "%s: boolean value is neither 1 nor 2",
		    fname(f, lab, sizeof(lab)));
	else if (v->bad)
		report(arg, "C31", off, "%s: %zu-byte value not allowed for %s",
		    fname(f, lab, sizeof(lab)), v->len,
		    ipfix_type_name(f->ie != NULL ?
		    (enum ipfix_type)f->ie->type : v->type));
	else if (v->type == IPFIX_T_STRING && !ipfix_utf8_valid(v->raw,
	    v->len))
		report(arg, "C34", off, "%s: string is not valid UTF-8",
		    fname(f, lab, sizeof(lab)));
}

static void
v_truncated(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_err *err)
{
	(void)at;
	report(arg, err->check != NULL ? err->check : "C28", err->offset, "%s",
	    err->reason);
}

static void
v_depth_limit(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	struct vctx *x = arg;
	char lab[32];

	(void)v;
	report(x, "C38", at->field_offset, "%s: lists nested deeper than %u",
	    fname(at->f, lab, sizeof(lab)), x->max_depth);
}

/* A malformed basicList is C37, any other malformed list C38. */
static void
v_list_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	char lab[32];

	report(arg, l->type == IPFIX_T_BASICLIST ? "C37" : "C38",
	    l->at->field_offset, "%s: %s", fname(l->at->f, lab, sizeof(lab)),
	    err->reason);
}

static void
v_list_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	if (err != NULL)
		v_list_bad(arg, l, err);
}

static void
v_unknown(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	report(arg, "C38", l->at->field_offset,
	    "list refers to unknown template %u", b->tid);
}

static void
v_recs_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b, const struct ipfix_err *err)
{
	(void)l;
	report(arg, "C38", err->offset, "list records of template %u: %s",
	    b->tid, err->reason);
}

static const struct ipfix_walk_ops validate_ops = {
	.value = v_value,
	.truncated = v_truncated,
	.depth_limit = v_depth_limit,
	.list_bad = v_list_bad,
	.list_end = v_list_end,
	.unknown = v_unknown,
	.recs_bad = v_recs_bad,
};

unsigned
ipfix_validate_record(const struct ipfix_tstore *ts,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r, unsigned max_depth, ipfix_validate_fn fn,
    void *arg)
{
	struct vctx x = { m, max_depth != 0 ? max_depth : IPFIX_WALK_DEPTH,
	    fn, arg, 0 };
	/* Without a store, lists are not entered (validate.h). */
	struct ipfix_walk w = { &validate_ops, &x, ts, m->session,
	    m->hdr.odid, m->hdr.export_time, x.max_depth, ts == NULL, false };

	ipfix_walk_record(&w, t, r);
	return x.count;
}
