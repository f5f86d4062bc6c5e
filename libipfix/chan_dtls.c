/*
 * chan_dtls: the DTLS 1.2 kinds of chan. Over UDP: a client on a connected
 * socket it always reads (ICMP errors surface), messages of at most
 * min(DTLS_get_data_mtu, 16384) (C87); a listener on one socket that
 * answers ClientHellos statelessly through DTLSv1_listen and HMAC cookies
 * (C81) on one spare SSL, so no per-peer state exists before a cookie
 * verifies, and applies RFC 6347 §4.2.8 (C89). Over SCTP (RFC 6083): every
 * record on stream 0, ordered, so OpenSSL's replay window never drops one
 * (platform-notes §2); a 30 s timer instead of retransmissions (C96);
 * SCTP-AUTH key 1 from the EXPORTER_DTLS_OVER_SCTP exporter (C100),
 * activated once the peer has it.
 */
#include <string.h>
#include <openssl/err.h>

#include "tls_int.h"

#define DTLS_CLOSE_MS		2000
#define SCTP_CLOSE_MS		5000
#define SCTP_RECORD_MTU		(TLS_DTLS_RECORD_MAX + 256)
#define EXPORTER_LABEL		"EXPORTER_DTLS_OVER_SCTP"
#define AUTH_KEY_LEN		64
#define DTLS_PROBE_TRIES	12	/* OpenSSL's DTLS1_TMO_ALERT_COUNT */

struct dtls {
	SSL *ssl;
	struct dtls_bio_data bd;
	bool sctp;
	bool hs_done;
	bool shut_sent;		/* our close_notify is out */
	bool peer_closed;	/* theirs arrived (or the wait ended) */
	bool auth_set, auth_active;
	bool read_data;		/* the last SSL_read returned a record */
	bool probing;		/* a liveness probe is pending */
	bool probe_refused;
	uint64_t probes_ok;
	uint64_t started_ms;
	uint8_t buf[TLS_DTLS_RECORD_MAX + 512];
};

/* Listener state: the spare SSL that answers ClientHellos. */
struct dtls_lsn {
	SSL *lssl;
	bool verified;		/* lssl passed DTLSv1_listen, not taken */
	struct dtls_bio_data bd;
	BIO_ADDR *addr;
};

static struct dtls *
D(const struct ipfix_chan *c)
{
	return c->sec;
}

/* --- SCTP-AUTH (RFC 6083 §4.8) ---------------------------------------------- */

static void
auth_activate(struct ipfix_chan *c)
{
	struct dtls *d = D(c);
	struct ipfix_err err;

	if (!d->auth_set || d->auth_active)
		return;
	if (ipfix_transport_sctp_auth(c->t, IPFIX_AUTH_ACTIVATE, c->peer.assoc,
	    1, NULL, 0, &err) == 0)
		(void)ipfix_transport_sctp_auth(c->t, IPFIX_AUTH_DELETE,
		    c->peer.assoc, 0, NULL, 0, &err);
	d->auth_active = true;
}

/* Key 1 from the handshake's exporter, set (not yet used): receivers
 * take any key that is set. In a resumed handshake the server finishes
 * last and the client sends with key 1 at once, so both set it as soon
 * as the master secret and both randoms are known (the server after its
 * ServerHello, the client after reading it), as OpenSSL's own SCTP BIO
 * does; in a full one the collector sets it on finishing, before it
 * reads the exporter's next record. */
static int
auth_set_key(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	uint8_t key[AUTH_KEY_LEN];
	int rc;

	if (d->auth_set)
		return 0;
	if (SSL_export_keying_material(d->ssl, key, sizeof(key),
	    EXPORTER_LABEL, strlen(EXPORTER_LABEL), NULL, 0, 0) != 1)
		return ipfix_tls_err(d->ssl, 0, "dtls-sctp: key export", err);
	rc = ipfix_transport_sctp_auth(c->t, IPFIX_AUTH_SET_KEY, c->peer.assoc,
	    1, key, sizeof(key), err);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -1)
		return -1;
	d->auth_set = true;
	return 0;
}

/* Handshake done: the client sends with key 1 at once (the collector
 * has it, see above); the collector on the first record the exporter
 * sends after its Finished. */
static int
auth_install(struct ipfix_chan *c, struct ipfix_err *err)
{
	if (auth_set_key(c, err) == -1)
		return -1;
	if (c->l == NULL)
		auth_activate(c);
	return 0;
}

/* --- setting up --------------------------------------------------------------- */

/* The largest datagram payload (UDP: path MTU less IP and UDP). */
static size_t
set_mtu(struct ipfix_chan *c)
{
	struct dtls *d = D(c);
	size_t mtu = 0;

	if (d->sctp) {
		SSL_set_mtu(d->ssl, SCTP_RECORD_MTU);
		return SCTP_RECORD_MTU;
	}
	if (ipfix_transport_mtu(c->t, &mtu, NULL) == -1 || mtu == 0)
		mtu = 1472;
	/* The link MTU: the BIO's overhead is taken off again. */
	DTLS_set_link_mtu(d->ssl, (long)mtu +
	    (c->t->local.addr.ss_family == AF_INET6 ? 48 : 28));
	return mtu;
}

static int
attach_bio(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	BIO *b = ipfix_dtls_bio_new(c->secctx->biometh, &d->bd);
	size_t mtu;

	if (b == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "dtls: out of memory");
	SSL_set_bio(d->ssl, b, b);
	mtu = set_mtu(c);
	/* An exporter's records share datagrams when they fit (issue 5),
	 * up to the size of one largest record: what any DTLS receiver
	 * takes in one read (OpenSSL's buffer is 16 KB and a little more;
	 * past it the datagram is cut). Out of memory leaves it off. Not
	 * over SCTP: one user message is one record (RFC 6083 §4.1). */
	if (!c->shared && !d->sctp)
		(void)ipfix_dtls_bio_pack(&d->bd, mtu < TLS_DTLS_RECORD_MAX ?
		    mtu : TLS_DTLS_RECORD_MAX);
	return 0;
}

/* The listener's verified SSL becomes the session's; a new spare one is
 * made on the next ClientHello. */
static SSL *
take_listen_ssl(struct ipfix_chan *c)
{
	struct dtls_lsn *k = c->l->ksec;
	SSL *ssl = k->lssl;

	k->lssl = NULL;
	if (ssl != NULL && !k->verified) {
		SSL_free(ssl);
		return NULL;
	}
	k->verified = false;
	SSL_set_app_data(ssl, c);
	return ssl;
}

static int
dtls_init(struct ipfix_chan *c, bool server, struct ipfix_err *err)
{
	struct dtls *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "dtls: out of memory");
	c->sec = d;
	d->sctp = c->scheme == IPFIX_SCHEME_DTLS_SCTP;
	d->bd.t = c->t;
	d->bd.peer = c->peer;
	d->bd.shared = c->shared;
	d->bd.sctp = d->sctp;
	d->started_ms = ev_now_ms();
	if (server && !d->sctp)
		d->ssl = take_listen_ssl(c);
	else
		d->ssl = ipfix_tls_ssl_new(c->secctx, c, true, err);
	if (d->ssl == NULL)
		return d->sctp || !server ? -1 : ipfix_err_set(err,
		    IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL, "dtls: no verified "
		    "ClientHello to continue");
	if (attach_bio(c, err) == -1)
		return -1;
	/* The listener's SSL is mid-handshake already: setting the
	 * accept state again would forget the verified ClientHello. */
	if (server && d->sctp)
		SSL_set_accept_state(d->ssl);
	else if (!server)
		SSL_set_connect_state(d->ssl);
	return 0;
}

/* --- the session ---------------------------------------------------------------- */

static int
dtls_fail(struct ipfix_chan *c, int ret, const char *what,
    struct ipfix_err *err)
{
	struct dtls *d = D(c);

	if (d->bd.failed) {
		if (err != NULL)
			*err = d->bd.err;
		ERR_clear_error();
		return IPFIX_T_ERR;
	}
	return ipfix_tls_err(d->ssl, ret, what, err);
}

static bool
want_more(SSL *ssl, int ret)
{
	int e = SSL_get_error(ssl, ret);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static enum ipfix_chan_state
dtls_handshake(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	unsigned hs = ipfix_sec_ctx_hs_timeout(c->secctx);
	int rc;

	if (!c->shared && (rc = ipfix_transport_flush(c->t, err)) != IPFIX_T_OK)
		return rc == IPFIX_T_AGAIN ? IPFIX_CHAN_CONNECTING :
		    IPFIX_CHAN_FAILED;
	if ((rc = SSL_do_handshake(d->ssl)) == 1) {
		d->hs_done = true;
		ipfix_tls_identity(c->secctx, d->ssl, &c->id);
		if (d->sctp && auth_install(c, err) == -1)
			return IPFIX_CHAN_FAILED;
		return IPFIX_CHAN_UP;
	}
	if (!want_more(d->ssl, rc) || d->bd.failed) {
		dtls_fail(c, rc, "dtls handshake", err);
		return IPFIX_CHAN_FAILED;
	}
	if (d->sctp && SSL_session_reused(d->ssl) == 1 &&
	    auth_set_key(c, err) == -1)
		return IPFIX_CHAN_FAILED;
	if (c->l == NULL && ev_now_ms() - d->started_ms >= hs) {
		ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "dtls handshake: not done within %u ms: %s", hs,
		    ipfix_tls_stall_hint(d->ssl));
		return IPFIX_CHAN_FAILED;
	}
	return IPFIX_CHAN_CONNECTING;
}

/* After our close_notify: wait (bounded) for the peer's, then end SCTP. */
static enum ipfix_chan_state
dtls_closing(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	struct ipfix_tmsg m;
	int n;

	while (!d->peer_closed) {
		n = SSL_read(d->ssl, d->buf, sizeof(d->buf));
		if (n > 0)
			continue;
		if (want_more(d->ssl, n) && !d->bd.failed &&
		    ev_now_ms() < c->close_by_ms)
			return IPFIX_CHAN_CLOSING;
		ERR_clear_error();
		d->peer_closed = true;
	}
	if (c->shared || !d->sctp)
		return IPFIX_CHAN_CLOSED;
	if (!c->shut_sent) {
		if (ipfix_transport_shutdown(c->t, err) == IPFIX_T_AGAIN)
			return IPFIX_CHAN_CLOSING;
		c->shut_sent = true;
	}
	while ((n = ipfix_transport_recv(c->t, &m, err)) == IPFIX_T_OK)
		if (m.event == IPFIX_TEV_DOWN)
			return IPFIX_CHAN_CLOSED;
	if (n != IPFIX_T_AGAIN || ev_now_ms() >= c->close_by_ms)
		return IPFIX_CHAN_CLOSED;
	return IPFIX_CHAN_CLOSING;
}

/* Drive a pending probe: done when the renegotiation completed. */
static int
probe_step(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	int rc = SSL_do_handshake(d->ssl);

	if (rc == 1 && !SSL_renegotiate_pending(d->ssl)) {
		d->probing = false;
		d->probes_ok++;
		return 0;
	}
	if (rc == 1 || (want_more(d->ssl, rc) && !d->bd.failed))
		return 0;
	if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_NO_RENEGOTIATION)
		d->probe_refused = true;
	dtls_fail(c, rc, d->probe_refused ? "dtls liveness probe refused "
	    "by the collector" : "dtls liveness probe", err);
	return -1;
}

static int
dtls_probe(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);

	if (d->sctp)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "dtls-sctp: no liveness probe (SCTP finds a lost peer)");
	if (d->probing || d->probe_refused)
		return 0;
	if (SSL_renegotiate_abbreviated(d->ssl) != 1) {
		d->probe_refused = true;
		return dtls_fail(c, -1, "dtls liveness probe", err);
	}
	d->probing = true;
	return probe_step(c, err) == -1 ? IPFIX_T_ERR : 0;
}

static enum ipfix_chan_probe
dtls_probe_state(const struct ipfix_chan *c)
{
	const struct dtls *d = D(c);

	return d->probe_refused ? IPFIX_PROBE_REFUSED :
	    d->probing ? IPFIX_PROBE_PENDING : IPFIX_PROBE_IDLE;
}

static uint64_t
dtls_probes_answered(const struct ipfix_chan *c)
{
	return D(c)->probes_ok;
}

static enum ipfix_chan_state
dtls_service(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);

	if (!c->shared && ipfix_transport_timeout(c->t) >= 0 &&
	    ipfix_transport_service(c->t, err) == -1)
		return IPFIX_CHAN_FAILED;
	if (DTLSv1_handle_timeout(d->ssl) < 0) {
		if (d->probing) {
			ERR_clear_error();
			ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
			    "dtls: liveness probe unanswered (%u tries, %u ms "
			    "apart): collector restarted or gone",
			    DTLS_PROBE_TRIES, IPFIX_CHAN_PROBE_TIMER_MS);
			return IPFIX_CHAN_FAILED;
		}
		dtls_fail(c, -1, "dtls: retransmissions exhausted", err);
		return IPFIX_CHAN_FAILED;
	}
	/* What the BIO holds leaves now (the owner's service promise). */
	if (ipfix_dtls_bio_flush(&d->bd) == IPFIX_T_ERR) {
		dtls_fail(c, -1, "dtls send", err);
		return IPFIX_CHAN_FAILED;
	}
	if (c->state == IPFIX_CHAN_CONNECTING)
		return dtls_handshake(c, err);
	if (c->state == IPFIX_CHAN_CLOSING)
		return dtls_closing(c, err);
	if (d->probing && probe_step(c, err) == -1)
		return IPFIX_CHAN_FAILED;
	if (!c->shared && ipfix_transport_flush(c->t, err) == IPFIX_T_ERR)
		return IPFIX_CHAN_FAILED;
	return c->state;
}

static int
dtls_events(const struct ipfix_chan *c)
{
	/* Held records, or a record OpenSSL must write again: writable is
	 * when service or the retried send gets them out. */
	return ipfix_chan_plain_events(c) |
	    (ipfix_dtls_bio_want_write(&D(c)->bd) ? EV_WRITE : 0);
}

static long
min_ms(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static long
dtls_timeout(const struct ipfix_chan *c)
{
	const struct dtls *d = D(c);
	struct timeval tv;
	long t = ipfix_chan_plain_timeout(c);
	uint64_t now = ev_now_ms(), end;

	if (DTLSv1_get_timeout(d->ssl, &tv))
		t = min_ms(t, (long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	if (c->state == IPFIX_CHAN_CONNECTING && c->l == NULL) {
		end = d->started_ms + ipfix_sec_ctx_hs_timeout(c->secctx);
		t = min_ms(t, end > now ? (long)(end - now) : 0);
	}
	return t;
}

static int
dtls_send(struct ipfix_chan *c, const uint8_t *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	int n;

	/* Records go on stream 0, ordered, whatever how asks (§2); only
	 * more is heard: the record may wait for the next to share its
	 * datagram. */
	if (!d->hs_done)
		return IPFIX_T_AGAIN;
	d->bd.more = how != NULL && how->more;
	n = SSL_write(d->ssl, msg, (int)len);
	d->bd.more = false;
	if (n > 0)
		return IPFIX_T_OK;
	if (want_more(d->ssl, n) && !d->bd.failed)
		return IPFIX_T_AGAIN;
	return dtls_fail(c, n, "dtls send", err);
}

static int
dtls_recv(struct ipfix_chan *c, struct ipfix_tmsg *m, struct ipfix_err *err)
{
	struct dtls *d = D(c);
	int n;

	if (!d->hs_done)
		return IPFIX_T_AGAIN;
	/* A listener's datagram whose records were all read: another
	 * SSL_read would only fail (a third of the receive cost of a
	 * datagram holding one record). */
	if (d->read_data && d->bd.shared && d->bd.in == NULL &&
	    !SSL_has_pending(d->ssl)) {
		d->read_data = false;
		return IPFIX_T_AGAIN;
	}
	d->read_data = false;
	if ((n = SSL_read(d->ssl, d->buf, sizeof(d->buf))) > 0) {
		d->read_data = true;
		m->data = d->buf;
		m->len = (size_t)n;
		m->peer = c->peer;
		if (d->sctp && c->l != NULL)
			auth_activate(c);
		return IPFIX_T_OK;
	}
	if (SSL_get_error(d->ssl, n) == SSL_ERROR_ZERO_RETURN) {
		d->peer_closed = true;
		return IPFIX_T_EOF;
	}
	if (d->bd.eof)
		return IPFIX_T_EOF;
	if (want_more(d->ssl, n) && !d->bd.failed)
		return IPFIX_T_AGAIN;
	return dtls_fail(c, n, "dtls receive", err);
}

static int
dtls_input(struct ipfix_chan *c, const struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	struct dtls *d = D(c);

	(void)err;
	d->bd.in = m->data;
	d->bd.inlen = m->len;
	return 0;
}

static size_t
dtls_max_msg(const struct ipfix_chan *c)
{
	const struct dtls *d = D(c);
	size_t n;

	if (d->sctp)
		return TLS_DTLS_RECORD_MAX;
	n = DTLS_get_data_mtu(d->ssl);
	if (n == 0)
		n = 1200;	/* before the suite is known */
	return n < TLS_DTLS_RECORD_MAX ? n : TLS_DTLS_RECORD_MAX;
}

static int
dtls_shutdown(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct dtls *d = D(c);

	c->close_by_ms = ev_now_ms() + (d->sctp ? SCTP_CLOSE_MS :
	    DTLS_CLOSE_MS);
	if (!d->hs_done) {
		c->state = IPFIX_CHAN_CLOSED;
		return 0;
	}
	if (!d->shut_sent) {
		(void)SSL_shutdown(d->ssl);
		ERR_clear_error();
		d->shut_sent = true;
	}
	c->state = IPFIX_CHAN_CLOSING;
	if (c->l != NULL) {
		d->peer_closed = true;
		return 0;
	}
	c->state = dtls_closing(c, err);
	return 0;
}

static void *
dtls_ssl(const struct ipfix_chan *c)
{
	return D(c)->ssl;
}

static void
dtls_free(struct ipfix_chan *c)
{
	struct dtls *d = D(c);

	if (d == NULL)
		return;
	/* close_notify both ways: answer the peer's, or say it first. */
	if (d->ssl != NULL && d->hs_done && !d->shut_sent && !d->bd.failed) {
		d->bd.in = NULL;
		(void)SSL_shutdown(d->ssl);
	}
	ERR_clear_error();
	SSL_free(d->ssl);
	ipfix_dtls_bio_unpack(&d->bd);
	free(d);
	c->sec = NULL;
}

/* --- the listener (UDP): cookies before any state -------------------------------- */

static int
lsn_spare(struct ipfix_chan_listener *l)
{
	struct dtls_lsn *k = l->ksec;
	struct ipfix_err err;
	BIO *b;

	if (k->lssl != NULL)
		return 0;
	if ((k->lssl = ipfix_tls_ssl_new(l->sec, NULL, false, &err)) == NULL)
		return -1;
	if ((b = ipfix_dtls_bio_new(l->sec->biometh, &k->bd)) == NULL) {
		SSL_free(k->lssl);
		k->lssl = NULL;
		return -1;
	}
	SSL_set_bio(k->lssl, b, b);
	DTLS_set_link_mtu(k->lssl, 1500);
	return 0;
}

static int
dtls_linit(struct ipfix_chan_listener *l, struct ipfix_err *err)
{
	struct dtls_lsn *k;

	if (l->scheme == IPFIX_SCHEME_DTLS_SCTP)
		return 0;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->addr = BIO_ADDR_new()) == NULL) {
		free(k);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "dtls listener: out of memory");
	}
	l->ksec = k;
	k->bd.t = l->t;
	k->bd.shared = true;
	k->bd.st = &l->st;
	if (lsn_spare(l) == -1)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "dtls listener: cannot make a session");
	return 0;
}

static void
dtls_lfree(struct ipfix_chan_listener *l)
{
	struct dtls_lsn *k = l->ksec;

	if (k == NULL)
		return;
	SSL_free(k->lssl);
	BIO_ADDR_free(k->addr);
	free(k);
	l->ksec = NULL;
}

/* A DTLS record header: content type 20-23 and version 254.x. */
static bool
is_dtls(const struct ipfix_tmsg *m)
{
	return m->len >= 13 && m->data[0] >= 20 && m->data[0] <= 23 &&
	    m->data[1] == 254;
}

/* RFC 6347 §4.2.8: an epoch-0 handshake record carrying a ClientHello. */
static bool
is_hello(const struct ipfix_tmsg *m)
{
	return is_dtls(m) && m->len >= 26 && m->data[0] == 22 &&
	    m->data[3] == 0 && m->data[4] == 0 && m->data[13] == 1;
}

static void
refuse_plain(struct ipfix_chan_listener *l, const struct ipfix_tmsg *m)
{
	struct ipfix_err err;

	ipfix_err_set(&err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
	    "not a DTLS record (%s on a secure port?)",
	    m->len >= 2 && m->data[0] == 0 && m->data[1] == 10 ?
	    "plaintext IPFIX" : "plaintext");
	ipfix_chan_listener_refuse(l, &m->peer, &err);
}

static int
dtls_gate(struct ipfix_chan_listener *l, const struct ipfix_tmsg *m,
    struct ipfix_chan *cur)
{
	struct dtls_lsn *k = l->ksec;
	int rc;

	/* A ClientHello for a handshake in progress is a retransmission:
	 * the session answers it by resending its flight. */
	if (cur != NULL && (!is_hello(m) || !cur->opened))
		return CHAN_GATE_PASS;
	if (!is_hello(m)) {
		if (!is_dtls(m))
			refuse_plain(l, m);
		return CHAN_GATE_DROP;
	}
	if (k->verified) {
		/* Verified, then refused by a limit: start afresh. */
		SSL_free(k->lssl);
		k->lssl = NULL;
		k->verified = false;
	}
	if (lsn_spare(l) == -1)
		return CHAN_GATE_DROP;
	k->bd.peer = m->peer;
	k->bd.in = m->data;
	k->bd.inlen = m->len;
	rc = DTLSv1_listen(k->lssl, k->addr);
	k->bd.in = NULL;
	ERR_clear_error();
	if (rc == 1) {
		k->verified = true;
		return CHAN_GATE_NEW;
	}
	if (rc < 0) {
		SSL_free(k->lssl);
		k->lssl = NULL;
	}
	return CHAN_GATE_DROP;
}

static const char *
dtls_stalled(const struct ipfix_chan *c)
{
	const struct dtls *d = D(c);

	return d != NULL && !d->hs_done ? ipfix_tls_stall_hint(d->ssl) : NULL;
}

const struct ipfix_chan_ops ipfix_chan_dtls_ops = {
	.name = "dtls",
	.init = dtls_init,
	.service = dtls_service,
	.events = dtls_events,
	.timeout_ms = dtls_timeout,
	.send = dtls_send,
	.recv = dtls_recv,
	.input = dtls_input,
	.max_msg = dtls_max_msg,
	.shutdown = dtls_shutdown,
	.free = dtls_free,
	.ssl = dtls_ssl,
	.stalled = dtls_stalled,
	.gate = dtls_gate,
	.linit = dtls_linit,
	.lfree = dtls_lfree,
	.probe = dtls_probe,
	.probe_state = dtls_probe_state,
	.probes_answered = dtls_probes_answered,
};

const struct ipfix_chan_ops ipfix_chan_dtls_sctp_ops = {
	.name = "dtls-sctp",
	.init = dtls_init,
	.service = dtls_service,
	.events = dtls_events,
	.timeout_ms = dtls_timeout,
	.send = dtls_send,
	.recv = dtls_recv,
	.input = dtls_input,
	.max_msg = dtls_max_msg,
	.shutdown = dtls_shutdown,
	.free = dtls_free,
	.ssl = dtls_ssl,
	.stalled = dtls_stalled,
};
