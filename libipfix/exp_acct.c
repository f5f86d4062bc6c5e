/*
 * exp_acct: delivery accounting of the exporter (exporter_int.h), beside
 * exp_conn.c, over exp_sess.c and chan.h. On TCP and TLS each message sent
 * is noted with the stream offset just past it (its TLS records included);
 * when the session ends, the peer's kernel acknowledgements (TCP_INFO,
 * readable after a reset too) say which messages arrived, and the others
 * move from "sent" to "not sent" (and so into the RFC 7011 §4.3 records
 * of the next session, each in its own ODID's). A peer that refused us with an authentication
 * alert (TLS 1.3 does so after the client finished its handshake) took
 * nothing, acknowledged or not. When the kernel cannot tell, the messages
 * count as not sent and as uncertain. UDP, DTLS and SCTP messages count
 * as sent, unconfirmed: nothing here checks them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter_int.h"

#define ACCT_RING_MIN	1024

/* The row of odid's messages, added when new. A session carrying more
 * ODIDs than there are rows charges the later ones to the last row's
 * domain: their records are still counted, in the wrong §4.3 record. */
static uint8_t
acct_row(struct exp_acct *a, uint32_t odid)
{
	uint8_t r;

	if (a->hint < a->ndom && a->dom[a->hint].odid == odid)
		return a->hint;
	for (r = 0; r < a->ndom; r++)
		if (a->dom[r].odid == odid)
			return a->hint = r;
	if (a->ndom == EXP_ACCT_DOMS)
		return EXP_ACCT_DOMS - 1;
	a->dom[a->ndom].odid = odid;
	return a->hint = a->ndom++;
}

/* Drop the messages the peer acknowledged from the head of the ring. */
static void
acct_prune(struct exp_sess *s)
{
	struct exp_acct *a = &s->acct;
	struct exp_acct_ent *e;
	struct exp_acct_dom *row;
	uint64_t acked;

	if (ipfix_chan_acked(s->c, &acked) == -1)
		return;
	while (a->n > 0 && (e = &a->e[a->head])->end <= acked) {
		row = &a->dom[e->dom];
		row->done_msgs++;
		row->done_recs += e->records;
		row->done_bytes += e->len;
		a->head = (a->head + 1) % a->cap;
		a->n--;
	}
}

/* Room for one more entry; false without memory. */
static bool
acct_room(struct exp_acct *a)
{
	struct exp_acct_ent *ne;
	size_t cap = a->cap ? a->cap * 2 : ACCT_RING_MIN, i;

	if (a->n < a->cap)
		return true;
	if ((ne = malloc(cap * sizeof(*ne))) == NULL)
		return false;
	for (i = 0; i < a->n; i++)
		ne[i] = a->e[(a->head + i) % a->cap];
	free(a->e);
	a->e = ne;
	a->cap = cap;
	a->head = 0;
	return true;
}

void
exp_acct_note(struct ipfix_exporter *x, struct exp_sess *s, uint32_t odid,
    uint32_t records, size_t len)
{
	struct exp_acct *a = &s->acct;
	struct exp_acct_dom *row;
	uint64_t pos;
	uint8_t r;

	if (s->c == NULL || !ipfix_chan_tx_pos(s->c, &pos)) {
		if (s->c != NULL)
			x->st.unconfirmed_records += records;
		return;
	}
	a->tracked = true;
	r = acct_row(a, odid);
	/* A full ring asks the kernel first: one call per ring's worth. */
	if (a->n == a->cap && a->n > 0)
		acct_prune(s);
	if (!acct_room(a)) {
		row = &a->dom[r];
		row->lost_msgs++;
		row->lost_recs += records;
		row->lost_bytes += len;
		return;
	}
	a->e[(a->head + a->n) % a->cap] = (struct exp_acct_ent){ .end = pos,
	    .records = records, .len = (uint32_t)len, .dom = r };
	a->n++;
}

/* What did not arrive, and how much of that is a guess. */
struct acct_miss {
	uint64_t msgs, recs, bytes, unsure;
};

static void
miss_add(struct acct_miss *m, uint64_t msgs, uint64_t recs, uint64_t bytes,
    uint64_t unsure)
{
	m->msgs += msgs;
	m->recs += recs;
	m->bytes += bytes;
	m->unsure += unsure;
}

/* The misses per row (m) and in all (sum). */
static void
acct_tally(struct exp_sess *s, bool refused, struct acct_miss *m,
    struct acct_miss *sum)
{
	struct exp_acct *a = &s->acct;
	const struct exp_acct_dom *row;
	const struct exp_acct_ent *e;
	uint64_t acked = 0;
	bool known = ipfix_chan_acked(s->c, &acked) == 0;
	size_t i;

	memset(m, 0, EXP_ACCT_DOMS * sizeof(*m));
	for (i = 0; i < a->ndom; i++) {
		row = &a->dom[i];
		miss_add(&m[i], row->lost_msgs, row->lost_recs,
		    row->lost_bytes, row->lost_recs);
		if (refused)
			miss_add(&m[i], row->done_msgs, row->done_recs,
			    row->done_bytes, 0);
	}
	for (i = 0; i < a->n; i++) {
		e = &a->e[(a->head + i) % a->cap];
		if (!refused && known && e->end <= acked)
			continue;
		miss_add(&m[e->dom], 1, e->records, e->len,
		    !known && !refused ? e->records : 0);
	}
	*sum = (struct acct_miss){ 0, 0, 0, 0 };
	for (i = 0; i < a->ndom; i++)
		miss_add(sum, m[i].msgs, m[i].recs, m[i].bytes, m[i].unsure);
}

/* Move what missed its peer from sent to not sent, each row's records in
 * its domain, and tell. */
static void
acct_book(struct ipfix_exporter *x, const struct exp_sess *s,
    const struct acct_miss *m, const struct acct_miss *sum,
    uint64_t sent_recs)
{
	struct ipfix_exporter_stats *st = &x->st;
	char detail[160];
	size_t i;

	st->acked_records += sent_recs - sum->recs;
	if (sum->msgs == 0)
		return;
	st->out_messages -= sum->msgs;
	st->out_records -= sum->recs;
	st->out_bytes -= sum->bytes;
	for (i = 0; i < s->acct.ndom; i++)
		if (m[i].msgs > 0)
			exp_dom_drop(x, s->acct.dom[i].odid, m[i].msgs,
			    m[i].recs, m[i].bytes);
	st->uncertain_records += sum->unsure;
	snprintf(detail, sizeof(detail), "%llu records in %llu messages %s%s",
	    (unsigned long long)sum->recs, (unsigned long long)sum->msgs,
	    ipfix_chan_refused(s->c) ? "refused by the collector" :
	    "not acknowledged by the collector",
	    sum->unsure > 0 ? " (the kernel could not tell: counted as not "
	    "sent)" : "");
	exp_event(x, IPFIX_EXP_UNACKED, detail, s->lost ? &s->err : NULL);
}
/* Why the records of m did not arrive, for a failure of the run. */
static void
acct_why(const struct exp_sess *s, const struct acct_miss *m,
    struct ipfix_err *why)
{
	ipfix_err_set(why, s->err.code != IPFIX_OK ? s->err.code :
	    IPFIX_E_NET, IPFIX_NO_OFFSET, NULL, "%llu records in %llu "
	    "messages not acknowledged by the collector when the session "
	    "ended%s%s", (unsigned long long)m->recs,
	    (unsigned long long)m->msgs, s->err.code != IPFIX_OK ? ": " : "",
	    s->err.code != IPFIX_OK ? s->err.reason : "");
}

/* The data records s carried, acknowledged or not. */
static uint64_t
acct_sent(const struct exp_acct *a)
{
	uint64_t recs = 0;
	size_t i;

	for (i = 0; i < a->ndom; i++)
		recs += a->dom[i].done_recs + a->dom[i].lost_recs;
	for (i = 0; i < a->n; i++)
		recs += a->e[(a->head + i) % a->cap].records;
	return recs;
}

int
exp_acct_end(struct ipfix_exporter *x, struct exp_sess *s,
    struct ipfix_err *why)
{
	struct acct_miss m[EXP_ACCT_DOMS], sum = { 0, 0, 0, 0 };
	int rc = 0;

	if (s == NULL)
		return 0;
	if (s->c != NULL && ipfix_chan_refused(s->c))
		rc |= EXP_ACCT_REFUSED;
	*why = s->err;
	if (s->acct.tracked) {
		acct_tally(s, rc & EXP_ACCT_REFUSED, m, &sum);
		acct_book(x, s, m, &sum, acct_sent(&s->acct));
	}
	if (sum.recs > 0 && !(rc & EXP_ACCT_REFUSED)) {
		rc |= EXP_ACCT_MISSED;
		acct_why(s, &sum, why);
	}
	exp_sess_free(s);
	return rc;
}
