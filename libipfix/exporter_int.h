/*
 * exporter_int: what the pieces of the Exporting Process share (layer 5,
 * private to exporter.c, exp_conn.c, exp_sess.c and exp_stats.c): the
 * exporter's structures and the functions one piece calls in another.
 * Calls go one way: exporter.c (template state, the builder, the public
 * API) uses exp_stats.c (the RFC 7011 §4.3 and §4.1 statistics records,
 * as bytes) and exp_conn.c (the set of Transport Sessions: waiting on the
 * event loop, reconnects, hand-off), which uses exp_sess.c (one session).
 * None of them calls back up: a lost session or a ready hand-off is a
 * return value, found when the caller asks.
 */
#ifndef IPFIX_EXPORTER_INT_H
#define IPFIX_EXPORTER_INT_H

#include <time.h>

#include "evloop.h"
#include "exporter.h"
#include "msg.h"

/* Our own options templates (exp_tmpl.own). */
enum { OWN_NONE, OWN_RELIABILITY, OWN_METERING };

struct exp_tmpl {
	struct ipfix_tmpl *t;	/* owned */
	uint16_t id;		/* t->id, searched without a dereference */
	uint64_t sent_gen;	/* the session that has it, 0: none */
	uint8_t own;		/* OWN_*: our statistics template */
};

struct exp_dom {
	uint32_t odid;
	struct exp_tmpl *tm;	/* sorted by template id */
	size_t n, cap;
	size_t hint[2];		/* the last two exp_tm_find hits: data sets
				   come in runs of a few templates */
	uint64_t seq_gen;	/* session the sequence numbers belong to */
	uint32_t seq[2];	/* per SIDX (RFC 7011 §3.1: per stream) */
	uint64_t refresh_ms;	/* UDP: last full template send */
	unsigned msgs;		/* UDP: data messages since then */
	uint64_t tot_msgs, tot_recs, tot_octets;	/* sent, all sessions */
};

/* What a session needs of its exporter (exp_sess.c never sees more). */
struct exp_env {
	const struct ipfix_exporter_config *cfg;
	struct ev_loop *ev;
	bool datagram;		/* UDP rules: --mtu applies */
	bool zstream;		/* compression as one stream */
};

/* The messages of a TCP/TLS session that its peer has not acknowledged
 * yet, by the stream offset just past each (exp_acct.c). */
struct exp_acct_ent {
	uint64_t end;		/* stream offset after its last byte */
	uint32_t records;	/* data records in it */
	uint32_t len;		/* IPFIX message length */
};

struct exp_acct {
	struct exp_acct_ent *e;	/* ring, owned */
	size_t head, n, cap;
	uint64_t done_msgs, done_recs, done_bytes;	/* acknowledged, left
							   the ring */
	uint64_t lost_msgs, lost_recs, lost_bytes;	/* no ring memory:
							   uncertain */
	bool tracked;		/* a byte stream: sends are noted */
};

struct exp_sess {
	struct ipfix_chan *c;	/* NULL for the test sink */
	uint64_t gen;
	uint64_t opened_ms;
	uint64_t close_by_ms;	/* while closing */
	struct ipfix_z *z;	/* --compress */
	size_t max_msg;		/* IPFIX message limit */
	size_t frame_cap;	/* what one send may carry */
	struct ev_loop *ev;	/* where fd is watched (ev_mask) */
	int fd, ev_mask;
	uint64_t msgs, bytes;	/* sent on it: --rekey by volume */
	uint64_t recs;		/* data records sent on it */
	uint64_t confirmed;	/* recs that an answered probe confirmed */
	uint64_t probe_mark;	/* recs when the pending probe started */
	uint64_t probes_ok;	/* answered probes accounted */
	bool probe_lost;	/* lost while a probe was pending */
	bool lost;
	struct ipfix_err err;	/* why it was lost */
	struct exp_acct acct;	/* exp_acct.c */
};

/* A data message waiting for a session (exp_spool.c). */
struct exp_spooled {
	uint8_t *p;		/* owned; header rewritten when sent */
	size_t len;
	uint32_t records, odid;
};

struct exp_spool {
	struct exp_spooled *q;	/* q[head..n) wait, oldest first */
	size_t head, n, cap;
	size_t bytes;		/* held */
};

enum exp_sstate { EXP_S_CONNECTING, EXP_S_UP, EXP_S_CLOSING, EXP_S_CLOSED,
	EXP_S_LOST };

struct ipfix_exporter {
	struct ipfix_exporter_config cfg;
	struct exp_env env;
	struct ev_loop *ev;	/* owned; env.ev */
	struct ipfix_decoder *dec;
	struct exp_dom *dom;
	size_t ndom, domcap;
	size_t dom_hint;	/* last exp_dom_get result */
	struct exp_sess *cur, *next, *old;
	struct exp_sess *conn;	/* being connected by exp_ensure_session */
	struct exp_spool spool;	/* data messages waiting for a session */
	uint64_t gen;
	bool reliable;		/* TCP/SCTP template rules */
	bool datagram;
	bool zstream;
	bool need_all;		/* a new session waits for every template */
	bool need_meter;	/* a hand-off: §4.1 counts on the new one */
	uint64_t stats_sent;	/* not_sent_records last reported */
	uint64_t stats_gen;	/* the session that report went on */

	struct ipfix_builder b;
	uint8_t *buf, *zbuf;
	bool open;
	uint32_t b_odid, b_time;
	int b_sidx;
	bool b_ctl;		/* holds templates or withdrawals (C70) */
	uint32_t b_own;		/* our statistics records in it */

	unsigned attempts;	/* consecutive failed connects */
	unsigned retries;	/* attempts since the last session was up
				   (or the first attempt failed) */
	struct ipfix_err retry_err;	/* why the last attempt or session
					   failed (for giving up) */
	uint64_t last_attempt_ms;
	uint64_t rekey_at_ms;
	long long probe_timer;	/* evloop timer id, 0: none */
	bool probe_off;		/* refused or ignored by the collector */
	bool probe_suspect;	/* a probe went unanswered: was it ignored? */
	uint64_t pace_t0, pace_done;
	bool rt_started;
	uint64_t rt_wall0, rt_in0;
	uint32_t in_time;
	uint64_t feed_ms;	/* while an input message is decoded: its
				   time, for the refresh clock (a clock read
				   per record run cost 5 % over DTLS) */
	unsigned since_service;
	bool more_input;	/* the next input message is already read:
				   the transport may hold what we send */

	bool closing;		/* the final close: what a session did not
				   deliver now has no later one */
	bool failed;		/* fatal; fail says why */
	bool stopping;
	struct ipfix_err fail;
	struct ipfix_exporter_stats st;
};

/* Plumbing, inline so that every piece may use it without a cycle. */
/* Wall clock in ms (the drop times of §4.3 records). */
static inline uint64_t
exp_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Tell the caller through cfg.on_event (when set). */
static inline void
exp_event(struct ipfix_exporter *x, enum ipfix_exp_event ev,
    const char *detail, const struct ipfix_err *err)
{
	if (x->cfg.on_event != NULL)
		x->cfg.on_event(x->cfg.arg, ev, detail, err);
}

/* Record the first fatal error; returns -1. */
static inline int
exp_fatal(struct ipfix_exporter *x, const struct ipfix_err *err)
{
	if (!x->failed) {
		x->failed = true;
		x->fail = *err;
	}
	return -1;
}

/* Call cfg.on_report when the caller raised *cfg.report. */
static inline void
exp_check_report(struct ipfix_exporter *x)
{
	if (x->cfg.report != NULL && *x->cfg.report) {
		*x->cfg.report = 0;
		if (x->cfg.on_report != NULL)
			x->cfg.on_report(x->cfg.arg, &x->st);
	}
}

/* The caller raised *cfg.stop. */
static inline bool
exp_stop_asked(const struct ipfix_exporter *x)
{
	return x->cfg.stop != NULL && *x->cfg.stop;
}

/* exp_stats.c: RFC 7011 §4.3 and §4.1 statistics records, as bytes */
#define EXP_STATS_REC_LEN	28	/* both layouts */
/* Our template of kind (OWN_*) in d, made under the highest free id;
 * NULL without memory or a free id. */
struct exp_tmpl *exp_stats_tmpl(struct exp_dom *d, int kind);
/* The §4.3 record: records never sent, first and last drop (C59). */
void exp_stats_reliability(const struct ipfix_exporter_stats *st,
    uint32_t process_id, uint8_t rec[EXP_STATS_REC_LEN]);
/* The §4.1 record of d: its cumulative exported counts. */
void exp_stats_metering(const struct exp_dom *d,
    uint8_t rec[EXP_STATS_REC_LEN]);

/* exp_sess.c: one Transport Session (never calls up) */
/* A new session numbered gen, connecting; NULL with err. */
struct exp_sess *exp_sess_open(const struct exp_env *env, uint64_t gen,
    struct ipfix_err *err);
/* Free s (NULL accepted), its channel and its watch. */
void exp_sess_free(struct exp_sess *s);
/* Its message limits, once up. */
void exp_sess_limits(const struct exp_env *env, struct exp_sess *s);
/* Service s and drain what its peer sent; marks it lost on failure. */
void exp_sess_service(struct exp_sess *s);
/* Service s if its channel timer ran out. */
void exp_sess_tick(struct exp_sess *s);
/* Lower *tmo (ms, -1: none) to s's channel timer. */
void exp_sess_timeout(const struct exp_sess *s, long *tmo);
enum exp_sstate exp_sess_state(const struct exp_sess *s);
/* The orderly close is over (or there was nothing to close). */
bool exp_sess_closed(const struct exp_sess *s);
/* One message: IPFIX_T_OK, AGAIN, or ERR (s is lost then). */
int exp_sess_send(struct exp_sess *s, const uint8_t *p, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err);
/* Begin the orderly close, bounded by linger_ms. */
void exp_sess_shutdown(struct exp_sess *s, unsigned linger_ms);
/* Start a liveness probe; false when none could start. */
bool exp_sess_probe(struct exp_sess *s);
/* The collector refused the probe (renegotiation). */
bool exp_sess_probe_refused(const struct exp_sess *s);

/* exp_acct.c: delivery accounting (TCP/TLS acknowledgements) */
/* A message of records data records and len bytes was sent on s. */
void exp_acct_note(struct ipfix_exporter *x, struct exp_sess *s,
    uint32_t records, size_t len);
/* s ends (NULL accepted): what its peer did not acknowledge (all of it
 * when it refused us with an alert) moves from sent to not sent; then s
 * is freed. Returns EXP_ACCT_* flags; *why says what happened. */
#define EXP_ACCT_REFUSED	1	/* an authentication alert: final */
#define EXP_ACCT_MISSED		2	/* records not acknowledged */
int exp_acct_end(struct ipfix_exporter *x, struct exp_sess *s,
    struct ipfix_err *why);

/* exp_conn.c: the set of sessions (never reaches the builder) */
/* The current session's gen, 0 without one. */
uint64_t exp_cur_gen(const struct ipfix_exporter *x);
/* Drop a failed hand-off and a finished old session; true when the
 * current session is lost (the caller then drops it, counting what it held). */
bool exp_conn_reap(struct ipfix_exporter *x);
/* One event loop pass until deadline (monotonic ms) at most. Never
 * frees a session: losses show in their state. */
void exp_wait(struct ipfix_exporter *x, uint64_t deadline);
/* Push what the current session holds back, and look at events. */
void exp_conn_push(struct ipfix_exporter *x);
/* Sleep until t serving the sessions; false when a stop came first. */
bool exp_sleep_until(struct ipfix_exporter *x, uint64_t t, bool stoppable);
/* A session to send on, reconnecting with backoff; -1 stop or give up.
 * x->cur must not be a lost session (dropped first). */
int exp_ensure_session(struct ipfix_exporter *x);
/* Arm --rekey for the session that just came up. */
void exp_rekey_arm(struct ipfix_exporter *x);
/* Open the next session when --rekey is due. */
void exp_conn_rekey(struct ipfix_exporter *x);
/* Open the next session now. */
void exp_conn_start_next(struct ipfix_exporter *x);
/* The next session is up, so data may move once the builder is empty. */
bool exp_conn_next_ready(struct ipfix_exporter *x);
/* Move the data to the next session; the current one closes in order. */
void exp_conn_switch(struct ipfix_exporter *x);
/* Close the current session in order (bounded by linger_ms). */
void exp_close_session(struct ipfix_exporter *x);
/* Wait for the old session's orderly close (bounded). */
void exp_conn_drain(struct ipfix_exporter *x);
/* Start the --probe timer; -1 with err. */
int exp_conn_probe_start(struct ipfix_exporter *x, struct ipfix_err *err);
/* The current session is being dropped: its liveness accounting. */
void exp_conn_lost(struct ipfix_exporter *x, struct exp_sess *s);

/* exporter.c: the domains */
/* The domain of odid, created when new; NULL without memory. */
struct exp_dom *exp_dom_get(struct ipfix_exporter *x, uint32_t odid);

/* exp_spool.c: messages waiting for a session */
/* Append a copy; -1 without memory. */
int exp_spool_push(struct exp_spool *sp, const uint8_t *p, size_t len,
    uint32_t records, uint32_t odid);
/* The oldest, or NULL when empty. */
struct exp_spooled *exp_spool_front(struct exp_spool *sp);
void exp_spool_pop(struct exp_spool *sp);
void exp_spool_free(struct exp_spool *sp);

/* exp_tmpl.c: the template store of a domain */
/* The template of id in d, or NULL. */
struct exp_tmpl *exp_tm_find(struct exp_dom *d, uint16_t id);
/* Store t (owned) in d, replacing a template of the same id; NULL
 * without memory (t freed). */
struct exp_tmpl *exp_tm_put(struct exp_dom *d, struct ipfix_tmpl *t);
/* Remove the template at index i. */
void exp_tm_del(struct exp_dom *d, size_t i);
/* The records of the message msg (len bytes, d's) that are the input's
 * Exporting Process statistics forwarded, not ours (ipfix_tmpl_exp_stats):
 * our exportedFlowRecordTotalCount leaves them out, as collectors do. */
uint32_t exp_tm_fwd_stats(struct exp_dom *d, const uint8_t *msg, size_t len);

#endif
