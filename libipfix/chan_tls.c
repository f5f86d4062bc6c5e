/*
 * chan_tls: the TLS kind of chan (TLS 1.2/1.3 over TCP). A byte-stream BIO
 * over the transport's raw read/write with its own bounded output queue;
 * plaintext framed into IPFIX messages by ipfix_framer. An orderly end
 * sends close_notify, then reads until the peer's end (or a bound) before
 * closing, so that unread TLS 1.3 tickets never turn the close into a
 * reset that loses the collector's unread records (platform-notes §4).
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>

#include "tls_int.h"

#define TLS_QUEUE_MAX	(1024 * 1024)	/* send refuses beyond this */
#define TLS_QUEUE_HARD	(2 * TLS_QUEUE_MAX)	/* a message's records fit */
#define TLS_QUEUE_START	(64 * 1024)
#define TLS_CORK_BYTES	(64 * 1024)	/* held records leave in one write */
#define TLS_CLOSE_MS	5000

struct tlss {
	SSL *ssl;
	struct ipfix_transport *t;
	struct ipfix_framer fr;
	uint8_t *q;
	size_t qstart, qend, qcap;
	bool hs_done, shut_sent, fin_sent;
	bool failed, eof;
	bool cork;		/* the message being written has followers */
	bool blocked;		/* the socket was full: service writes next */
	struct ipfix_err err;	/* the transport's failure */
	uint64_t started_ms;
};

static struct tlss *
S(const struct ipfix_chan *c)
{
	return c->sec;
}

/* --- the stream BIO ---------------------------------------------------------- */

static void
q_flush(struct tlss *s)
{
	size_t n;
	int rc;

	s->blocked = false;
	while (s->qstart < s->qend && !s->failed) {
		rc = ipfix_transport_write(s->t, s->q + s->qstart,
		    s->qend - s->qstart, &n, &s->err);
		if (rc == IPFIX_T_ERR)
			s->failed = true;
		if (rc != IPFIX_T_OK || n == 0) {
			s->blocked = rc == IPFIX_T_AGAIN || n == 0;
			return;
		}
		s->qstart += n;
	}
	s->qstart = s->qend = 0;
}

/* Room for len more bytes, growing up to the hard cap. */
static bool
q_room(struct tlss *s, size_t len)
{
	size_t cap = s->qcap;
	uint8_t *nq;

	if (s->qstart > 0) {
		memmove(s->q, s->q + s->qstart, s->qend - s->qstart);
		s->qend -= s->qstart;
		s->qstart = 0;
	}
	if (len <= s->qcap - s->qend)
		return true;
	while (cap < s->qend + len && cap < TLS_QUEUE_HARD)
		cap = cap == 0 ? TLS_QUEUE_START : cap * 2;
	if (cap < s->qend + len || (nq = realloc(s->q, cap)) == NULL)
		return false;
	s->q = nq;
	s->qcap = cap;
	return true;
}

static int
sbio_write(BIO *b, const char *buf, int len)
{
	struct tlss *s = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (s == NULL || len < 0 || s->failed)
		return -1;
	if (!q_room(s, (size_t)len)) {
		q_flush(s);
		BIO_set_retry_write(b);
		return -1;
	}
	memcpy(s->q + s->qend, buf, (size_t)len);
	s->qend += (size_t)len;
	/* A full socket is written again by service (on POLLOUT), not by
	 * every record: that would spin on EAGAIN. */
	if (!s->blocked &&
	    (!s->cork || s->qend - s->qstart >= TLS_CORK_BYTES))
		q_flush(s);
	return len;
}

static int
sbio_read(BIO *b, char *buf, int cap)
{
	struct tlss *s = BIO_get_data(b);
	size_t n = 0;
	int rc;

	BIO_clear_retry_flags(b);
	if (s == NULL || cap <= 0)
		return -1;
	rc = ipfix_transport_read(s->t, buf, (size_t)cap, &n, &s->err);
	if (rc == IPFIX_T_OK && n > 0)
		return (int)n;
	if (rc == IPFIX_T_AGAIN) {
		BIO_set_retry_read(b);
		return -1;
	}
	if (rc == IPFIX_T_ERR) {
		s->failed = true;
		return -1;
	}
	s->eof = true;
	return 0;
}

static long
sbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tlss *s = BIO_get_data(b);

	(void)num;
	(void)ptr;
	if (cmd == BIO_CTRL_FLUSH)
		return 1;
	if (cmd == BIO_CTRL_WPENDING && s != NULL)
		return (long)(s->qend - s->qstart);
	return 0;
}

static int
sbio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

BIO_METHOD *
ipfix_tls_stream_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_get_new_index(),
	    "ipfix stream");

	if (m == NULL)
		return NULL;
	if (!BIO_meth_set_write(m, sbio_write) ||
	    !BIO_meth_set_read(m, sbio_read) ||
	    !BIO_meth_set_ctrl(m, sbio_ctrl) ||
	    !BIO_meth_set_create(m, sbio_create)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* --- the session ------------------------------------------------------------- */

static int
tls_init(struct ipfix_chan *c, bool server, struct ipfix_err *err)
{
	struct tlss *s;
	BIO *b;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "tls: out of memory");
	c->sec = s;
	s->t = c->t;
	s->started_ms = ev_now_ms();
	if (ipfix_framer_init(&s->fr, err) == -1)
		return -1;
	if ((s->ssl = ipfix_tls_ssl_new(c->secctx, c, true, err)) == NULL)
		return -1;
	if ((b = BIO_new(c->secctx->biometh)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "tls: out of memory");
	BIO_set_data(b, s);
	SSL_set_bio(s->ssl, b, b);
	if (server)
		SSL_set_accept_state(s->ssl);
	else
		SSL_set_connect_state(s->ssl);
	return 0;
}

static int
tls_fail(struct ipfix_chan *c, int ret, const char *what,
    struct ipfix_err *err)
{
	struct tlss *s = S(c);

	if (s->failed) {
		if (err != NULL)
			*err = s->err;
		ERR_clear_error();
		return IPFIX_T_ERR;
	}
	if (s->eof && ERR_peek_last_error() == 0)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "%s: the peer closed the connection%s", what, s->hs_done ?
		    " without close_notify" : " (it refused us?)");
	return ipfix_tls_err(s->ssl, ret, what, err);
}

static bool
want_more(SSL *ssl, int ret)
{
	int e = SSL_get_error(ssl, ret);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static enum ipfix_chan_state
tls_handshake(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct tlss *s = S(c);
	unsigned hs = ipfix_sec_ctx_hs_timeout(c->secctx);
	int rc;

	if ((rc = ipfix_transport_flush(c->t, err)) == IPFIX_T_ERR)
		return IPFIX_CHAN_FAILED;
	if (rc == IPFIX_T_OK && (rc = SSL_do_handshake(s->ssl)) == 1) {
		s->hs_done = true;
		ipfix_tls_identity(c->secctx, s->ssl, &c->id);
		q_flush(s);
		return IPFIX_CHAN_UP;
	}
	if (rc != IPFIX_T_AGAIN && (!want_more(s->ssl, rc) || s->failed)) {
		tls_fail(c, rc, "tls handshake", err);
		return IPFIX_CHAN_FAILED;
	}
	if (c->l == NULL && ev_now_ms() - s->started_ms >= hs) {
		ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "tls handshake: not done within %u ms", hs);
		return IPFIX_CHAN_FAILED;
	}
	return IPFIX_CHAN_CONNECTING;
}

/* close_notify out, then FIN, then read to the peer's end or the bound. */
static enum ipfix_chan_state
tls_closing(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct tlss *s = S(c);
	uint8_t buf[4096];
	int n;

	q_flush(s);
	if (s->failed)
		return IPFIX_CHAN_CLOSED;
	if (s->qstart < s->qend)
		return ev_now_ms() < c->close_by_ms ? IPFIX_CHAN_CLOSING :
		    IPFIX_CHAN_CLOSED;
	if (!s->fin_sent) {
		if (ipfix_transport_shutdown(c->t, err) == IPFIX_T_AGAIN)
			return IPFIX_CHAN_CLOSING;
		s->fin_sent = true;
	}
	while ((n = SSL_read(s->ssl, buf, sizeof(buf))) > 0)
		;	/* tickets and anything else the peer still says */
	if (want_more(s->ssl, n) && !s->eof && !s->failed &&
	    ev_now_ms() < c->close_by_ms)
		return IPFIX_CHAN_CLOSING;
	/* An alert here is a late refusal (TLS 1.3 rejects a client
	 * certificate after the client finished): what we sent was dropped. */
	if (!s->failed && SSL_get_error(s->ssl, n) == SSL_ERROR_SSL) {
		tls_fail(c, n, "tls close", err);
		return IPFIX_CHAN_FAILED;
	}
	ERR_clear_error();
	return IPFIX_CHAN_CLOSED;
}

static enum ipfix_chan_state
tls_service(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct tlss *s = S(c);

	if (c->state == IPFIX_CHAN_CONNECTING)
		return tls_handshake(c, err);
	if (c->state == IPFIX_CHAN_CLOSING)
		return tls_closing(c, err);
	q_flush(s);
	if (s->failed) {
		*err = s->err;
		return IPFIX_CHAN_FAILED;
	}
	return c->state;
}

static int
tls_events(const struct ipfix_chan *c)
{
	const struct tlss *s = S(c);

	return ipfix_chan_plain_events(c) |
	    (s->qstart < s->qend ? EV_WRITE : 0);
}

static long
tls_timeout(const struct ipfix_chan *c)
{
	const struct tlss *s = S(c);
	uint64_t now = ev_now_ms(), end;

	if (c->state == IPFIX_CHAN_CONNECTING && c->l == NULL)
		end = s->started_ms + ipfix_sec_ctx_hs_timeout(c->secctx);
	else if (c->state == IPFIX_CHAN_CLOSING)
		end = c->close_by_ms;
	else
		return -1;
	return end > now ? (long)(end - now) : 0;
}

static int
tls_send(struct ipfix_chan *c, const uint8_t *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct tlss *s = S(c);
	int n;

	if (!s->hs_done)
		return IPFIX_T_AGAIN;
	if (s->failed)
		return tls_fail(c, -1, "tls send", err);
	if (s->qend - s->qstart >= TLS_QUEUE_MAX)
		q_flush(s);
	if (s->qend - s->qstart >= TLS_QUEUE_MAX)
		return IPFIX_T_AGAIN;
	s->cork = how != NULL && how->more;
	n = SSL_write(s->ssl, msg, (int)len);
	s->cork = false;
	if (n > 0)
		return IPFIX_T_OK;
	if (want_more(s->ssl, n) && !s->failed)
		return IPFIX_T_AGAIN;
	return tls_fail(c, n, "tls send", err);
}

/* One SSL_read into the framer: OK, or AGAIN, EOF, ERR. */
static int
tls_fill(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct tlss *s = S(c);
	size_t room;
	uint8_t *p = ipfix_framer_space(&s->fr, &room);
	int n = SSL_read(s->ssl, p, room > INT32_MAX ? INT32_MAX : (int)room);

	if (n > 0) {
		ipfix_framer_fill(&s->fr, (size_t)n);
		return IPFIX_T_OK;
	}
	if (SSL_get_error(s->ssl, n) == SSL_ERROR_ZERO_RETURN) {
		if (ipfix_framer_pending(&s->fr) == 0)
			return IPFIX_T_EOF;
		return ipfix_err_set(err, IPFIX_E_TRUNCATED, s->fr.offset,
		    "C68", "tls: peer closed inside a message (%zu bytes "
		    "pending)", ipfix_framer_pending(&s->fr));
	}
	if (want_more(s->ssl, n) && !s->failed && !s->eof)
		return IPFIX_T_AGAIN;
	return tls_fail(c, n, "tls receive", err);
}

static int
tls_recv(struct ipfix_chan *c, struct ipfix_tmsg *m, struct ipfix_err *err)
{
	struct tlss *s = S(c);
	int rc;

	if (!s->hs_done)
		return IPFIX_T_AGAIN;
	for (;;) {
		rc = ipfix_framer_next(&s->fr, &m->data, &m->len, err);
		if (rc == 1) {
			m->peer = c->peer;
			return IPFIX_T_OK;
		}
		if (rc == -1)
			return IPFIX_T_ERR;
		if ((rc = tls_fill(c, err)) != IPFIX_T_OK)
			return rc;
	}
}

static size_t
tls_max_msg(const struct ipfix_chan *c)
{
	(void)c;
	return IPFIX_MSG_MAX;
}

static int
tls_shutdown(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct tlss *s = S(c);

	c->close_by_ms = ev_now_ms() + TLS_CLOSE_MS;
	if (!s->hs_done) {
		c->state = IPFIX_CHAN_CLOSED;
		return 0;
	}
	if (!s->shut_sent) {
		(void)SSL_shutdown(s->ssl);
		ERR_clear_error();
		s->shut_sent = true;
	}
	c->state = c->l != NULL ? IPFIX_CHAN_CLOSED : tls_closing(c, err);
	return 0;
}

static void *
tls_ssl(const struct ipfix_chan *c)
{
	return S(c)->ssl;
}

static void
tls_free(struct ipfix_chan *c)
{
	struct tlss *s = S(c);

	if (s == NULL)
		return;
	/* Answer the peer's close_notify (or say it first), best effort. */
	if (s->ssl != NULL && s->hs_done && !s->shut_sent && !s->failed) {
		(void)SSL_shutdown(s->ssl);
		q_flush(s);
	}
	ERR_clear_error();
	SSL_free(s->ssl);
	ipfix_framer_free(&s->fr);
	free(s->q);
	free(s);
	c->sec = NULL;
}

const struct ipfix_chan_ops ipfix_chan_tls_ops = {
	.name = "tls",
	.init = tls_init,
	.service = tls_service,
	.events = tls_events,
	.timeout_ms = tls_timeout,
	.send = tls_send,
	.recv = tls_recv,
	.max_msg = tls_max_msg,
	.shutdown = tls_shutdown,
	.free = tls_free,
	.ssl = tls_ssl,
};
