/*
 * Unit tests of dtls_bio's packing (several DTLS records to a datagram,
 * RFC 6347 §4.1.1, issue 5): over a fake transport that logs datagrams
 * and can refuse with AGAIN, EMSGSIZE or a hard error, every record
 * leaves exactly once, in order, in datagrams that never pass the cap;
 * then a real DTLS exporter sending with more set into a real listener,
 * whose OpenSSL takes the packed datagrams apart.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>

#include "tls_int.h"
#include "testhelp.h"
#include "sechelp.h"

#define REC	1437	/* a 1400-byte message in an AES-GCM record */
#define CAP	16384
#define MAXDG	64

/* --- a transport that logs what it is given ------------------------------- */

struct fake {
	struct ipfix_transport t;
	uint8_t dg[MAXDG][65536];
	size_t dglen[MAXDG];
	int ndg;
	size_t limit;		/* larger datagrams: EMSGSIZE (0: none) */
	int ok_first;		/* then sends that pass, */
	int again;		/* then sends refused with AGAIN */
	bool refuse;		/* every send: a hard error */
};

static int
fake_send(struct ipfix_transport *t, const void *p, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct fake *f = (struct fake *)t;

	(void)how;
	if (f->refuse)
		return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "fake: refused");
	if (f->limit > 0 && len > f->limit)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "fake: too long");
	if (f->ok_first > 0)
		f->ok_first--;
	else if (f->again > 0) {
		f->again--;
		return IPFIX_T_AGAIN;
	}
	if (f->ndg == MAXDG || len > sizeof(f->dg[0]))
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "fake: log full");
	memcpy(f->dg[f->ndg], p, len);
	f->dglen[f->ndg++] = len;
	return IPFIX_T_OK;
}

static int
fake_mtu(struct ipfix_transport *t, size_t *mtu, struct ipfix_err *err)
{
	struct fake *f = (struct fake *)t;

	(void)err;
	*mtu = f->limit > 0 ? f->limit : 65507;
	return 0;
}

static void
fake_free(struct ipfix_transport *t)
{
	(void)t;
}

static const struct ipfix_transport_ops fake_ops = {
	.name = "fake",
	.send = fake_send,
	.mtu = fake_mtu,
	.free = fake_free,
};

/* One BIO over a fresh fake; packing at cap unless cap is 0. */
struct rig {
	struct fake f;
	struct dtls_bio_data d;
	BIO_METHOD *m;
	BIO *b;
	uint32_t next;		/* sequence number of the next record */
};

static struct rig *
rig_new(size_t cap)
{
	struct rig *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->f.t.ops = &fake_ops;
	r->f.t.fd = -1;
	r->d.t = &r->f.t;
	r->m = ipfix_dtls_bio_method();
	r->b = r->m != NULL ? ipfix_dtls_bio_new(r->m, &r->d) : NULL;
	if (r->b == NULL || ipfix_dtls_bio_pack(&r->d, cap) == -1) {
		BIO_free(r->b);
		BIO_meth_free(r->m);
		free(r);
		return NULL;
	}
	return r;
}

static void
rig_free(struct rig *r)
{
	if (r == NULL)
		return;
	BIO_free(r->b);
	BIO_meth_free(r->m);
	ipfix_dtls_bio_unpack(&r->d);
	free(r);
}

/* Record seq with len bytes in all: a DTLS 1.2 header, then seq's bytes. */
static void
make_rec(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;

	memset(p, 0, 13);
	p[0] = 23;
	p[1] = 254;
	p[2] = 253;
	p[4] = 1;
	p[7] = (uint8_t)(seq >> 24);
	p[8] = (uint8_t)(seq >> 16);
	p[9] = (uint8_t)(seq >> 8);
	p[10] = (uint8_t)seq;
	p[11] = (uint8_t)((len - 13) >> 8);
	p[12] = (uint8_t)(len - 13);
	for (i = 13; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

/* BIO_write of the next record of len bytes with more as given. */
static int
put(struct rig *r, size_t len, bool more)
{
	static uint8_t rec[CAP + 64];
	int n;

	make_rec(rec, len, r->next);
	r->d.more = more;
	n = BIO_write(r->b, rec, (int)len);
	r->d.more = false;
	if (n == (int)len)
		r->next++;
	return n;
}

/*
 * The datagrams logged hold records 0..n-1, each exactly once and in
 * order, none over cap; *per gets the records of each datagram.
 */
static bool
log_ok(const struct fake *f, uint32_t n, size_t cap, int *per)
{
	uint8_t want[CAP + 64];
	uint32_t seq = 0;
	size_t off, len;
	int i;

	for (i = 0; i < f->ndg; i++) {
		if (f->dglen[i] > cap)
			return false;
		per[i] = 0;
		for (off = 0; off + 13 <= f->dglen[i]; off += len) {
			len = 13 + ((size_t)f->dg[i][off + 11] << 8 |
			    f->dg[i][off + 12]);
			make_rec(want, len, seq);
			if (off + len > f->dglen[i] ||
			    memcmp(f->dg[i] + off, want, len) != 0)
				return false;
			seq++;
			per[i]++;
		}
		if (off != f->dglen[i])
			return false;
	}
	return seq == n;
}

/* --- the cases ------------------------------------------------------------ */

static void
test_off(void)
{
	struct rig *r = rig_new(0);
	int per[MAXDG];

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	(void)put(r, REC, true);
	(void)put(r, REC, true);
	(void)put(r, 100, false);
	CHECK(r->f.ndg == 3 && log_ok(&r->f, 3, CAP, per) &&
	    !ipfix_dtls_bio_held(&r->d), "packing off: one write is one "
	    "datagram, more or not");
	r->f.again = 1;
	CHECK(put(r, REC, false) == -1 && BIO_should_write(r->b) &&
	    ipfix_dtls_bio_want_write(&r->d), "a full socket: the write is "
	    "retried, and the owner waits until writable (not a sleep)");
	CHECK(put(r, REC, false) == REC && !ipfix_dtls_bio_want_write(&r->d),
	    "... until a send passes");
	rig_free(r);
}

static void
test_pack(void)
{
	struct rig *r = rig_new(CAP);
	int per[MAXDG], i;

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	(void)put(r, 100, false);
	CHECK(r->f.ndg == 1 && !ipfix_dtls_bio_held(&r->d),
	    "nothing held and no more: the record leaves at once");
	for (i = 0; i < 5; i++)
		(void)put(r, REC, true);
	CHECK(r->f.ndg == 1 && ipfix_dtls_bio_held(&r->d),
	    "5 records with more are held");
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_OK && r->f.ndg == 2 &&
	    !ipfix_dtls_bio_held(&r->d), "a flush sends them");
	CHECK(log_ok(&r->f, 6, CAP, per) && per[1] == 5,
	    "... as one datagram of 5 records, in order");
	for (i = 0; i < 12; i++)
		(void)put(r, REC, true);
	CHECK(r->f.ndg == 3 && log_ok(&r->f, 17, CAP, per) && per[2] == 11,
	    "the 12th record of %d bytes sends the first 11 (cap %d)", REC,
	    CAP);
	(void)put(r, REC, false);
	CHECK(r->f.ndg == 4 && log_ok(&r->f, 19, CAP, per) && per[3] == 2 &&
	    !ipfix_dtls_bio_held(&r->d), "a write without more leaves with "
	    "what was held");
	(void)put(r, REC, true);
	(void)put(r, CAP + 37, true);
	CHECK(r->f.ndg == 6 && log_ok(&r->f, 21, CAP + 37, per) &&
	    per[4] == 1 && per[5] == 1 && !ipfix_dtls_bio_held(&r->d),
	    "a record over the cap goes alone, after what was held");
	(void)put(r, REC, true);
	CHECK(BIO_flush(r->b) == 1 && r->f.ndg == 7 &&
	    !ipfix_dtls_bio_held(&r->d), "OpenSSL's BIO_flush sends what "
	    "is held");
	rig_free(r);
}

static void
test_again(void)
{
	struct rig *r = rig_new(CAP);
	int per[MAXDG], i, n;

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	for (i = 0; i < 11; i++)
		(void)put(r, REC, true);
	r->f.again = 1;
	n = put(r, REC, true);
	CHECK(n == -1 && BIO_should_retry(r->b) && BIO_should_write(r->b) &&
	    r->f.ndg == 0 && ipfix_dtls_bio_held(&r->d), "no room and the "
	    "socket full: the record is not taken (OpenSSL retries it)");
	n = put(r, REC, true);
	CHECK(n == REC && r->f.ndg == 1 && ipfix_dtls_bio_held(&r->d),
	    "the retry sends the held datagram and holds the record");
	r->f.again = 1;
	n = put(r, REC, false);
	CHECK(n == REC && r->f.ndg == 1 && ipfix_dtls_bio_held(&r->d),
	    "without more and the socket full: taken, still held");
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_OK && r->f.ndg == 2 &&
	    log_ok(&r->f, 13, CAP, per) && per[0] == 11 && per[1] == 2,
	    "the owner's flush sends it: each record once, in order");
	r->f.again = 1;
	(void)put(r, REC, true);
	CHECK(BIO_flush(r->b) <= 0 && BIO_should_retry(r->b) &&
	    ipfix_dtls_bio_held(&r->d), "BIO_flush on a full socket asks "
	    "for a retry");
	rig_free(r);
}

static void
test_emsgsize(void)
{
	struct rig *r = rig_new(CAP);
	int per[MAXDG], i;

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	for (i = 0; i < 5; i++)
		(void)put(r, REC, true);
	r->f.limit = 1500;	/* the path MTU shrank */
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_OK && !r->d.failed &&
	    r->f.ndg == 5 && log_ok(&r->f, 5, 1500, per),
	    "EMSGSIZE for a packed datagram: its records leave one each");
	for (i = 0; i < 3; i++)
		(void)put(r, REC, true);
	(void)put(r, REC, false);
	CHECK(r->f.ndg == 9 && log_ok(&r->f, 9, 1500, per) && !r->d.failed,
	    "then packing keeps to the new MTU");
	rig_free(r);
	if ((r = rig_new(CAP)) == NULL)
		return;
	for (i = 0; i < 5; i++)
		(void)put(r, REC, true);
	r->f.again = 1;
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_AGAIN && r->f.ndg == 0 &&
	    ipfix_dtls_bio_held(&r->d), "the socket full: the packed "
	    "datagram stays held");
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_OK && r->f.ndg == 1 &&
	    log_ok(&r->f, 5, CAP, per), "... and leaves whole after");
	for (i = 0; i < 5; i++)
		(void)put(r, REC, true);
	r->f.limit = 1500;
	r->f.ok_first = 2;
	r->f.again = 1;
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_AGAIN &&
	    r->f.ndg == 3 && ipfix_dtls_bio_held(&r->d), "EMSGSIZE, two "
	    "records sent singly, then the socket full: the rest stays held");
	CHECK(ipfix_dtls_bio_flush(&r->d) == IPFIX_T_OK && r->f.ndg == 6 &&
	    log_ok(&r->f, 10, CAP, per) && per[1] == 1 && per[5] == 1 &&
	    !ipfix_dtls_bio_held(&r->d), "... then leaves: each record once, "
	    "in order");
	(void)put(r, 1600, false);
	CHECK(r->d.failed && r->d.err.code == IPFIX_E_LIMIT,
	    "a single record over the MTU still fails (EMSGSIZE)");
	rig_free(r);
}

static void
test_refused(void)
{
	struct rig *r = rig_new(CAP);

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	(void)put(r, REC, true);
	r->f.refuse = true;
	CHECK(put(r, REC, false) == -1 && r->d.failed &&
	    r->d.err.code == IPFIX_E_NET, "a refused send of what was held "
	    "fails the write with the transport's error");
	rig_free(r);
}

/* A listener's datagram with more than OpenSSL reads at once. */
static void
test_read_big(void)
{
	static uint8_t dg[3 * 8013], buf[16724];
	struct rig *r = rig_new(0);
	int i, n1, n2, n3;

	if (r == NULL) {
		CHECK(0, "rig");
		return;
	}
	for (i = 0; i < 3; i++)
		make_rec(dg + i * 8013, 8013, (uint32_t)i);
	r->d.shared = true;
	r->d.in = dg;
	r->d.inlen = sizeof(dg);
	n1 = BIO_read(r->b, buf, (int)sizeof(buf));
	CHECK(n1 == 2 * 8013 && memcmp(buf, dg, (size_t)n1) == 0,
	    "a datagram of 3 records of 8013 bytes: the first read takes "
	    "the 2 that fit in OpenSSL's 16724 bytes");
	n2 = BIO_read(r->b, buf, (int)sizeof(buf));
	CHECK(n2 == 8013 && memcmp(buf, dg + 2 * 8013, 8013) == 0,
	    "... the next read the third");
	n3 = BIO_read(r->b, buf, (int)sizeof(buf));
	CHECK(n3 == -1 && BIO_should_retry(r->b) && r->d.in == NULL,
	    "... then nothing until the next datagram");
	make_rec(dg, sizeof(dg), 9);
	r->d.in = dg;
	r->d.inlen = sizeof(dg);
	n1 = BIO_read(r->b, buf, (int)sizeof(buf));
	CHECK(n1 == (int)sizeof(buf) && r->d.in == NULL, "one record longer "
	    "than the read is cut, the rest dropped (as OpenSSL's BIO)");
	rig_free(r);
}

/* --- a real exporter and listener --------------------------------------- */

static char pki[256];

struct side {
	int opens, msgs, bad;
	uint32_t next;
};

static void
on_open(void *arg, struct ipfix_chan *c)
{
	(void)c;
	((struct side *)arg)->opens++;
}

/* Messages must come in order and intact. */
static void
on_message(void *arg, struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct side *k = arg;
	uint8_t want[1400];
	size_t len = m->len;

	(void)c;
	if (len < 6 || len > sizeof(want)) {
		k->bad++;
		return;
	}
	test_ipfix_msg(want, len, k->next);
	if (memcmp(want, m->data, len) != 0)
		k->bad++;
	k->next++;
	k->msgs++;
}

static const struct ipfix_listen_ops lops = { .on_open = on_open,
    .on_message = on_message };

static const char *
P(const char *file)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", pki, file);
	return buf[i];
}

static struct ipfix_sec_config
cfg(bool server)
{
	struct ipfix_sec_config c;

	memset(&c, 0, sizeof(c));
	c.cert = P(server ? "collector.pem" : "exporter.pem");
	c.key = P(server ? "collector.key" : "exporter.key");
	c.ca = P("ca.pem");
	c.handshake_timeout_ms = 2000;
	c.dtls_timer_ms = 200;
	return c;
}

static void
drive(struct ev_loop *ev, struct ipfix_chan *c, int ms)
{
	struct ipfix_err err;
	struct ipfix_tmsg m;

	(void)ev_run_once(ev, ms, &err);
	(void)ipfix_chan_service(c, &err);
	if (ipfix_chan_state(c) == IPFIX_CHAN_UP)
		while (ipfix_chan_recv(c, &m, &err) == IPFIX_T_OK)
			;
}

/* A connected exporter session to a listener in ev, or NULL. */
static struct ipfix_chan *
connect_pair(struct ev_loop *ev, struct ipfix_sec_ctx *ss,
    struct ipfix_sec_ctx *cs, struct side *k, struct ipfix_chan_listener **l)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	struct ipfix_chan *c;
	uint64_t end = ev_now_ms() + 5000;
	char url[64];

	if (ipfix_endpoint_parse("dtls://127.0.0.1", &ep, &err) == -1 ||
	    (*l = ipfix_chan_listen(&ep, NULL, ss, NULL, ev, &lops, k,
	    &err)) == NULL)
		return NULL;
	snprintf(url, sizeof(url), "dtls://127.0.0.1:%u", ipfix_addr_port(
	    (const struct sockaddr *)&ipfix_chan_listener_local(*l)->addr));
	if (ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (c = ipfix_chan_connect(&ep, NULL, cs, &err)) == NULL)
		return NULL;
	while (ipfix_chan_state(c) == IPFIX_CHAN_CONNECTING &&
	    ev_now_ms() < end)
		drive(ev, c, 5);
	while (k->opens == 0 && ev_now_ms() < end)
		drive(ev, c, 5);
	return c;
}

/* n messages of 1400 bytes, all but every 100th and the last with more. */
static bool
send_all(struct ev_loop *ev, struct ipfix_chan *c, int n, bool *held)
{
	struct ipfix_tsend how = { .pr_rtx = -1 };
	struct ipfix_err err;
	uint8_t m[1400];
	int i, rc;

	for (i = 0; i < n; i++) {
		test_ipfix_msg(m, sizeof(m), (uint32_t)i);
		how.more = i % 100 != 99 && i != n - 1;
		while ((rc = ipfix_chan_send(c, m, sizeof(m), &how, &err)) ==
		    IPFIX_T_AGAIN)
			drive(ev, c, 2);
		if (rc != IPFIX_T_OK)
			return false;
		if (i == 0)
			*held = (ipfix_chan_events(c) & EV_WRITE) != 0;
		if (i % 100 == 99)
			drive(ev, c, 0);	/* the collector reads */
	}
	return true;
}

/* --- OpenSSL on both ends, datagrams moved by hand ------------------------ */

/* Datagrams logged by from since *done, into to's SSL (a listener's). */
static int
carry(struct rig *from, int *done, struct rig *to, SSL *ssl, uint8_t *buf,
    size_t cap)
{
	int got = 0, n;

	for (; *done < from->f.ndg; (*done)++) {
		to->d.in = from->f.dg[*done];
		to->d.inlen = from->f.dglen[*done];
		if (!SSL_is_init_finished(ssl)) {
			(void)SSL_do_handshake(ssl);
			continue;
		}
		while ((n = SSL_read(ssl, buf, (int)cap)) > 0)
			got++;
	}
	ERR_clear_error();
	return got;
}

/* A client SSL over rig c (packing at 60000 bytes, as a peer on a 64 KB
 * loopback MTU may), a server over rig s, handshake by hand. */
static bool
mem_handshake(struct ipfix_sec_ctx *cx, struct ipfix_sec_ctx *sx,
    struct rig *c, struct rig *s, SSL **cs, SSL **ss)
{
	struct ipfix_err err;
	uint8_t buf[64];
	int cdone = 0, sdone = 0, i;

	*cs = ipfix_tls_ssl_new(cx, NULL, false, &err);
	*ss = ipfix_tls_ssl_new(sx, NULL, false, &err);
	if (*cs == NULL || *ss == NULL)
		return false;
	SSL_set_bio(*cs, c->b, c->b);
	SSL_set_bio(*ss, s->b, s->b);
	c->b = s->b = NULL;	/* the SSLs own them now */
	DTLS_set_link_mtu(*cs, 1500);
	DTLS_set_link_mtu(*ss, 1500);
	SSL_set_connect_state(*cs);
	SSL_set_accept_state(*ss);
	s->d.shared = c->d.shared = true;
	for (i = 0; i < 20 && !(SSL_is_init_finished(*cs) &&
	    SSL_is_init_finished(*ss)); i++) {
		(void)SSL_do_handshake(*cs);
		(void)carry(c, &cdone, s, *ss, buf, sizeof(buf));
		(void)carry(s, &sdone, c, *cs, buf, sizeof(buf));
	}
	ERR_clear_error();
	c->f.ndg = s->f.ndg = 0;
	return SSL_is_init_finished(*cs) && SSL_is_init_finished(*ss);
}

/* 5 records of 16000 bytes packed 3 to a datagram of 48111 bytes: the
 * collector's SSL gets them all, whole records per read. */
static void
test_mem_pair(void)
{
	static const char *const names[] = { "collector.test", NULL };
	struct ipfix_sec_config sc = cfg(true), cc = cfg(false);
	struct ipfix_sec_ctx *sx, *cx;
	struct ipfix_err err;
	static uint8_t msg[16000], buf[16384];
	struct rig *c = rig_new(60000), *s = rig_new(0);
	SSL *cs = NULL, *ss = NULL;
	int i, done = 0, got = 0;
	bool up = false;

	cc.peer_names = names;	/* no session holds the URL's host */
	sx = ipfix_sec_ctx_new(&sc, true, IPFIX_SCHEME_DTLS, &err);
	cx = ipfix_sec_ctx_new(&cc, false, IPFIX_SCHEME_DTLS, &err);
	if (c != NULL && s != NULL && sx != NULL && cx != NULL)
		up = mem_handshake(cx, sx, c, s, &cs, &ss);
	CHECK(up, "in memory: DTLS handshake over the BIO");
	for (i = 0; up && i < 5; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		c->d.more = i < 4;
		if (SSL_write(cs, msg, (int)sizeof(msg)) != (int)sizeof(msg))
			break;
	}
	c->d.more = false;
	CHECK(up && c->f.ndg == 2 && c->f.dglen[0] == 3 * 16037,
	    "in memory: 5 records of 16000 bytes leave in 2 datagrams, "
	    "the first of 3 records (%zu bytes)", c->f.dglen[0]);
	if (up)
		got = carry(c, &done, s, ss, buf, sizeof(buf));
	CHECK_EQ_U(got, 5, "in memory: the collector's OpenSSL reads all 5 "
	    "records out of datagrams larger than its buffer");
	SSL_free(cs);
	SSL_free(ss);
	rig_free(c);
	rig_free(s);
	ipfix_sec_ctx_free(sx);
	ipfix_sec_ctx_free(cx);
}

static void
test_real_pair(int n)
{
	struct ipfix_sec_config sc = cfg(true), cc = cfg(false);
	struct ipfix_chan_listener *l = NULL;
	struct ipfix_sec_ctx *ss, *cs;
	struct ipfix_chan *c = NULL;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(64, &err);
	struct side k;
	bool sent = false, held = false;
	uint64_t end;

	memset(&k, 0, sizeof(k));
	ss = ipfix_sec_ctx_new(&sc, true, IPFIX_SCHEME_DTLS, &err);
	cs = ipfix_sec_ctx_new(&cc, false, IPFIX_SCHEME_DTLS, &err);
	if (ev != NULL && ss != NULL && cs != NULL &&
	    (c = connect_pair(ev, ss, cs, &k, &l)) != NULL &&
	    ipfix_chan_state(c) == IPFIX_CHAN_UP)
		sent = send_all(ev, c, n, &held);
	CHECK(sent, "dtls: %d messages sent with more", n);
	CHECK(held, "dtls: a client session holds a record sent with more "
	    "(and asks to be serviced when writable)");
	for (end = ev_now_ms() + 3000; c != NULL && k.msgs < n &&
	    ev_now_ms() < end;)
		drive(ev, c, 5);
	CHECK(k.msgs == n && k.bad == 0, "dtls: the listener takes packed "
	    "datagrams apart: %d of %d messages, %d bad or out of order",
	    k.msgs, n, k.bad);
	ipfix_chan_free(c);
	ipfix_chan_listener_free(l);
	ipfix_sec_ctx_free(ss);
	ipfix_sec_ctx_free(cs);
	ev_free(ev);
}

int
main(void)
{
	char cmd[300];

	test_off();
	test_pack();
	test_again();
	test_emsgsize();
	test_refused();
	test_read_big();
	if (test_make_pki(pki, sizeof(pki)) == -1) {
		CHECK(0, "tests/lib/mkcerts.sh makes the certificates");
		TEST_DONE();
	}
	test_real_pair(2000);
	test_mem_pair();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki);
	(void)!system(cmd);
	TEST_DONE();
}
