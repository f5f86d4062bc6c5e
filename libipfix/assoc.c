/*
 * assoc: exporters, their chains of sessions per Observation Domain, and
 * the loss between sessions that the exporter's cumulative counts reveal.
 * Sessions are kept for the life of the collector (their statistics are).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assoc.h"
#include "grow.h"

#define LINKS_MAX		8	/* ODIDs one session is associated in */
#define IE_EXPORTED_RECORDS	42	/* exportedFlowRecordTotalCount */
#define IE_ODID			149	/* observationDomainId */

/* One session in one chain. */
struct alink {
	uint32_t odid, prev;
	uint64_t records, gaps;
	uint64_t at_stat;		/* its records before the statistics */
	uint64_t exported;		/* the first cumulative count it got */
	bool has_stat;
};

struct asess {
	uint32_t exporter;
	bool resumed;
	uint8_t nlink;
	struct alink link[LINKS_MAX];
};

struct ahead {
	uint32_t odid, last;		/* the chain's latest session */
};

struct aexp {
	char key[300];
	uint32_t sessions, resumed;
	struct ahead *heads;
	size_t nheads, capheads;
};

struct ipfix_assoc {
	struct asess **sess;		/* by id - 1 */
	size_t nsess, capsess;
	struct aexp *exps;
	size_t nexps, capexps;
};

struct ipfix_assoc *
ipfix_assoc_new(void)
{
	return calloc(1, sizeof(struct ipfix_assoc));
}

void
ipfix_assoc_free(struct ipfix_assoc *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nsess; i++)
		free(a->sess[i]);
	for (size_t i = 0; i < a->nexps; i++)
		free(a->exps[i].heads);
	free(a->sess);
	free(a->exps);
	free(a);
}

static struct asess *
sess_at(const struct ipfix_assoc *a, uint32_t id)
{
	return id == 0 || id > a->nsess ? NULL : a->sess[id - 1];
}

static uint32_t
exp_find(struct ipfix_assoc *a, const char *key)
{
	struct aexp *e;

	for (size_t i = 0; i < a->nexps; i++)
		if (strcmp(a->exps[i].key, key) == 0)
			return (uint32_t)i;
	if (ipfix_grow((void **)&a->exps, &a->capexps, a->nexps + 1,
	    sizeof(*a->exps)) == -1)
		return UINT32_MAX;
	e = &a->exps[a->nexps];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	return (uint32_t)a->nexps++;
}

uint32_t
ipfix_assoc_session(struct ipfix_assoc *a, uint32_t id, const char *key,
    bool resumed)
{
	struct asess *s;
	uint32_t e;

	if (id == 0 || (e = exp_find(a, key)) == UINT32_MAX)
		return UINT32_MAX;
	if (id > a->nsess) {
		if (ipfix_grow((void **)&a->sess, &a->capsess, id,
		    sizeof(*a->sess)) == -1)
			return UINT32_MAX;
		while (a->nsess < id)
			a->sess[a->nsess++] = NULL;
	}
	if ((s = a->sess[id - 1]) == NULL &&
	    (s = a->sess[id - 1] = malloc(sizeof(*s))) == NULL)
		return UINT32_MAX;
	memset(s, 0, sizeof(*s));
	s->exporter = e;
	s->resumed = resumed;
	a->exps[e].sessions++;
	a->exps[e].resumed += resumed;
	return e;
}

static struct alink *
link_of(const struct ipfix_assoc *a, uint32_t id, uint32_t odid)
{
	struct asess *s = sess_at(a, id);

	if (s == NULL)
		return NULL;
	for (uint8_t i = 0; i < s->nlink; i++)
		if (s->link[i].odid == odid)
			return &s->link[i];
	return NULL;
}

/* The chain of odid of exporter e: its latest session, made id. */
static uint32_t
chain_push(struct aexp *e, uint32_t odid, uint32_t id)
{
	uint32_t prev;

	for (size_t i = 0; i < e->nheads; i++)
		if (e->heads[i].odid == odid) {
			prev = e->heads[i].last;
			e->heads[i].last = id;
			return prev;
		}
	if (ipfix_grow((void **)&e->heads, &e->capheads, e->nheads + 1,
	    sizeof(*e->heads)) == 0)
		e->heads[e->nheads++] = (struct ahead){ odid, id };
	return 0;
}

uint32_t
ipfix_assoc_domain(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    bool *fresh)
{
	struct asess *s = sess_at(a, id);
	struct alink *l = link_of(a, id, odid);

	*fresh = false;
	if (l != NULL)
		return l->prev;
	if (s == NULL || s->nlink == LINKS_MAX)
		return 0;
	*fresh = true;
	l = &s->link[s->nlink++];
	memset(l, 0, sizeof(*l));
	l->odid = odid;
	l->prev = chain_push(&a->exps[s->exporter], odid, id);
	return l->prev;
}

/* Offsets of IE 42 and of a scope observationDomainId in t's records,
 * when every field before them has a fixed length; -1 if absent. */
static void
stat_layout(const struct ipfix_tmpl *t, int *o42, int *o149, int *l42)
{
	int off = 0;

	*o42 = *o149 = -1;
	for (uint16_t i = 0; i < t->nfields; i++) {
		const struct ipfix_field *f = &t->fields[i];

		if (f->len == IPFIX_VARLEN)
			return;
		if (f->pen == 0 && f->id == IE_EXPORTED_RECORDS &&
		    f->len <= 8) {
			*o42 = off;
			*l42 = f->len;
		}
		if (f->pen == 0 && f->id == IE_ODID && i < t->scope_count &&
		    f->len == 4)
			*o149 = off;
		off += f->len;
	}
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The exporter's cumulative count for one domain, in session id. */
static void
stat_record(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    const struct ipfix_tmpl *t, const uint8_t *rec, uint64_t len)
{
	int o42, o149, l42 = 0;
	struct alink *l;

	stat_layout(t, &o42, &o149, &l42);
	if (o42 < 0 || (uint64_t)(o42 + l42) > len ||
	    (o149 >= 0 && (uint64_t)o149 + 4 > len))
		return;
	if (o149 >= 0)
		odid = (uint32_t)get_be(rec + o149, 4);
	if ((l = link_of(a, id, odid)) == NULL || l->has_stat)
		return;
	l->has_stat = true;
	l->at_stat = l->records;
	l->exported = get_be(rec + o42, l42);
}

void
ipfix_assoc_records(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    const struct ipfix_tmpl *t, const uint8_t *p, uint64_t len, uint64_t n)
{
	struct alink *l;

	if (!ipfix_tmpl_exp_stats(t)) {
		if ((l = link_of(a, id, odid)) != NULL)
			l->records += n;
		return;
	}
	if (t->varlen || t->min_len == 0) {
		if (n == 1)
			stat_record(a, id, odid, t, p, len);
		return;
	}
	for (uint64_t i = 0; i < n && (i + 1) * t->min_len <= len; i++)
		stat_record(a, id, odid, t, p + i * t->min_len, t->min_len);
}

void
ipfix_assoc_gaps_clear(struct ipfix_assoc *a)
{
	for (size_t i = 0; i < a->nsess; i++)
		for (uint8_t k = 0; a->sess[i] != NULL &&
		    k < a->sess[i]->nlink; k++)
			a->sess[i]->link[k].gaps = 0;
}

void
ipfix_assoc_gaps_add(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    uint64_t lost)
{
	struct alink *l = link_of(a, id, odid);

	if (l != NULL)
		l->gaps += lost;
}

uint32_t
ipfix_assoc_nexporters(const struct ipfix_assoc *a)
{
	return (uint32_t)a->nexps;
}

/* A run of sessions that continue one count, and the first statistics
 * in it that say what was exported before them. */
struct seg {
	uint64_t got, gaps;
	bool have;
	int64_t diff;			/* exported - received */
	uint64_t gaps_before;
};

static void
seg_close(struct seg *g, struct ipfix_assoc_exp *out)
{
	if (g->have && g->diff > 0 && (uint64_t)g->diff > g->gaps_before)
		out->lost_between += (uint64_t)g->diff - g->gaps_before;
	if (g->have && g->diff < 0)
		out->duplicated += (uint64_t)-g->diff;
	memset(g, 0, sizeof(*g));
}

/* One chain, oldest session first (walked back from its latest). */
static void
chain_count(const struct ipfix_assoc *a, uint32_t last, uint32_t odid,
    struct ipfix_assoc_exp *out)
{
	struct alink **v = NULL, *l;
	size_t n = 0, cap = 0;
	struct seg g = { 0 };

	for (uint32_t id = last; id != 0 && (l = link_of(a, id, odid)) !=
	    NULL && id > l->prev; id = l->prev) {
		if (ipfix_grow((void **)&v, &cap, n + 1, sizeof(*v)) == -1)
			break;
		v[n++] = l;
	}
	while (n-- > 0) {
		l = v[n];
		if (l->prev != 0 && !l->has_stat)
			seg_close(&g, out);
		if (l->has_stat) {
			g.have = true;
			g.diff = (int64_t)(l->exported - (g.got + l->at_stat));
			g.gaps_before = g.gaps;
		}
		g.got += l->records;
		g.gaps += l->gaps;
	}
	seg_close(&g, out);
	free(v);
}

/* Each successor session once: continued a count, or started one. */
static void
count_successors(const struct ipfix_assoc *a, uint32_t e,
    struct ipfix_assoc_exp *out)
{
	const struct asess *s;
	bool follows, stat;

	for (size_t i = 0; i < a->nsess; i++) {
		if ((s = a->sess[i]) == NULL || s->exporter != e)
			continue;
		follows = stat = false;
		for (uint8_t k = 0; k < s->nlink; k++) {
			follows |= s->link[k].prev != 0;
			stat |= s->link[k].has_stat;
		}
		if (follows && stat)
			out->handoffs++;
		else if (follows)
			out->restarts++;
	}
}

void
ipfix_assoc_exporter(const struct ipfix_assoc *a, uint32_t index,
    struct ipfix_assoc_exp *out)
{
	const struct aexp *e;

	memset(out, 0, sizeof(*out));
	if (index >= a->nexps)
		return;
	e = &a->exps[index];
	snprintf(out->key, sizeof(out->key), "%s", e->key);
	out->sessions = e->sessions;
	out->resumed = e->resumed;
	count_successors(a, index, out);
	for (size_t i = 0; i < e->nheads; i++)
		chain_count(a, e->heads[i].last, e->heads[i].odid, out);
}
