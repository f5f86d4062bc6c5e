/*
 * chan_listen: the listener side of chan.h for every kind. UDP: one socket,
 * sessions keyed by peer address and port (the kind's gate sees every
 * datagram first: DTLS cookies); TCP: one session per accepted connection
 * with its own fd in the loop; SCTP: one per association. Sessions are
 * ended through a "doomed" mark and reaped outside callbacks, so a
 * callback may drop any session, its own included.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "chan_int.h"
#include "compress.h"
#include "msg.h"
#include "nfv9.h"

#define TICK_MS			100
#define RECV_BATCH		256	/* datagrams per wake-up, for fairness */
#define ACCEPT_BATCH		64
#define DEF_MAX_SESSIONS	1024
#define DEF_IDLE_MS		600000
#define DEF_FIRST_MSG_MS	60000
#define EVICT_IDLE_MS		1000	/* a session silent this long may
					   make room for a newcomer */
#define HS_SHARE_DIV		4	/* one address: this part of the
					   handshakes at most */
#define MAX_BUCKETS		65536

static void sess_process(struct ipfix_chan *c);

bool
ipfix_chan_peer_eq(const struct ipfix_tpeer *a, const struct ipfix_tpeer *b,
    bool by_assoc)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (by_assoc)
		return a->assoc == b->assoc;
	if (a->addr.ss_family != b->addr.ss_family)
		return false;
	if (a->addr.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)&a->addr;
		b4 = (const struct sockaddr_in *)&b->addr;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->addr.ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)&a->addr;
		b6 = (const struct sockaddr_in6 *)&b->addr;
		return a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	}
	return false;
}

bool
ipfix_chan_admit_udp(const uint8_t *p, size_t len)
{
	if (len >= IPFIX_HDR_LEN && p[0] == 0 && p[1] == IPFIX_VERSION)
		return (size_t)(p[2] << 8 | p[3]) == len;
	if (len > IPFIX_Z_HDR_LEN && ipfix_z_is_frame(p, len))
		return (size_t)(p[2] << 8 | p[3]) == len;
	return ipfix_nfv9_frames(p, len);	/* converted by the collector */
}

/* Same address family and address, any port. */
static bool
same_addr(const struct ipfix_tpeer *a, const struct ipfix_tpeer *b)
{
	const struct sockaddr_in6 *a6 = (const void *)&a->addr;
	const struct sockaddr_in6 *b6 = (const void *)&b->addr;
	const struct sockaddr_in *a4 = (const void *)&a->addr;
	const struct sockaddr_in *b4 = (const void *)&b->addr;

	if (a->addr.ss_family != b->addr.ss_family)
		return false;
	if (a->addr.ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a->addr.ss_family == AF_INET6 &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

static bool
by_assoc(const struct ipfix_chan_listener *l)
{
	return l->t->proto == IPFIX_TP_SCTP || l->t->proto == IPFIX_TP_SCTP_UDP;
}

/* FNV-1a over the peer's key: association, or family, port, address. */
static size_t
peer_slot(const struct ipfix_chan_listener *l, const struct ipfix_tpeer *p)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&p->addr;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&p->addr;
	const uint8_t *b;
	uint32_t h = 2166136261u;
	size_t i, n;

	if (by_assoc(l))
		return (p->assoc * 2654435761u) & (l->nbucket - 1);
	if (p->addr.ss_family == AF_INET6) {
		b = (const uint8_t *)&s6->sin6_addr;
		n = 16;
		h = (h ^ s6->sin6_port) * 16777619u;
	} else {
		b = (const uint8_t *)&s4->sin_addr;
		n = p->addr.ss_family == AF_INET ? 4 : 0;
		h = (h ^ s4->sin_port) * 16777619u;
	}
	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h & (l->nbucket - 1);
}

struct ipfix_chan *
ipfix_chan_listener_find(struct ipfix_chan_listener *l,
    const struct ipfix_tpeer *peer)
{
	struct ipfix_chan *c;

	for (c = l->bucket[peer_slot(l, peer)]; c != NULL; c = c->hnext)
		if (!c->doomed && ipfix_chan_peer_eq(&c->peer, peer,
		    by_assoc(l)))
			return c;
	return NULL;
}

static void
hash_del(struct ipfix_chan *c)
{
	struct ipfix_chan **pp = &c->l->bucket[peer_slot(c->l, &c->peer)];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
}

void
ipfix_chan_listener_refuse(struct ipfix_chan_listener *l,
    const struct ipfix_tpeer *peer, const struct ipfix_err *err)
{
	l->st.refused++;
	if (l->cb.on_refused != NULL)
		l->cb.on_refused(l->arg, peer, err);
}

/* --- ending sessions ------------------------------------------------------ */

static void
sess_unlink(struct ipfix_chan *c)
{
	struct ipfix_chan_listener *l = c->l;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->sessions = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->shared)
		hash_del(c);
	if (!c->shared && c->ev_mask != EV_NONE)
		ev_fd_del(l->ev, c->t->fd, EV_READ | EV_WRITE);
}

/* Report the end of one doomed session and free it. */
static void
sess_final(struct ipfix_chan *c)
{
	struct ipfix_chan_listener *l = c->l;
	const struct ipfix_err *e = c->close_failed ? &c->close_err : NULL;

	l->busy++;
	if (c->opened && l->cb.on_close != NULL)
		l->cb.on_close(l->arg, c, e);
	else if (!c->opened && e != NULL)
		ipfix_chan_listener_refuse(l, &c->peer, e);
	l->busy--;
	sess_unlink(c);
	ipfix_chan_free(c);
}

static void
lsn_reap(struct ipfix_chan_listener *l)
{
	struct ipfix_chan *c;
	bool again = true;

	if (l->busy > 0)
		return;
	while (again) {
		again = false;
		for (c = l->sessions; c != NULL; c = c->next)
			if (c->doomed) {
				sess_final(c);
				again = true;
				break;
			}
	}
}

static void
sess_end(struct ipfix_chan *c, const struct ipfix_err *err)
{
	if (c->doomed)
		return;
	c->doomed = true;
	if (err != NULL) {
		c->close_err = *err;
		c->close_failed = true;
	}
	lsn_reap(c->l);
}

/* --- sessions ------------------------------------------------------------- */

static void
sess_fd_cb(struct ev_loop *ev, int fd, int mask, void *arg)
{
	struct ipfix_chan *c = arg;
	struct ipfix_chan_listener *l = c->l;

	(void)ev;
	(void)fd;
	(void)mask;
	l->busy++;
	sess_process(c);
	l->busy--;
	lsn_reap(l);
}

void
ipfix_chan_listener_watch(struct ipfix_chan *c)
{
	struct ipfix_err err;
	int want, add, del;

	if (c->shared || c->doomed || c->l == NULL)
		return;
	want = c->ops->events(c) & (EV_READ | EV_WRITE);
	add = want & ~c->ev_mask;
	del = c->ev_mask & ~want;
	if (del != 0)
		ev_fd_del(c->l->ev, c->t->fd, del);
	c->ev_mask &= ~del;
	if (add != 0) {
		if (ev_fd_add(c->l->ev, c->t->fd, add, sess_fd_cb, c,
		    &err) == -1) {
			sess_end(c, &err);
			return;
		}
		c->ev_mask |= add;
	}
}

/* Sessions not ending; pending_only: handshakes in progress; from: only
 * those of this peer's address (NULL: any). */
static unsigned
lsn_count(const struct ipfix_chan_listener *l, bool pending_only,
    const struct ipfix_tpeer *from)
{
	const struct ipfix_chan *c;
	unsigned n = 0;

	for (c = l->sessions; c != NULL; c = c->next)
		if (!c->doomed && (!pending_only || !c->opened) &&
		    (from == NULL || same_addr(&c->peer, from)))
			n++;
	return n;
}

/* The table is full: end the least recently active session that has been
 * silent for EVICT_IDLE_MS, so a newcomer is not locked out by junk or
 * silent peers. false when every session is busy. */
static bool
lsn_evict(struct ipfix_chan_listener *l)
{
	struct ipfix_chan *c, *v = NULL;
	struct ipfix_err err, scratch;
	uint64_t now = ev_now_ms();

	for (c = l->sessions; c != NULL; c = c->next)
		if (!c->doomed && now - c->last_ms >= EVICT_IDLE_MS &&
		    (v == NULL || c->last_ms < v->last_ms))
			v = c;
	if (v == NULL)
		return false;
	l->st.evicted++;
	ipfix_err_set(&err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
	    "evicted for a new peer: %u sessions open, this one silent for "
	    "%llu ms", l->lim.max_sessions,
	    (unsigned long long)(now - v->last_ms));
	if (v->opened)
		(void)v->ops->shutdown(v, &scratch);
	v->doomed = true;
	v->close_err = err;
	v->close_failed = true;
	return true;
}

/* Room for one more session (and handshake, when secured) from peer? */
static int
lsn_room(struct ipfix_chan_listener *l, const struct ipfix_tpeer *peer,
    struct ipfix_err *err)
{
	unsigned maxh, share;

	if (lsn_count(l, false, NULL) >= l->lim.max_sessions &&
	    !lsn_evict(l))
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET,
		    NULL, "listener: %u sessions open, none idle for %u ms",
		    l->lim.max_sessions, EVICT_IDLE_MS);
	if (l->sec == NULL)
		return 0;
	maxh = ipfix_sec_ctx_max_handshakes(l->sec);
	if (lsn_count(l, true, NULL) >= maxh)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "listener: %u handshakes already in progress "
		    "(--max-handshakes)", maxh);
	share = maxh / HS_SHARE_DIV > 0 ? maxh / HS_SHARE_DIV : 1;
	if (lsn_count(l, true, peer) >= share)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "listener: %u handshakes in progress from this address "
		    "(its share of --max-handshakes %u)", share, maxh);
	return 0;
}

/*
 * A session over its own transport t (TCP) or the listener's, for peer.
 * NULL when refused (reported) or out of memory; t is then closed.
 */
static struct ipfix_chan *
sess_new(struct ipfix_chan_listener *l, struct ipfix_transport *t,
    const struct ipfix_tpeer *peer)
{
	struct ipfix_chan *c = NULL;
	struct ipfix_err err;
	size_t slot;

	if (lsn_room(l, t != NULL ? &t->peer : peer, &err) == 0 &&
	    (c = calloc(1, sizeof(*c))) == NULL)
		ipfix_err_set(&err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "listener: out of memory");
	if (c == NULL) {
		ipfix_chan_listener_refuse(l, t != NULL ? &t->peer : peer,
		    &err);
		ipfix_transport_close(t);
		return NULL;
	}
	c->ops = l->ops;
	c->scheme = l->scheme;
	c->state = IPFIX_CHAN_CONNECTING;
	c->secctx = l->sec;
	c->l = l;
	c->t = t != NULL ? t : l->t;
	c->shared = t == NULL;
	c->local = c->t->local;
	c->peer = t != NULL ? t->peer : *peer;
	c->born_ms = c->last_ms = ev_now_ms();
	if ((c->next = l->sessions) != NULL)
		c->next->prev = c;
	l->sessions = c;
	if (c->shared) {
		slot = peer_slot(l, &c->peer);
		c->hnext = l->bucket[slot];
		l->bucket[slot] = c;
	}
	if (c->ops->init != NULL && c->ops->init(c, true, &err) == -1) {
		sess_end(c, &err);
		return NULL;
	}
	ipfix_chan_listener_watch(c);
	return c;
}

/* After input or readiness: handshake, open, deliver messages, end. */
static void
sess_process(struct ipfix_chan *c)
{
	struct ipfix_chan_listener *l = c->l;
	enum ipfix_chan_state st;
	struct ipfix_err err;
	struct ipfix_tmsg m;
	int rc;

	if (c->doomed)
		return;
	ipfix_err_clear(&err);
	if ((st = ipfix_chan_service(c, &err)) == IPFIX_CHAN_FAILED) {
		sess_end(c, &err);
		return;
	}
	if (st == IPFIX_CHAN_UP && !c->opened) {
		c->opened = true;
		l->st.sessions_opened++;
		if (l->cb.on_open != NULL)
			l->cb.on_open(l->arg, c);
	}
	while (!c->doomed && c->opened) {
		rc = ipfix_chan_recv(c, &m, &err);
		if (rc == IPFIX_T_AGAIN)
			break;
		if (rc != IPFIX_T_OK) {
			sess_end(c, rc == IPFIX_T_EOF ? NULL : &err);
			return;
		}
		c->last_ms = ev_now_ms();
		c->got_msg = true;
		if (l->cb.on_message != NULL)
			l->cb.on_message(l->arg, c, &m);
	}
	if (c->state == IPFIX_CHAN_CLOSED)
		sess_end(c, NULL);
	ipfix_chan_listener_watch(c);
}

/* --- the listener's own descriptor ---------------------------------------- */

static void
lsn_accept(struct ipfix_chan_listener *l)
{
	struct ipfix_transport *t;
	struct ipfix_tpeer none;
	struct ipfix_chan *c;
	struct ipfix_err err;
	int i, rc;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		rc = ipfix_transport_accept(l->t, &t, &err);
		if (rc == IPFIX_T_AGAIN)
			return;
		if (rc != IPFIX_T_OK) {
			memset(&none, 0, sizeof(none));
			ipfix_chan_listener_refuse(l, &none, &err);
			return;
		}
		if ((c = sess_new(l, t, NULL)) != NULL)
			sess_process(c);
	}
}

static void
lsn_input(struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct ipfix_err err;

	c->last_ms = ev_now_ms();
	if (c->ops->input != NULL && c->ops->input(c, m, &err) == -1) {
		sess_end(c, &err);
		return;
	}
	sess_process(c);
}

/* A plain UDP datagram from a peer without a session: only an IPFIX
 * message header earns one (junk from many ports would fill the table). */
static bool
lsn_admit(struct ipfix_chan_listener *l, const struct ipfix_tmsg *m)
{
	struct ipfix_err err;

	if (l->t->proto != IPFIX_TP_UDP ||
	    ipfix_chan_admit_udp(m->data, m->len))
		return true;
	l->st.not_ipfix++;
	ipfix_err_set(&err, IPFIX_E_VERSION, IPFIX_NO_OFFSET, NULL,
	    "no session for a datagram that is not an IPFIX message "
	    "(%zu bytes, starting 0x%02x%02x)", m->len,
	    m->len > 0 ? m->data[0] : 0, m->len > 1 ? m->data[1] : 0);
	ipfix_chan_listener_refuse(l, &m->peer, &err);
	return false;
}

/* One datagram, SCTP user message or association event. */
static void
lsn_msg(struct ipfix_chan_listener *l, const struct ipfix_tmsg *m)
{
	struct ipfix_chan *c = ipfix_chan_listener_find(l, &m->peer);
	struct ipfix_err err;
	int verdict;

	if (m->event == IPFIX_TEV_DOWN) {
		if (c != NULL)
			sess_end(c, NULL);
		return;
	}
	if (m->event == IPFIX_TEV_UP) {
		if (c == NULL && (c = sess_new(l, NULL, &m->peer)) != NULL)
			sess_process(c);
		return;
	}
	if (l->ops->gate != NULL)
		verdict = l->ops->gate(l, m, c);
	else if (c == NULL && !lsn_admit(l, m))
		return;
	else
		verdict = c != NULL ? CHAN_GATE_PASS : CHAN_GATE_NEW;
	if (verdict == CHAN_GATE_PASS && c != NULL) {
		lsn_input(c, m);
		return;
	}
	if (verdict != CHAN_GATE_NEW)
		return;
	if (c != NULL) {
		ipfix_err_set(&err, IPFIX_E_TLS, IPFIX_NO_OFFSET, "C89",
		    "replaced by a new handshake from the same address and "
		    "port (RFC 6347 4.2.8)");
		sess_end(c, &err);
	}
	if ((c = sess_new(l, NULL, &m->peer)) == NULL)
		return;
	if (l->ops->gate == NULL)
		lsn_input(c, m);
	else
		sess_process(c);
}

static void
lsn_recv(struct ipfix_chan_listener *l)
{
	struct ipfix_tmsg m;
	struct ipfix_err err;
	int i, rc;

	for (i = 0; i < RECV_BATCH; i++) {
		rc = ipfix_transport_recv(l->t, &m, &err);
		if (rc == IPFIX_T_AGAIN || rc == IPFIX_T_EOF)
			return;
		if (rc == IPFIX_T_ERR) {
			ipfix_chan_listener_refuse(l, &m.peer, &err);
			return;
		}
		lsn_msg(l, &m);
	}
}

static void
lsn_fd_cb(struct ev_loop *ev, int fd, int mask, void *arg)
{
	struct ipfix_chan_listener *l = arg;

	(void)ev;
	(void)fd;
	(void)mask;
	l->busy++;
	if (l->t->proto == IPFIX_TP_TCP)
		lsn_accept(l);
	else
		lsn_recv(l);
	l->busy--;
	lsn_reap(l);
}

/* --- timers --------------------------------------------------------------- */

/* The session's deadlines: handshake, first message, silence. */
static bool
sess_expired(struct ipfix_chan *c, uint64_t now, struct ipfix_err *err)
{
	struct ipfix_chan_listener *l = c->l;
	unsigned hs;

	if (!c->opened && l->sec != NULL) {
		hs = ipfix_sec_ctx_hs_timeout(l->sec);
		if (now - c->born_ms >= hs) {
			ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
			    "handshake not done within %u ms", hs);
			return true;
		}
	}
	if (!c->got_msg && now - c->born_ms >= l->lim.first_msg_ms) {
		l->st.timed_out++;
		ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "no IPFIX message within %u ms", l->lim.first_msg_ms);
		return true;
	}
	if (now - c->last_ms >= l->lim.idle_timeout_ms) {
		l->st.timed_out++;
		/* A handshake that went quiet is a refusal, not an idle
		 * session (a DTLS Finished under a wrong PSK is dropped
		 * without an alert; the idle timeout may come first). */
		if (!c->opened && l->sec != NULL)
			ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
			    "handshake not done: the peer went quiet for %u "
			    "ms", l->lim.idle_timeout_ms);
		else
			ipfix_err_set(err, IPFIX_OK, IPFIX_NO_OFFSET, NULL,
			    "idle for %u ms", l->lim.idle_timeout_ms);
		return true;
	}
	return false;
}

static void
sess_tick(struct ipfix_chan *c, uint64_t now)
{
	struct ipfix_err err, scratch;

	ipfix_err_clear(&err);
	if (sess_expired(c, now, &err)) {
		/* idle UDP sessions end quietly, as they always did */
		if (c->opened && !c->shared)
			(void)c->ops->shutdown(c, &scratch);
		sess_end(c, err.code == IPFIX_OK && c->shared ? NULL : &err);
		return;
	}
	if (c->ops->timeout_ms(c) == 0)
		sess_process(c);
}

static long
lsn_tick(struct ev_loop *ev, long long id, void *arg)
{
	struct ipfix_chan_listener *l = arg;
	struct ipfix_chan *c;
	uint64_t now = ev_now_ms();

	(void)ev;
	(void)id;
	l->busy++;
	for (c = l->sessions; c != NULL; c = c->next)
		if (!c->doomed)
			sess_tick(c, now);
	l->busy--;
	lsn_reap(l);
	return TICK_MS;
}

/* usrsctp's own timers. */
static long
lsn_service(struct ev_loop *ev, long long id, void *arg)
{
	struct ipfix_chan_listener *l = arg;
	struct ipfix_err err;
	struct ipfix_tpeer none;
	int next;

	(void)ev;
	(void)id;
	l->busy++;
	if (ipfix_transport_service(l->t, &err) == -1) {
		memset(&none, 0, sizeof(none));
		ipfix_chan_listener_refuse(l, &none, &err);
	}
	lsn_recv(l);
	l->busy--;
	lsn_reap(l);
	next = ipfix_transport_timeout(l->t);
	return next < 0 ? EV_STOP : next;
}

/* --- the listener ----------------------------------------------------------- */

static int
lsn_limits(struct ipfix_chan_listener *l, const struct ipfix_listen_limits *lim,
    struct ipfix_err *err)
{
	if (lim != NULL)
		l->lim = *lim;
	if (l->lim.max_sessions == 0)
		l->lim.max_sessions = DEF_MAX_SESSIONS;
	if (l->lim.idle_timeout_ms == 0)
		l->lim.idle_timeout_ms = DEF_IDLE_MS;
	if (l->lim.first_msg_ms == 0)
		l->lim.first_msg_ms = DEF_FIRST_MSG_MS;
	/* About one session per slot at the limit. */
	for (l->nbucket = 64; l->nbucket < l->lim.max_sessions &&
	    l->nbucket < MAX_BUCKETS; l->nbucket *= 2)
		;
	if ((l->bucket = calloc(l->nbucket, sizeof(*l->bucket))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "listener: out of memory");
	return 0;
}

static int
lsn_register(struct ipfix_chan_listener *l, struct ipfix_err *err)
{
	int next;

	if (ev_fd_add(l->ev, l->t->fd, EV_READ, lsn_fd_cb, l, err) == -1)
		return -1;
	if ((l->tick_id = ev_timer_add(l->ev, TICK_MS, lsn_tick, l, err)) < 0)
		return -1;
	if ((next = ipfix_transport_timeout(l->t)) >= 0 &&
	    (l->svc_id = ev_timer_add(l->ev, next, lsn_service, l, err)) < 0)
		return -1;
	return 0;
}

struct ipfix_chan_listener *
ipfix_chan_listen(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *topts, struct ipfix_sec_ctx *sec,
    const struct ipfix_listen_limits *lim, struct ev_loop *ev,
    const struct ipfix_listen_ops *ops, void *arg, struct ipfix_err *err)
{
	const struct ipfix_chan_ops *kind;
	struct ipfix_chan_listener *l;

	if ((kind = ipfix_chan_kind(ep, sec, err)) == NULL)
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "listener: out of memory");
		return NULL;
	}
	l->ops = kind;
	l->scheme = ep->scheme;
	l->ev = ev;
	if (ops != NULL)
		l->cb = *ops;
	l->arg = arg;
	l->sec = sec;
	ipfix_chan_topts(ep, topts, &l->topts);
	if (lsn_limits(l, lim, err) == -1 ||
	    (l->t = ipfix_transport_listen(ep, &l->topts, err)) == NULL || (kind->linit != NULL && kind->linit(l, err) == -1) ||
	    lsn_register(l, err) == -1) {
		ipfix_chan_listener_free(l);
		return NULL;
	}
	return l;
}

void
ipfix_chan_listener_drop(struct ipfix_chan_listener *l, struct ipfix_chan *c)
{
	struct ipfix_err err;

	if (c == NULL || c->l != l || c->doomed)
		return;
	/* A courtesy to the peer (close_notify, FIN); its end is not
	 * awaited. */
	if (c->opened)
		(void)c->ops->shutdown(c, &err);
	sess_end(c, NULL);
}

void
ipfix_chan_listener_stats(const struct ipfix_chan_listener *l,
    struct ipfix_listen_stats *st)
{
	*st = l->st;
	st->handshakes_pending = lsn_count(l, true, NULL);
	st->sessions_open = lsn_count(l, false, NULL) -
	    st->handshakes_pending;
}

void
ipfix_chan_listener_free(struct ipfix_chan_listener *l)
{
	struct ipfix_chan *c;

	if (l == NULL)
		return;
	l->busy++;
	for (c = l->sessions; c != NULL; c = c->next)
		ipfix_chan_listener_drop(l, c);
	l->busy--;
	lsn_reap(l);
	if (l->t != NULL && ev_fd_mask(l->ev, l->t->fd) != EV_NONE)
		ev_fd_del(l->ev, l->t->fd, EV_READ | EV_WRITE);
	if (l->tick_id > 0)
		(void)ev_timer_del(l->ev, l->tick_id);
	if (l->svc_id > 0)
		(void)ev_timer_del(l->ev, l->svc_id);
	if (l->ops->lfree != NULL)
		l->ops->lfree(l);
	ipfix_transport_close(l->t);
	free(l->bucket);
	free(l);
}

const struct ipfix_tpeer *
ipfix_chan_listener_local(const struct ipfix_chan_listener *l)
{
	return &l->t->local;
}
