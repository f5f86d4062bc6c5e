/*
 * exp_tmpl: the exporter's template store of one domain (exporter_int.h):
 * templates sorted by id, found through two hints (data sets come in runs
 * of a few templates). Below exporter.c and exp_stats.c, which both keep
 * templates here.
 */
#include <stdlib.h>
#include <string.h>

#include "exporter_int.h"

/* Index of id in d, or of where it would go (*found false). */
static size_t
tm_index(const struct exp_dom *d, uint16_t id, bool *found)
{
	size_t lo = 0, hi = d->n, mid;

	*found = false;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (d->tm[mid].id == id) {
			*found = true;
			return mid;
		}
		if (d->tm[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct exp_tmpl *
exp_tm_find(struct exp_dom *d, uint16_t id)
{
	bool found;
	size_t i;

	if (d->hint[0] < d->n && d->tm[d->hint[0]].id == id)
		return &d->tm[d->hint[0]];
	if (d->hint[1] < d->n && d->tm[d->hint[1]].id == id) {
		i = d->hint[1];
	} else {
		i = tm_index(d, id, &found);
		if (!found)
			return NULL;
	}
	d->hint[1] = d->hint[0];
	d->hint[0] = i;
	return &d->tm[i];
}

/* Store t (owned) in d, replacing a template of the same id. */
struct exp_tmpl *
exp_tm_put(struct exp_dom *d, struct ipfix_tmpl *t)
{
	struct exp_tmpl *e;
	bool found;
	size_t i = tm_index(d, t->id, &found);

	if (!found) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 8;

			if ((e = realloc(d->tm, cap * sizeof(*e))) == NULL) {
				ipfix_tmpl_free(t);
				return NULL;
			}
			d->tm = e;
			d->cap = cap;
		}
		memmove(&d->tm[i + 1], &d->tm[i], (d->n - i) * sizeof(*e));
		d->n++;
	} else
		ipfix_tmpl_free(d->tm[i].t);
	e = &d->tm[i];
	e->t = t;
	e->id = t->id;
	e->sent_gen = 0;
	e->own = OWN_NONE;
	return e;
}

void
exp_tm_del(struct exp_dom *d, size_t i)
{
	ipfix_tmpl_free(d->tm[i].t);
	memmove(&d->tm[i], &d->tm[i + 1], (d->n - i - 1) * sizeof(d->tm[0]));
	d->n--;
}

uint32_t
exp_tm_fwd_stats(struct exp_dom *d, const uint8_t *msg, size_t len)
{
	const struct exp_tmpl *e;
	size_t off = IPFIX_HDR_LEN;
	uint32_t n = 0;
	uint16_t sid, slen;

	while (off + IPFIX_SET_HDR_LEN <= len) {
		sid = ipfix_be16(msg + off);
		slen = ipfix_be16(msg + off + 2);
		if (slen < IPFIX_SET_HDR_LEN || slen > len - off)
			break;
		if (sid >= IPFIX_MIN_DATA_SET_ID &&
		    (e = exp_tm_find(d, sid)) != NULL && !e->own &&
		    !e->t->varlen && e->t->min_len > 0 &&
		    ipfix_tmpl_exp_stats(e->t))
			n += (uint32_t)((slen - IPFIX_SET_HDR_LEN) /
			    e->t->min_len);
		off += slen;
	}
	return n;
}
