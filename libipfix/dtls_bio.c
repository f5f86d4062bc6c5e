/*
 * dtls_bio: a datagram BIO over a transport, as Debian's OpenSSL has no
 * SCTP BIO and BIO_s_mem merges datagrams (platform-notes §3b): one
 * BIO_write is one datagram (or SCTP user message on stream 0, ordered,
 * RFC 6083 §4.4), unless the owner turned packing on: then records
 * written while more follow share datagrams (RFC 6347 §4.1.1); reads give
 * the datagram a listener handed in, or, on a client's own transport, the
 * next one received (so ICMP errors surface).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "tls_int.h"

#define DTLS_HDR	13	/* record header; the length is at 11 */

/* One datagram out: IPFIX_T_OK, AGAIN (d->blocked until a send
 * passes) or ERR (d->err). */
static int
dbio_send(struct dtls_bio_data *d, const void *p, size_t len)
{
	struct ipfix_tsend how = { .pr_rtx = -1 };
	int rc;

	if (d->shared)
		how.peer = &d->peer;
	rc = ipfix_transport_send(d->t, p, len,
	    d->shared || d->sctp ? &how : NULL, &d->err);
	d->blocked = rc == IPFIX_T_AGAIN;
	return rc;
}

/* --- packing: several records to a datagram ------------------------------- */

/* The length of the record at p, at most n (OpenSSL wrote whole ones). */
static size_t
rec_len(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < DTLS_HDR)
		return n;
	len = DTLS_HDR + ((size_t)p[11] << 8 | p[12]);
	return len < n ? len : n;
}

/* The held records one to a datagram; what AGAIN stops stays held. */
static int
pack_split(struct dtls_bio_data *d)
{
	size_t off = 0, n;
	int rc = IPFIX_T_OK;

	while (off < d->pklen && rc == IPFIX_T_OK) {
		n = rec_len(d->pk + off, d->pklen - off);
		if ((rc = dbio_send(d, d->pk + off, n)) == IPFIX_T_OK)
			off += n;
	}
	memmove(d->pk, d->pk + off, d->pklen - off);
	d->pklen -= off;
	return rc;
}

/* The held datagram. EMSGSIZE: the path MTU shrank below the packed
 * size, while each record was sized to leave alone: pack less from now
 * on and send them singly. */
static int
pack_send(struct dtls_bio_data *d)
{
	size_t mtu;
	int rc;

	rc = dbio_send(d, d->pk, d->pklen);
	if (rc == IPFIX_T_OK)
		d->pklen = 0;
	if (rc != IPFIX_T_ERR || d->err.code != IPFIX_E_LIMIT ||
	    rec_len(d->pk, d->pklen) == d->pklen)
		return rc;
	if (ipfix_transport_mtu(d->t, &mtu, NULL) == 0 && mtu < d->pkcap)
		d->pkcap = mtu;
	return pack_split(d);
}

int
ipfix_dtls_bio_flush(struct dtls_bio_data *d)
{
	int rc;

	if (d->pklen == 0)
		return IPFIX_T_OK;
	if ((rc = pack_send(d)) == IPFIX_T_ERR)
		d->failed = true;
	return rc;
}

/* A record with packing on: IPFIX_T_OK when taken (sent or held),
 * AGAIN when not taken (OpenSSL writes it again), ERR. */
static int
pack_write(struct dtls_bio_data *d, const uint8_t *buf, size_t len)
{
	int rc;

	if (d->pklen > 0 && d->pklen + len > d->pkcap &&
	    (rc = ipfix_dtls_bio_flush(d)) != IPFIX_T_OK)
		return rc;
	if (d->pklen == 0 && (!d->more || len > d->pkcap))
		return dbio_send(d, buf, len);
	memcpy(d->pk + d->pklen, buf, len);
	d->pklen += len;
	if (d->more)
		return IPFIX_T_OK;
	/* Taken either way: AGAIN keeps it held for the owner's flush. */
	return ipfix_dtls_bio_flush(d) == IPFIX_T_ERR ? IPFIX_T_ERR :
	    IPFIX_T_OK;
}

int
ipfix_dtls_bio_pack(struct dtls_bio_data *d, size_t cap)
{
	if (d->pk != NULL || cap == 0)
		return 0;
	if ((d->pk = malloc(cap)) == NULL)
		return -1;
	d->pkcap = cap;
	d->pklen = 0;
	return 0;
}

bool
ipfix_dtls_bio_held(const struct dtls_bio_data *d)
{
	return d->pklen > 0;
}

bool
ipfix_dtls_bio_want_write(const struct dtls_bio_data *d)
{
	return d->pklen > 0 || d->blocked;
}

void
ipfix_dtls_bio_unpack(struct dtls_bio_data *d)
{
	free(d->pk);
	d->pk = NULL;
	d->pklen = d->pkcap = 0;
}

/* --- the BIO ------------------------------------------------------------------ */

static int
dbio_write(BIO *b, const char *buf, int len)
{
	struct dtls_bio_data *d = BIO_get_data(b);
	int rc;

	BIO_clear_retry_flags(b);
	if (d == NULL || len < 0)
		return -1;
	if (d->pk != NULL)
		rc = pack_write(d, (const uint8_t *)buf, (size_t)len);
	else
		rc = dbio_send(d, buf, (size_t)len);
	if (rc == IPFIX_T_OK)
		return len;
	if (rc == IPFIX_T_AGAIN) {
		BIO_set_retry_write(b);
		return -1;
	}
	d->failed = true;
	return -1;
}

static int
dbio_copy(const uint8_t *p, size_t n, char *buf, int cap)
{
	if (n > (size_t)cap)
		n = (size_t)cap;	/* OpenSSL reads whole records */
	memcpy(buf, p, n);
	return (int)n;
}

/* The client's own transport: next datagram or user message. */
static int
dbio_recv(BIO *b, struct dtls_bio_data *d, char *buf, int cap)
{
	struct ipfix_tmsg m;
	int rc;

	for (;;) {
		rc = ipfix_transport_recv(d->t, &m, &d->err);
		if (rc == IPFIX_T_AGAIN) {
			BIO_set_retry_read(b);
			return -1;
		}
		if (rc == IPFIX_T_EOF || (rc == IPFIX_T_OK &&
		    m.event == IPFIX_TEV_DOWN)) {
			d->eof = true;
			return 0;
		}
		if (rc == IPFIX_T_ERR) {
			d->failed = true;
			return -1;
		}
		if (m.event == IPFIX_TEV_NONE)
			return dbio_copy(m.data, m.len, buf, cap);
	}
}

/* The datagram handed in, whole records at a time: a peer may pack more
 * into a datagram than OpenSSL reads at once (16 KB and a little more;
 * RFC 6347 §4.1.1 bounds a datagram by the path MTU only). A first
 * record too long for cap is cut, as OpenSSL's own BIO would. */
static int
dbio_take(struct dtls_bio_data *d, char *buf, size_t cap)
{
	const uint8_t *p;
	size_t n = 0, r;

	while (n < d->inlen && (r = rec_len(d->in + n, d->inlen - n)) <=
	    cap - n)
		n += r;
	if (n == 0) {
		p = d->in;
		d->in = NULL;
		return dbio_copy(p, d->inlen, buf, (int)cap);
	}
	memcpy(buf, d->in, n);
	d->in += n;
	d->inlen -= n;
	if (d->inlen == 0)
		d->in = NULL;
	return (int)n;
}

static int
dbio_read(BIO *b, char *buf, int cap)
{
	struct dtls_bio_data *d = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (d == NULL || cap < 0)
		return -1;
	if (d->in != NULL)
		return dbio_take(d, buf, (size_t)cap);
	if (d->shared) {
		BIO_set_retry_read(b);
		return -1;
	}
	return dbio_recv(b, d, buf, cap);
}

static long
dbio_get_peer(struct dtls_bio_data *d, BIO_ADDR *a)
{
	const struct ipfix_tpeer *p = d->shared ? &d->peer : &d->t->peer;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&p->addr;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&p->addr;

	if (a == NULL)
		return 0;
	if (p->addr.ss_family == AF_INET)
		return BIO_ADDR_rawmake(a, AF_INET, &s4->sin_addr, 4,
		    s4->sin_port);
	if (p->addr.ss_family == AF_INET6)
		return BIO_ADDR_rawmake(a, AF_INET6, &s6->sin6_addr, 16,
		    s6->sin6_port);
	BIO_ADDR_clear(a);
	return 0;
}

/* OpenSSL flushes after each handshake flight and alert. */
static long
dbio_flush(BIO *b, struct dtls_bio_data *d)
{
	int rc;

	BIO_clear_retry_flags(b);
	if ((rc = ipfix_dtls_bio_flush(d)) == IPFIX_T_OK)
		return 1;
	if (rc == IPFIX_T_AGAIN)
		BIO_set_retry_write(b);
	return rc == IPFIX_T_AGAIN ? 0 : -1;
}

static long
dbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct dtls_bio_data *d = BIO_get_data(b);

	(void)num;
	if (d == NULL)
		return 0;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return dbio_flush(b, d);
	case BIO_CTRL_DGRAM_SET_CONNECTED:
	case BIO_CTRL_DGRAM_SET_PEER:
		return 1;
	case BIO_CTRL_DGRAM_GET_PEER:
		return dbio_get_peer(d, ptr);
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		if (d->sctp)
			return 0;
		return d->t->local.addr.ss_family == AF_INET6 ? 48 : 28;
	default:
		return 0;
	}
}

static int
dbio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
dbio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

BIO_METHOD *
ipfix_dtls_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_get_new_index(),
	    "ipfix datagram");

	if (m == NULL)
		return NULL;
	if (!BIO_meth_set_write(m, dbio_write) ||
	    !BIO_meth_set_read(m, dbio_read) ||
	    !BIO_meth_set_ctrl(m, dbio_ctrl) ||
	    !BIO_meth_set_create(m, dbio_create) ||
	    !BIO_meth_set_destroy(m, dbio_destroy)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

BIO *
ipfix_dtls_bio_new(BIO_METHOD *m, struct dtls_bio_data *d)
{
	BIO *b = BIO_new(m);

	if (b != NULL)
		BIO_set_data(b, d);
	return b;
}
