/*
 * tls_tickets: when a TLS 1.3 server sends session tickets (RFC 9149).
 * A collector's tickets reach an exporter that may never read: libfixbuf's
 * (hence YAF's) exporter and simple scripts only write, so the tickets sit
 * unread in their socket and their close becomes a TCP reset, which
 * discards what the collector had not yet read (issue 12: 2,200 to 19,580
 * of 20,000 records arrived). So a server sends no ticket unless the
 * client asks with RFC 9149's ticket_request extension, which our
 * exporter sends; it reads its tickets and resumes as before. DTLS 1.2 and
 * TLS 1.2 hand out sessions inside the handshake and are not affected.
 */
#include "tls_int.h"

#define EXT_TICKET_REQUEST	58	/* RFC 9149 §3 */
#define EXT_CONTEXT		(SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_ONLY)
#define TICKETS_MAX		2	/* OpenSSL's default count */
#define TICKETS_WANTED		1	/* the client resumes the last one */

/* Client: ClientTicketRequest { new_session_count, resumption_count }. */
static int
req_add(SSL *ssl, unsigned int type, unsigned int ctx,
    const unsigned char **out, size_t *outlen, X509 *x, size_t chain,
    int *alert, void *arg)
{
	static const unsigned char req[2] = { TICKETS_WANTED, TICKETS_WANTED };

	(void)ssl, (void)type, (void)ctx, (void)x, (void)chain;
	(void)alert, (void)arg;
	*out = req;
	*outlen = sizeof(req);
	return 1;
}

/* Server: as many tickets as asked for, at most TICKETS_MAX; the server
 * answers nothing in its extensions (RFC 9149 §3: it does not echo). */
static int
req_parse(SSL *ssl, unsigned int type, unsigned int ctx,
    const unsigned char *in, size_t inlen, X509 *x, size_t chain,
    int *alert, void *arg)
{
	size_t n;

	(void)type, (void)ctx, (void)x, (void)chain, (void)arg;
	if (inlen != 2) {
		*alert = SSL_AD_DECODE_ERROR;
		return 0;
	}
	n = in[0] > in[1] ? in[0] : in[1];
	(void)SSL_set_num_tickets(ssl, n < TICKETS_MAX ? n : TICKETS_MAX);
	return 1;
}

static int
srv_add(SSL *ssl, unsigned int type, unsigned int ctx,
    const unsigned char **out, size_t *outlen, X509 *x, size_t chain,
    int *alert, void *arg)
{
	(void)ssl, (void)type, (void)ctx, (void)out, (void)outlen, (void)x;
	(void)chain, (void)alert, (void)arg;
	return 0;	/* nothing to send back */
}

int
ipfix_tls_tickets_setup(struct ipfix_sec_ctx *s)
{
	if (s->scheme != IPFIX_SCHEME_TLS)
		return 0;
	if (!s->server)
		return SSL_CTX_add_custom_ext(s->ctx, EXT_TICKET_REQUEST,
		    EXT_CONTEXT, req_add, NULL, NULL, NULL, NULL) == 1 ? 0 : -1;
	if (SSL_CTX_set_num_tickets(s->ctx, 0) != 1)
		return -1;
	return SSL_CTX_add_custom_ext(s->ctx, EXT_TICKET_REQUEST, EXT_CONTEXT,
	    srv_add, NULL, NULL, req_parse, NULL) == 1 ? 0 : -1;
}
