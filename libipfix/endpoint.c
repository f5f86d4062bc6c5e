/* endpoint: see endpoint.h. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"

static const struct {
	const char *name;
	enum ipfix_scheme scheme;
	bool secure;
} schemes[] = {
	{ "udp", IPFIX_SCHEME_UDP, false },
	{ "tcp", IPFIX_SCHEME_TCP, false },
	{ "sctp", IPFIX_SCHEME_SCTP, false },
	{ "dtls", IPFIX_SCHEME_DTLS, true },
	{ "tls", IPFIX_SCHEME_TLS, true },
	{ "dtls-sctp", IPFIX_SCHEME_DTLS_SCTP, true },
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))

const char *
ipfix_scheme_name(enum ipfix_scheme s)
{
	size_t i;

	for (i = 0; i < NSCHEMES; i++)
		if (schemes[i].scheme == s)
			return schemes[i].name;
	return "?";
}

enum ipfix_tproto
ipfix_endpoint_tproto(const struct ipfix_endpoint *ep, bool udp_encap)
{
	switch (ep->scheme) {
	case IPFIX_SCHEME_UDP:
	case IPFIX_SCHEME_DTLS:
		return IPFIX_TP_UDP;
	case IPFIX_SCHEME_TCP:
	case IPFIX_SCHEME_TLS:
		return IPFIX_TP_TCP;
	case IPFIX_SCHEME_SCTP:
	case IPFIX_SCHEME_DTLS_SCTP:
		break;
	}
	return udp_encap ? IPFIX_TP_SCTP_UDP : IPFIX_TP_SCTP;
}

/* Sets ep->scheme from url up to "://"; returns the rest or NULL. */
static const char *
parse_scheme(const char *url, struct ipfix_endpoint *ep,
    struct ipfix_err *err)
{
	const char *sep = strstr(url, "://");
	size_t n, i;

	if (sep == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': missing SCHEME:// (udp, tcp, sctp, dtls, "
		    "tls, dtls-sctp)", url);
		return NULL;
	}
	n = (size_t)(sep - url);
	for (i = 0; i < NSCHEMES; i++) {
		if (strlen(schemes[i].name) == n &&
		    strncmp(schemes[i].name, url, n) == 0) {
			ep->scheme = schemes[i].scheme;
			ep->secure = schemes[i].secure;
			return sep + 3;
		}
	}
	ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
	    "endpoint '%s': unknown scheme '%.*s' (udp, tcp, sctp, dtls, tls, "
	    "dtls-sctp)", url, (int)(n > 32 ? 32 : n), url);
	return NULL;
}

/* Decimal port 1..65535, digits only. */
static int
parse_port(const char *url, const char *s, uint16_t *port,
    struct ipfix_err *err)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0')
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': empty port after ':'", url);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > 65535)
			return ipfix_err_set(err, IPFIX_E_USAGE,
			    IPFIX_NO_OFFSET, NULL, "endpoint '%s': bad port "
			    "'%.16s' (want 1-65535)", url, s);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': port %lu out of range 1-65535", url, v);
	*port = (uint16_t)v;
	return 0;
}

static int
set_host(const char *url, struct ipfix_endpoint *ep, const char *h, size_t n,
    struct ipfix_err *err)
{
	if (n >= sizeof(ep->host))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%.40s...': host longer than %zu bytes", url,
		    sizeof(ep->host) - 1);
	memcpy(ep->host, h, n);
	ep->host[n] = '\0';
	return 0;
}

/* IPv6 text with an optional "%zone" (interface name or number). */
static bool
is_ipv6(const char *h)
{
	char addr[INET6_ADDRSTRLEN];
	const char *pct = strchr(h, '%'), *z;
	struct in6_addr a6;
	size_t n = pct ? (size_t)(pct - h) : strlen(h);

	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, h, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return false;
	if (pct == NULL)
		return true;
	for (z = pct + 1; *z != '\0'; z++)
		if (!((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') ||
		    (*z >= '0' && *z <= '9') || *z == '-' || *z == '_' ||
		    *z == '.'))
			return false;
	return z > pct + 1;
}

/* "[v6]" or "[v6]:port"; s points at '['. */
static int
parse_bracketed(const char *url, const char *s, struct ipfix_endpoint *ep,
    struct ipfix_err *err)
{
	const char *close = strchr(s, ']');

	if (close == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': '[' without ']' around the IPv6 address",
		    url);
	if (set_host(url, ep, s + 1, (size_t)(close - s - 1), err) == -1)
		return -1;
	if (!is_ipv6(ep->host))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': '%s' in brackets is not an IPv6 address",
		    url, ep->host);
	if (close[1] == '\0')
		return 0;
	if (close[1] != ':')
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': unexpected '%.16s' after ']'", url,
		    close + 1);
	ep->port_given = true;
	return parse_port(url, close + 2, &ep->port, err);
}

/* Host names: letters, digits, '-', '.', '_' (RFC 1123 plus '_'). */
static int
check_hostname(const char *url, const char *h, struct ipfix_err *err)
{
	const char *p;

	for (p = h; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_')
			continue;
		if (*p == '/' || *p == '?' || *p == '#')
			return ipfix_err_set(err, IPFIX_E_USAGE,
			    IPFIX_NO_OFFSET, NULL, "endpoint '%s': a path "
			    "('%.16s') is not allowed", url, p);
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': bad character '%c' in host '%s'", url,
		    *p, h);
	}
	return 0;
}

static int
parse_hostport(const char *url, const char *s, struct ipfix_endpoint *ep,
    struct ipfix_err *err)
{
	const char *colon = strchr(s, ':');

	if (*s == '[')
		return parse_bracketed(url, s, ep, err);
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint '%s': an IPv6 address must be in brackets, "
		    "e.g. udp://[::1]:4739", url);
	if (set_host(url, ep, s, colon ? (size_t)(colon - s) : strlen(s),
	    err) == -1 || check_hostname(url, ep->host, err) == -1)
		return -1;
	if (colon == NULL)
		return 0;
	ep->port_given = true;
	return parse_port(url, colon + 1, &ep->port, err);
}

int
ipfix_endpoint_parse(const char *url, struct ipfix_endpoint *ep,
    struct ipfix_err *err)
{
	const char *rest;

	memset(ep, 0, sizeof(*ep));
	if (url == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint: none given");
	if ((rest = parse_scheme(url, ep, err)) == NULL)
		return -1;
	if (parse_hostport(url, rest, ep, err) == -1)
		return -1;
	if (!ep->port_given)
		ep->port = ep->secure ? IPFIX_PORT_SECURE : IPFIX_PORT_PLAIN;
	return 0;
}

static int
socktype_of(const struct ipfix_endpoint *ep)
{
	return ipfix_endpoint_tproto(ep, false) == IPFIX_TP_UDP ? SOCK_DGRAM :
	    SOCK_STREAM;
}

/* The wildcard: [::] first (dual-stack), then 0.0.0.0. */
static int
resolve_any(const struct ipfix_endpoint *ep, struct ipfix_addr *out, int max)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out[0].ss;
	struct sockaddr_in *s4;

	memset(out, 0, sizeof(*out) * (size_t)(max < 2 ? max : 2));
	s6->sin6_family = AF_INET6;
	s6->sin6_addr = in6addr_any;
	s6->sin6_port = htons(ep->port);
	out[0].len = sizeof(*s6);
	if (max < 2)
		return 1;
	s4 = (struct sockaddr_in *)&out[1].ss;
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_ANY);
	s4->sin_port = htons(ep->port);
	out[1].len = sizeof(*s4);
	return 2;
}

int
ipfix_endpoint_resolve(const struct ipfix_endpoint *ep, bool passive,
    struct ipfix_addr *out, int max, struct ipfix_err *err)
{
	struct addrinfo hints, *res, *ai;
	char port[8];
	int rc, n = 0;

	if (max < 1)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "endpoint: no room for addresses");
	if (ep->host[0] == '\0') {
		if (!passive)
			return ipfix_err_set(err, IPFIX_E_USAGE,
			    IPFIX_NO_OFFSET, NULL, "endpoint %s://:%u: a host "
			    "is needed to connect", ipfix_scheme_name(
			    ep->scheme), ep->port);
		return resolve_any(ep, out, max);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype_of(ep);
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(port, sizeof(port), "%u", ep->port);
	if ((rc = getaddrinfo(ep->host, port, &hints, &res)) != 0)
		return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "endpoint host '%s': %s", ep->host, gai_strerror(rc));
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out[n].ss))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n].ss, ai->ai_addr, ai->ai_addrlen);
		out[n++].len = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (n == 0)
		return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET, NULL,
		    "endpoint host '%s': no usable address", ep->host);
	return n;
}

char *
ipfix_endpoint_format(const struct ipfix_endpoint *ep, char *buf, size_t cap)
{
	const char *fmt = strchr(ep->host, ':') ? "%s://[%s]:%u" :
	    "%s://%s:%u";

	snprintf(buf, cap, fmt, ipfix_scheme_name(ep->scheme), ep->host,
	    ep->port);
	return buf;
}

uint16_t
ipfix_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

char *
ipfix_addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t cap)
{
	char host[INET6_ADDRSTRLEN];
	const void *a;

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6))
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else {
		snprintf(buf, cap, "(family %d)", sa->sa_family);
		return buf;
	}
	if (inet_ntop(sa->sa_family, a, host, sizeof(host)) == NULL)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, cap, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    host, ipfix_addr_port(sa));
	return buf;
}
