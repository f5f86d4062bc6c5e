/*
 * udp: the UDP transport. A client socket is connected, so ICMP errors of
 * earlier sends come back on recv (the exporter's liveness signal), and it
 * sets DF so nothing is IP-fragmented (C63). A listener is one unconnected
 * socket for all peers; each datagram carries its peer.
 */
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define UDP_BUF		65536	/* any UDP payload fits */
#define UDP_DEF_MTU	1500	/* when the path is unknown (listener) */

struct udp {
	struct ipfix_transport t;
	uint8_t *buf;
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

static int
udp_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct udp *u = (struct udp *)t;
	socklen_t alen = sizeof(m->peer.addr);
	ssize_t n;

	n = recvfrom(t->fd, u->buf, UDP_BUF, 0,
	    (struct sockaddr *)&m->peer.addr, &alen);
	if (n == -1) {
		if (errno == ECONNREFUSED)
			return ipfix_err_sys(err, IPFIX_E_NET, "udp: the "
			    "collector's port is unreachable (ICMP)");
		return udp_errno(u, "recv", err);
	}
	m->peer.addrlen = alen;
	m->data = u->buf;
	m->len = (size_t)n;
	return IPFIX_T_OK;
}

static int
udp_mtu(struct ipfix_transport *t, size_t *mtu, struct ipfix_err *err)
{
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
	return 0;
}

static void
udp_free(struct ipfix_transport *t)
{
	struct udp *u = (struct udp *)t;

	if (t->fd != -1)
		close(t->fd);
	free(u->buf);
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

struct ipfix_transport *
ipfix_udp_open(const struct ipfix_addr *a, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct udp *u;

	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->buf = malloc(UDP_BUF)) == NULL) {
		free(u);
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "udp: out of memory");
		return NULL;
	}
	u->t.ops = &udp_ops;
	u->t.proto = IPFIX_TP_UDP;
	u->t.listener = listen;
	if ((u->t.fd = ipfix_tsock(a, SOCK_DGRAM, IPPROTO_UDP, listen, o,
	    err)) == -1)
		goto fail;
	if (!listen) {
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
