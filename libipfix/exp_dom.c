/*
 * exp_dom: the exporter's Observation Domains (exporter_int.h), below
 * every other piece: the sorted set of per-ODID state, and the not-sent
 * accounting that RFC 7011 §4.3 asks per domain. Every record that never
 * reached the collector is charged here to the domain of the message it
 * was in (or would have been in), and to the exporter-wide totals of
 * --stats, which thereby stay the sum of the domains' counts.
 */
#include <stdlib.h>
#include <string.h>

#include "exporter_int.h"

struct exp_dom *
exp_dom_get(struct ipfix_exporter *x, uint32_t odid)
{
	struct exp_dom *d;
	size_t lo = 0, hi = x->ndom, mid;

	if (x->dom_hint < x->ndom && x->dom[x->dom_hint].odid == odid)
		return &x->dom[x->dom_hint];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (x->dom[mid].odid == odid) {
			x->dom_hint = mid;
			return &x->dom[mid];
		}
		if (x->dom[mid].odid < odid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->ndom == x->domcap) {
		size_t cap = x->domcap ? x->domcap * 2 : 4;

		if ((d = realloc(x->dom, cap * sizeof(*d))) == NULL)
			return NULL;
		x->dom = d;
		x->domcap = cap;
	}
	memmove(&x->dom[lo + 1], &x->dom[lo], (x->ndom - lo) * sizeof(*d));
	x->ndom++;
	x->dom_hint = lo;
	d = &x->dom[lo];
	memset(d, 0, sizeof(*d));
	d->odid = odid;
	d->refresh_ms = exp_refresh_now(x);
	return d;
}

void
exp_doms_free(struct ipfix_exporter *x)
{
	size_t i, j;

	for (i = 0; i < x->ndom; i++) {
		for (j = 0; j < x->dom[i].n; j++)
			ipfix_tmpl_free(x->dom[i].tm[j].t);
		free(x->dom[i].tm);
	}
	free(x->dom);
	x->dom = NULL;
	x->ndom = x->domcap = 0;
}

void
exp_dom_drop(struct ipfix_exporter *x, uint32_t odid, uint64_t msgs,
    uint64_t records, uint64_t bytes)
{
	struct ipfix_exporter_stats *st = &x->st;
	uint64_t now = exp_wall_ms();
	struct exp_dom *d;

	st->not_sent_messages += msgs;
	st->not_sent_records += records;
	st->not_sent_bytes += bytes;
	if (st->first_drop_ms == 0)
		st->first_drop_ms = now;
	st->last_drop_ms = now;
	/* Without memory for a new domain only the totals know (the sum
	 * then exceeds what the domains announce). */
	if (records == 0 || (d = exp_dom_get(x, odid)) == NULL)
		return;
	d->ns_records += records;
	if (d->ns_first_ms == 0)
		d->ns_first_ms = now;
	d->ns_last_ms = now;
}
