#include "walk.h"

/* The recursion is bounded by max_depth: each list level costs four small
 * frames (walk_value, walk_list, the list's own, walk_block/walk_fields),
 * so --max-depth 64 stays within a few kilobytes of stack. */

static void walk_fields(const struct ipfix_walk *w, const struct ipfix_tmpl *t,
    struct ipfix_cursor *c, unsigned depth);
static inline void walk_value(const struct ipfix_walk *w,
    const struct ipfix_walk_at *at, const struct ipfix_value *v);

bool
ipfix_walk_is_list(enum ipfix_type type)
{
	return type == IPFIX_T_BASICLIST || type == IPFIX_T_SUBTEMPLATELIST ||
	    type == IPFIX_T_SUBTEMPLATEMULTILIST;
}

static const struct ipfix_tmpl *
subtmpl(const struct ipfix_walk *w, uint16_t tid)
{
	if (w->ts == NULL)
		return NULL;
	return ipfix_tstore_get(w->ts, w->session, w->odid, tid, w->now);
}

/* The records of one sub-template. A malformed record ends the block; the
 * records before it have been walked. */
static void
walk_block(const struct ipfix_walk *w, const struct ipfix_walk_list *l,
    uint16_t tid, const struct ipfix_cursor *recs, unsigned index)
{
	const struct ipfix_walk_ops *ops = w->ops;
	struct ipfix_walk_block b = { tid, subtmpl(w, tid), recs, index };
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_cursor c;
	struct ipfix_err err;
	unsigned n = 0;
	int rc;

	if (ops->block_begin != NULL)
		ops->block_begin(w->arg, l, &b);
	if (b.t == NULL) {
		if (ops->unknown != NULL)
			ops->unknown(w->arg, l, &b);
	} else {
		ipfix_rec_iter_init_bytes(&it, recs, b.t);
		while ((rc = ipfix_rec_next(&it, &r, &err)) == 1) {
			if (ops->rec_begin != NULL)
				ops->rec_begin(w->arg, &b, n);
			n++;
			ipfix_cursor_init(&c, r.p, r.len, r.offset);
			walk_fields(w, b.t, &c, l->depth);
			if (ops->rec_end != NULL)
				ops->rec_end(w->arg, &b);
		}
		if (rc == -1 && ops->recs_bad != NULL)
			ops->recs_bad(w->arg, l, &b, &err);
	}
	if (ops->block_end != NULL)
		ops->block_end(w->arg, l, &b);
}

static void
list_bad(const struct ipfix_walk *w, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	if (w->ops->list_bad != NULL)
		w->ops->list_bad(w->arg, l, err);
}

static void
list_end(const struct ipfix_walk *w, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	if (w->ops->list_end != NULL)
		w->ops->list_end(w->arg, l, err);
}

static void
list_begin(const struct ipfix_walk *w, const struct ipfix_walk_list *l)
{
	if (w->ops->list_begin != NULL)
		w->ops->list_begin(w->arg, l);
}

static void
walk_basiclist(const struct ipfix_walk *w, struct ipfix_walk_list *l)
{
	struct ipfix_basiclist bl;
	struct ipfix_walk_at at = { NULL, NULL, l, 0, 0, l->depth,
	    l->at->field_offset };
	struct ipfix_value e;
	struct ipfix_err err;
	int rc;

	if (ipfix_basiclist_open(l->v, &bl, &err) == -1) {
		list_bad(w, l, &err);
		return;
	}
	l->semantic = bl.semantic;
	l->elem = &bl.field;
	at.f = &bl.field;
	list_begin(w, l);
	while ((rc = ipfix_basiclist_next(&bl, &e, &err)) == 1) {
		walk_value(w, &at, &e);
		at.index++;
	}
	list_end(w, l, rc == -1 ? &err : NULL);
}

static void
walk_stlist(const struct ipfix_walk *w, struct ipfix_walk_list *l)
{
	struct ipfix_stlist sl;
	struct ipfix_err err;

	if (ipfix_stlist_open(l->v, &sl, &err) == -1) {
		list_bad(w, l, &err);
		return;
	}
	l->semantic = sl.semantic;
	list_begin(w, l);
	walk_block(w, l, sl.tid, &sl.recs, 0);
	list_end(w, l, NULL);
}

static void
walk_stmlist(const struct ipfix_walk *w, struct ipfix_walk_list *l)
{
	struct ipfix_stmlist ml;
	struct ipfix_stml_block b;
	struct ipfix_err err;
	unsigned n = 0;
	int rc;

	if (ipfix_stmlist_open(l->v, &ml, &err) == -1) {
		list_bad(w, l, &err);
		return;
	}
	l->semantic = ml.semantic;
	list_begin(w, l);
	while ((rc = ipfix_stmlist_next(&ml, &b, &err)) == 1)
		walk_block(w, l, b.tid, &b.recs, n++);
	list_end(w, l, rc == -1 ? &err : NULL);
}

/* A list value: at the bound, or entered. */
static void
walk_list(const struct ipfix_walk *w, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	struct ipfix_walk_list l = { at, v, v->type, 0, NULL, at->depth + 1 };

	/* Lists nest without limit on the wire; the walk does not (C38). */
	if (at->depth >= w->max_depth) {
		if (w->ops->depth_limit != NULL)
			w->ops->depth_limit(w->arg, at, v);
		return;
	}
	if (v->type == IPFIX_T_BASICLIST)
		walk_basiclist(w, &l);
	else if (v->type == IPFIX_T_SUBTEMPLATELIST)
		walk_stlist(w, &l);
	else
		walk_stmlist(w, &l);
}

static inline void
walk_value(const struct ipfix_walk *w, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	if (!v->bad && !w->flat && ipfix_walk_is_list(v->type))
		walk_list(w, at, v);
	else if (w->ops->value != NULL)
		w->ops->value(w->arg, at, v);
}

/* How many earlier fields of t carry field i's element (C26). A 64-bit
 * filter on the id keeps this linear for the usual template without
 * repeats. */
static unsigned
occurrence(const struct ipfix_tmpl *t, uint16_t i, uint64_t *seen)
{
	const struct ipfix_field *f = &t->fields[i];
	uint64_t bit = (uint64_t)1 << (f->id & 63);
	unsigned n = 0;
	uint16_t j;

	if ((*seen & bit) != 0)
		for (j = 0; j < i; j++)
			n += t->fields[j].id == f->id && t->fields[j].pen == f->pen;
	*seen |= bit;
	return n;
}

/* Fields in template order, repeated elements included (C26). */
static void
walk_fields(const struct ipfix_walk *w, const struct ipfix_tmpl *t,
    struct ipfix_cursor *c, unsigned depth)
{
	struct ipfix_walk_at at = { t, NULL, NULL, 0, 0, depth, 0 };
	struct ipfix_value v;
	struct ipfix_err err;
	uint64_t seen = 0;
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		at.f = &t->fields[i];
		at.index = i;
		if (w->occurrences)
			at.occurrence = occurrence(t, i, &seen);
		at.field_offset = ipfix_cursor_offset(c);
		if (ipfix_value_read(c, at.f, &v, &err) == -1) {
			if (w->ops->truncated != NULL)
				w->ops->truncated(w->arg, &at, &err);
			return;
		}
		walk_value(w, &at, &v);
	}
}

void
ipfix_walk_record(const struct ipfix_walk *w, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct ipfix_walk wk = *w;
	struct ipfix_cursor c;

	if (wk.max_depth == 0)
		wk.max_depth = IPFIX_WALK_DEPTH;
	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	walk_fields(&wk, t, &c, 0);
}
