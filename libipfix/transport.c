/* transport: the dispatch of transport.h and what the backends share. */
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define MAX_ADDRS 8

typedef struct ipfix_transport *opener(const struct ipfix_addr *, bool,
    const struct ipfix_topts *, struct ipfix_err *);

static opener *
opener_for(enum ipfix_tproto p)
{
	switch (p) {
	case IPFIX_TP_UDP:
		return ipfix_udp_open;
	case IPFIX_TP_TCP:
		return ipfix_tcp_open;
	case IPFIX_TP_SCTP:
		return ipfix_sctp_open;
	case IPFIX_TP_SCTP_UDP:
		return ipfix_sctp_udp_open;
	}
	return NULL;
}

/* Try each address of ep in turn; the last error is kept. */
static struct ipfix_transport *
open_any(const struct ipfix_endpoint *ep, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	static const struct ipfix_topts defaults;
	struct ipfix_addr addrs[MAX_ADDRS];
	struct ipfix_transport *t = NULL;
	enum ipfix_tproto proto;
	opener *fn;
	int i, n;

	if (o == NULL)
		o = &defaults;
	proto = ipfix_endpoint_tproto(ep, o->sctp_udp);
	if ((fn = opener_for(proto)) == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "transport: no transport for this endpoint");
		return NULL;
	}
	if ((n = ipfix_endpoint_resolve(ep, listen, addrs, MAX_ADDRS, err)) < 0)
		return NULL;
	for (i = 0; i < n && t == NULL; i++) {
		t = fn(&addrs[i], listen, o, err);
		/* Kernel SCTP missing is the same on every address. */
		if (t == NULL && proto == IPFIX_TP_SCTP &&
		    err != NULL && err->code == IPFIX_E_USAGE)
			break;
	}
	return t;
}

struct ipfix_transport *
ipfix_transport_connect(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	return open_any(ep, false, o, err);
}

struct ipfix_transport *
ipfix_transport_listen(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	return open_any(ep, true, o, err);
}

static int
unsupported(const struct ipfix_transport *t, const char *what,
    struct ipfix_err *err)
{
	return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
	    "%s transport%s: %s is not supported", t->ops->name,
	    t->listener ? " listener" : "", what);
}

int
ipfix_transport_accept(struct ipfix_transport *l,
    struct ipfix_transport **out, struct ipfix_err *err)
{
	*out = NULL;
	if (l->ops->accept == NULL)
		return unsupported(l, "accept", err);
	return l->ops->accept(l, out, err);
}

int
ipfix_transport_send(struct ipfix_transport *t, const void *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	if (t->ops->send == NULL)
		return unsupported(t, "send", err);
	if (len > IPFIX_MSG_MAX)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "%s: message of %zu bytes exceeds %d", t->ops->name, len,
		    IPFIX_MSG_MAX);
	return t->ops->send(t, msg, len, how, err);
}

int
ipfix_transport_flush(struct ipfix_transport *t, struct ipfix_err *err)
{
	if (t->ops->flush == NULL)
		return IPFIX_T_OK;
	return t->ops->flush(t, err);
}

bool
ipfix_transport_want_write(struct ipfix_transport *t)
{
	return t->ops->want_write != NULL && t->ops->want_write(t);
}

int
ipfix_transport_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	memset(m, 0, sizeof(*m));
	if (t->ops->recv == NULL)
		return unsupported(t, "recv", err);
	return t->ops->recv(t, m, err);
}

int
ipfix_transport_read(struct ipfix_transport *t, void *buf, size_t cap,
    size_t *n, struct ipfix_err *err)
{
	*n = 0;
	if (t->ops->read == NULL)
		return unsupported(t, "byte-stream read", err);
	return t->ops->read(t, buf, cap, n, err);
}

int
ipfix_transport_write(struct ipfix_transport *t, const void *buf, size_t len,
    size_t *n, struct ipfix_err *err)
{
	*n = 0;
	if (t->ops->write == NULL)
		return unsupported(t, "byte-stream write", err);
	return t->ops->write(t, buf, len, n, err);
}

int
ipfix_transport_mtu(struct ipfix_transport *t, size_t *mtu,
    struct ipfix_err *err)
{
	*mtu = IPFIX_MSG_MAX;
	if (t->ops->mtu == NULL)
		return 0;
	return t->ops->mtu(t, mtu, err);
}

int
ipfix_transport_shutdown(struct ipfix_transport *t, struct ipfix_err *err)
{
	if (t->ops->shutdown == NULL)
		return IPFIX_T_OK;
	return t->ops->shutdown(t, err);
}

int
ipfix_transport_timeout(struct ipfix_transport *t)
{
	return t->ops->timeout == NULL ? -1 : t->ops->timeout(t);
}

int
ipfix_transport_service(struct ipfix_transport *t, struct ipfix_err *err)
{
	return t->ops->service == NULL ? 0 : t->ops->service(t, err);
}

int
ipfix_transport_sctp_auth(struct ipfix_transport *t, enum ipfix_tauth_op op,
    uint32_t assoc, uint16_t keynum, const uint8_t *key, size_t len,
    struct ipfix_err *err)
{
	if (t->ops->auth == NULL)
		return unsupported(t, "SCTP-AUTH", err);
	if (op == IPFIX_AUTH_SET_KEY && (len > UINT16_MAX ||
	    (len > 0 && key == NULL)))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "%s: bad SCTP-AUTH key (%zu bytes)", t->ops->name, len);
	return t->ops->auth(t, op, assoc, keynum, key, len, err);
}

void
ipfix_transport_close(struct ipfix_transport *t)
{
	if (t != NULL)
		t->ops->free(t);
}

const char *
ipfix_transport_name(const struct ipfix_transport *t)
{
	return t->ops->name;
}

/* --- helpers for the backends ------------------------------------------- */

void
ipfix_tpeer_set(struct ipfix_tpeer *p, const struct sockaddr *sa,
    socklen_t len)
{
	memset(p, 0, sizeof(*p));
	if (len > sizeof(p->addr))
		len = sizeof(p->addr);
	memcpy(&p->addr, sa, len);
	p->addrlen = len;
}

void
ipfix_tsock_names(int fd, struct ipfix_transport *t)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		ipfix_tpeer_set(&t->local, (struct sockaddr *)&ss, len);
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		ipfix_tpeer_set(&t->peer, (struct sockaddr *)&ss, len);
}

static void
set_buffers(int fd, const struct ipfix_topts *o)
{
	/* Wishes, not requirements: the kernel caps them. */
	if (o == NULL)
		return;
	if (o->rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf,
		    sizeof(o->rcvbuf));
	if (o->sndbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf,
		    sizeof(o->sndbuf));
}

static int
bind_listener(int fd, int type, const struct ipfix_addr *a,
    struct ipfix_err *err)
{
	char s[IPFIX_ADDRSTR_MAX];
	int on = 1, off = 0;

	/* Stream listeners restart over TIME_WAIT; on UDP the option would
	 * let a second collector share the port silently, so not there. */
	if (type != SOCK_DGRAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
	/* One wildcard socket serves IPv4 too (mapped addresses). */
	if (a->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof(off));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "bind %s",
		    ipfix_addr_format((const struct sockaddr *)&a->ss, a->len,
		    s, sizeof(s)));
	return 0;
}

int
ipfix_tsock(const struct ipfix_addr *a, int type, int proto, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	int fd;

	fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto);
	if (fd == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "socket");
	set_buffers(fd, o);
	if (listen && bind_listener(fd, type, a, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
ipfix_tsock_connect(int fd, const struct ipfix_addr *a, struct ipfix_err *err)
{
	char s[IPFIX_ADDRSTR_MAX];

	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	return ipfix_err_sys(err, IPFIX_E_NET, "connect %s",
	    ipfix_addr_format((const struct sockaddr *)&a->ss, a->len, s,
	    sizeof(s)));
}
