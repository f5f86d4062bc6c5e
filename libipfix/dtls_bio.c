/*
 * dtls_bio: a datagram BIO over a transport, as Debian's OpenSSL has no
 * SCTP BIO and BIO_s_mem merges datagrams (platform-notes §3b): one
 * BIO_write is one datagram (or SCTP user message on stream 0, ordered,
 * RFC 6083 §4.4); reads give the datagram a listener handed in, or, on a
 * client's own transport, the next one received (so ICMP errors surface).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "tls_int.h"

static int
dbio_write(BIO *b, const char *buf, int len)
{
	struct dtls_bio_data *d = BIO_get_data(b);
	struct ipfix_tsend how = { .pr_rtx = -1 };
	int rc;

	BIO_clear_retry_flags(b);
	if (d == NULL || len < 0)
		return -1;
	if (d->shared)
		how.peer = &d->peer;
	rc = ipfix_transport_send(d->t, buf, (size_t)len,
	    d->shared || d->sctp ? &how : NULL, &d->err);
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

static int
dbio_read(BIO *b, char *buf, int cap)
{
	struct dtls_bio_data *d = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	if (d == NULL || cap < 0)
		return -1;
	if (d->in != NULL) {
		n = dbio_copy(d->in, d->inlen, buf, cap);
		d->in = NULL;
		return n;
	}
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

static long
dbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct dtls_bio_data *d = BIO_get_data(b);

	(void)num;
	if (d == NULL)
		return 0;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
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
