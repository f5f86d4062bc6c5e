/*
 * exp_acct: delivery accounting of the exporter (exporter_int.h), beside
 * exp_conn.c, over exp_sess.c and chan.h. On TCP and TLS each message sent
 * is noted with the stream offset just past it (its TLS records included);
 * when the session ends, the peer's kernel acknowledgements (TCP_INFO,
 * readable after a reset too) say which messages arrived, and the others
 * move from "sent" to "not sent" (and so into the RFC 7011 §4.3 records
 * of the next session). A peer that refused us with an authentication
 * alert (TLS 1.3 does so after the client finished its handshake) took
 * nothing, acknowledged or not. When the kernel cannot tell, the messages
 * count as not sent and as uncertain. UDP, DTLS and SCTP messages count
 * as sent, unconfirmed: nothing here checks them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "exporter_int.h"

#define ACCT_RING_MIN	1024

/* Drop the messages the peer acknowledged from the head of the ring. */
static void
acct_prune(struct exp_sess *s)
{
	struct exp_acct *a = &s->acct;
	struct exp_acct_ent *e;
	uint64_t acked;

	if (ipfix_chan_acked(s->c, &acked) == -1)
		return;
	while (a->n > 0 && (e = &a->e[a->head])->end <= acked) {
		a->done_msgs++;
		a->done_recs += e->records;
		a->done_bytes += e->len;
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
exp_acct_note(struct ipfix_exporter *x, struct exp_sess *s, uint32_t records,
    size_t len)
{
	struct exp_acct *a = &s->acct;
	uint64_t pos;

	if (s->c == NULL || !ipfix_chan_tx_pos(s->c, &pos)) {
		if (s->c != NULL)
			x->st.unconfirmed_records += records;
		return;
	}
	a->tracked = true;
	/* A full ring asks the kernel first: one call per ring's worth. */
	if (a->n == a->cap && a->n > 0)
		acct_prune(s);
	if (!acct_room(a)) {
		a->lost_msgs++;
		a->lost_recs += records;
		a->lost_bytes += len;
		return;
	}
	a->e[(a->head + a->n) % a->cap] = (struct exp_acct_ent){ .end = pos,
	    .records = records, .len = (uint32_t)len };
	a->n++;
}

/* What did not arrive, and how much of that is a guess. */
struct acct_miss {
	uint64_t msgs, recs, bytes, unsure;
};

static void
acct_tally(struct exp_sess *s, bool refused, struct acct_miss *m)
{
	struct exp_acct *a = &s->acct;
	const struct exp_acct_ent *e;
	uint64_t acked = 0;
	bool known = ipfix_chan_acked(s->c, &acked) == 0;
	size_t i;

	*m = (struct acct_miss){ a->lost_msgs, a->lost_recs, a->lost_bytes,
	    a->lost_recs };
	if (refused) {
		m->msgs += a->done_msgs;
		m->recs += a->done_recs;
		m->bytes += a->done_bytes;
	}
	for (i = 0; i < a->n; i++) {
		e = &a->e[(a->head + i) % a->cap];
		if (!refused && known && e->end <= acked)
			continue;
		m->msgs++;
		m->recs += e->records;
		m->bytes += e->len;
		if (!known && !refused)
			m->unsure += e->records;
	}
}

/* Move what missed its peer from sent to not sent, and tell. */
static void
acct_book(struct ipfix_exporter *x, const struct exp_sess *s,
    const struct acct_miss *m, uint64_t sent_recs)
{
	struct ipfix_exporter_stats *st = &x->st;
	char detail[160];

	st->acked_records += sent_recs - m->recs;
	if (m->msgs == 0)
		return;
	st->out_messages -= m->msgs;
	st->out_records -= m->recs;
	st->out_bytes -= m->bytes;
	st->not_sent_messages += m->msgs;
	st->not_sent_records += m->recs;
	st->not_sent_bytes += m->bytes;
	st->uncertain_records += m->unsure;
	st->last_drop_ms = exp_wall_ms();
	if (st->first_drop_ms == 0)
		st->first_drop_ms = st->last_drop_ms;
	snprintf(detail, sizeof(detail), "%llu records in %llu messages %s%s",
	    (unsigned long long)m->recs, (unsigned long long)m->msgs,
	    ipfix_chan_refused(s->c) ? "refused by the collector" :
	    "not acknowledged by the collector",
	    m->unsure > 0 ? " (the kernel could not tell: counted as not "
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

int
exp_acct_end(struct ipfix_exporter *x, struct exp_sess *s,
    struct ipfix_err *why)
{
	struct acct_miss m = { 0, 0, 0, 0 };
	struct exp_acct *a;
	int rc = 0;
	size_t i;
	uint64_t recs;

	if (s == NULL)
		return 0;
	a = &s->acct;
	if (s->c != NULL && ipfix_chan_refused(s->c))
		rc |= EXP_ACCT_REFUSED;
	*why = s->err;
	if (a->tracked) {
		recs = a->done_recs + a->lost_recs;
		for (i = 0; i < a->n; i++)
			recs += a->e[(a->head + i) % a->cap].records;
		acct_tally(s, rc & EXP_ACCT_REFUSED, &m);
		acct_book(x, s, &m, recs);
	}
	if (m.recs > 0 && !(rc & EXP_ACCT_REFUSED)) {
		rc |= EXP_ACCT_MISSED;
		acct_why(s, &m, why);
	}
	exp_sess_free(s);
	return rc;
}
