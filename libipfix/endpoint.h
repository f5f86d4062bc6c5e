/*
 * endpoint: the one parser of transport URLs for every tool (layer 3).
 * SCHEME://HOST[:PORT] with udp, tcp, sctp, dtls, tls, dtls-sctp; IPv6 in
 * brackets; an empty host means "any address" (listeners). Resolution goes
 * through getaddrinfo. Uses only err; no sockets are opened here.
 */
#ifndef IPFIX_ENDPOINT_H
#define IPFIX_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

#define IPFIX_PORT_PLAIN	4739
#define IPFIX_PORT_SECURE	4740
#define IPFIX_HOST_MAX		256	/* with the NUL */
#define IPFIX_ADDRSTR_MAX	64	/* "[v6%scope]:port" with the NUL */

enum ipfix_scheme {
	IPFIX_SCHEME_UDP,
	IPFIX_SCHEME_TCP,
	IPFIX_SCHEME_SCTP,
	IPFIX_SCHEME_DTLS,	/* DTLS over UDP */
	IPFIX_SCHEME_TLS,	/* TLS over TCP */
	IPFIX_SCHEME_DTLS_SCTP,	/* DTLS over SCTP (RFC 6083) */
};

/* The transport under a scheme. */
enum ipfix_tproto {
	IPFIX_TP_UDP = 1,
	IPFIX_TP_TCP,
	IPFIX_TP_SCTP,		/* kernel SCTP (lksctp) */
	IPFIX_TP_SCTP_UDP,	/* usrsctp over UDP encapsulation, RFC 6951 */
};

struct ipfix_endpoint {
	enum ipfix_scheme scheme;
	char host[IPFIX_HOST_MAX];	/* without brackets; "" = any */
	uint16_t port;			/* default filled in when absent */
	bool port_given;
	bool secure;			/* dtls, tls, dtls-sctp */
};

/* One resolved address. */
struct ipfix_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Parse url into *ep. Returns 0, or -1 with err (IPFIX_E_USAGE) naming the
 * bad part: the scheme, the host, the brackets or the port. Never resolves.
 */
int ipfix_endpoint_parse(const char *url, struct ipfix_endpoint *ep,
    struct ipfix_err *err) __attribute__((warn_unused_result));

/*
 * Resolve ep into at most max addresses in out (caller's array); passive
 * asks for addresses to bind (an empty host gives the wildcard, IPv6 first
 * so one dual-stack socket serves both families). Returns the count (>= 1)
 * or -1 with err (IPFIX_E_NET, naming the host and getaddrinfo's reason).
 */
int ipfix_endpoint_resolve(const struct ipfix_endpoint *ep, bool passive,
    struct ipfix_addr *out, int max, struct ipfix_err *err)
    __attribute__((warn_unused_result));

/* "udp", "dtls-sctp", ... */
const char *ipfix_scheme_name(enum ipfix_scheme s);

/* The transport the scheme runs on; udp_encap turns SCTP into usrsctp. */
enum ipfix_tproto ipfix_endpoint_tproto(const struct ipfix_endpoint *ep,
    bool udp_encap);

/* Format ep back as a URL into buf (cap bytes); returns buf. */
char *ipfix_endpoint_format(const struct ipfix_endpoint *ep, char *buf,
    size_t cap);

/* Format a socket address as "1.2.3.4:p" or "[::1]:p" into buf (cap >=
 * IPFIX_ADDRSTR_MAX is always enough); returns buf. */
char *ipfix_addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t cap);

/* Port of an AF_INET/AF_INET6 address in host order, 0 otherwise. */
uint16_t ipfix_addr_port(const struct sockaddr *sa);

#endif
