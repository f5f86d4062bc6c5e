/*
 * sctp: kernel SCTP through the lksctp socket API (no libsctp needed:
 * plain sendmsg/recvmsg with SCTP_SNDRCV/SCTP_RCVINFO control messages).
 * A client is a one-to-one socket; a listener is one one-to-many socket
 * whose recv yields messages and association events of every peer. PR-SCTP
 * uses the retransmission-count policy. Where the kernel has no SCTP the
 * open fails at once and names --sctp-udp-encap.
 */
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define SCTP_BUF	(IPFIX_MSG_MAX + 1)
#define SCTP_STREAMS	16

struct ksctp {
	struct ipfix_transport t;
	uint8_t *buf;
	size_t have;		/* bytes of a partly delivered message */
	bool connecting;
};

static int
ksctp_errno(const char *op, struct ipfix_err *err)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return IPFIX_T_AGAIN;
	if (errno == EMSGSIZE)
		return ipfix_err_sys(err, IPFIX_E_LIMIT, "sctp %s", op);
	return ipfix_err_sys(err, IPFIX_E_NET, "sctp %s", op);
}

static int
ksctp_check_connect(struct ksctp *s, struct ipfix_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int e = 0;

	if (!s->connecting)
		return IPFIX_T_OK;
	if (getsockopt(s->t.fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 &&
	    e != 0) {
		errno = e;
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp connect");
	}
	len = sizeof(ss);
	if (getpeername(s->t.fd, (struct sockaddr *)&ss, &len) == -1)
		return IPFIX_T_AGAIN;
	s->connecting = false;
	ipfix_tsock_names(s->t.fd, &s->t);
	return IPFIX_T_OK;
}

static int
ksctp_flush(struct ipfix_transport *t, struct ipfix_err *err)
{
	return ksctp_check_connect((struct ksctp *)t, err);
}

static bool
ksctp_want_write(struct ipfix_transport *t)
{
	return ((struct ksctp *)t)->connecting;
}

static void
ksctp_sndinfo(struct sctp_sndrcvinfo *si, const struct ipfix_tsend *how)
{
	memset(si, 0, sizeof(*si));
	if (how == NULL)
		return;
	si->sinfo_stream = how->stream;
	if (how->unordered)
		si->sinfo_flags |= SCTP_UNORDERED;
	if (how->pr_rtx >= 0) {
		si->sinfo_flags |= SCTP_PR_SCTP_RTX;
		si->sinfo_timetolive = (uint32_t)how->pr_rtx;
	}
	if (how->peer != NULL)
		si->sinfo_assoc_id = (sctp_assoc_t)how->peer->assoc;
}

static int
ksctp_send(struct ipfix_transport *t, const void *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndrcvinfo))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg,
	    .iov_len = len };
	struct msghdr mh;
	struct cmsghdr *c;
	struct sctp_sndrcvinfo si;
	int rc;

	if ((rc = ksctp_check_connect((struct ksctp *)t, err)) != IPFIX_T_OK)
		return rc;
	if (t->listener && (how == NULL || how->peer == NULL))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "sctp listener: send needs a peer association");
	ksctp_sndinfo(&si, how);
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_SNDRCV;
	c->cmsg_len = CMSG_LEN(sizeof(si));
	memcpy(CMSG_DATA(c), &si, sizeof(si));
	if (sendmsg(t->fd, &mh, MSG_NOSIGNAL) == -1)
		return ksctp_errno("send", err);
	return IPFIX_T_OK;
}

static void
ksctp_rcvinfo(struct msghdr *mh, struct ipfix_tmsg *m)
{
	struct cmsghdr *c;
	struct sctp_rcvinfo ri;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != IPPROTO_SCTP ||
		    c->cmsg_type != SCTP_RCVINFO ||
		    c->cmsg_len < CMSG_LEN(sizeof(ri)))
			continue;
		memcpy(&ri, CMSG_DATA(c), sizeof(ri));
		m->stream = ri.rcv_sid;
		m->unordered = (ri.rcv_flags & SCTP_UNORDERED) != 0;
		m->peer.assoc = (uint32_t)ri.rcv_assoc_id;
	}
}

/* An association change becomes UP/DOWN (*state: sac_state); other
 * notifications NONE. */
static enum ipfix_tevent
ksctp_notification(const uint8_t *p, size_t len, struct ipfix_tmsg *m,
    int *state)
{
	struct sctp_assoc_change ac;

	if (len < sizeof(ac))
		return IPFIX_TEV_NONE;
	memcpy(&ac, p, sizeof(ac));
	if (ac.sac_type != SCTP_ASSOC_CHANGE)
		return IPFIX_TEV_NONE;
	m->peer.assoc = (uint32_t)ac.sac_assoc_id;
	*state = ac.sac_state;
	if (ac.sac_state == SCTP_COMM_UP || ac.sac_state == SCTP_RESTART)
		return IPFIX_TEV_UP;
	return IPFIX_TEV_DOWN;
}

/* A client learns the end of its association from the notification:
 * the kernel does not always report EOF on a one-to-one socket. */
static int
ksctp_client_event(enum ipfix_tevent ev, int state, struct ipfix_err *err)
{
	if (ev != IPFIX_TEV_DOWN)
		return IPFIX_T_AGAIN;
	if (state == SCTP_SHUTDOWN_COMP)
		return IPFIX_T_EOF;
	return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
	    "sctp: association %s", state == SCTP_COMM_LOST ? "lost" :
	    state == SCTP_CANT_STR_ASSOC ? "could not be set up" : "ended");
}

static int
ksctp_recv_part(struct ksctp *s, struct ipfix_tmsg *m, int *flags,
    struct ipfix_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo)) + 64];
		struct cmsghdr align;
	} cm;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	if (s->have >= SCTP_BUF)
		return ipfix_err_set(err, IPFIX_E_LENGTH, IPFIX_NO_OFFSET,
		    NULL, "sctp: message longer than %d bytes", IPFIX_MSG_MAX);
	iov.iov_base = s->buf + s->have;
	iov.iov_len = SCTP_BUF - s->have;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_name = &m->peer.addr;
	mh.msg_namelen = sizeof(m->peer.addr);
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	if ((n = recvmsg(s->t.fd, &mh, 0)) == -1)
		return ksctp_errno("recv", err);
	if (n == 0)
		return IPFIX_T_EOF;
	s->have += (size_t)n;
	m->peer.addrlen = mh.msg_namelen;
	ksctp_rcvinfo(&mh, m);
	*flags = mh.msg_flags;
	return IPFIX_T_OK;
}

/* One message or association event; other notifications are skipped.
 * A client gets no events: EOF or an error when its association ends. */
static int
ksctp_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct ksctp *s = (struct ksctp *)t;
	int rc, flags, state = 0;

	for (;;) {
		flags = 0;
		do {
			rc = ksctp_recv_part(s, m, &flags, err);
			if (rc != IPFIX_T_OK)
				return rc;
		} while (!(flags & MSG_EOR));
		m->data = s->buf;
		m->len = s->have;
		s->have = 0;
		if (!t->listener)
			m->peer = t->peer;
		if (!(flags & MSG_NOTIFICATION))
			return IPFIX_T_OK;
		m->event = ksctp_notification(m->data, m->len, m, &state);
		m->data = NULL;
		m->len = 0;
		if (!t->listener) {
			rc = ksctp_client_event(m->event, state, err);
			m->event = IPFIX_TEV_NONE;
			if (rc != IPFIX_T_AGAIN)
				return rc;
		} else if (m->event != IPFIX_TEV_NONE)
			return IPFIX_T_OK;
	}
}

static int
ksctp_shutdown(struct ipfix_transport *t, struct ipfix_err *err)
{
	if (t->listener)
		return IPFIX_T_OK;
	/* SCTP's SHUTDOWN waits for every queued message to be acked. */
	if (shutdown(t->fd, SHUT_WR) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp shutdown");
	return IPFIX_T_OK;
}

static int
ksctp_auth(struct ipfix_transport *t, enum ipfix_tauth_op op, uint32_t assoc,
    uint16_t keynum, const uint8_t *key, size_t len, struct ipfix_err *err)
{
	struct sctp_authkeyid id = { .scact_assoc_id = (sctp_assoc_t)assoc,
	    .scact_keynumber = keynum };
	struct sctp_authkey *k;
	int rc;

	if (op == IPFIX_AUTH_ACTIVATE || op == IPFIX_AUTH_DELETE) {
		rc = setsockopt(t->fd, IPPROTO_SCTP, op == IPFIX_AUTH_ACTIVATE ?
		    SCTP_AUTH_ACTIVE_KEY : SCTP_AUTH_DELETE_KEY, &id,
		    sizeof(id));
	} else {
		if ((k = calloc(1, sizeof(*k) + len)) == NULL)
			return ipfix_err_set(err, IPFIX_E_NOMEM,
			    IPFIX_NO_OFFSET, NULL, "sctp: out of memory");
		k->sca_assoc_id = (sctp_assoc_t)assoc;
		k->sca_keynumber = keynum;
		k->sca_keylength = (uint16_t)len;
		if (len > 0)
			memcpy(k->sca_key, key, len);
		rc = setsockopt(t->fd, IPPROTO_SCTP, SCTP_AUTH_KEY, k,
		    (socklen_t)(sizeof(*k) + len));
		explicit_bzero(k, sizeof(*k) + len);
		free(k);
	}
	if (rc == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp: AUTH key %u",
		    keynum);
	return 0;
}

static void
ksctp_free(struct ipfix_transport *t)
{
	struct ksctp *s = (struct ksctp *)t;

	if (t->fd != -1)
		close(t->fd);
	free(s->buf);
	free(s);
}

static const struct ipfix_transport_ops ksctp_ops = {
	.name = "sctp",
	.send = ksctp_send,
	.flush = ksctp_flush,
	.recv = ksctp_recv,
	.shutdown = ksctp_shutdown,
	.want_write = ksctp_want_write,
	.auth = ksctp_auth,
	.free = ksctp_free,
};

static int
ksctp_setup(int fd, const struct ipfix_topts *o,
    struct ipfix_err *err)
{
	struct sctp_initmsg im;
	struct sctp_event_subscribe ev;
	int on = 1;

	memset(&im, 0, sizeof(im));
	im.sinit_num_ostreams = o->streams ? o->streams : SCTP_STREAMS;
	im.sinit_max_instreams = 65535;
	memset(&ev, 0, sizeof(ev));
	ev.sctp_association_event = 1;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) == -1 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev)) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "sctp socket options");
	return 0;
}

/* Authenticate DATA and FORWARD-TSN (RFC 6083 §4.5); before connect or
 * listen, so the INIT carries the chunk list. */
static int
ksctp_auth_chunks(int fd, struct ipfix_err *err)
{
	struct sctp_authchunk c = { .sauth_chunk = 0x00 };

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &c, sizeof(c)) == 0) {
		c.sauth_chunk = 0xc0;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &c,
		    sizeof(c)) == 0)
			return 0;
	}
	return ipfix_err_sys(err, IPFIX_E_NET, "sctp: SCTP-AUTH chunks "
	    "(is net.sctp.auth_enable 1?)");
}

/* RFC 6951 in the kernel: the peer's UDP port for the socket's future
 * associations (the wildcard address); the kernel's own UDP port is the
 * sysctl net.sctp.udp_port, which must be set for this to work. */
static int
ksctp_encaps(int fd, uint16_t port, struct ipfix_err *err)
{
	struct sctp_udpencaps ue;

	memset(&ue, 0, sizeof(ue));
	ue.sue_port = htons(port);
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &ue,
	    sizeof(ue)) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET,
		    "sctp: UDP encapsulation port %u", port);
	return 0;
}

static int
ksctp_socket(const struct ipfix_addr *a, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	int fd, e;

	fd = ipfix_tsock(a, listen ? SOCK_SEQPACKET : SOCK_STREAM,
	    IPPROTO_SCTP, listen, o, err);
	if (fd == -1 && (errno == ESOCKTNOSUPPORT ||
	    errno == EPROTONOSUPPORT || errno == ENOPROTOOPT ||
	    errno == EAFNOSUPPORT)) {
		e = errno;
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "kernel SCTP is not available here (%s); use "
		    "--sctp-udp-encap for SCTP over UDP (usrsctp)",
		    strerror(e));
	}
	return fd;
}

struct ipfix_transport *
ipfix_sctp_open(const struct ipfix_addr *a, bool passive,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	static const struct ipfix_topts defaults;
	struct ksctp *s;
	int fd;

	if (o == NULL)
		o = &defaults;
	if ((fd = ksctp_socket(a, passive, o, err)) == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->buf = malloc(SCTP_BUF)) == NULL) {
		free(s);
		close(fd);
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "sctp: out of memory");
		return NULL;
	}
	s->t.ops = &ksctp_ops;
	s->t.proto = IPFIX_TP_SCTP;
	s->t.listener = passive;
	s->t.fd = fd;
	if (ksctp_setup(fd, o, err) == -1 ||
	    (o->sctp_auth && ksctp_auth_chunks(fd, err) == -1))
		goto fail;
	if (!passive && o->encap_port != 0 &&
	    ksctp_encaps(fd, o->encap_port, err) == -1)
		goto fail;
	if (passive ? listen(fd, SOMAXCONN) == -1 : 0) {
		ipfix_err_sys(err, IPFIX_E_NET, "sctp listen");
		goto fail;
	}
	if (!passive) {
		if (ipfix_tsock_connect(fd, a, err) == -1)
			goto fail;
		s->connecting = true;
	}
	ipfix_tsock_names(fd, &s->t);
	return &s->t;
fail:
	ksctp_free(&s->t);
	return NULL;
}
