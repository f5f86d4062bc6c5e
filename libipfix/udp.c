/*
 * udp: the UDP transport. A client socket is connected, so ICMP errors of
 * earlier sends come back on recv (the exporter's liveness signal), and it
 * sets DF so nothing is IP-fragmented (C63). A listener is one unconnected
 * socket for all peers; each datagram carries its peer.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define UDP_BUF		65536	/* any UDP payload fits */
#define UDP_DEF_MTU	1500	/* when the path is unknown (listener) */
/* A listener takes up to UDP_BATCH datagrams per recvmmsg: one syscall
 * instead of one per datagram. The slots are malloc'ed whole but only the
 * pages a datagram lands in are ever touched. A datagram left in the
 * batch when the caller stops would wait for the next wake-up, so a batch
 * never straddles a multiple of UDP_BATCH datagrams in one run of calls
 * (chan_listen.c stops after 256, a multiple, or at AGAIN). */
#define UDP_BATCH	32
/* A collector's default receive buffer when --rcvbuf is not given: the
 * kernel's default (~200 KB, ~100 datagrams) overflows within a
 * millisecond of scheduling delay at full speed. */
#define UDP_LSN_RCVBUF	(8 << 20)

struct udp {
	struct ipfix_transport t;
	uint8_t *buf;		/* nslot slots of UDP_BUF bytes */
	struct mmsghdr *hdr;	/* the batch: nslot of each */
	struct iovec *iov;
	struct sockaddr_storage *from;
	unsigned nslot;
	unsigned got, next;	/* datagrams in the batch, next to hand out */
	unsigned run;		/* handed out since the last AGAIN or error */
	size_t dgram_max;	/* topts: payload cap, 0 = the path's */
};

static int
udp_errno(struct udp *u, const char *op, struct ipfix_err *err)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
	    errno == EINTR)
		return IPFIX_T_AGAIN;
	if (errno == EMSGSIZE)
		return ipfix_err_sys(err, IPFIX_E_LIMIT, "udp %s", op);
	(void)u;
	return ipfix_err_sys(err, IPFIX_E_NET, "udp %s", op);
}

static int
udp_send(struct ipfix_transport *t, const void *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct udp *u = (struct udp *)t;
	const struct ipfix_tpeer *to = how != NULL ? how->peer : NULL;
	ssize_t n;

	if (to != NULL && to->addrlen > 0)
		n = sendto(t->fd, msg, len, 0, (const struct sockaddr *)
		    &to->addr, to->addrlen);
	else if (t->listener)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "udp listener: send needs a peer");
	else
		n = send(t->fd, msg, len, 0);
	if (n == -1)
		return udp_errno(u, "send", err);
	return IPFIX_T_OK;
}

/* Refill the batch; u->got datagrams, u->next 0. */
static int
udp_fill(struct udp *u, struct ipfix_err *err)
{
	unsigned i;
	int n;

	for (i = 0; i < u->nslot; i++) {
		u->hdr[i].msg_hdr.msg_namelen = sizeof(u->from[i]);
		u->hdr[i].msg_hdr.msg_flags = 0;
	}
	u->got = u->next = 0;
	n = recvmmsg(u->t.fd, u->hdr, u->nslot - u->run % u->nslot,
	    MSG_WAITFORONE, NULL);
	if (n == -1) {
		u->run = 0;
		if (errno == ECONNREFUSED)
			return ipfix_err_sys(err, IPFIX_E_NET, "udp: the "
			    "collector's port is unreachable (ICMP)");
		return udp_errno(u, "recv", err);
	}
	u->got = (unsigned)n;
	return IPFIX_T_OK;
}

/* One datagram per call, handed out of the batch (its slot stays
 * untouched until the batch is refilled, after the next call). */
static int
udp_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct udp *u = (struct udp *)t;
	struct msghdr *h;
	int rc;

	if (u->next == u->got && (rc = udp_fill(u, err)) != IPFIX_T_OK)
		return rc;
	if (u->got == 0) {
		u->run = 0;
		return IPFIX_T_AGAIN;
	}
	h = &u->hdr[u->next].msg_hdr;
	memcpy(&m->peer.addr, h->msg_name, h->msg_namelen);
	m->peer.addrlen = h->msg_namelen;
	m->data = h->msg_iov->iov_base;
	m->len = u->hdr[u->next].msg_len;
	u->next++;
	u->run++;
	return IPFIX_T_OK;
}

static int
udp_mtu(struct ipfix_transport *t, size_t *mtu, struct ipfix_err *err)
{
	const struct udp *u = (const struct udp *)t;
	bool v6 = t->local.addr.ss_family == AF_INET6;
	size_t hdr = v6 ? 48 : 28;
	int pmtu = UDP_DEF_MTU;
	socklen_t len = sizeof(pmtu);

	if (!t->listener && getsockopt(t->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	    v6 ? IPV6_MTU : IP_MTU, &pmtu, &len) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "udp: path MTU");
	*mtu = (size_t)pmtu > hdr ? (size_t)pmtu - hdr : 0;
	if (*mtu > 65507)	/* largest IPv4 UDP payload */
		*mtu = 65507;
	/* Fragile peers (nfacctd crashes on a DTLS record over 10,000
	 * bytes) need a cap below what loopback's MTU allows. */
	if (u->dgram_max > 0 && *mtu > u->dgram_max)
		*mtu = u->dgram_max;
	return 0;
}

static void
udp_free(struct ipfix_transport *t)
{
	struct udp *u = (struct udp *)t;

	if (t->fd != -1)
		close(t->fd);
	free(u->buf);
	free(u->hdr);
	free(u->iov);
	free(u->from);
	free(u);
}

static const struct ipfix_transport_ops udp_ops = {
	.name = "udp",
	.send = udp_send,
	.recv = udp_recv,
	.mtu = udp_mtu,
	.free = udp_free,
};

/* DF on, so too-large messages fail with EMSGSIZE instead of leaving as
 * IP fragments; IP_MTU then tracks the path MTU. */
static void
udp_set_df(int fd, int family)
{
	int v4 = IP_PMTUDISC_DO, v6 = IPV6_PMTUDISC_DO;

	if (family == AF_INET6) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6,
		    sizeof(v6));
	} else
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4,
		    sizeof(v4));
}

/* Without --rcvbuf a listener asks for UDP_LSN_RCVBUF; whatever was asked
 * for is forced past net.core.rmem_max when the process may (root,
 * CAP_NET_ADMIN), else the kernel's cap stays. */
static void
udp_lsn_rcvbuf(int fd, const struct ipfix_topts *o)
{
	int want = o != NULL && o->rcvbuf > 0 ? o->rcvbuf : UDP_LSN_RCVBUF;
	int have = 0;
	socklen_t len = sizeof(have);

	if (o == NULL || o->rcvbuf <= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want,
		    sizeof(want));
	/* the kernel reports twice what it was given (its overhead) */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 &&
	    have / 2 < want)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
		    sizeof(want));
}

static int
udp_alloc_batch(struct udp *u, unsigned nslot)
{
	unsigned i;

	u->nslot = nslot;
	if ((u->buf = malloc((size_t)nslot * UDP_BUF)) == NULL ||
	    (u->hdr = calloc(nslot, sizeof(*u->hdr))) == NULL ||
	    (u->iov = calloc(nslot, sizeof(*u->iov))) == NULL ||
	    (u->from = calloc(nslot, sizeof(*u->from))) == NULL)
		return -1;
	for (i = 0; i < nslot; i++) {
		u->iov[i].iov_base = u->buf + (size_t)i * UDP_BUF;
		u->iov[i].iov_len = UDP_BUF;
		u->hdr[i].msg_hdr.msg_iov = &u->iov[i];
		u->hdr[i].msg_hdr.msg_iovlen = 1;
		u->hdr[i].msg_hdr.msg_name = &u->from[i];
	}
	return 0;
}

struct ipfix_transport *
ipfix_udp_open(const struct ipfix_addr *a, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct udp *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "udp: out of memory");
		return NULL;
	}
	u->t.ops = &udp_ops;
	u->t.proto = IPFIX_TP_UDP;
	u->t.listener = listen;
	u->t.fd = -1;
	u->dgram_max = o != NULL ? o->dgram_max : 0;
	if (udp_alloc_batch(u, listen ? UDP_BATCH : 1) == -1) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "udp: out of memory");
		goto fail;
	}
	if ((u->t.fd = ipfix_tsock(a, SOCK_DGRAM, IPPROTO_UDP, listen, o,
	    err)) == -1)
		goto fail;
	if (listen)
		udp_lsn_rcvbuf(u->t.fd, o);
	else {
		udp_set_df(u->t.fd, a->ss.ss_family);
		if (ipfix_tsock_connect(u->t.fd, a, err) == -1)
			goto fail;
	}
	ipfix_tsock_names(u->t.fd, &u->t);
	return &u->t;
fail:
	udp_free(&u->t);
	return NULL;
}
