/*
 * tcp: the TCP transport and the IPFIX framer. Messages are framed by the
 * header's Length field (RFC 7011 §10.4.3, C68); partial reads are kept in
 * a bounded buffer (2 x 65535 bytes), output waits in a bounded queue.
 * Connects are non-blocking; shutdown is orderly (flush, then FIN).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "compress.h"
#include "transport.h"

#define IPFIX_HDR_LEN	16
#define Z_MAGIC		(IPFIX_Z_MAGIC0 << 8 | IPFIX_Z_MAGIC1)
#define FRAMER_CAP	(2 * IPFIX_MSG_MAX)
#define SNDQ_DEFAULT	(1024 * 1024)
#define CORK_BYTES	(64 * 1024)	/* held messages leave in one send */

/* --- framer ------------------------------------------------------------- */

int
ipfix_framer_init(struct ipfix_framer *f, struct ipfix_err *err)
{
	memset(f, 0, sizeof(*f));
	if ((f->buf = malloc(FRAMER_CAP)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "framer: out of memory");
	f->cap = FRAMER_CAP;
	return 0;
}

void
ipfix_framer_free(struct ipfix_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

static void
framer_drop_taken(struct ipfix_framer *f)
{
	f->start += f->taken;
	f->offset += f->taken;
	f->taken = 0;
	if (f->start == f->end)
		f->start = f->end = 0;
}

uint8_t *
ipfix_framer_space(struct ipfix_framer *f, size_t *room)
{
	framer_drop_taken(f);
	if (f->start > 0) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->end -= f->start;
		f->start = 0;
	}
	*room = f->cap - f->end;
	return f->buf + f->end;
}

void
ipfix_framer_fill(struct ipfix_framer *f, size_t n)
{
	f->end += n <= f->cap - f->end ? n : f->cap - f->end;
}

size_t
ipfix_framer_pending(const struct ipfix_framer *f)
{
	return f->end - f->start - f->taken;
}

/* The whole unit of length bytes is there: hand it out. */
static int
framer_take(struct ipfix_framer *f, struct ipfix_cursor *c, uint16_t length,
    const uint8_t **msg, size_t *len)
{
	if (ipfix_get_bytes(c, (size_t)length - 4) == NULL)
		return 0;
	*msg = f->buf + f->start;
	*len = length;
	f->taken = length;
	return 1;
}

int
ipfix_framer_next(struct ipfix_framer *f, const uint8_t **msg, size_t *len,
    struct ipfix_err *err)
{
	struct ipfix_cursor c;
	uint16_t version, length;

	framer_drop_taken(f);
	ipfix_cursor_init(&c, f->buf + f->start, f->end - f->start,
	    f->offset);
	version = ipfix_get_u16(&c);
	length = ipfix_get_u16(&c);
	if (c.bad)
		return 0;
	/* Our compressed frames (compress.h) keep the length where an IPFIX
	 * header has it, so one framer splits both; the receiver inflates. */
	if (version == Z_MAGIC && length > IPFIX_Z_HDR_LEN)
		return framer_take(f, &c, length, msg, len);
	if (version != 10)
		return ipfix_err_set(err, IPFIX_E_VERSION, f->offset, "C68",
		    "stream: version %u where a message header should start "
		    "(framing lost)", version);
	if (length < IPFIX_HDR_LEN)
		return ipfix_err_set(err, IPFIX_E_LENGTH, f->offset + 2, "C68",
		    "stream: message length %u is below the 16-byte header",
		    length);
	return framer_take(f, &c, length, msg, len);
}

/* --- the TCP transport --------------------------------------------------- */

struct tcp {
	struct ipfix_transport t;
	struct ipfix_framer in;
	uint8_t *out;			/* queue, allocated on first use */
	size_t ostart, oend, ocap;
	bool connecting;
	bool blocked;			/* the last send found the socket full:
					   wait for service before the next */
	struct ipfix_addr target;	/* for messages about the connect */
};

static int
tcp_errno(const char *op, struct ipfix_err *err)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return IPFIX_T_AGAIN;
	return ipfix_err_sys(err, IPFIX_E_NET, "tcp %s", op);
}

/* OK once connected, AGAIN while in progress, ERR if refused. */
static int
tcp_check_connect(struct tcp *c, struct ipfix_err *err)
{
	char s[IPFIX_ADDRSTR_MAX];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int e = 0;

	if (!c->connecting)
		return IPFIX_T_OK;
	if (getsockopt(c->t.fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 &&
	    e != 0) {
		errno = e;
		return ipfix_err_sys(err, IPFIX_E_NET, "tcp connect %s",
		    ipfix_addr_format((struct sockaddr *)&c->target.ss,
		    c->target.len, s, sizeof(s)));
	}
	len = sizeof(ss);
	if (getpeername(c->t.fd, (struct sockaddr *)&ss, &len) == -1)
		return IPFIX_T_AGAIN;
	c->connecting = false;
	ipfix_tsock_names(c->t.fd, &c->t);
	return IPFIX_T_OK;
}

static int
tcp_flush(struct ipfix_transport *t, struct ipfix_err *err)
{
	struct tcp *c = (struct tcp *)t;
	ssize_t n;
	int rc;

	c->blocked = false;
	if ((rc = tcp_check_connect(c, err)) != IPFIX_T_OK)
		return rc;
	while (c->ostart < c->oend) {
		n = send(t->fd, c->out + c->ostart, c->oend - c->ostart,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if ((rc = tcp_errno("send", err)) == IPFIX_T_AGAIN)
				c->blocked = true;
			return rc;
		}
		c->ostart += (size_t)n;
	}
	c->ostart = c->oend = 0;
	return IPFIX_T_OK;
}

/* Room for len more bytes in the queue, compacting or allocating. */
static int
tcp_queue_room(struct tcp *c, size_t len, struct ipfix_err *err)
{
	if (c->out == NULL) {
		if ((c->out = malloc(c->ocap)) == NULL)
			return ipfix_err_set(err, IPFIX_E_NOMEM,
			    IPFIX_NO_OFFSET, NULL, "tcp: out of memory");
	}
	if (c->ostart > 0) {
		memmove(c->out, c->out + c->ostart, c->oend - c->ostart);
		c->oend -= c->ostart;
		c->ostart = 0;
	}
	return len <= c->ocap - c->oend ? 1 : 0;
}

static int
tcp_send(struct ipfix_transport *t, const void *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct tcp *c = (struct tcp *)t;
	int rc;

	if ((rc = tcp_queue_room(c, len, err)) == 0) {
		if ((rc = tcp_flush(t, err)) == IPFIX_T_ERR)
			return rc;
		rc = tcp_queue_room(c, len, err);
	}
	if (rc != 1)
		return rc == 0 ? IPFIX_T_AGAIN : IPFIX_T_ERR;
	memcpy(c->out + c->oend, msg, len);
	c->oend += len;
	t->tx_taken += len;
	/* A full socket is retried by service (on POLLOUT), not by every
	 * send: that would spin on EAGAIN. */
	if (c->blocked ||
	    (how != NULL && how->more && c->oend - c->ostart < CORK_BYTES))
		return IPFIX_T_OK;
	/* Taken: a failed flush now is reported by the next call. */
	return tcp_flush(t, err) == IPFIX_T_ERR ? IPFIX_T_ERR : IPFIX_T_OK;
}

static bool
tcp_want_write(struct ipfix_transport *t)
{
	struct tcp *c = (struct tcp *)t;

	return c->connecting || c->ostart < c->oend;
}

static int
tcp_fill(struct tcp *c, struct ipfix_err *err)
{
	size_t room;
	uint8_t *p = ipfix_framer_space(&c->in, &room);
	ssize_t n;

	n = read(c->t.fd, p, room);
	if (n == -1)
		return tcp_errno("recv", err);
	if (n == 0) {
		if (ipfix_framer_pending(&c->in) == 0)
			return IPFIX_T_EOF;
		return ipfix_err_set(err, IPFIX_E_TRUNCATED, c->in.offset,
		    "C68", "tcp: peer closed inside a message (%zu bytes "
		    "pending)", ipfix_framer_pending(&c->in));
	}
	ipfix_framer_fill(&c->in, (size_t)n);
	return IPFIX_T_OK;
}

static int
tcp_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct tcp *c = (struct tcp *)t;
	int rc;

	for (;;) {
		rc = ipfix_framer_next(&c->in, &m->data, &m->len, err);
		if (rc == 1) {
			m->peer = t->peer;
			return IPFIX_T_OK;
		}
		if (rc == -1)
			return IPFIX_T_ERR;
		if ((rc = tcp_fill(c, err)) != IPFIX_T_OK)
			return rc;
	}
}

static int
tcp_read(struct ipfix_transport *t, void *buf, size_t cap, size_t *got,
    struct ipfix_err *err)
{
	ssize_t n = read(t->fd, buf, cap);

	if (n == -1)
		return tcp_errno("recv", err);
	*got = (size_t)n;
	return n == 0 && cap > 0 ? IPFIX_T_EOF : IPFIX_T_OK;
}

static int
tcp_write(struct ipfix_transport *t, const void *buf, size_t len,
    size_t *put, struct ipfix_err *err)
{
	ssize_t n;
	int rc;

	if ((rc = tcp_flush(t, err)) != IPFIX_T_OK)
		return rc;
	if ((n = send(t->fd, buf, len, MSG_NOSIGNAL)) == -1)
		return tcp_errno("send", err);
	*put = (size_t)n;
	t->tx_taken += (uint64_t)n;
	return IPFIX_T_OK;
}

static int
tcp_shutdown(struct ipfix_transport *t, struct ipfix_err *err)
{
	int rc;

	if ((rc = tcp_flush(t, err)) != IPFIX_T_OK)
		return rc;
	if (shutdown(t->fd, SHUT_WR) == -1)
		return ipfix_err_sys(err, IPFIX_E_NET, "tcp shutdown");
	return IPFIX_T_OK;
}

static void
tcp_free(struct ipfix_transport *t)
{
	struct tcp *c = (struct tcp *)t;

	if (t->fd != -1)
		close(t->fd);
	ipfix_framer_free(&c->in);
	free(c->out);
	free(c);
}

static int tcp_accept(struct ipfix_transport *, struct ipfix_transport **,
    struct ipfix_err *);

static const struct ipfix_transport_ops tcp_ops = {
	.name = "tcp",
	.send = tcp_send,
	.flush = tcp_flush,
	.recv = tcp_recv,
	.read = tcp_read,
	.write = tcp_write,
	.shutdown = tcp_shutdown,
	.want_write = tcp_want_write,
	.free = tcp_free,
};

static const struct ipfix_transport_ops tcp_listen_ops = {
	.name = "tcp",
	.accept = tcp_accept,
	.free = tcp_free,
};

static struct tcp *
tcp_new(int fd, const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct tcp *c;
	int on = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "tcp: out of memory");
		return NULL;
	}
	c->t.ops = &tcp_ops;
	c->t.proto = IPFIX_TP_TCP;
	c->t.bytestream = true;
	c->t.fd = fd;
	c->ocap = o != NULL && o->sndq_max > 0 ? o->sndq_max : SNDQ_DEFAULT;
	if (ipfix_framer_init(&c->in, err) == -1) {
		free(c);
		return NULL;
	}
	/* Messages are whole units: send each one now. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return c;
}

static int
tcp_accept(struct ipfix_transport *l, struct ipfix_transport **out,
    struct ipfix_err *err)
{
	struct tcp *c;
	int fd;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == ECONNABORTED || errno == EPROTO)
			return IPFIX_T_AGAIN;
		if (errno == EMFILE || errno == ENFILE)
			return ipfix_err_sys(err, IPFIX_E_LIMIT, "tcp accept");
		return tcp_errno("accept", err);
	}
	if ((c = tcp_new(fd, NULL, err)) == NULL) {
		close(fd);
		return IPFIX_T_ERR;
	}
	ipfix_tsock_names(fd, &c->t);
	*out = &c->t;
	return IPFIX_T_OK;
}

struct ipfix_transport *
ipfix_tcp_open(const struct ipfix_addr *a, bool passive,
    const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct tcp *c;
	int fd;

	if ((fd = ipfix_tsock(a, SOCK_STREAM, IPPROTO_TCP, passive, o, err))
	    == -1)
		return NULL;
	if ((c = tcp_new(fd, o, err)) == NULL) {
		close(fd);
		return NULL;
	}
	c->target = *a;
	c->t.listener = passive;
	if (passive) {
		c->t.ops = &tcp_listen_ops;
		c->t.bytestream = false;
		ipfix_framer_free(&c->in);	/* a listener reads nothing */
		if (listen(fd, SOMAXCONN) == -1) {
			ipfix_err_sys(err, IPFIX_E_NET, "tcp listen");
			goto fail;
		}
	} else {
		if (ipfix_tsock_connect(fd, a, err) == -1)
			goto fail;
		c->connecting = true;
	}
	ipfix_tsock_names(fd, &c->t);
	return &c->t;
fail:
	tcp_free(&c->t);
	return NULL;
}
