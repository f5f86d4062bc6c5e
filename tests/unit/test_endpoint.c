/* Unit tests of endpoint: URL parsing, defaults, errors, resolution. */
#include <netinet/in.h>
#include <arpa/inet.h>

#include "endpoint.h"
#include "testhelp.h"

static int
parse_ok(const char *url, struct ipfix_endpoint *ep)
{
	struct ipfix_err err;

	ipfix_err_clear(&err);
	if (ipfix_endpoint_parse(url, ep, &err) == 0)
		return 1;
	printf("#   %s: %s\n", url, err.reason);
	return 0;
}

/* Parses must fail and the reason must contain what. */
static void
bad(const char *url, const char *what)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	int rc;

	ipfix_err_clear(&err);
	rc = ipfix_endpoint_parse(url, &ep, &err);
	CHECK(rc == -1 && err.code == IPFIX_E_USAGE &&
	    strstr(err.reason, what) != NULL, "'%s' rejected naming '%s'",
	    url, what);
	if (rc == -1 && strstr(err.reason, what) == NULL)
		printf("#   reason: %s\n", err.reason);
}

static void
test_schemes(void)
{
	static const struct {
		const char *url;
		enum ipfix_scheme s;
		uint16_t port;
		enum ipfix_tproto tp;
	} t[] = {
		{ "udp://h", IPFIX_SCHEME_UDP, 4739, IPFIX_TP_UDP },
		{ "tcp://h", IPFIX_SCHEME_TCP, 4739, IPFIX_TP_TCP },
		{ "sctp://h", IPFIX_SCHEME_SCTP, 4739, IPFIX_TP_SCTP },
		{ "dtls://h", IPFIX_SCHEME_DTLS, 4740, IPFIX_TP_UDP },
		{ "tls://h", IPFIX_SCHEME_TLS, 4740, IPFIX_TP_TCP },
		{ "dtls-sctp://h", IPFIX_SCHEME_DTLS_SCTP, 4740,
		    IPFIX_TP_SCTP },
	};
	struct ipfix_endpoint ep;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(parse_ok(t[i].url, &ep), "parse %s", t[i].url);
		CHECK(ep.scheme == t[i].s && !ep.port_given,
		    "%s: scheme", t[i].url);
		CHECK_EQ_U(ep.port, t[i].port, "%s: default port", t[i].url);
		CHECK(ipfix_endpoint_tproto(&ep, false) == t[i].tp,
		    "%s: transport", t[i].url);
		CHECK_STR(ep.host, "h", "%s: host", t[i].url);
	}
	CHECK(parse_ok("sctp://h", &ep) &&
	    ipfix_endpoint_tproto(&ep, true) == IPFIX_TP_SCTP_UDP,
	    "sctp with --sctp-udp-encap is usrsctp");
}

static void
test_hosts(void)
{
	struct ipfix_endpoint ep;
	char buf[300];

	CHECK(parse_ok("udp://192.0.2.1:9995", &ep) && ep.port == 9995 &&
	    ep.port_given && strcmp(ep.host, "192.0.2.1") == 0, "IPv4:port");
	CHECK(parse_ok("tcp://[2001:db8::1]:4800", &ep) && ep.port == 4800 &&
	    strcmp(ep.host, "2001:db8::1") == 0, "[IPv6]:port");
	CHECK(parse_ok("tls://[::1]", &ep) && ep.port == 4740 &&
	    strcmp(ep.host, "::1") == 0, "[IPv6] default secure port");
	CHECK(parse_ok("udp://:4739", &ep) && ep.host[0] == '\0' &&
	    ep.port == 4739, "empty host with port (listener)");
	CHECK(parse_ok("udp://", &ep) && ep.host[0] == '\0' &&
	    ep.port == 4739, "empty host, default port");
	CHECK(parse_ok("tcp://collector.example.net:65535", &ep) &&
	    ep.port == 65535, "host name, top port");
	CHECK_STR(ipfix_endpoint_format(&ep, buf, sizeof(buf)),
	    "tcp://collector.example.net:65535", "format host name");
	CHECK(parse_ok("udp://[fe80::1%lo]:9", &ep) &&
	    strcmp(ep.host, "fe80::1%lo") == 0, "IPv6 with a zone");
	CHECK_STR(ipfix_endpoint_format(&ep, buf, sizeof(buf)),
	    "udp://[fe80::1%lo]:9", "format IPv6 with a zone");
	CHECK(parse_ok("dtls-sctp://[fe80::1]:1", &ep), "low port");
	CHECK_STR(ipfix_endpoint_format(&ep, buf, sizeof(buf)),
	    "dtls-sctp://[fe80::1]:1", "format IPv6");
}

static void
test_errors(void)
{
	struct ipfix_err err;
	struct ipfix_endpoint ep;
	char longurl[400];

	bad("localhost:4739", "missing SCHEME://");
	bad("http://h", "unknown scheme 'http'");
	bad("udp://h:", "empty port");
	bad("udp://h:0", "out of range");
	bad("udp://h:65536", "out of range");
	bad("udp://h:99999999999", "bad port");
	bad("udp://h:12a", "bad port '12a'");
	bad("udp://h:-1", "bad port");
	bad("udp://::1", "must be in brackets");
	bad("udp://[::1", "without ']'");
	bad("udp://[::1]x", "after ']'");
	bad("udp://[not-v6]:1", "not an IPv6 address");
	bad("udp://[x%y]:1", "not an IPv6 address");
	bad("udp://[]:1", "not an IPv6 address");
	bad("udp://[::1%]:1", "not an IPv6 address");
	bad("udp://[::1%a/b]:1", "not an IPv6 address");
	bad("udp://h/path", "path");
	bad("udp://h o", "bad character ' '");
	memset(longurl, 'a', sizeof(longurl));
	memcpy(longurl, "udp://", 6);
	longurl[sizeof(longurl) - 1] = '\0';
	bad(longurl, "host longer");
	CHECK(ipfix_endpoint_parse(NULL, &ep, &err) == -1, "NULL url");
}

static void
test_resolve(void)
{
	struct ipfix_endpoint ep;
	struct ipfix_addr a[4];
	struct ipfix_err err;
	char s[IPFIX_ADDRSTR_MAX];
	int n;

	ipfix_err_clear(&err);
	CHECK(parse_ok("udp://127.0.0.1:5000", &ep), "parse v4");
	n = ipfix_endpoint_resolve(&ep, false, a, 4, &err);
	CHECK(n >= 1 && a[0].ss.ss_family == AF_INET, "resolve v4");
	CHECK_STR(ipfix_addr_format((struct sockaddr *)&a[0].ss, a[0].len, s,
	    sizeof(s)), "127.0.0.1:5000", "format v4 address");
	CHECK(parse_ok("tcp://[::1]:6000", &ep), "parse v6");
	n = ipfix_endpoint_resolve(&ep, false, a, 4, &err);
	CHECK(n >= 1 && a[0].ss.ss_family == AF_INET6, "resolve v6");
	CHECK_STR(ipfix_addr_format((struct sockaddr *)&a[0].ss, a[0].len, s,
	    sizeof(s)), "[::1]:6000", "format v6 address");
	CHECK(parse_ok("udp://localhost", &ep), "parse localhost");
	n = ipfix_endpoint_resolve(&ep, false, a, 4, &err);
	CHECK(n >= 1 && ipfix_addr_port((struct sockaddr *)&a[0].ss) == 4739,
	    "resolve a host name");
	CHECK(parse_ok("udp://:7000", &ep), "parse wildcard");
	n = ipfix_endpoint_resolve(&ep, true, a, 4, &err);
	CHECK(n == 2 && a[0].ss.ss_family == AF_INET6 &&
	    a[1].ss.ss_family == AF_INET, "wildcard: [::] then 0.0.0.0");
	n = ipfix_endpoint_resolve(&ep, false, a, 4, &err);
	CHECK(n == -1 && strstr(err.reason, "host is needed") != NULL,
	    "wildcard cannot be connected to");
	CHECK(parse_ok("udp://no-such-host.invalid", &ep), "parse .invalid");
	n = ipfix_endpoint_resolve(&ep, false, a, 4, &err);
	CHECK(n == -1 && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "no-such-host.invalid") != NULL,
	    "unknown host named in the error");
}

int
main(void)
{
	test_schemes();
	test_hosts();
	test_errors();
	test_resolve();
	TEST_DONE();
}
