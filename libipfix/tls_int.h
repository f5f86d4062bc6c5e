/*
 * tls_int: what the security modules share (layer 4, private to tls.c,
 * dtls_bio.c, chan_tls.c and chan_dtls.c; the only header besides them
 * that names OpenSSL): the security context, SSL objects for sessions,
 * error text, identities, and the datagram BIO over a transport.
 */
#ifndef IPFIX_TLS_INT_H
#define IPFIX_TLS_INT_H

#include <stdio.h>
#include <openssl/ssl.h>

#include "chan_int.h"
#include "chan_probe.h"

#define TLS_COOKIE_SECRET	32
#define TLS_DTLS_RECORD_MAX	16384	/* RFC 6347 §4.1.1, C87, C97 */
#define TLS_SCTP_TIMER_US	30000000u	/* RFC 6083: no retransmission */

struct ipfix_sec_ctx {
	SSL_CTX *ctx;
	bool server;
	enum ipfix_scheme scheme;
	char **names;			/* owned copies of cfg->peer_names */
	size_t nnames;
	char psk_id[128];
	uint8_t psk[128];		/* wiped on free */
	size_t psk_len;
	bool insecure;
	bool allow_reneg;
	unsigned hs_timeout_ms, dtls_timer_ms, max_hs;
	FILE *keylog;			/* owned, or NULL */
	SSL_SESSION *last;		/* client: the session to resume */
	BIO_METHOD *biometh;		/* datagram or stream BIO, owned */
	/* DTLS server: cookie secrets, current and previous (rotated). */
	uint8_t secret[2][TLS_COOKIE_SECRET];
	uint64_t secret_ms;
	/* tls_probe.c: a debugging tool's hooks (chan_probe.h), or NULL. */
	const struct ipfix_probe_hooks *probe;
	void *probe_arg;
};

/*
 * A new SSL of the context for session c (client: the URL host in c->host
 * is the reference identity unless peer names were given; the last
 * session is offered for resumption when resume is true). NULL with err.
 */
SSL *ipfix_tls_ssl_new(struct ipfix_sec_ctx *s, struct ipfix_chan *c,
    bool resume, struct ipfix_err *err);
/* err from a failed SSL call (ret its return value): the verify result,
 * the error queue's reason, or errno. Returns IPFIX_T_ERR. */
int ipfix_tls_err(SSL *ssl, int ret, const char *what,
    struct ipfix_err *err);
/* After a handshake: the peer's identity into id; a client keeps the
 * session for the next connect. */
void ipfix_tls_identity(struct ipfix_sec_ctx *s, SSL *ssl,
    struct ipfix_chan_identity *id);
/* The subjectAltNames of x (DNS and IP) as "DNS:a, IP:1.2.3.4". */
void ipfix_tls_sans(X509 *x, char *buf, size_t cap);
/* The DTLS retransmission timer of the context (RFC 6347 §4.2.4.1:
 * doubling, capped at 60 s; DTLS/SCTP: 30 s, no retransmission). */
void ipfix_tls_set_timer(SSL *ssl);
/* Cookie callbacks for DTLSv1_listen (HMAC-SHA256 over the peer's
 * address bytes and port, with a rotating secret). */
void ipfix_tls_cookie_setup(struct ipfix_sec_ctx *s);

/* --- dtls_bio: a datagram BIO over a transport -------------------------- */

struct dtls_bio_data {
	struct ipfix_transport *t;	/* not owned */
	struct ipfix_tpeer peer;	/* destination on shared transports */
	bool shared;			/* listener socket: send to peer,
					   read only what input handed in */
	bool sctp;			/* SCTP user messages on stream 0 */
	const uint8_t *in;		/* the datagram handed in, or NULL */
	size_t inlen;
	struct ipfix_listen_stats *st;	/* listener: cookie counters */
	struct ipfix_err err;		/* the transport's last failure */
	bool failed, eof;
	bool blocked;			/* the last send met a full socket */
	/* Packing (ipfix_dtls_bio_pack): records written while more is
	 * set wait in pk and leave several to a datagram. */
	bool more;			/* set by the writer around SSL_write */
	uint8_t *pk;			/* owned, pkcap bytes; NULL: off */
	size_t pklen, pkcap;
};

/* The method (the caller frees it with BIO_meth_free); NULL on failure. */
BIO_METHOD *ipfix_dtls_bio_method(void);
/* A BIO of method m (owned by the SSL it is given to) over d->t; d is the
 * caller's and must outlive it. NULL when out of memory. */
BIO *ipfix_dtls_bio_new(BIO_METHOD *m, struct dtls_bio_data *d);
/*
 * Several records to a datagram (RFC 6347 §4.1.1), for a client's own UDP
 * transport: a record written while d->more is set is held until the
 * datagram would pass cap bytes, a write without more, or a flush. The
 * per-datagram cost of the kernel is most of a small record's (issue 5).
 * Once, before the first write (later calls change nothing). 0, or -1
 * when out of memory (packing stays off).
 */
int ipfix_dtls_bio_pack(struct dtls_bio_data *d, size_t cap);
/* Send what is held: IPFIX_T_OK (nothing held), IPFIX_T_AGAIN (still
 * held: wait until writable), IPFIX_T_ERR (d->failed, d->err). */
int ipfix_dtls_bio_flush(struct dtls_bio_data *d);
/* Records are held. */
bool ipfix_dtls_bio_held(const struct dtls_bio_data *d);
/* Held records, or the last send met a full socket (OpenSSL then holds
 * its record for a retry): wait until writable, then flush and retry,
 * instead of a timed sleep. */
bool ipfix_dtls_bio_want_write(const struct dtls_bio_data *d);
/* Forget what is held and free the buffer (d stays usable, unpacked). */
void ipfix_dtls_bio_unpack(struct dtls_bio_data *d);

/* chan_tls.c: the byte-stream BIO over a TCP transport, same contract. */
BIO_METHOD *ipfix_tls_stream_method(void);

#endif
