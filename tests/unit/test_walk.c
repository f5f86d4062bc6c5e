/* Unit tests of walk: the events a recording visitor hears, in order. */
#include <stdarg.h>
#include <stdlib.h>

#include "testhelp.h"
#include "walk.h"

/* The visitor appends one short token per event to a string. */
struct trace {
	char s[1024];
	size_t len;
};

static void
put(struct trace *tr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct trace *tr, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tr->s + tr->len, sizeof(tr->s) - tr->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(tr->s) - tr->len)
		tr->len += (size_t)n;
}

static void
t_value(void *arg, const struct ipfix_walk_at *at, const struct ipfix_value *v)
{
	put(arg, "%s%u.%u@%llu=%llu%s ", at->list != NULL ? "e" : "f",
	    at->depth, at->index, (unsigned long long)at->field_offset,
	    (unsigned long long)v->v.u, v->bad ? "!" : "");
	if (at->occurrence > 0)
		put(arg, "#%u ", at->occurrence + 1);
}

static void
t_truncated(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_err *err)
{
	put(arg, "trunc%u@%llu ", at->index, (unsigned long long)err->offset);
}

static void
t_depth(void *arg, const struct ipfix_walk_at *at, const struct ipfix_value *v)
{
	put(arg, "deep%u:%zu ", at->depth, v->len);
}

static void
t_list_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	(void)err;
	put(arg, "bad%d ", (int)l->type);
}

static void
t_list_begin(void *arg, const struct ipfix_walk_list *l)
{
	put(arg, "[%d/%u", (int)l->type, l->semantic);
	if (l->elem != NULL)
		put(arg, "/%u", l->elem->id);
	put(arg, " ");
}

static void
t_list_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	(void)l;
	put(arg, "%s] ", err != NULL ? "!" : "");
}

static void
t_block_begin(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	(void)l;
	put(arg, "<%u.%u ", b->tid, b->index);
}

static void
t_block_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	(void)l;
	(void)b;
	put(arg, "> ");
}

static void
t_unknown(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	(void)l;
	put(arg, "unknown%zu ", ipfix_cursor_left(b->recs));
}

static void
t_rec_begin(void *arg, const struct ipfix_walk_block *b, unsigned n)
{
	(void)b;
	put(arg, "{%u ", n);
}

static void
t_rec_end(void *arg, const struct ipfix_walk_block *b)
{
	(void)b;
	put(arg, "} ");
}

static void
t_recs_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b, const struct ipfix_err *err)
{
	(void)l;
	(void)b;
	(void)err;
	put(arg, "recsbad ");
}

static const struct ipfix_walk_ops trace_ops = {
	t_value, t_truncated, t_depth, t_list_bad, t_list_begin, t_list_end,
	t_block_begin, t_block_end, t_unknown, t_rec_begin, t_rec_end,
	t_recs_bad,
};

static struct ipfix_tmpl *
tmpl(uint16_t id, uint16_t n, const uint32_t *spec)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, n, 0);
	uint16_t i;

	for (i = 0; i < n; i++) {
		t->fields[i].pen = spec[3 * i];
		t->fields[i].id = (uint16_t)spec[3 * i + 1];
		t->fields[i].len = (uint16_t)spec[3 * i + 2];
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* Walk rec (template t) with w and return the trace (static). */
static const char *
walk(struct ipfix_walk *w, const struct ipfix_tmpl *t, const uint8_t *rec,
    size_t len)
{
	static struct trace tr;
	struct ipfix_rec r = { rec, len, 100 };

	tr.len = 0;
	tr.s[0] = '\0';
	w->arg = &tr;
	ipfix_walk_record(w, t, &r);
	if (tr.len > 0)
		tr.s[--tr.len] = '\0';	/* the last space */
	return tr.s;
}

/* 256 = ports with a repeat; 257 = [subTemplateList]; 258 = [basicList];
 * 259 = [subTemplateMultiList]. */
static const uint32_t s256[] = { 0, 7, 2, 0, 11, 2, 0, 7, 2 };
static const uint32_t s257[] = { 0, 292, IPFIX_VARLEN };
static const uint32_t s258[] = { 0, 291, IPFIX_VARLEN };
static const uint32_t s259[] = { 0, 293, IPFIX_VARLEN };

static void
test_scalars(struct ipfix_walk *w)
{
	struct ipfix_tmpl *t = tmpl(256, 3, s256);
	static const uint8_t rec[] = { 0, 80, 1, 0xbb, 0, 81 };

	CHECK_STR(walk(w, t, rec, sizeof(rec)),
	    "f0.0@100=80 f0.1@102=443 f0.2@104=81 #2",
	    "fields in template order, repeated element counted (C26)");
	w->occurrences = false;
	CHECK_STR(walk(w, t, rec, sizeof(rec)),
	    "f0.0@100=80 f0.1@102=443 f0.2@104=81",
	    "occurrences only when asked for");
	w->occurrences = true;
	CHECK_STR(walk(w, t, rec, 3), "f0.0@100=80 trunc1@102",
	    "a field past the record ends the walk of it");
	ipfix_tmpl_free(t);
}

static void
test_basiclist(struct ipfix_walk *w)
{
	struct ipfix_tmpl *t = tmpl(258, 1, s258);
	/* allOf sourceTransportPort[2]: 80 443 */
	static const uint8_t ok[] = { 9, 3, 0, 7, 0, 2, 0, 80, 1, 0xbb };
	/* ... with a last element cut to one byte */
	static const uint8_t cut[] = { 8, 3, 0, 7, 0, 2, 0, 80, 1 };
	static const uint8_t hdr[] = { 2, 3, 0 };

	CHECK_STR(walk(w, t, ok, sizeof(ok)),
	    "[20/3/7 e1.0@100=80 e1.1@100=443 ]",
	    "basicList: elements at depth 1, offset of the list field");
	CHECK_STR(walk(w, t, cut, sizeof(cut)), "[20/3/7 e1.0@100=80 !]",
	    "basicList: a cut element ends the list with an error");
	CHECK_STR(walk(w, t, hdr, sizeof(hdr)), "bad20",
	    "basicList: a short header is not entered");
	w->flat = true;
	CHECK_STR(walk(w, t, ok, sizeof(ok)), "f0.0@100=0",
	    "flat: a list is a value");
	w->flat = false;
	ipfix_tmpl_free(t);
}

static void
test_stlist(struct ipfix_walk *w, struct ipfix_tstore *ts)
{
	struct ipfix_tmpl *t = tmpl(257, 1, s257);
	/* allOf 256: {80 443 81} {1 2 3} */
	static const uint8_t two[] = { 15, 3, 1, 0, 0, 80, 1, 0xbb, 0, 81,
	    0, 1, 0, 2, 0, 3 };
	static const uint8_t unk[] = { 5, 3, 0x03, 0xe7, 0xaa, 0xbb };
	/* 257 in 257 in 257 in 256: three levels */
	static const uint8_t deep[] = { 0x11, 3, 1, 1, 0x0d, 3, 1, 1, 9, 3,
	    1, 0, 0, 80, 0, 81, 0, 82 };

	CHECK_STR(walk(w, t, two, sizeof(two)),
	    "[21/3 <256.0 {0 f1.0@104=80 f1.1@106=443 f1.2@108=81 #2 } "
	    "{1 f1.0@110=1 f1.1@112=2 f1.2@114=3 #2 } > ]",
	    "subTemplateList: records of the sub-template");
	CHECK_STR(walk(w, t, unk, sizeof(unk)), "[21/3 <999.0 unknown2 > ]",
	    "subTemplateList: unknown sub-template");
	CHECK_STR(walk(w, t, deep, sizeof(deep)),
	    "[21/3 <257.0 {0 [21/3 <257.0 {0 [21/3 <256.0 {0 f3.0@112=80 "
	    "f3.1@114=81 f3.2@116=82 #2 } > ] } > ] } > ]",
	    "subTemplateList: nested three deep");
	w->max_depth = 2;
	CHECK_STR(walk(w, t, deep, sizeof(deep)),
	    "[21/3 <257.0 {0 [21/3 <257.0 {0 deep2:9 } > ] } > ]",
	    "depth bound: the list at the bound is not entered (C38)");
	w->max_depth = 0;
	w->ts = NULL;
	CHECK_STR(walk(w, t, two, sizeof(two)), "[21/3 <256.0 unknown12 > ]",
	    "no store: every sub-template is unknown");
	w->ts = ts;
	w->odid = 6;
	CHECK_STR(walk(w, t, two, sizeof(two)), "[21/3 <256.0 unknown12 > ]",
	    "sub-templates are looked up in the record's ODID");
	w->odid = 5;
	ipfix_tmpl_free(t);
}

static void
test_stmlist(struct ipfix_walk *w)
{
	struct ipfix_tmpl *t = tmpl(259, 1, s259);
	/* ordered: block 256 (one record), block 999 (2 bytes), block with
	 * a length past the end */
	static const uint8_t rec[] = { 22, 4, 1, 0, 0, 10, 0, 80, 0, 81,
	    0, 82, 0x03, 0xe7, 0, 6, 0xaa, 0xbb, 1, 0, 0, 40, 0 };
	static const uint8_t empty[] = { 1, 1 };

	CHECK_STR(walk(w, t, rec, sizeof(rec)),
	    "[22/4 <256.0 {0 f1.0@106=80 f1.1@108=81 f1.2@110=82 #2 } > "
	    "<999.1 unknown2 > !]",
	    "subTemplateMultiList: blocks in order, a bad block ends it");
	CHECK_STR(walk(w, t, empty, sizeof(empty)), "[22/1 ]",
	    "subTemplateMultiList: no blocks");
	ipfix_tmpl_free(t);
}

int
main(void)
{
	struct ipfix_tstore *ts = ipfix_tstore_new(NULL);
	struct ipfix_err err;
	struct ipfix_walk w = { &trace_ops, NULL, ts, 0, 5, 1000, 0, false,
	    true };

	CHECK(ipfix_tstore_add(ts, 0, 5, tmpl(256, 3, s256), &err) ==
	    IPFIX_TADD_NEW, "store 256");
	CHECK(ipfix_tstore_add(ts, 0, 5, tmpl(257, 1, s257), &err) ==
	    IPFIX_TADD_NEW, "store 257");
	CHECK(ipfix_walk_is_list(IPFIX_T_BASICLIST) &&
	    ipfix_walk_is_list(IPFIX_T_SUBTEMPLATEMULTILIST) &&
	    !ipfix_walk_is_list(IPFIX_T_OCTETARRAY), "list types");
	test_scalars(&w);
	test_basiclist(&w);
	test_stlist(&w, ts);
	test_stmlist(&w);
	ipfix_tstore_free(ts);
	TEST_DONE();
}
