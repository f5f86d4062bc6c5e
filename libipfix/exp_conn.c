/*
 * exp_conn: the exporter's set of Transport Sessions (exporter_int.h): the
 * current one, the next (a hand-off in progress), the old (draining) and
 * one being connected; waiting on the event loop, connecting with backoff
 * (C66), reaping, periodic re-association and the switch of a soft
 * hand-off. Below exporter.c and above exp_sess.c: it never reaches the
 * builder. A lost current session is reported (exp_conn_reap's return),
 * never freed here; the exporter counts what it held and drops it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "exporter_int.h"

uint64_t
exp_cur_gen(const struct ipfix_exporter *x)
{
	return x->cur != NULL ? x->cur->gen : 0;
}

/* The §4.3-worthy end of an old session: a failure while it closes was
 * a late refusal (TLS 1.3 refuses a client certificate only after the
 * client's handshake is done), so the data it carried was dropped by the
 * collector. That is a failure of the run, not a lost collector. */
static void
close_failed(struct ipfix_exporter *x, struct exp_sess *s)
{
	x->st.probes_answered += s->probes_ok;
	if (!s->lost || s->c == NULL ||
	    ipfix_chan_state(s->c) != IPFIX_CHAN_FAILED)
		return;
	x->st.failures++;
	if (s->err.code == IPFIX_E_TLS && !x->failed) {
		x->failed = true;	/* the caller reports it */
		x->fail = s->err;
	} else
		exp_event(x, IPFIX_EXP_LOST, NULL, &s->err);
}

/* The end of a session that carried data (NULL accepted): what its peer
 * did not take is counted; a refusal ends the run, and so does data the
 * final close lost (no later session can deliver it). */
static void
end_sess(struct ipfix_exporter *x, struct exp_sess *s)
{
	struct ipfix_err why;
	int rc;

	if (s == NULL)
		return;
	rc = exp_acct_end(x, s, &why);
	if ((rc & EXP_ACCT_REFUSED) || ((rc & EXP_ACCT_MISSED) && x->closing))
		(void)exp_fatal(x, &why);
}

/* Drop a failed hand-off and an old session that is done; true when the
 * current session is lost (the caller drops it and counts what it held). */
bool
exp_conn_reap(struct ipfix_exporter *x)
{
	if (x->next != NULL && x->next->lost) {
		x->st.connect_failures++;
		exp_event(x, IPFIX_EXP_CONNECT_FAILED, "hand-off",
		    &x->next->err);
		exp_sess_free(x->next);
		x->next = NULL;
	}
	if (x->old != NULL && (x->old->lost || exp_sess_closed(x->old) ||
	    ev_now_ms() >= x->old->close_by_ms)) {
		close_failed(x, x->old);
		end_sess(x, x->old);
		x->old = NULL;
	}
	return x->cur != NULL && x->cur->lost;
}

/* One pass of the event loop, at most until deadline (monotonic ms):
 * descriptor events service their session; channel timers run out here. */
void
exp_wait(struct ipfix_exporter *x, uint64_t deadline)
{
	struct ipfix_err err;
	uint64_t now = ev_now_ms();
	long tmo = deadline > now ? (long)(deadline - now) : 0;

	exp_sess_timeout(x->cur, &tmo);
	exp_sess_timeout(x->next, &tmo);
	exp_sess_timeout(x->old, &tmo);
	exp_sess_timeout(x->conn, &tmo);
	if (ev_run_once(x->ev, (int)tmo, &err) == -1)
		(void)exp_fatal(x, &err);
	exp_sess_tick(x->conn);
	exp_sess_tick(x->cur);
	exp_sess_tick(x->next);
	exp_sess_tick(x->old);
	exp_check_report(x);
}

/* Push what the current session holds (a live input went quiet). */
void
exp_conn_push(struct ipfix_exporter *x)
{
	exp_sess_service(x->cur);
	exp_wait(x, 0);
}

/* Sleep until t serving the sessions; false when a stop came first. */
bool
exp_sleep_until(struct ipfix_exporter *x, uint64_t t, bool stoppable)
{
	while (ev_now_ms() < t) {
		if (stoppable && exp_stop_asked(x))
			return false;
		exp_wait(x, t);
	}
	return true;
}

/* The connect deadline passed: what and, if known, where the handshake
 * waits and why (a silent DTLS peer after our Finished: wrong PSK...). */
static void
no_session(const struct ipfix_exporter *x, const struct exp_sess *s,
    const char *what, struct ipfix_err *err)
{
	const char *why = s->c != NULL ? ipfix_chan_stalled(s->c) : NULL;

	ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
	    "%s within %u ms%s%s", what, x->cfg.connect_ms,
	    why != NULL ? ": " : "", why != NULL ? why : "");
}

/* Liveness -------------------------------------------------------------- */

static void
probe_off(struct ipfix_exporter *x, const char *why)
{
	if (x->probe_off || x->probe_timer == 0)
		return;
	x->probe_off = true;
	(void)ev_timer_del(x->ev, x->probe_timer);
	x->probe_timer = 0;
	exp_event(x, IPFIX_EXP_PROBE_OFF, why, NULL);
}

static long
probe_cb(struct ev_loop *ev, long long id, void *arg)
{
	struct ipfix_exporter *x = arg;

	(void)ev;
	(void)id;
	if (x->cur != NULL && exp_sess_probe(x->cur))
		x->st.probes_sent++;
	return (long)x->cfg.probe_ms;
}

int
exp_conn_probe_start(struct ipfix_exporter *x, struct ipfix_err *err)
{
	long long id;

	if (x->cfg.probe_ms == 0 || x->cfg.sink != NULL)
		return 0;
	if ((id = ev_timer_add(x->ev, (long)x->cfg.probe_ms, probe_cb, x,
	    err)) == -1)
		return -1;
	x->probe_timer = id;
	return 0;
}

void
exp_conn_lost(struct ipfix_exporter *x, struct exp_sess *s)
{
	char buf[32];
	uint64_t n;

	x->st.probes_answered += s->probes_ok;
	if (x->datagram && s->recs > s->confirmed) {
		n = s->recs - s->confirmed;
		x->st.sent_unconfirmed += n;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
		exp_event(x, IPFIX_EXP_UNCONFIRMED, buf, NULL);
	}
	if (exp_sess_probe_refused(s))
		probe_off(x, "the collector refused renegotiation");
	else if (s->probe_lost)
		x->probe_suspect = true;
}

static void
session_up(struct ipfix_exporter *x, struct exp_sess *s)
{
	char buf[IPFIX_ADDRSTR_MAX] = "";
	const struct ipfix_tpeer *p;

	x->cur = s;
	x->attempts = 0;
	x->retries = 0;
	x->st.sessions++;
	x->need_all = true;
	/* every session after the first carries the §4.1 counts: after a
	 * hand-off and after a loss alike, so that a collector continuing
	 * its chain (ipfix-recv --append) can tell what a lost session
	 * swallowed */
	x->need_meter = x->st.sessions > 1;
	exp_rekey_arm(x);
	if (s->c != NULL) {
		p = ipfix_chan_peer(s->c);
		if (p->addrlen > 0)
			ipfix_addr_format((const struct sockaddr *)&p->addr,
			    p->addrlen, buf, sizeof(buf));
		if (ipfix_chan_identity(s->c)->resumed)
			x->st.resumed++;
	}
	exp_event(x, IPFIX_EXP_UP, buf, NULL);
	/* An unanswered probe, then a collector that still had our session:
	 * it was alive and ignores renegotiation. */
	if (x->probe_suspect && s->c != NULL &&
	    ipfix_chan_identity(s->c)->resumed)
		probe_off(x, "a probe went unanswered, yet the collector "
		    "resumed our session: it ignores renegotiation");
	x->probe_suspect = false;
}

/* When the next attempt may start (0: now); told once per wait. */
static uint64_t
backoff_due(struct ipfix_exporter *x)
{
	uint64_t due;
	char buf[32];

	if (x->last_attempt_ms == 0 || x->cfg.sink != NULL)
		return 0;
	/* After a lost session or one failure: retry_min after the last
	 * attempt began; then doubling with each further failure. */
	due = x->last_attempt_ms + ipfix_exp_backoff_ms(x->attempts > 0 ?
	    x->attempts - 1 : 0, x->cfg.retry_min_ms, x->cfg.retry_max_ms);
	if (due > ev_now_ms() && !x->retry_told) {
		x->retry_told = true;
		snprintf(buf, sizeof(buf), "%llu",
		    (unsigned long long)(due - ev_now_ms()));
		exp_event(x, IPFIX_EXP_RETRY, buf, NULL);
	}
	return due;
}

/* --max-retries counts the attempts after a failed one or a lost
 * session; when none is left the exporter gives up at once instead of
 * waiting out a backoff that leads nowhere. */
static bool
retries_spent(const struct ipfix_exporter *x)
{
	return x->last_attempt_ms != 0 && x->cfg.max_retries >= 0 &&
	    x->retries >= (unsigned)x->cfg.max_retries;
}

/* An attempt failed: -1 when retrying cannot mend it (a configuration
 * error such as no kernel SCTP, an authentication alert, or, before any
 * session came up, a refused (D)TLS handshake: unknown CA, name
 * mismatch, wrong PSK), else 0. A close or reset without an alert (a
 * busy collector) is retried. */
static int
attempt_failed(struct ipfix_exporter *x, const struct ipfix_err *err,
    bool refused)
{
	x->st.connect_failures++;
	if (err->code == IPFIX_E_USAGE || refused ||
	    (err->code == IPFIX_E_TLS && x->st.sessions == 0))
		return exp_fatal(x, err);
	exp_event(x, IPFIX_EXP_CONNECT_FAILED, NULL, err);
	x->retry_err = *err;
	x->attempts++;
	return 0;
}

static int attempt_poll(struct ipfix_exporter *x, uint64_t *due);

/* Open a session for the next attempt; it connects on the event loop
 * until *due (attempt_poll's returns). */
static int
attempt_start(struct ipfix_exporter *x, uint64_t *due)
{
	struct ipfix_err err;
	struct exp_sess *s;

	if (x->last_attempt_ms != 0)
		x->retries++;
	x->last_attempt_ms = ev_now_ms();
	x->retry_told = false;
	exp_event(x, IPFIX_EXP_CONNECTING, NULL, NULL);
	x->st.attempts++;
	ipfix_err_clear(&err);
	if ((s = exp_sess_open(&x->env, ++x->gen, &err)) == NULL)
		return attempt_failed(x, &err, false);
	x->conn = s;	/* so exp_wait serves its timers */
	x->conn_by = ev_now_ms() + x->cfg.connect_ms;
	return attempt_poll(x, due);	/* the test sink is up at once */
}

/* The attempt in x->conn: 1 up, 0 still connecting (until *due), 0 or
 * -1 from attempt_failed. A stop ends the attempt. */
static int
attempt_poll(struct ipfix_exporter *x, uint64_t *due)
{
	struct exp_sess *s = x->conn;
	enum exp_sstate st = exp_sess_state(s);
	struct ipfix_err err;
	bool refused;

	if (st == EXP_S_CONNECTING && ev_now_ms() < x->conn_by &&
	    !exp_stop_asked(x)) {
		*due = x->conn_by;
		return 0;
	}
	x->conn = NULL;
	if (st == EXP_S_UP) {
		exp_sess_limits(&x->env, s);
		session_up(x, s);
		return 1;
	}
	refused = ipfix_chan_refused(s->c);
	if (st == EXP_S_LOST)
		err = s->err;
	else
		no_session(x, s, "no session", &err);
	exp_sess_free(s);
	return attempt_failed(x, &err, refused);
}

/* One step towards a session, never waiting (C66: attempts start no
 * more often than retry_min apart): 1 a session is up, 0 not yet (the
 * next step is due at *due), -1 on stop or when giving up. */
int
exp_conn_step(struct ipfix_exporter *x, uint64_t *due)
{
	uint64_t t;

	*due = ev_now_ms();	/* after a failed attempt: the next step now */
	if (x->cur != NULL)
		return 1;
	/* A hand-off in progress is moot once the session it replaces died. */
	if (x->next != NULL) {
		exp_sess_free(x->next);
		x->next = NULL;
	}
	if (x->conn != NULL)
		return attempt_poll(x, due);
	if (x->failed)
		return -1;
	if (retries_spent(x)) {
		exp_event(x, IPFIX_EXP_GAVE_UP, NULL, &x->retry_err);
		return exp_fatal(x, &x->retry_err);
	}
	if (x->stopping || exp_stop_asked(x)) {
		x->stopping = true;
		return -1;
	}
	if ((t = backoff_due(x)) > ev_now_ms()) {
		*due = t;
		return 0;
	}
	return attempt_start(x, due);
}

/* A session to send on, reconnecting with backoff; waits on the event
 * loop. The caller dropped a lost current session first. */
int
exp_ensure_session(struct ipfix_exporter *x)
{
	uint64_t due = 0;
	int rc;

	while ((rc = exp_conn_step(x, &due)) == 0)
		exp_wait(x, due);
	return rc == 1 ? 0 : -1;
}

/* Hand-off ----------------------------------------------------------------- */

void
exp_rekey_arm(struct ipfix_exporter *x)
{
	x->rekey_at_ms = ev_now_ms() + x->cfg.rekey_ms;
}

/* --rekey: the current session has lived its time or carried its
 * volume. */
void
exp_conn_rekey(struct ipfix_exporter *x)
{
	const struct ipfix_exporter_config *c = &x->cfg;
	const struct exp_sess *s = x->cur;

	if (s == NULL || x->next != NULL)
		return;
	if ((c->rekey_ms == 0 || ev_now_ms() < x->rekey_at_ms) &&
	    (c->rekey_msgs == 0 || s->msgs < c->rekey_msgs) &&
	    (c->rekey_bytes == 0 || s->bytes < c->rekey_bytes))
		return;
	exp_rekey_arm(x);
	x->st.rekeys++;
	exp_conn_start_next(x);
}

/* Open the next session now (a due --rekey, a failed probe). */
void
exp_conn_start_next(struct ipfix_exporter *x)
{
	struct ipfix_err err;

	if (x->cur == NULL || x->next != NULL)
		return;
	ipfix_err_clear(&err);
	x->st.attempts++;
	if ((x->next = exp_sess_open(&x->env, ++x->gen, &err)) == NULL) {
		x->st.connect_failures++;
		exp_event(x, IPFIX_EXP_CONNECT_FAILED, "hand-off", &err);
	}
}

/* The next session is up: the data may move (after a flush). A next
 * session that missed connect_ms is marked lost (reaped later). */
bool
exp_conn_next_ready(struct ipfix_exporter *x)
{
	struct exp_sess *n = x->next;

	if (n == NULL)
		return false;
	if (exp_sess_state(n) == EXP_S_CONNECTING &&
	    ev_now_ms() - n->opened_ms >= x->cfg.connect_ms) {
		n->lost = true;
		no_session(x, n, "hand-off session not up", &n->err);
	}
	/* One closing session at a time: switching now would free the old
	 * one mid-close (an abort), its last messages unread by the peer.
	 * exp_conn_reap ends it once closed or past its linger bound. */
	if (x->old != NULL)
		return false;
	return exp_sess_state(n) == EXP_S_UP;
}

/* Soft hand-off: the data moves to the next session (the builder is
 * empty); the current one is closed in order once what it holds is out. */
void
exp_conn_switch(struct ipfix_exporter *x)
{
	struct exp_sess *n = x->next;

	x->next = NULL;
	exp_sess_limits(&x->env, n);
	if (x->cur != NULL) {
		end_sess(x, x->old);
		x->old = x->cur;
		exp_sess_shutdown(x->old, x->cfg.linger_ms);
	}
	x->cur = NULL;
	session_up(x, n);
	x->st.handoffs++;
	x->need_meter = true;
	exp_event(x, IPFIX_EXP_HANDOFF, NULL, NULL);
}

/* Close the session in order, bounded by linger_ms: it joins the old
 * one (if a hand-off left one) and both drain. */
void
exp_close_session(struct ipfix_exporter *x)
{
	struct exp_sess *s = x->cur;

	x->cur = NULL;
	x->closing = true;
	if (s == NULL || s->c == NULL) {
		exp_sess_free(s);
		return;
	}
	exp_sess_shutdown(s, x->cfg.linger_ms);
	if (exp_sess_closed(s)) {
		end_sess(x, s);
		return;
	}
	if (x->old != NULL) {
		x->next = s;	/* served too; freed below */
		while (!exp_sess_closed(s) && !s->lost &&
		    ev_now_ms() < s->close_by_ms)
			exp_wait(x, s->close_by_ms);
		x->next = NULL;
		close_failed(x, s);
		end_sess(x, s);
		return;
	}
	x->old = s;
}

/* Drain the old session at the end (bounded by its linger time). One
 * that closed already is watched no more, so nothing would end a wait
 * before its linger bound: reap first. */
void
exp_conn_drain(struct ipfix_exporter *x)
{
	for (;;) {
		(void)exp_conn_reap(x);
		if (x->old == NULL)
			return;
		exp_wait(x, x->old->close_by_ms);
	}
}
