/*
 * exporter: the Exporting Process of exporter.h. The input goes through a
 * decoder (file rules), whose callbacks feed the exporter's own template
 * state per ODID and one size-bounded builder; finished messages go to the
 * current Transport Session. Sessions are numbered (gen): a template
 * counts as sent on the session whose gen it carries, and sequence numbers
 * restart with each session (RFC 7011 §3.1), so a reconnect or a hand-off
 * needs no bookkeeping beyond a new gen. The sessions themselves are in
 * exp_sess.c, our statistics records in exp_stats.c (exporter_int.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compress.h"
#include "decode.h"
#include "exporter_int.h"

#define SIDX_TMPL	0	/* stream 0: templates, withdrawals */
#define SIDX_DATA	1	/* data (also stream 0 without data streams) */
#define SERVICE_EVERY	64	/* messages between non-blocking polls */
#define AGAIN_WAIT_MS	100
#define EXP_EV_SETSIZE	65536	/* descriptors the event loop can watch */

/* Arithmetic --------------------------------------------------------------- */

uint64_t
ipfix_exp_backoff_ms(unsigned n, unsigned min_ms, unsigned max_ms)
{
	uint64_t d = min_ms;

	while (n-- > 0 && d < max_ms)
		d *= 2;
	return d > max_ms ? max_ms : d;
}

uint64_t
ipfix_exp_pace_due(uint64_t t0_ms, uint64_t done, double rate)
{
	if (rate <= 0)
		return t0_ms;
	return t0_ms + (uint64_t)((double)done * 1000.0 / rate);
}

uint64_t
ipfix_exp_realtime_due(uint64_t wall0_ms, uint64_t in0_ms, uint64_t in_ms,
    double speed)
{
	if (in_ms <= in0_ms || speed <= 0)
		return wall0_ms;
	return wall0_ms + (uint64_t)((double)(in_ms - in0_ms) / speed);
}

/* The refresh clock: while an input message is decoded, its one reading
 * (feed_ms), so that every reading of one feed agrees; a later reading
 * taken mid-feed made feed_ms - refresh_ms wrap and the refresh repeat. */
static uint64_t
refresh_now(const struct ipfix_exporter *x)
{
	return x->feed_ms != 0 ? x->feed_ms : ev_now_ms();
}

/* Template state ----------------------------------------------------------- */

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
	d->refresh_ms = refresh_now(x);
	return d;
}

static void
doms_free(struct ipfix_exporter *x)
{
	size_t i, j;

	for (i = 0; i < x->ndom; i++) {
		for (j = 0; j < x->dom[i].n; j++)
			ipfix_tmpl_free(x->dom[i].tm[j].t);
		free(x->dom[i].tm);
	}
	free(x->dom);
}

/* Sending ------------------------------------------------------------------ */

static void
count_drop(struct ipfix_exporter *x, uint32_t records, size_t len,
    const struct ipfix_err *err)
{
	uint64_t now = exp_wall_ms();

	x->st.not_sent_messages++;
	x->st.not_sent_records += records;
	x->st.not_sent_bytes += len;
	if (x->st.first_drop_ms == 0)
		x->st.first_drop_ms = now;
	x->st.last_drop_ms = now;
	exp_event(x, IPFIX_EXP_DROPPED, NULL, err);
}

static void park(struct ipfix_exporter *x, size_t len, uint32_t records,
    uint32_t odid, bool ctl, const struct ipfix_err *err);
static void resend(struct ipfix_exporter *x, struct exp_dom *d, size_t len,
    uint32_t records);

/* The current session is gone: count what the builder held, free it. */
static void
lose_cur(struct ipfix_exporter *x)
{
	struct ipfix_err err;

	if (x->cur == NULL)
		return;
	x->st.failures++;
	exp_event(x, IPFIX_EXP_LOST, NULL, &x->cur->err);
	/* What the builder holds waits for the next session. */
	if (x->open && x->b.records > x->b_own)
		park(x, ipfix_builder_finish(&x->b), x->b.records - x->b_own,
		    x->b_odid, x->b_ctl, &x->cur->err);
	x->open = false;
	x->retry_err = x->cur->err;
	exp_conn_lost(x, x->cur);
	/* What the peer did not take moves to not sent; an authentication
	 * refusal is final. */
	if (exp_acct_end(x, x->cur, &err) & EXP_ACCT_REFUSED)
		(void)exp_fatal(x, &err);
	x->cur = NULL;
}

/* Spool ----------------------------------------------------------------- */

/* The spool's oldest message is dropped: counted as not sent. */
static void
spool_drop_oldest(struct ipfix_exporter *x, const struct ipfix_err *err)
{
	struct exp_spooled *e = exp_spool_front(&x->spool);

	x->st.spool_dropped_records += e->records;
	count_drop(x, e->records, e->len, err);
	exp_spool_pop(&x->spool);
}

/* The message in x->buf could not be sent: a data message waits in the
 * spool for the next session (oldest dropped when full); templates and
 * withdrawals are made again there, so they are dropped. */
static void
park(struct ipfix_exporter *x, size_t len, uint32_t records, uint32_t odid,
    bool ctl, const struct ipfix_err *err)
{
	if (ctl || records == 0 || len > x->cfg.spool_bytes || x->failed) {
		if (records > 0)
			count_drop(x, records, len, err);
		return;
	}
	while (x->spool.bytes + len > x->cfg.spool_bytes)
		spool_drop_oldest(x, err);
	if (exp_spool_push(&x->spool, x->buf, len, records, odid) == -1) {
		count_drop(x, records, len, err);
		return;
	}
	x->st.spooled_messages++;
}

static void
pace(struct ipfix_exporter *x, uint32_t records)
{
	uint64_t units = x->cfg.pace == IPFIX_PACE_MSGS ? 1 : records;

	if (x->cfg.pace != IPFIX_PACE_MSGS && x->cfg.pace != IPFIX_PACE_RECORDS)
		return;
	if (x->pace_t0 == 0)
		x->pace_t0 = ev_now_ms();
	(void)exp_sleep_until(x, ipfix_exp_pace_due(x->pace_t0, x->pace_done,
	    x->cfg.rate), true);
	x->pace_done += units;
}

/* The bytes to send: the message, or its frame with --compress. */
static const uint8_t *
wire_bytes(struct ipfix_exporter *x, const uint8_t *msg, size_t *len)
{
	struct ipfix_err err;
	size_t flen;

	if (x->cur->z == NULL)
		return msg;
	if (ipfix_z_pack(x->cur->z, msg, *len, x->zbuf, x->cur->frame_cap,
	    &flen, &err) == -1)
		return msg;	/* incompressible: receivers take both */
	*len = flen;
	return x->zbuf;
}

static int
chan_send_one(struct ipfix_exporter *x, const uint8_t *p, size_t len,
    uint32_t odid, int sidx, bool ctl, struct ipfix_err *err)
{
	struct ipfix_tsend how = { .pr_rtx = -1 };
	uint64_t give_up = 0;
	int rc;

	if (sidx == SIDX_DATA && x->cfg.data_streams > 0)
		how.stream = (uint16_t)(1 + odid % x->cfg.data_streams);
	/* Partial reliability only for data-only messages (C70). */
	if (sidx == SIDX_DATA && !ctl)
		how.pr_rtx = x->cfg.pr_rtx;
	/* Paced messages leave on time, never held. */
	how.more = x->more_input && x->cfg.pace == IPFIX_PACE_FAST;
	/* The waits serve every session, and may find this one lost:
	 * it stays allocated (only its owner frees it), so the next try
	 * reports its error. */
	while ((rc = exp_sess_send(x->cur, p, len, &how, err)) ==
	    IPFIX_T_AGAIN) {
		if (exp_stop_asked(x) && give_up == 0)
			give_up = ev_now_ms() + x->cfg.linger_ms;
		if (give_up != 0 && ev_now_ms() >= give_up)
			return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET,
			    NULL, "collector not reading at shutdown");
		exp_wait(x, ev_now_ms() + AGAIN_WAIT_MS);
	}
	return rc == IPFIX_T_OK ? 0 : -1;
}

/* Hand the finished message in x->buf to the current session. A
 * failure counts the message as not sent (its records keep their place
 * in the sequence numbers, C08) and ends the session. */
static int
deliver(struct ipfix_exporter *x, size_t len, uint32_t records,
    uint32_t odid, int sidx, bool ctl)
{
	struct ipfix_err err;
	const uint8_t *p;
	size_t wlen = len;
	int rc;

	pace(x, records);
	ipfix_err_clear(&err);
	if (x->cur != NULL && x->cur->lost) {
		err = x->cur->err;
		lose_cur(x);
	} else if (x->cur == NULL)
		ipfix_err_set(&err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "no session");
	if (x->cur == NULL) {
		park(x, len, records, odid, ctl, &err);
		return -1;
	}
	p = wire_bytes(x, x->buf, &wlen);
	if (x->cfg.sink != NULL)
		rc = x->cfg.sink->send(x->cfg.sink->arg, x->cur->gen, p, wlen,
		    (uint16_t)sidx, &err) == IPFIX_T_OK ? 0 : -1;
	else
		rc = chan_send_one(x, p, wlen, odid, sidx, ctl, &err);
	if (rc == -1) {
		park(x, len, records, odid, ctl, &err);
		x->cur->err = err;
		x->cur->lost = true;
		lose_cur(x);
		return -1;
	}
	x->cur->msgs++;
	x->cur->bytes += wlen;
	x->cur->recs += records;
	x->st.out_messages++;
	x->st.out_records += records;
	x->st.out_bytes += len;
	x->st.out_wire_bytes += wlen;
	if (++x->since_service >= SERVICE_EVERY && x->cfg.sink == NULL) {
		x->since_service = 0;
		exp_wait(x, 0);
	}
	return 0;
}

/* Send the message in x->buf, numbered from d's sequence number for
 * sidx: 'all' records, 'own' of them our statistics. */
static int
send_msg(struct ipfix_exporter *x, struct exp_dom *d, uint32_t odid,
    size_t len, uint32_t all, uint32_t own, int sidx, bool ctl)
{
	uint32_t records = all - own, fwd = 0;

	if (d != NULL) {
		fwd = exp_tm_fwd_stats(d, x->buf, len);
		d->seq[sidx] += all;
		if (records > 0)
			d->msgs++;
	}
	if (deliver(x, len, records, odid, sidx, ctl) == -1)
		return x->failed ? -1 : 0;
	/* Still the session it went on: deliver's waits free none. */
	exp_acct_note(x, x->cur, records, len);
	if (d != NULL) {
		d->tot_msgs++;
		d->tot_recs += records - (fwd < records ? fwd : records);
		d->tot_octets += len;
	}
	return x->failed ? -1 : 0;
}

static int
flush_msg(struct ipfix_exporter *x)
{
	size_t len;

	if (!x->open)
		return 0;
	x->open = false;
	if (ipfix_builder_empty(&x->b))
		return 0;
	len = ipfix_builder_finish(&x->b);
	return send_msg(x, exp_dom_get(x, x->b_odid), x->b_odid, len,
	    x->b.records, x->b_own, x->b_sidx, x->b_ctl);
}

static int
sidx_for(const struct ipfix_exporter *x, bool data)
{
	return data || x->cfg.data_streams == 0 ? SIDX_DATA : SIDX_TMPL;
}

/* The Export Time of the messages we make now. */
static uint32_t
out_time(const struct ipfix_exporter *x)
{
	return x->cfg.export_time_now ? (uint32_t)time(NULL) : x->in_time;
}

/* Sequence numbers start again on every Transport Session. */
static void
seq_sync(const struct ipfix_exporter *x, struct exp_dom *d)
{
	if (d->seq_gen != exp_cur_gen(x)) {
		d->seq_gen = exp_cur_gen(x);
		d->seq[0] = d->seq[1] = 0;
	}
}

/* Make the builder hold a message of d for stream index sidx at the
 * current export time, connecting first when needed. */
static int
open_msg(struct ipfix_exporter *x, struct exp_dom *d, int sidx)
{
	uint32_t t = out_time(x);

	if (x->open && (x->b_odid != d->odid || x->b_time != t ||
	    x->b_sidx != sidx) && flush_msg(x) == -1)
		return -1;
	if (x->open)
		return 0;
	if (x->cur != NULL && x->cur->lost)
		lose_cur(x);
	if (exp_ensure_session(x) == -1)
		return -1;
	seq_sync(x, d);
	ipfix_builder_init(&x->b, x->buf, x->cur->max_msg, d->odid, t,
	    d->seq[sidx]);
	x->open = true;
	x->b_odid = d->odid;
	x->b_time = t;
	x->b_sidx = sidx;
	x->b_ctl = false;
	x->b_own = 0;
	return 0;
}

/*
 * Add one item to the open message; a full message is sent and the item
 * added to a new one. Returns 0, 1 when the session changed on the way
 * (the caller re-checks its templates), -1 fatal.
 */
enum item_kind { ITEM_TMPL, ITEM_WITHDRAW, ITEM_RECORD };

struct item {
	enum item_kind kind;
	const struct ipfix_tmpl *t;
	uint16_t set_id, tid;
	const uint8_t *p;
	size_t len;
};

static int
add_item(struct ipfix_exporter *x, struct exp_dom *d, const struct item *it)
{
	struct ipfix_err err;
	uint64_t gen;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		gen = exp_cur_gen(x);
		if (open_msg(x, d, sidx_for(x, it->kind == ITEM_RECORD)) == -1)
			return -1;
		/* A flush on the way lost the session: a record needs its
		 * template on the new one first. */
		if (it->kind == ITEM_RECORD && exp_cur_gen(x) != gen)
			return 1;
		x->b_ctl |= it->kind != ITEM_RECORD;
		if (it->kind == ITEM_TMPL)
			rc = ipfix_builder_add_template(&x->b, it->t, &err);
		else if (it->kind == ITEM_WITHDRAW)
			rc = ipfix_builder_add_withdrawal(&x->b, it->set_id,
			    it->tid, &err);
		else
			rc = ipfix_builder_add_record(&x->b, it->tid, it->p,
			    it->len, &err);
		if (rc == -1)
			return exp_fatal(x, &err);
		if (rc == 0)
			return 0;
		if (flush_msg(x) == -1)
			return -1;
	}
	ipfix_err_set(&err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
	    "item does not fit an empty message");
	return exp_fatal(x, &err);
}

/* Send e on the current session unless it is there already. */
static int
ensure_tmpl(struct ipfix_exporter *x, struct exp_dom *d, struct exp_tmpl *e)
{
	struct item it = { .kind = ITEM_TMPL, .t = e->t };

	if (x->cur != NULL && e->sent_gen == exp_cur_gen(x))
		return 0;
	if (add_item(x, d, &it) == -1)
		return -1;
	e->sent_gen = exp_cur_gen(x);
	x->st.out_templates++;
	return 0;
}

/*
 * The common case: the open message is d's data message at this export
 * time and e is already on the session, so add_item's checks would all
 * pass and records go straight into the builder. A full message or an
 * error takes the general path (the builder changes nothing then).
 * Callgrind: 12 % fewer instructions in ipfix-send over TCP (80 per
 * record).
 */
static bool
open_for(const struct ipfix_exporter *x, const struct exp_dom *d,
    const struct exp_tmpl *e)
{
	if (!x->open || x->cur == NULL || e->sent_gen != x->cur->gen ||
	    x->b_odid != d->odid || x->b_sidx != sidx_for(x, true))
		return false;
	return x->b_time == out_time(x);
}

static bool
add_record_open(struct ipfix_exporter *x, const struct exp_dom *d,
    const struct exp_tmpl *e, const uint8_t *p, size_t len)
{
	struct ipfix_err err;

	return open_for(x, d, e) &&
	    ipfix_builder_add_record(&x->b, e->t->id, p, len, &err) == 0;
}

static int
add_record(struct ipfix_exporter *x, struct exp_dom *d, struct exp_tmpl *e,
    const uint8_t *p, size_t len)
{
	struct item it = { .kind = ITEM_RECORD, .tid = e->t->id, .p = p,
	    .len = len };
	int rc, tries;

	if (add_record_open(x, d, e, p, len))
		return 0;
	for (tries = 0; tries < 3; tries++) {
		if (ensure_tmpl(x, d, e) == -1)
			return -1;
		if ((rc = add_item(x, d, &it)) != 1)
			return rc;
	}
	return 0;
}

/* Tell the collector how many records never left (C59), once per new
 * count and on every new session. */
static int
emit_stats(struct ipfix_exporter *x, bool again)
{
	uint8_t rec[EXP_STATS_REC_LEN];
	struct exp_dom *d;
	struct exp_tmpl *e;

	/* A report that opened the new session is already on it when the
	 * session's first upkeep asks again. */
	if (x->cfg.no_own_stats || x->st.not_sent_records == 0 ||
	    (x->stats_sent == x->st.not_sent_records &&
	    (!again || x->stats_gen == exp_cur_gen(x))))
		return 0;
	if ((d = exp_dom_get(x, 0)) == NULL ||
	    (e = exp_stats_tmpl(d, OWN_RELIABILITY)) == NULL)
		return 0;	/* no memory: the counts stay in --stats */
	x->stats_sent = x->st.not_sent_records;
	exp_stats_reliability(&x->st, x->cfg.process_id, rec);
	if (add_record(x, d, e, rec, sizeof(rec)) == -1)
		return -1;
	x->stats_gen = exp_cur_gen(x);
	x->st.out_stats_records++;
	x->b_own++;
	return 0;
}

/* After a hand-off, each domain's cumulative counts (RFC 7011 §4.1) on
 * the new session, so a collector can account across the chain. */
static int
emit_metering(struct ipfix_exporter *x)
{
	uint8_t rec[EXP_STATS_REC_LEN];
	struct exp_tmpl *e;
	struct exp_dom *d;
	size_t i;

	for (i = 0; i < x->ndom && !x->cfg.no_own_stats; i++) {
		d = &x->dom[i];
		if (d->tot_msgs == 0 ||
		    (e = exp_stats_tmpl(d, OWN_METERING)) == NULL)
			continue;
		exp_stats_metering(d, rec);
		if (add_record(x, d, e, rec, sizeof(rec)) == -1)
			return -1;
		x->st.out_stats_records++;
		x->b_own++;
	}
	return 0;
}

/* Every template of d on the current session (new session, refresh). */
static int
emit_dom(struct ipfix_exporter *x, struct exp_dom *d, bool force)
{
	size_t i, sent = 0;

	for (i = 0; i < d->n; i++) {
		if (force)
			d->tm[i].sent_gen = 0;
		if (x->cur == NULL || d->tm[i].sent_gen != exp_cur_gen(x))
			sent++;
		if (ensure_tmpl(x, d, &d->tm[i]) == -1)
			return -1;
	}
	/* The refresh clock restarts only when all of them went out now:
	 * an ODID whose templates were on the session already keeps its
	 * own (C51). */
	if (sent == d->n) {
		d->refresh_ms = refresh_now(x);
		d->msgs = 0;
	}
	return 0;
}

/* UDP (C51): all templates again by time or by data message count. */
static bool
refresh_due(const struct ipfix_exporter *x, const struct exp_dom *d)
{
	uint64_t now;

	if (x->reliable || d->n == 0)
		return false;
	now = refresh_now(x);
	return (x->cfg.refresh_ms > 0 && now >= d->refresh_ms &&
	    now - d->refresh_ms >= x->cfg.refresh_ms) ||
	    (x->cfg.refresh_msgs > 0 && d->msgs >= x->cfg.refresh_msgs);
}

static int
maybe_refresh(struct ipfix_exporter *x, struct exp_dom *d)
{
	return refresh_due(x, d) ? emit_dom(x, d, true) : 0;
}

/* n records of rl bytes: as many as fit go into the open message in one
 * copy; the first of each new message takes the general path (refresh,
 * session, templates, flush). */
static int
add_run(struct ipfix_exporter *x, struct exp_dom *d, struct exp_tmpl *e,
    const uint8_t *p, size_t rl, uint32_t n)
{
	uint32_t k;

	while (n > 0) {
		k = open_for(x, d, e) ? ipfix_builder_add_fitting(&x->b,
		    e->t->id, p, rl, n) : 0;
		/* A new message: UDP templates may be due (C51). */
		if (k == 0) {
			if (maybe_refresh(x, d) == 0 &&
			    add_record(x, d, e, p, rl) == -1) {
				/* placed nowhere; after a fatal error
				 * neither is the rest */
				x->st.not_sent_records += x->failed ? n : 1;
				if (x->failed)
					return -1;
			}
			k = 1;
		}
		p += rl * k;
		n -= k;
	}
	return 0;
}

/* Per-message upkeep ------------------------------------------------------- */

/* The spool goes out on a session that is up, after its templates (in
 * the builder, flushed first); what fails again goes back in. */
static int
drain_spool(struct ipfix_exporter *x)
{
	struct exp_spooled *e;
	struct exp_dom *d;
	size_t n = x->spool.n - x->spool.head;

	if (n == 0 || x->cur == NULL || flush_msg(x) == -1)
		return x->failed ? -1 : 0;
	while (n-- > 0 && x->cur != NULL && !x->cur->lost &&
	    (e = exp_spool_front(&x->spool)) != NULL) {
		uint32_t records = e->records;
		size_t len = e->len;

		if ((d = exp_dom_get(x, e->odid)) == NULL)
			return 0;
		memcpy(x->buf, e->p, len);
		exp_spool_pop(&x->spool);	/* a failure pushes it again */
		resend(x, d, len, records);
		if (x->failed)
			return -1;
	}
	return 0;
}

/* Soft hand-off: once the next session is up, what the builder holds
 * leaves on the current one and the data moves. */
static int
handoff(struct ipfix_exporter *x)
{
	exp_conn_rekey(x);
	if (!exp_conn_next_ready(x))
		return 0;
	if (flush_msg(x) == -1)
		return -1;
	if (x->next != NULL)	/* the flush may have lost cur, and next */
		exp_conn_switch(x);
	return 0;
}

/* Templates and statistics a new session needs before any data. */
static int
upkeep(struct ipfix_exporter *x)
{
	size_t i;

	exp_check_report(x);
	if (exp_conn_reap(x))
		lose_cur(x);
	if (handoff(x) == -1)
		return -1;
	while (x->need_all && x->cur != NULL) {
		x->need_all = false;
		for (i = 0; i < x->ndom; i++)
			if (emit_dom(x, &x->dom[i], false) == -1)
				return -1;
		if (emit_stats(x, true) == -1)
			return -1;
	}
	if (x->need_meter && x->cur != NULL) {
		x->need_meter = false;
		if (emit_metering(x) == -1)
			return -1;
	}
	if (drain_spool(x) == -1)
		return -1;
	return emit_stats(x, false);
}

/* Decoder callbacks -------------------------------------------------------- */

static void
on_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct ipfix_exporter *x = arg;
	struct item it = { .kind = ITEM_WITHDRAW };
	struct ipfix_tmpl *dup;
	struct exp_tmpl *e;
	struct exp_dom *d;

	(void)how;
	(void)offset;
	x->st.in_templates++;
	if (x->failed || (d = exp_dom_get(x, m->hdr.odid)) == NULL)
		return;
	e = exp_tm_find(d, t->id);
	if (e != NULL && !e->own && ipfix_tmpl_equal(e->t, t))
		return;		/* the input's refresh; ours is separate */
	/* TCP/SCTP: an id in use must be withdrawn before it is reused. */
	if (e != NULL && x->reliable && x->cur != NULL &&
	    e->sent_gen == exp_cur_gen(x)) {
		it.set_id = e->t->options ? IPFIX_SET_OPTIONS_TEMPLATE :
		    IPFIX_SET_TEMPLATE;
		it.tid = t->id;
		if (add_item(x, d, &it) == -1)
			return;
		x->st.out_withdrawals++;
	}
	if ((dup = ipfix_tmpl_dup(t)) == NULL ||
	    (e = exp_tm_put(d, dup)) == NULL)
		return;
	(void)ensure_tmpl(x, d, e);
}

/* Forget the withdrawn templates; true when one had been sent. */
static bool
withdraw(struct ipfix_exporter *x, struct exp_dom *d, uint16_t set_id,
    uint16_t tid)
{
	bool sent = false, opts = set_id == IPFIX_SET_OPTIONS_TEMPLATE;
	size_t i;

	for (i = d->n; i-- > 0;) {
		struct exp_tmpl *e = &d->tm[i];

		if (e->own || (tid >= IPFIX_MIN_DATA_SET_ID ?
		    e->t->id != tid : e->t->options != opts))
			continue;
		sent |= x->cur != NULL && e->sent_gen == exp_cur_gen(x);
		exp_tm_del(d, i);
	}
	return sent;
}

static void
on_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct ipfix_exporter *x = arg;
	struct item it = { .kind = ITEM_WITHDRAW, .set_id = set_id,
	    .tid = tid };
	struct exp_dom *d;

	(void)removed;
	(void)offset;
	x->st.in_withdrawals++;
	if (x->failed || (d = exp_dom_get(x, m->hdr.odid)) == NULL)
		return;
	/* Over UDP a withdrawal is never sent (C49). */
	if (withdraw(x, d, set_id, tid) && x->reliable &&
	    add_item(x, d, &it) == 0)
		x->st.out_withdrawals++;
}

static void
on_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct ipfix_exporter *x = arg;
	struct exp_tmpl *e;
	struct exp_dom *d;

	x->st.in_records++;
	if (x->failed || x->stopping) {
		x->st.not_sent_records++;	/* no session at the end */
		return;
	}
	if ((d = exp_dom_get(x, m->hdr.odid)) == NULL)
		return;
	if ((e = exp_tm_find(d, t->id)) == NULL || e->own) {
		x->st.in_no_template++;
		return;
	}
	if (maybe_refresh(x, d) == 0 &&
	    add_record(x, d, e, r->p, r->len) == -1)
		x->st.not_sent_records++;	/* placed in no message */
}

/* n input records of the fixed-length template t, for ODID odid. */
static void
take_run(struct ipfix_exporter *x, uint32_t odid, const struct ipfix_tmpl *t,
    const uint8_t *p, uint32_t n)
{
	struct exp_tmpl *e;
	struct exp_dom *d;

	x->st.in_records += n;
	if (x->failed || x->stopping) {
		x->st.not_sent_records += n;
		return;
	}
	if ((d = exp_dom_get(x, odid)) == NULL)
		return;
	if ((e = exp_tm_find(d, t->id)) == NULL || e->own) {
		x->st.in_no_template += n;
		return;
	}
	if (maybe_refresh(x, d) == 0)
		(void)add_run(x, d, e, p, t->min_len, n);
}

static bool
on_records(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const uint8_t *p, size_t len, uint32_t n,
    uint64_t offset)
{
	(void)offset;
	(void)len;		/* n records of t->min_len bytes */
	if (t->varlen || t->min_len == 0)
		return false;
	take_run(arg, m->hdr.odid, t, p, n);
	return true;
}

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	struct ipfix_exporter *x = arg;
	struct ipfix_err err;

	if (p->code == IPFIX_E_NO_TEMPLATE)
		x->st.in_no_template++;
	if (p->severity != IPFIX_SEV_MALFORMED &&
	    p->code != IPFIX_E_NO_TEMPLATE)
		return;
	ipfix_err_set(&err, p->code, p->offset, p->check, "%s", p->reason);
	exp_event(x, IPFIX_EXP_INPUT, NULL, &err);
}

/* Forwarding --------------------------------------------------------------- */

/*
 * An input message that needs no re-packing goes out whole with our
 * header: its data sets' templates are on the session and it fills more
 * than half a message (smaller ones are gathered by the builder). Saves
 * the per-set work and the builder's copy (perf: a fifth of ipfix-send's
 * CPU over DTLS went there).
 */
static bool
whole_fits(struct ipfix_exporter *x, struct exp_dom *d,
    const struct ipfix_run *runs, size_t n, size_t len)
{
	const struct exp_tmpl *e;
	size_t i;

	if (x->cur == NULL || len > x->cur->max_msg ||
	    2 * len <= x->cur->max_msg)
		return false;
	for (i = 0; i < n; i++) {
		e = exp_tm_find(d, runs[i].t->id);
		if (e == NULL || e->own || e->sent_gen != x->cur->gen ||
		    e->t->min_len != runs[i].t->min_len)
			return false;
	}
	return true;
}

/* The data message in x->buf goes out under our header for d. */
static void
resend(struct ipfix_exporter *x, struct exp_dom *d, size_t len,
    uint32_t records)
{
	struct ipfix_hdr h;

	seq_sync(x, d);
	h.version = IPFIX_VERSION;
	h.length = (uint16_t)len;
	h.export_time = out_time(x);
	h.seq = d->seq[SIDX_DATA];
	h.odid = d->odid;
	ipfix_hdr_encode(&h, x->buf);
	(void)send_msg(x, d, d->odid, len, records, 0, SIDX_DATA, false);
}

static void
send_whole(struct ipfix_exporter *x, struct exp_dom *d, const uint8_t *msg,
    size_t len, uint32_t records)
{
	memcpy(x->buf, msg, len);
	resend(x, d, len, records);
}

/* Returns false when the decoder must take the message. */
static bool
forward(struct ipfix_exporter *x, const uint8_t *msg, size_t len,
    const struct ipfix_msg_meta *meta)
{
	struct ipfix_msg_ctx m = { .msg = msg, .len = len,
	    .offset = meta != NULL ? meta->offset : 0,
	    .session = meta != NULL ? meta->session : 0,
	    .kind = IPFIX_KIND_FILE };
	struct ipfix_run runs[IPFIX_RUNS_MAX];
	uint32_t records = 0;
	struct exp_dom *d;
	uint64_t gen;
	size_t i, n;

	if ((n = ipfix_decoder_runs(x->dec, &m, runs, IPFIX_RUNS_MAX)) == 0)
		return false;
	for (i = 0; i < n; i++)
		records += runs[i].n;
	d = x->failed || x->stopping ? NULL : exp_dom_get(x, m.hdr.odid);
	if (d != NULL && whole_fits(x, d, runs, n, len)) {
		gen = exp_cur_gen(x);
		/* A due UDP refresh joins what the builder holds, which goes
		 * first: the data message after it stays whole. */
		(void)maybe_refresh(x, d);
		if (flush_msg(x) == 0 && exp_cur_gen(x) == gen) {
			x->st.in_records += records;
			send_whole(x, d, msg, len, records);
			return true;
		}
	}
	for (i = 0; i < n; i++)
		take_run(x, m.hdr.odid, runs[i].t, runs[i].p, runs[i].n);
	return true;
}

/* Public ------------------------------------------------------------------- */

void
ipfix_exporter_config_init(struct ipfix_exporter_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->refresh_ms = IPFIX_EXP_REFRESH_MS;
	cfg->refresh_msgs = IPFIX_EXP_REFRESH_MSGS;
	cfg->speed = 1.0;
	cfg->max_retries = -1;
	cfg->pr_rtx = -1;
	cfg->process_id = 1;
	cfg->spool_bytes = IPFIX_EXP_SPOOL_BYTES;
}

static bool
scheme_reliable(enum ipfix_scheme s)
{
	return s != IPFIX_SCHEME_UDP && s != IPFIX_SCHEME_DTLS;
}

static bool
scheme_sctp(enum ipfix_scheme s)
{
	return s == IPFIX_SCHEME_SCTP || s == IPFIX_SCHEME_DTLS_SCTP;
}

static int
check_config(const struct ipfix_exporter_config *c, struct ipfix_err *err)
{
	const char *bad = NULL;

	if ((c->data_streams > 0 || c->pr_rtx >= 0) && c->sink == NULL &&
	    !scheme_sctp(c->ep.scheme))
		bad = "SCTP streams and PR-SCTP need an sctp:// or "
		    "dtls-sctp:// collector";
	else if (c->compress && (c->data_streams > 0 || c->pr_rtx >= 0))
		bad = "compression is one DEFLATE stream per SCTP association: "
		    "it cannot be combined with data streams or PR-SCTP";
	else if ((c->pace == IPFIX_PACE_MSGS ||
	    c->pace == IPFIX_PACE_RECORDS) && c->rate <= 0)
		bad = "a rate must be positive";
	else if (c->pace == IPFIX_PACE_REALTIME && c->speed <= 0)
		bad = "the speed must be positive";
	else if (c->probe_ms > 0 && c->sink == NULL &&
	    c->ep.scheme != IPFIX_SCHEME_DTLS)
		bad = "the liveness probe needs a dtls:// collector (TCP and "
		    "SCTP see a restarted collector's reset or ABORT at the "
		    "next send)";
	if (bad == NULL)
		return 0;
	return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL, "%s",
	    bad);
}

static void
fill_defaults(struct ipfix_exporter *x)
{
	struct ipfix_exporter_config *c = &x->cfg;
	bool tcp = c->ep.scheme == IPFIX_SCHEME_TCP ||
	    c->ep.scheme == IPFIX_SCHEME_TLS;

	if (c->retry_min_ms == 0)
		c->retry_min_ms = tcp ? IPFIX_EXP_RETRY_MIN_TCP_MS :
		    IPFIX_EXP_RETRY_MIN_MS;
	if (c->retry_max_ms == 0)
		c->retry_max_ms = IPFIX_EXP_RETRY_MAX_MS;
	if (c->retry_max_ms < c->retry_min_ms)
		c->retry_max_ms = c->retry_min_ms;
	if (c->connect_ms == 0)
		c->connect_ms = IPFIX_EXP_CONNECT_MS;
	if (c->linger_ms == 0)
		c->linger_ms = IPFIX_EXP_LINGER_MS;
	if (c->sink != NULL) {
		x->reliable = c->sink->reliable;
		x->zstream = c->sink->stream;
	} else {
		x->reliable = scheme_reliable(c->ep.scheme);
		x->zstream = x->reliable;
	}
	x->datagram = !x->reliable;
}

struct ipfix_exporter *
ipfix_exporter_new(const struct ipfix_exporter_config *cfg,
    struct ipfix_err *err)
{
	static const struct ipfix_decoder_ops ops = {
		.on_template = on_template,
		.on_withdrawal = on_withdrawal,
		.on_record = on_record,
		.on_records = on_records,
		.on_problem = on_problem,
	};
	struct ipfix_exporter *x;

	if (check_config(cfg, err) == -1)
		return NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->buf = malloc(IPFIX_MSG_MAX)) == NULL ||
	    (x->zbuf = malloc(IPFIX_MSG_MAX)) == NULL ||
	    (x->dec = ipfix_decoder_new(NULL, &ops, x)) == NULL) {
		if (x != NULL) {
			free(x->buf);
			free(x->zbuf);
		}
		free(x);
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "out of memory");
		return NULL;
	}
	x->cfg = *cfg;
	fill_defaults(x);
	if ((x->ev = ev_new(EXP_EV_SETSIZE, err)) == NULL) {
		ipfix_exporter_free(x);
		return NULL;
	}
	x->env.cfg = &x->cfg;
	x->env.ev = x->ev;
	x->env.datagram = x->datagram;
	x->env.zstream = x->zstream;
	if (exp_conn_probe_start(x, err) == -1) {
		ipfix_exporter_free(x);
		return NULL;
	}
	return x;
}

void
ipfix_exporter_free(struct ipfix_exporter *x)
{
	if (x == NULL)
		return;
	exp_sess_free(x->cur);
	exp_sess_free(x->next);
	exp_sess_free(x->old);
	exp_sess_free(x->conn);
	exp_spool_free(&x->spool);
	ev_free(x->ev);
	ipfix_decoder_free(x->dec);
	doms_free(x);
	free(x->buf);
	free(x->zbuf);
	free(x);
}

void
ipfix_exporter_stats(const struct ipfix_exporter *x,
    struct ipfix_exporter_stats *st)
{
	*st = x->st;
}

/* --realtime: hold the message until its time has come (what is
 * already built leaves first, at its own time). */
static void
realtime(struct ipfix_exporter *x, const struct ipfix_hdr *h,
    const struct ipfix_msg_meta *meta)
{
	uint64_t in_ms, due;

	if (x->cfg.pace != IPFIX_PACE_REALTIME)
		return;
	in_ms = meta != NULL && meta->ts_sec > 0 ?
	    (uint64_t)meta->ts_sec * 1000 + meta->ts_nsec / 1000000 :
	    (uint64_t)h->export_time * 1000;
	if (!x->rt_started) {
		x->rt_started = true;
		x->rt_wall0 = ev_now_ms();
		x->rt_in0 = in_ms;
	}
	due = ipfix_exp_realtime_due(x->rt_wall0, x->rt_in0, in_ms,
	    x->cfg.speed);
	if (due <= ev_now_ms())
		return;
	(void)flush_msg(x);
	(void)exp_sleep_until(x, due, true);
}

static int
feed_fail(struct ipfix_exporter *x, struct ipfix_err *err)
{
	if (err != NULL)
		*err = x->fail;
	return -1;
}

int
ipfix_exporter_feed(struct ipfix_exporter *x, const uint8_t *msg, size_t len,
    const struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	struct ipfix_hdr h;
	struct ipfix_err e;

	if (x->failed)
		return feed_fail(x, err);
	x->st.in_messages++;
	ipfix_err_clear(&e);
	if (ipfix_hdr_parse(msg, len, meta != NULL ? meta->offset : 0, &h,
	    &e) == -1) {
		x->st.in_malformed++;
		exp_event(x, IPFIX_EXP_INPUT, NULL, &e);
		return 0;
	}
	realtime(x, &h, meta);
	x->in_time = h.export_time;
	/* A failure here leaves x->failed: the records below are then
	 * counted as not sent rather than skipped. */
	(void)upkeep(x);
	x->feed_ms = ev_now_ms();
	if (!forward(x, msg, len, meta) &&
	    ipfix_decoder_feed(x->dec, msg, len, meta != NULL ?
	    meta->session : 0, IPFIX_KIND_FILE, meta != NULL ? meta->offset :
	    0, &e) == -1)
		x->st.in_malformed++;
	x->feed_ms = 0;
	if (x->cfg.flush_each_input)
		(void)flush_msg(x);
	return x->failed ? feed_fail(x, err) : 0;
}

int
ipfix_exporter_finish(struct ipfix_exporter *x, struct ipfix_err *err)
{
	uint32_t pending = x->open ? x->b.records - x->b_own : 0;

	if (x->failed && pending > 0)
		count_drop(x, pending, x->b.len, &x->fail);
	if (!x->failed) {
		(void)upkeep(x);
		(void)flush_msg(x);
	}
	exp_sess_free(x->next);
	x->next = NULL;
	if (x->cur != NULL && x->cur->lost)
		lose_cur(x);
	if (exp_spool_front(&x->spool) != NULL && !x->failed)
		ipfix_err_set(&x->fail, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "no session at the end for the spooled messages");
	while (exp_spool_front(&x->spool) != NULL)
		spool_drop_oldest(x, &x->fail);
	exp_close_session(x);
	exp_conn_drain(x);
	return x->failed ? feed_fail(x, err) : 0;
}

/* The exporter gave up: the rest of the input is read and its records
 * counted as not sent, so that input = sent + not sent (on a pipe this
 * waits for its end; INT or TERM stop it). */
static void
count_rest(struct ipfix_exporter *x, struct ipfix_reader *r)
{
	struct ipfix_msg_meta meta;
	struct ipfix_err e;
	const uint8_t *msg;
	size_t len;
	int rc;

	while (!exp_stop_asked(x)) {
		rc = ipfix_reader_next(r, &msg, &len, &meta, &e);
		if (rc == 0 || rc == -2)
			break;
		x->st.in_messages++;
		if (rc > 0 && ipfix_decoder_feed(x->dec, msg, len,
		    meta.session, IPFIX_KIND_FILE, meta.offset, &e) == -1)
			x->st.in_malformed++;
	}
}

int
ipfix_exporter_run(struct ipfix_exporter *x, struct ipfix_reader *r,
    struct ipfix_err *err)
{
	struct ipfix_msg_meta meta;
	struct ipfix_err e;
	const uint8_t *msg;
	size_t len;
	int rc;

	for (;;) {
		if (exp_stop_asked(x))
			break;
		ipfix_err_clear(&e);
		rc = ipfix_reader_next(r, &msg, &len, &meta, &e);
		if (rc == 0)
			break;
		if (rc == -2 && (errno == EINTR || exp_stop_asked(x)))
			break;
		if (rc == -2) {
			(void)exp_fatal(x, &e);
			break;
		}
		if (rc == -1) {
			exp_event(x, IPFIX_EXP_INPUT, NULL, &e);
			continue;
		}
		x->more_input = ipfix_reader_buffered(r);
		if (ipfix_exporter_feed(x, msg, len, &meta, &e) == -1)
			break;
		if (x->cfg.on_progress != NULL)
			x->cfg.on_progress(x->cfg.arg, x);
		/* What the transport holds leaves before a read that may
		 * block (a live pipe). */
		if (!x->more_input && x->cur != NULL)
			exp_conn_push(x);
	}
	x->more_input = false;
	if (exp_stop_asked(x))
		x->stopping = true;
	rc = ipfix_exporter_finish(x, err);
	if (rc == -1)
		count_rest(x, r);
	return rc;
}
