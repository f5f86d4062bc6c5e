/*
 * exp_sess: the exporter's Transport Sessions (exporter_int.h): opening
 * and servicing them, polling while the exporter waits, connecting with
 * backoff (C66), losing, reaping and closing them in order, and periodic
 * re-association with its soft hand-off. Separate from exporter.c because
 * none of it knows about templates or messages: the builder is reached
 * only through exp_flush_msg and exp_lose_cur.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "compress.h"
#include "exporter_int.h"

/* Sessions ----------------------------------------------------------------- */

uint64_t
exp_cur_gen(const struct ipfix_exporter *x)
{
	return x->cur != NULL ? x->cur->gen : 0;
}

void
exp_sess_free(struct exp_sess *s)
{
	if (s == NULL)
		return;
	ipfix_chan_free(s->c);
	ipfix_z_free(s->z);
	free(s);
}

/* The message limit of a session that is up: the transport's, lowered
 * by --mtu (datagram kinds) and --max-msg, and room for compression. */
static void
sess_limits(struct ipfix_exporter *x, struct exp_sess *s)
{
	size_t m = x->cfg.sink != NULL ? x->cfg.sink->max_msg :
	    ipfix_chan_max_msg(s->c);
	size_t hdr;

	if (x->cfg.mtu > 0 && x->datagram && s->c != NULL) {
		hdr = ipfix_chan_peer(s->c)->addr.ss_family == AF_INET6 ?
		    48 : 28;
		if (x->cfg.ep.secure)
			hdr += 64;	/* DTLS record header, IV, tag */
		if (x->cfg.mtu > hdr + 64 && x->cfg.mtu - hdr < m)
			m = x->cfg.mtu - hdr;
	}
	if (x->cfg.max_msg > 0 && x->cfg.max_msg < m)
		m = x->cfg.max_msg;
	if (m > IPFIX_MSG_MAX)
		m = IPFIX_MSG_MAX;
	s->frame_cap = m;
	s->max_msg = x->cfg.compress && x->zstream ?
	    ipfix_z_max_input(m) : m;
}

static struct exp_sess *
sess_new(struct ipfix_exporter *x, struct ipfix_err *err)
{
	struct exp_sess *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "out of memory");
		return NULL;
	}
	s->gen = ++x->gen;
	s->opened_ms = ev_now_ms();
	if (x->cfg.compress &&
	    (s->z = ipfix_z_new(true, x->zstream, err)) == NULL) {
		free(s);
		return NULL;
	}
	if (x->cfg.sink == NULL &&
	    (s->c = ipfix_chan_connect(&x->cfg.ep, &x->cfg.topts, x->cfg.sec,
	    err)) == NULL) {
		exp_sess_free(s);
		return NULL;
	}
	return s;
}

static void
sess_poll_add(const struct exp_sess *s, struct pollfd *p, nfds_t *n,
    long *tmo)
{
	long t;
	int ev;

	if (s == NULL || s->c == NULL || ipfix_chan_fd(s->c) < 0)
		return;
	ev = ipfix_chan_events(s->c);
	p[*n].fd = ipfix_chan_fd(s->c);
	p[*n].events = (short)((ev & EV_READ ? POLLIN : 0) |
	    (ev & EV_WRITE ? POLLOUT : 0));
	p[*n].revents = 0;
	(*n)++;
	t = ipfix_chan_timeout_ms(s->c);
	if (t >= 0 && (*tmo < 0 || t < *tmo))
		*tmo = t;
}

/* Service s and read what its peer sent (ignored, but reading shows
 * ICMP errors and closes); marks it lost on failure. */
void
exp_sess_service(struct exp_sess *s)
{
	struct ipfix_tmsg m;
	enum ipfix_chan_state st;
	int rc;

	if (s == NULL || s->c == NULL || s->lost)
		return;
	st = ipfix_chan_service(s->c, &s->err);
	while (st != IPFIX_CHAN_FAILED && st != IPFIX_CHAN_CLOSED &&
	    st != IPFIX_CHAN_CONNECTING &&
	    (rc = ipfix_chan_recv(s->c, &m, &s->err)) == IPFIX_T_OK)
		;
	st = ipfix_chan_state(s->c);
	if (st == IPFIX_CHAN_CLOSED && s->close_by_ms == 0)
		ipfix_err_set(&s->err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "the collector closed the session");
	if (st == IPFIX_CHAN_FAILED || st == IPFIX_CHAN_CLOSED)
		s->lost = true;
}

/* Its orderly close is over (UDP's at once): nothing left to drain. */
static bool
sess_closed(const struct exp_sess *s)
{
	return s->c == NULL || ipfix_chan_state(s->c) == IPFIX_CHAN_CLOSED;
}

/*
 * A session that fails while it closes was refused late: TLS 1.3 sends a
 * client-certificate refusal only after the client's handshake is done, so
 * the data it carried was dropped by the collector. That is a failure of
 * the run, not a lost collector to reconnect to.
 */
static void
close_failed(struct ipfix_exporter *x, struct exp_sess *s)
{
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

void
exp_reap(struct ipfix_exporter *x)
{
	if (x->cur != NULL && x->cur->lost)
		exp_lose_cur(x);
	if (x->next != NULL && x->next->lost) {
		x->st.connect_failures++;
		exp_event(x, IPFIX_EXP_CONNECT_FAILED, NULL, &x->next->err);
		exp_sess_free(x->next);
		x->next = NULL;
	}
	if (x->old != NULL && (x->old->lost || sess_closed(x->old) ||
	    ev_now_ms() >= x->old->close_by_ms)) {
		close_failed(x, x->old);
		exp_sess_free(x->old);
		x->old = NULL;
	}
}

/* Wait for I/O on the sessions until deadline (monotonic ms) or one
 * event; service them. */
void
exp_wait_io(struct ipfix_exporter *x, uint64_t deadline)
{
	struct pollfd p[4];
	nfds_t n = 0;
	uint64_t now = ev_now_ms();
	long tmo = deadline > now ? (long)(deadline - now) : 0;

	sess_poll_add(x->cur, p, &n, &tmo);
	sess_poll_add(x->next, p, &n, &tmo);
	sess_poll_add(x->old, p, &n, &tmo);
	sess_poll_add(x->conn, p, &n, &tmo);
	(void)poll(n > 0 ? p : NULL, n, (int)tmo);
	exp_sess_service(x->conn);
	exp_sess_service(x->cur);
	exp_sess_service(x->next);
	exp_sess_service(x->old);
	exp_reap(x);
	exp_check_report(x);
}

/* Sleep until t, serving the sessions; false when a stop came first. */
bool
exp_sleep_until(struct ipfix_exporter *x, uint64_t t, bool stoppable)
{
	while (ev_now_ms() < t) {
		if (stoppable && exp_stop_asked(x))
			return false;
		exp_wait_io(x, t);
	}
	return true;
}

/* The connect deadline passed: say where the handshake waits, if any. */
static void
no_session(const struct ipfix_exporter *x, const struct exp_sess *s,
    struct ipfix_err *err)
{
	const char *why = s->c != NULL ? ipfix_chan_stalled(s->c) : NULL;

	ipfix_err_set(err, IPFIX_E_NET,
	    IPFIX_NO_OFFSET, NULL, "no session within %u ms%s%s",
	    x->cfg.connect_ms, why != NULL ? ": " : "", why != NULL ? why : "");
}

/* One connection attempt: open, then service until up or deadline. */
static struct exp_sess *
connect_once(struct ipfix_exporter *x, struct ipfix_err *err)
{
	struct exp_sess *s;
	uint64_t deadline;

	exp_event(x, IPFIX_EXP_CONNECTING, NULL, NULL);
	if ((s = sess_new(x, err)) == NULL)
		return NULL;
	deadline = ev_now_ms() + x->cfg.connect_ms;
	x->conn = s;	/* so exp_wait_io serves it */
	exp_sess_service(s);
	while (s->c != NULL && ipfix_chan_state(s->c) != IPFIX_CHAN_UP) {
		if (s->lost)
			*err = s->err;
		else if (ev_now_ms() >= deadline || exp_stop_asked(x))
			no_session(x, s, err);
		else {
			exp_wait_io(x, deadline);
			continue;
		}
		x->conn = NULL;
		exp_sess_free(s);
		return NULL;
	}
	x->conn = NULL;
	sess_limits(x, s);
	return s;
}

static void
session_up(struct ipfix_exporter *x, struct exp_sess *s)
{
	char buf[IPFIX_ADDRSTR_MAX] = "";
	const struct ipfix_tpeer *p;

	x->cur = s;
	x->attempts = 0;
	x->st.sessions++;
	x->need_all = true;
	x->rekey_at_ms = ev_now_ms() + x->cfg.rekey_ms;
	if (s->c != NULL) {
		p = ipfix_chan_peer(s->c);
		if (p->addrlen > 0)
			ipfix_addr_format((const struct sockaddr *)&p->addr,
			    p->addrlen, buf, sizeof(buf));
	}
	exp_event(x, IPFIX_EXP_UP, buf, NULL);
}

/* Wait out the backoff before the next attempt; false on stop. */
static bool
backoff_wait(struct ipfix_exporter *x)
{
	uint64_t due;
	char buf[32];

	if (x->last_attempt_ms == 0 || x->cfg.sink != NULL)
		return true;
	/* After a lost session or one failure: retry_min after the last
	 * attempt began; then doubling with each further failure. */
	due = x->last_attempt_ms + ipfix_exp_backoff_ms(x->attempts > 0 ?
	    x->attempts - 1 : 0, x->cfg.retry_min_ms, x->cfg.retry_max_ms);
	if (due > ev_now_ms()) {
		snprintf(buf, sizeof(buf), "%llu",
		    (unsigned long long)(due - ev_now_ms()));
		exp_event(x, IPFIX_EXP_RETRY, buf, NULL);
	}
	return exp_sleep_until(x, due, true);
}

/* A session to send on, reconnecting as needed (C66: attempts start no
 * more often than retry_min apart). -1 on stop or when giving up. */
int
exp_ensure_session(struct ipfix_exporter *x)
{
	struct ipfix_err err;
	struct exp_sess *s;

	/* A hand-off in progress is moot once the session it replaces died. */
	if (x->cur == NULL && x->next != NULL) {
		exp_sess_free(x->next);
		x->next = NULL;
	}
	while (x->cur == NULL) {
		if (x->failed)
			return -1;
		if (x->stopping || !backoff_wait(x)) {
			x->stopping = true;
			return -1;
		}
		x->last_attempt_ms = ev_now_ms();
		ipfix_err_clear(&err);
		if ((s = connect_once(x, &err)) != NULL) {
			session_up(x, s);
			break;
		}
		x->st.connect_failures++;
		/* Retrying cannot mend a configuration error (no kernel
		 * SCTP...), nor, before any session came up, a refused
		 * (D)TLS handshake (unknown CA, name mismatch, wrong PSK). */
		if (err.code == IPFIX_E_USAGE ||
		    (err.code == IPFIX_E_TLS && x->st.sessions == 0))
			return exp_fatal(x, &err);
		exp_event(x, IPFIX_EXP_CONNECT_FAILED, NULL, &err);
		if (x->cfg.max_retries >= 0 &&
		    x->attempts >= (unsigned)x->cfg.max_retries) {
			exp_event(x, IPFIX_EXP_GAVE_UP, NULL, &err);
			return exp_fatal(x, &err);
		}
		x->attempts++;
	}
	return 0;
}

/* Hand-off ----------------------------------------------------------------- */

void
exp_start_rekey(struct ipfix_exporter *x)
{
	struct ipfix_err err;

	if (x->cfg.rekey_ms == 0 || x->cur == NULL || x->next != NULL ||
	    ev_now_ms() < x->rekey_at_ms)
		return;
	x->rekey_at_ms = ev_now_ms() + x->cfg.rekey_ms;
	ipfix_err_clear(&err);
	if ((x->next = sess_new(x, &err)) == NULL) {
		x->st.connect_failures++;
		exp_event(x, IPFIX_EXP_CONNECT_FAILED, "hand-off", &err);
	}
}

/* Soft hand-off: the new session is up, so the data moves there; the
 * old one is closed in order once what it holds is out. */
int
exp_handoff(struct ipfix_exporter *x)
{
	struct exp_sess *n = x->next;

	if (n == NULL ||
	    (n->c != NULL && ipfix_chan_state(n->c) != IPFIX_CHAN_UP))
		return 0;
	if (exp_flush_msg(x) == -1)
		return -1;
	x->next = NULL;
	sess_limits(x, n);
	if (x->cur != NULL) {
		exp_sess_free(x->old);
		x->old = x->cur;
		x->old->close_by_ms = ev_now_ms() + x->cfg.linger_ms;
		if (x->old->c != NULL)
			(void)ipfix_chan_shutdown(x->old->c, &x->old->err);
		else
			x->old->lost = true;	/* the test sink's */
	}
	x->cur = NULL;
	session_up(x, n);
	x->st.handoffs++;
	x->need_meter = true;
	exp_event(x, IPFIX_EXP_HANDOFF, NULL, NULL);
	return 0;
}

/* Close the session in order, bounded by linger_ms: it joins the old
 * one (if a hand-off left one) and both drain. */
void
exp_close_session(struct ipfix_exporter *x)
{
	struct exp_sess *s = x->cur;

	x->cur = NULL;
	if (s == NULL || s->c == NULL) {
		exp_sess_free(s);
		return;
	}
	s->close_by_ms = ev_now_ms() + x->cfg.linger_ms;
	(void)ipfix_chan_shutdown(s->c, &s->err);
	if (sess_closed(s)) {
		exp_sess_free(s);
		return;
	}
	if (x->old != NULL) {
		x->next = s;	/* served too; freed below */
		while (!sess_closed(s) && ev_now_ms() < s->close_by_ms)
			exp_wait_io(x, s->close_by_ms);
		x->next = NULL;
		exp_sess_free(s);
		return;
	}
	x->old = s;
}
