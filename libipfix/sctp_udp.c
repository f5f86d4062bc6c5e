/*
 * sctp_udp: SCTP over UDP encapsulation (RFC 6951) through usrsctp,
 * without its threads: usrsctp_init_nothreads with AF_CONN, so this module
 * owns the UDP socket. Datagrams read from it go to usrsctp_conninput,
 * usrsctp's packets come back through conn_output, and its timers run from
 * ipfix_transport_service, which the caller's event loop drives (every
 * ipfix_transport_timeout ms). A client is a one-to-one association over a
 * connected UDP socket; a listener is one one-to-many socket over one
 * unconnected UDP socket, with one registered AF_CONN address per peer.
 * PR-SCTP uses the RTX policy: usrsctp 0.9.5's timed policy abandons
 * nothing (usrsctp issue #193, platform-notes §1).
 */
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <usrsctp.h>

#include "evloop.h"
#include "transport.h"

#define SU_BUF		(IPFIX_MSG_MAX + 1)
#define SU_DGRAM	65536
#define SU_STREAMS	16
#define SU_MAX_PEERS	1024
#define SU_TICK_MS	10	/* usrsctp's timer granularity */
#define SU_PUMP_MAX	64	/* datagrams per pump, so one busy peer
				   cannot starve the caller's loop */
#define SU_PEER_GRACE_MS 1000	/* a peer whose associations all ended,
				   and quiet this long, may be reused */

struct su;

/* An AF_CONN address: usrsctp hands it back to conn_output. A
 * listener's peer is freed only once no association can use it. */
struct su_peer {
	struct su *owner;
	struct sockaddr_storage addr;	/* UDP address; len 0 = connected */
	socklen_t len;
	unsigned assocs;		/* up, by ASSOC_CHANGE events */
	bool was_up;
	uint64_t last_ms;		/* last datagram or association end */
};

struct su {
	struct ipfix_transport t;
	struct socket *so;
	struct su_peer self;		/* the client's one peer */
	struct su_peer **peers;		/* listener: one per UDP source */
	size_t npeers, maxpeers;
	uint8_t *buf;			/* one reassembled user message */
	size_t have;
	uint8_t *dgram;			/* one UDP datagram */
	struct su_peer *from;		/* of the last user message read */
	bool connecting;
	struct ipfix_err fail;		/* sticky: the UDP socket failed */
	bool failed;
};

/*
 * usrsctp is one stack per process, so its start and its clock are kept
 * here, the only mutable file-scope state of the library: usrsctp itself
 * is process-global and cannot be given a context.
 */
static struct {
	bool started;
	uint64_t last_tick;
} su_stack;

static int
su_conn_output(void *addr, void *data, size_t len, uint8_t tos,
    uint8_t set_df)
{
	struct su_peer *p = addr;
	ssize_t n;

	(void)tos;
	(void)set_df;
	if (p->len > 0)
		n = sendto(p->owner->t.fd, data, len, 0,
		    (struct sockaddr *)&p->addr, p->len);
	else
		n = send(p->owner->t.fd, data, len, 0);
	/* A lost datagram is SCTP's to retransmit. */
	return n == -1 ? errno : 0;
}

/* Started once and never finished: usrsctp cannot be restarted reliably
 * in one process, and an idle stack costs nothing. */
static void
su_stack_start(void)
{
	if (su_stack.started)
		return;
	/* Port 0: usrsctp opens no UDP socket of its own. */
	usrsctp_init_nothreads(0, su_conn_output, NULL);
	usrsctp_sysctl_set_sctp_pr_enable(1);
	su_stack.started = true;
	su_stack.last_tick = ev_now_ms();
}

static void
su_tick(void)
{
	uint64_t now = ev_now_ms();
	uint64_t d = now - su_stack.last_tick;

	if (d == 0)
		return;
	su_stack.last_tick = now;
	usrsctp_handle_timers((uint32_t)(d > 60000 ? 60000 : d));
}

/* --- peers --------------------------------------------------------------- */

/* Free the peers whose associations all ended a while ago (every
 * hand-off of an exporter comes from a new UDP port: without this the
 * limit ended a collector's service after that many). A peer that never
 * had an association stays: one may be coming up unseen. */
static void
su_peers_reclaim(struct su *s)
{
	uint64_t now = ev_now_ms();
	struct su_peer *p;
	size_t i = 0;

	while (i < s->npeers) {
		p = s->peers[i];
		if (!p->was_up || p->assocs > 0 ||
		    now - p->last_ms < SU_PEER_GRACE_MS) {
			i++;
			continue;
		}
		usrsctp_deregister_address(p);
		free(p);
		s->peers[i] = s->peers[--s->npeers];
	}
}

static struct su_peer *
su_peer_find(struct su *s, const struct sockaddr_storage *ss, socklen_t len)
{
	struct su_peer *p, **np;
	size_t i;

	for (i = 0; i < s->npeers; i++)
		if (s->peers[i]->len == len &&
		    memcmp(&s->peers[i]->addr, ss, len) == 0)
			return s->peers[i];
	if (s->npeers >= s->maxpeers)
		su_peers_reclaim(s);
	if (s->npeers >= s->maxpeers)
		return NULL;	/* the limit: new peers are not served */
	np = realloc(s->peers, (s->npeers + 1) * sizeof(*np));
	if (np == NULL)
		return NULL;
	s->peers = np;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->owner = s;
	memcpy(&p->addr, ss, len);
	p->len = len;
	usrsctp_register_address(p);
	s->peers[s->npeers++] = p;
	return p;
}

/* A UDP socket error is kept: an ICMP error is reported only once by
 * the kernel, and whoever drives the pump (service or recv) must not
 * swallow it. */
static int
su_fail(struct su *s, struct ipfix_err *err)
{
	if (!s->failed) {
		s->failed = true;
		ipfix_err_sys(&s->fail, IPFIX_E_NET, "sctp-udp: UDP "
		    "encapsulation socket%s", errno == ECONNREFUSED ?
		    " (peer's port unreachable)" : "");
	}
	if (err != NULL)
		*err = s->fail;
	return -1;
}

/* Feed what the UDP socket holds to usrsctp. */
static int
su_pump(struct su *s, struct ipfix_err *err)
{
	struct sockaddr_storage ss;
	struct su_peer *p;
	socklen_t len;
	ssize_t n;
	int i;

	if (s->failed)
		return su_fail(s, err);
	su_tick();
	for (i = 0; i < SU_PUMP_MAX; i++) {
		len = sizeof(ss);
		n = recvfrom(s->t.fd, s->dgram, SU_DGRAM, 0,
		    (struct sockaddr *)&ss, &len);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			return su_fail(s, err);
		}
		p = s->t.listener ? su_peer_find(s, &ss, len) : &s->self;
		if (p == NULL)
			continue;
		p->last_ms = ev_now_ms();
		usrsctp_conninput(p, s->dgram, (size_t)n, 0);
	}
	return 0;
}

/* --- the transport -------------------------------------------------------- */

static int
su_errno(const char *op, struct ipfix_err *err)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return IPFIX_T_AGAIN;
	if (errno == EMSGSIZE)
		return ipfix_err_sys(err, IPFIX_E_LIMIT, "sctp-udp %s", op);
	return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp %s", op);
}

static int
su_check_connect(struct su *s, struct ipfix_err *err)
{
	int ev;

	if (!s->connecting)
		return IPFIX_T_OK;
	if (su_pump(s, err) == -1)
		return IPFIX_T_ERR;
	ev = usrsctp_get_events(s->so);
	if (ev & SCTP_EVENT_ERROR)
		return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "sctp-udp: association could not be set up");
	if (!(ev & SCTP_EVENT_WRITE))
		return IPFIX_T_AGAIN;
	s->connecting = false;
	return IPFIX_T_OK;
}

static int
su_flush(struct ipfix_transport *t, struct ipfix_err *err)
{
	return su_check_connect((struct su *)t, err);
}

static bool
su_want_write(struct ipfix_transport *t)
{
	return ((struct su *)t)->connecting;
}

static int
su_send(struct ipfix_transport *t, const void *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct su *s = (struct su *)t;
	struct sctp_sendv_spa spa;
	int rc;

	if ((rc = su_check_connect(s, err)) != IPFIX_T_OK)
		return rc;
	if (s->failed)
		return su_fail(s, err);
	if (t->listener && (how == NULL || how->peer == NULL))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "sctp-udp listener: send needs a peer association");
	memset(&spa, 0, sizeof(spa));
	spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
	if (how != NULL) {
		spa.sendv_sndinfo.snd_sid = how->stream;
		spa.sendv_sndinfo.snd_flags = how->unordered ?
		    SCTP_UNORDERED : 0;
		if (how->peer != NULL)
			spa.sendv_sndinfo.snd_assoc_id = how->peer->assoc;
		if (how->pr_rtx >= 0) {
			spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
			spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
			spa.sendv_prinfo.pr_value = (uint32_t)how->pr_rtx;
		}
	}
	if (usrsctp_sendv(s->so, msg, len, NULL, 0, &spa, sizeof(spa),
	    SCTP_SENDV_SPA, 0) < 0)
		return su_errno("send", err);
	return IPFIX_T_OK;
}

/* A listener's peer counts its associations: only the ends of ones that
 * came up are counted down (a restart is the same association). */
static void
su_peer_count(struct su_peer *p, uint16_t state)
{
	if (state == SCTP_COMM_UP) {
		p->assocs++;
		p->was_up = true;
	} else if ((state == SCTP_COMM_LOST || state == SCTP_SHUTDOWN_COMP) &&
	    p->assocs > 0)
		p->assocs--;
	p->last_ms = ev_now_ms();
}

static enum ipfix_tevent
su_notification(struct su *s, const uint8_t *p, size_t len,
    struct ipfix_tmsg *m)
{
	struct sctp_assoc_change ac;

	if (len < sizeof(ac))
		return IPFIX_TEV_NONE;
	memcpy(&ac, p, sizeof(ac));
	if (ac.sac_type != SCTP_ASSOC_CHANGE)
		return IPFIX_TEV_NONE;
	if (s->t.listener && s->from != NULL)
		su_peer_count(s->from, ac.sac_state);
	m->peer.assoc = (uint32_t)ac.sac_assoc_id;
	if (ac.sac_state == SCTP_COMM_UP || ac.sac_state == SCTP_RESTART)
		return IPFIX_TEV_UP;
	return IPFIX_TEV_DOWN;
}

/* The UDP peer behind an AF_CONN source address. */
static struct su_peer *
su_from(struct su *s, const struct sockaddr_conn *sc, struct ipfix_tmsg *m)
{
	struct su_peer *p = sc->sconn_addr;

	if (sc->sconn_family != AF_CONN || p == NULL || p->owner != s)
		return NULL;
	if (p->len > 0) {
		memcpy(&m->peer.addr, &p->addr, p->len);
		m->peer.addrlen = p->len;
	} else
		m->peer = s->t.peer;
	return p;
}

static int
su_recv_part(struct su *s, struct ipfix_tmsg *m, int *flags,
    struct ipfix_err *err)
{
	struct sockaddr_conn from;
	struct sctp_rcvinfo ri;
	socklen_t fromlen = sizeof(from), infolen = sizeof(ri);
	unsigned int infotype = 0;
	ssize_t n;

	if (s->have >= SU_BUF)
		return ipfix_err_set(err, IPFIX_E_LENGTH, IPFIX_NO_OFFSET,
		    NULL, "sctp-udp: message longer than %d bytes",
		    IPFIX_MSG_MAX);
	memset(&from, 0, sizeof(from));
	memset(&ri, 0, sizeof(ri));
	*flags = 0;
	n = usrsctp_recvv(s->so, s->buf + s->have, SU_BUF - s->have,
	    (struct sockaddr *)&from, &fromlen, &ri, &infolen, &infotype,
	    flags);
	if (n < 0)
		return su_errno("recv", err);
	if (n == 0)
		return IPFIX_T_EOF;
	s->have += (size_t)n;
	s->from = su_from(s, &from, m);
	if (infotype == SCTP_RECVV_RCVINFO) {
		m->stream = ri.rcv_sid;
		m->unordered = (ri.rcv_flags & SCTP_UNORDERED) != 0;
		m->peer.assoc = (uint32_t)ri.rcv_assoc_id;
	}
	return IPFIX_T_OK;
}

static int
su_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct su *s = (struct su *)t;
	int rc, flags;

	if (su_pump(s, err) == -1)
		return IPFIX_T_ERR;
	for (;;) {
		do {
			if ((rc = su_recv_part(s, m, &flags, err)) !=
			    IPFIX_T_OK)
				return rc;
		} while (!(flags & MSG_EOR));
		m->data = s->buf;
		m->len = s->have;
		s->have = 0;
		if (!(flags & MSG_NOTIFICATION))
			return IPFIX_T_OK;
		m->event = su_notification(s, m->data, m->len, m);
		m->data = NULL;
		m->len = 0;
		if (m->event != IPFIX_TEV_NONE)
			return IPFIX_T_OK;
	}
}

static int
su_shutdown(struct ipfix_transport *t, struct ipfix_err *err)
{
	struct su *s = (struct su *)t;

	if (t->listener)
		return IPFIX_T_OK;
	/* SHUTDOWN once everything queued is acknowledged; recv gives EOF
	 * when the association is closed. */
	if (usrsctp_shutdown(s->so, SHUT_WR) < 0 && errno != ENOTCONN)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp shutdown");
	return IPFIX_T_OK;
}

static int
su_timeout(struct ipfix_transport *t)
{
	(void)t;
	return SU_TICK_MS;
}

static int
su_service(struct ipfix_transport *t, struct ipfix_err *err)
{
	return su_pump((struct su *)t, err);
}

static int
su_auth(struct ipfix_transport *t, enum ipfix_tauth_op op, uint32_t assoc,
    uint16_t keynum, const uint8_t *key, size_t len, struct ipfix_err *err)
{
	struct su *s = (struct su *)t;
	struct sctp_authkeyid id = { .scact_assoc_id = assoc,
	    .scact_keynumber = keynum };
	struct sctp_authkey *k;
	int rc;

	if (op == IPFIX_AUTH_ACTIVATE || op == IPFIX_AUTH_DELETE) {
		rc = usrsctp_setsockopt(s->so, IPPROTO_SCTP,
		    op == IPFIX_AUTH_ACTIVATE ? SCTP_AUTH_ACTIVE_KEY :
		    SCTP_AUTH_DELETE_KEY, &id, sizeof(id));
	} else {
		if ((k = calloc(1, sizeof(*k) + len)) == NULL)
			return ipfix_err_set(err, IPFIX_E_NOMEM,
			    IPFIX_NO_OFFSET, NULL, "sctp-udp: out of memory");
		k->sca_assoc_id = assoc;
		k->sca_keynumber = keynum;
		k->sca_keylength = (uint16_t)len;
		if (len > 0)
			memcpy(k->sca_key, key, len);
		rc = usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_AUTH_KEY, k,
		    (socklen_t)(sizeof(*k) + len));
		explicit_bzero(k, sizeof(*k) + len);
		free(k);
	}
	if (rc < 0)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: AUTH key "
		    "%u", keynum);
	return 0;
}

static void
su_free(struct ipfix_transport *t)
{
	struct su *s = (struct su *)t;
	struct linger l = { 1, 0 };
	size_t i;

	if (s->so != NULL) {
		/* Abort rather than linger: usrsctp must not call
		 * conn_output with peers freed below. */
		(void)usrsctp_setsockopt(s->so, SOL_SOCKET, SO_LINGER, &l,
		    sizeof(l));
		usrsctp_close(s->so);
	}
	for (i = 0; i < s->npeers; i++) {
		usrsctp_deregister_address(s->peers[i]);
		free(s->peers[i]);
	}
	if (s->self.owner != NULL)
		usrsctp_deregister_address(&s->self);
	if (t->fd != -1)
		close(t->fd);
	free(s->peers);
	free(s->buf);
	free(s->dgram);
	free(s);
}

static const struct ipfix_transport_ops su_ops = {
	.name = "sctp-udp",
	.send = su_send,
	.flush = su_flush,
	.recv = su_recv,
	.shutdown = su_shutdown,
	.want_write = su_want_write,
	.timeout = su_timeout,
	.service = su_service,
	.auth = su_auth,
	.free = su_free,
};

/* --- opening -------------------------------------------------------------- */

static int
su_sockopts(struct su *s, const struct ipfix_topts *o, bool listen,
    sa_family_t family, struct ipfix_err *err)
{
	struct sctp_initmsg im;
	struct sctp_event ev;
	struct sctp_paddrparams pp;
	int on = 1;

	memset(&im, 0, sizeof(im));
	im.sinit_num_ostreams = o->streams ? o->streams : SU_STREAMS;
	im.sinit_max_instreams = 2048;
	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = SCTP_ASSOC_CHANGE;
	ev.se_on = listen;
	/* The AF_CONN default path MTU is about 1280; RFC 6951 §5.6: the
	 * UDP path MTU minus the 8-byte UDP header. */
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
	pp.spp_flags = SPP_PMTUD_DISABLE;
	pp.spp_pathmtu = o->sctp_mtu ? o->sctp_mtu :
	    (family == AF_INET6 ? 1500 - 40 - 8 : 1500 - 20 - 8);
	if (usrsctp_set_non_blocking(s->so, 1) < 0 ||
	    usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_INITMSG, &im,
	    sizeof(im)) < 0 ||
	    usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on,
	    sizeof(on)) < 0 ||
	    usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_NODELAY, &on,
	    sizeof(on)) < 0 ||
	    usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_EVENT, &ev,
	    sizeof(ev)) < 0 ||
	    usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS,
	    &pp, sizeof(pp)) < 0)
		return ipfix_err_sys(err, IPFIX_E_NET,
		    "sctp-udp: socket options");
	return 0;
}

/* Authenticate DATA and FORWARD-TSN (RFC 6083 §4.5), before the INIT. */
static int
su_auth_chunks(struct su *s, struct ipfix_err *err)
{
	struct sctp_authchunk c = { .sauth_chunk = 0x00 };

	if (usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &c,
	    sizeof(c)) == 0) {
		c.sauth_chunk = 0xc0;
		if (usrsctp_setsockopt(s->so, IPPROTO_SCTP, SCTP_AUTH_CHUNK,
		    &c, sizeof(c)) == 0)
			return 0;
	}
	return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: SCTP-AUTH chunks");
}

static void
su_conn_addr(struct sockaddr_conn *sc, uint16_t port, void *addr)
{
	memset(sc, 0, sizeof(*sc));
	sc->sconn_family = AF_CONN;
	sc->sconn_port = htons(port);
	sc->sconn_addr = addr;
}

static int
su_open_client(struct su *s, const struct ipfix_addr *a, uint16_t sport,
    struct ipfix_err *err)
{
	struct sockaddr_conn sc;

	s->self.owner = s;
	usrsctp_register_address(&s->self);
	su_conn_addr(&sc, 0, &s->self);
	if (usrsctp_bind(s->so, (struct sockaddr *)&sc, sizeof(sc)) < 0)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: bind");
	su_conn_addr(&sc, sport, &s->self);
	if (usrsctp_connect(s->so, (struct sockaddr *)&sc, sizeof(sc)) < 0 &&
	    errno != EINPROGRESS)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: connect");
	s->connecting = true;
	(void)a;
	return 0;
}

static int
su_open_listener(struct su *s, uint16_t sport, struct ipfix_err *err)
{
	struct sockaddr_conn sc;

	/* No address: every registered peer address is accepted. */
	su_conn_addr(&sc, sport, NULL);
	if (usrsctp_bind(s->so, (struct sockaddr *)&sc, sizeof(sc)) < 0)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: bind port "
		    "%u", sport);
	if (usrsctp_listen(s->so, 1) < 0)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: listen");
	return 0;
}

static uint16_t
addr_set_port(struct ipfix_addr *a, uint16_t port)
{
	uint16_t old = ipfix_addr_port((struct sockaddr *)&a->ss);

	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	return old;
}

static struct su *
su_new(const struct ipfix_topts *o, bool listen, struct ipfix_err *err)
{
	struct su *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->buf = malloc(SU_BUF)) == NULL ||
	    (s->dgram = malloc(SU_DGRAM)) == NULL) {
		if (s != NULL)
			free(s->buf);
		free(s);
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "sctp-udp: out of memory");
		return NULL;
	}
	s->t.ops = &su_ops;
	s->t.proto = IPFIX_TP_SCTP_UDP;
	s->t.listener = listen;
	s->t.fd = -1;
	s->maxpeers = o->max_peers ? o->max_peers : SU_MAX_PEERS;
	return s;
}

struct ipfix_transport *
ipfix_sctp_udp_open(const struct ipfix_addr *a, bool passive,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	static const struct ipfix_topts defaults;
	struct ipfix_addr udp = *a;
	uint16_t sport;
	struct su *s;

	if (o == NULL)
		o = &defaults;
	if ((s = su_new(o, passive, err)) == NULL)
		return NULL;
	sport = addr_set_port(&udp, o->encap_port ? o->encap_port :
	    IPFIX_SCTP_UDP_PORT);
	if ((s->t.fd = ipfix_tsock(&udp, SOCK_DGRAM, IPPROTO_UDP, passive, o,
	    err)) == -1 || (!passive && ipfix_tsock_connect(s->t.fd, &udp,
	    err) == -1))
		goto fail;
	ipfix_tsock_names(s->t.fd, &s->t);
	su_stack_start();
	s->so = usrsctp_socket(AF_CONN, passive ? SOCK_SEQPACKET : SOCK_STREAM,
	    IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (s->so == NULL) {
		ipfix_err_sys(err, IPFIX_E_NET, "sctp-udp: usrsctp_socket");
		goto fail;
	}
	if (su_sockopts(s, o, passive, a->ss.ss_family, err) == -1 ||
	    (o->sctp_auth && su_auth_chunks(s, err) == -1) ||
	    (passive ? su_open_listener(s, sport, err) :
	    su_open_client(s, a, sport, err)) == -1)
		goto fail;
	return &s->t;
fail:
	su_free(&s->t);
	return NULL;
}
