/*
 * exp_sess: one Transport Session of the exporter (exporter_int.h), the
 * layer below the exporter: opening it, its message limits, watching its
 * descriptor on the exporter's event loop, servicing it and sending on it.
 * It knows nothing of templates, messages or other sessions and never
 * calls up: a failure only marks the session lost (with the reason in
 * s->err), and the exporter finds that out from exp_sess_state when it
 * is ready to; a session is freed only by its owner.
 */
#include <stdlib.h>

#include "compress.h"
#include "exporter_int.h"

void
exp_sess_free(struct exp_sess *s)
{
	if (s == NULL)
		return;
	if (s->ev != NULL && s->fd >= 0 && s->ev_mask != EV_NONE)
		ev_fd_del(s->ev, s->fd, EV_READ | EV_WRITE);
	ipfix_chan_free(s->c);
	ipfix_z_free(s->z);
	free(s->acct.e);
	free(s);
}

/* The message limit of a session that is up: the transport's, lowered
 * by --mtu (datagram kinds) and --max-msg, and room for compression. */
void
exp_sess_limits(const struct exp_env *env, struct exp_sess *s)
{
	const struct ipfix_exporter_config *cfg = env->cfg;
	size_t m = cfg->sink != NULL ? cfg->sink->max_msg :
	    ipfix_chan_max_msg(s->c);
	size_t hdr;

	if (cfg->mtu > 0 && env->datagram && s->c != NULL) {
		hdr = ipfix_chan_peer(s->c)->addr.ss_family == AF_INET6 ?
		    48 : 28;
		if (cfg->ep.secure)
			hdr += 64;	/* DTLS record header, IV, tag */
		if (cfg->mtu > hdr + 64 && cfg->mtu - hdr < m)
			m = cfg->mtu - hdr;
	}
	if (cfg->max_msg > 0 && cfg->max_msg < m)
		m = cfg->max_msg;
	if (m > IPFIX_MSG_MAX)
		m = IPFIX_MSG_MAX;
	s->frame_cap = m;
	s->max_msg = cfg->compress && env->zstream ?
	    ipfix_z_max_input(m) : m;
}

static void sess_fd_cb(struct ev_loop *ev, int fd, int mask, void *arg);

/* Watch what the channel waits for; a failure to watch loses it. */
static void
sess_watch(struct exp_sess *s)
{
	int want;

	if (s->c == NULL || s->ev == NULL)
		return;
	want = s->lost ? EV_NONE : ipfix_chan_events(s->c) &
	    (EV_READ | EV_WRITE);
	if (s->fd != ipfix_chan_fd(s->c) || want == s->ev_mask)
		return;
	if ((s->ev_mask & ~want) != 0)
		ev_fd_del(s->ev, s->fd, s->ev_mask & ~want);
	s->ev_mask &= want;
	if ((want & ~s->ev_mask) != 0) {
		if (ev_fd_add(s->ev, s->fd, want & ~s->ev_mask, sess_fd_cb, s,
		    &s->err) == -1) {
			s->lost = true;
			return;
		}
		s->ev_mask = want;
	}
}

struct exp_sess *
exp_sess_open(const struct exp_env *env, uint64_t gen, struct ipfix_err *err)
{
	const struct ipfix_exporter_config *cfg = env->cfg;
	struct exp_sess *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "out of memory");
		return NULL;
	}
	s->gen = gen;
	s->fd = -1;
	s->opened_ms = ev_now_ms();
	if (cfg->compress &&
	    (s->z = ipfix_z_new(true, env->zstream, err)) == NULL) {
		free(s);
		return NULL;
	}
	if (cfg->sink == NULL &&
	    (s->c = ipfix_chan_connect(&cfg->ep, &cfg->topts, cfg->sec,
	    err)) == NULL) {
		exp_sess_free(s);
		return NULL;
	}
	if (s->c != NULL) {
		s->ev = env->ev;
		s->fd = ipfix_chan_fd(s->c);
	}
	exp_sess_service(s);
	return s;
}

/* An answered (or refused) probe confirms the records sent before it
 * started. */
static void
probe_account(struct exp_sess *s)
{
	uint64_t ok = ipfix_chan_probes_answered(s->c);

	/* A refusal came from a peer that held the session's keys too. */
	if (ok != s->probes_ok ||
	    ipfix_chan_probe_state(s->c) == IPFIX_PROBE_REFUSED) {
		s->probes_ok = ok;
		s->confirmed = s->probe_mark;
	}
	if (ipfix_chan_state(s->c) == IPFIX_CHAN_FAILED &&
	    ipfix_chan_probe_state(s->c) == IPFIX_PROBE_PENDING)
		s->probe_lost = true;
}

bool
exp_sess_probe(struct exp_sess *s)
{
	struct ipfix_err err;

	if (s->c == NULL || s->lost || s->close_by_ms != 0 ||
	    ipfix_chan_state(s->c) != IPFIX_CHAN_UP ||
	    ipfix_chan_probe_state(s->c) != IPFIX_PROBE_IDLE)
		return false;
	s->probe_mark = s->recs;
	if (ipfix_chan_probe(s->c, &err) == -1 && err.code == IPFIX_E_USAGE)
		return false;
	exp_sess_service(s);
	return true;
}

bool
exp_sess_probe_refused(const struct exp_sess *s)
{
	return s->c != NULL &&
	    ipfix_chan_probe_state(s->c) == IPFIX_PROBE_REFUSED;
}

/* Service s and read what its peer sent (ignored, but reading shows
 * ICMP errors and closes); marks it lost on failure. */
void
exp_sess_service(struct exp_sess *s)
{
	struct ipfix_tmsg m;
	enum ipfix_chan_state st;

	if (s == NULL || s->c == NULL || s->lost)
		return;
	st = ipfix_chan_service(s->c, &s->err);
	while (st != IPFIX_CHAN_FAILED && st != IPFIX_CHAN_CLOSED &&
	    st != IPFIX_CHAN_CONNECTING &&
	    ipfix_chan_recv(s->c, &m, &s->err) == IPFIX_T_OK)
		;
	st = ipfix_chan_state(s->c);
	probe_account(s);
	if (st == IPFIX_CHAN_CLOSED && s->close_by_ms == 0)
		ipfix_err_set(&s->err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "the collector closed the session");
	if (st == IPFIX_CHAN_FAILED || st == IPFIX_CHAN_CLOSED)
		s->lost = true;
	sess_watch(s);
}

static void
sess_fd_cb(struct ev_loop *ev, int fd, int mask, void *arg)
{
	(void)ev;
	(void)fd;
	(void)mask;
	exp_sess_service(arg);
}

/* Service s when its channel's timer has run out. */
void
exp_sess_tick(struct exp_sess *s)
{
	if (s != NULL && s->c != NULL && !s->lost &&
	    ipfix_chan_timeout_ms(s->c) == 0)
		exp_sess_service(s);
}

/* The sooner of *tmo and s's channel timer (-1: none). */
void
exp_sess_timeout(const struct exp_sess *s, long *tmo)
{
	long t;

	if (s == NULL || s->c == NULL || s->lost)
		return;
	t = ipfix_chan_timeout_ms(s->c);
	if (t >= 0 && (*tmo < 0 || t < *tmo))
		*tmo = t;
}

enum exp_sstate
exp_sess_state(const struct exp_sess *s)
{
	if (s->lost)
		return EXP_S_LOST;
	if (s->c == NULL)
		return EXP_S_UP;	/* the test sink */
	switch (ipfix_chan_state(s->c)) {
	case IPFIX_CHAN_CONNECTING:
		return EXP_S_CONNECTING;
	case IPFIX_CHAN_UP:
		return EXP_S_UP;
	case IPFIX_CHAN_CLOSED:
		return EXP_S_CLOSED;
	default:
		return s->close_by_ms != 0 ? EXP_S_CLOSING : EXP_S_LOST;
	}
}

/* Its orderly close is over (UDP's at once): nothing left to drain. */
bool
exp_sess_closed(const struct exp_sess *s)
{
	return s->c == NULL || ipfix_chan_state(s->c) == IPFIX_CHAN_CLOSED;
}

/* One message: IPFIX_T_OK, IPFIX_T_AGAIN or IPFIX_T_ERR (s lost then). */
int
exp_sess_send(struct exp_sess *s, const uint8_t *p, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	int rc;

	if (s->lost) {
		*err = s->err;
		return IPFIX_T_ERR;
	}
	rc = ipfix_chan_send(s->c, p, len, how, err);
	if (rc == IPFIX_T_ERR) {
		s->err = *err;
		s->lost = true;
	}
	if (rc != IPFIX_T_OK || s->ev_mask != EV_READ)
		sess_watch(s);
	return rc;
}

/* Begin the orderly close, bounded by linger_ms from now. */
void
exp_sess_shutdown(struct exp_sess *s, unsigned linger_ms)
{
	s->close_by_ms = ev_now_ms() + linger_ms;
	if (s->c == NULL) {
		s->lost = true;		/* the test sink's: nothing to drain */
		return;
	}
	(void)ipfix_chan_shutdown(s->c, &s->err);
	sess_watch(s);
}
