/* Unit tests of the UDP transport over real loopback sockets. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "transport.h"
#include "testhelp.h"

static int
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static struct ipfix_transport *
listener(int family, struct ipfix_err *err)
{
	struct ipfix_addr a;

	memset(&a, 0, sizeof(a));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		a.len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.len = sizeof(*s4);
	}
	return ipfix_udp_open(&a, true, NULL, err);
}

static struct ipfix_transport *
client_to(const struct ipfix_transport *l, const char *host,
    struct ipfix_err *err)
{
	struct ipfix_endpoint ep;
	char url[128];

	snprintf(url, sizeof(url), "udp://%s:%u", host,
	    ipfix_addr_port((const struct sockaddr *)&l->local.addr));
	if (ipfix_endpoint_parse(url, &ep, err) == -1)
		return NULL;
	return ipfix_transport_connect(&ep, NULL, err);
}

static void
round_trip(int family, const char *host)
{
	struct ipfix_err err;
	struct ipfix_transport *l, *c;
	struct ipfix_tmsg m;
	struct ipfix_tsend how = { .pr_rtx = -1 };
	uint8_t msg[100];
	size_t mtu;
	int rc;

	ipfix_err_clear(&err);
	l = listener(family, &err);
	if (l == NULL && family == AF_INET6) {
		CHECK(1, "# SKIP no IPv6 loopback: %s", err.reason);
		return;
	}
	CHECK(l != NULL && l->listener, "%s: listener", host);
	c = client_to(l, host, &err);
	CHECK(c != NULL && !c->listener && c->proto == IPFIX_TP_UDP,
	    "%s: client", host);
	if (l == NULL || c == NULL) {
		printf("#   %s\n", err.reason);
		ipfix_transport_close(l);
		ipfix_transport_close(c);
		return;
	}
	CHECK(ipfix_transport_recv(l, &m, &err) == IPFIX_T_AGAIN,
	    "%s: nothing yet", host);
	memset(msg, 0xab, sizeof(msg));
	msg[0] = 0;
	msg[1] = 10;
	CHECK(ipfix_transport_send(c, msg, sizeof(msg), NULL, &err) ==
	    IPFIX_T_OK, "%s: send", host);
	CHECK(readable(l->fd, 2000), "%s: listener readable", host);
	rc = ipfix_transport_recv(l, &m, &err);
	CHECK(rc == IPFIX_T_OK && m.len == sizeof(msg) &&
	    memcmp(m.data, msg, sizeof(msg)) == 0, "%s: same bytes", host);
	CHECK(m.peer.addrlen > 0 &&
	    ipfix_addr_port((struct sockaddr *)&m.peer.addr) ==
	    ipfix_addr_port((struct sockaddr *)&c->local.addr),
	    "%s: peer is the client's address", host);
	how.peer = &m.peer;
	CHECK(ipfix_transport_send(l, "pong", 4, &how, &err) == IPFIX_T_OK,
	    "%s: listener replies to the peer", host);
	CHECK(readable(c->fd, 2000) &&
	    ipfix_transport_recv(c, &m, &err) == IPFIX_T_OK && m.len == 4 &&
	    memcmp(m.data, "pong", 4) == 0, "%s: client gets the reply", host);
	CHECK(ipfix_transport_send(l, "x", 1, NULL, &err) == IPFIX_T_ERR &&
	    err.code == IPFIX_E_USAGE, "%s: listener send needs a peer", host);
	CHECK(ipfix_transport_mtu(c, &mtu, &err) == 0 && mtu >= 1200 &&
	    mtu <= 65507, "%s: mtu %zu", host, mtu);
	ipfix_transport_close(l);
	ipfix_transport_close(c);
}

static void
test_limits(void)
{
	struct ipfix_err err;
	struct ipfix_transport *l = listener(AF_INET, &err), *c, *none;
	uint8_t *big = calloc(1, 65536);
	size_t mtu;

	c = client_to(l, "127.0.0.1", &err);
	CHECK(ipfix_transport_send(c, big, 65536, NULL, &err) == IPFIX_T_ERR &&
	    err.code == IPFIX_E_LIMIT, "65536 bytes refused before the wire");
	CHECK(ipfix_transport_mtu(c, &mtu, &err) == 0, "mtu");
	CHECK(ipfix_transport_send(c, big, mtu + 1, NULL, &err) ==
	    IPFIX_T_ERR && err.code == IPFIX_E_LIMIT,
	    "mtu+1 bytes: EMSGSIZE, never fragmented (%s)", err.reason);
	CHECK(ipfix_transport_send(c, big, mtu, NULL, &err) == IPFIX_T_OK,
	    "exactly mtu bytes leave");
	CHECK(ipfix_transport_accept(c, &none, &err) == IPFIX_T_ERR &&
	    err.code == IPFIX_E_USAGE && none == NULL,
	    "accept is not a UDP operation");
	ipfix_transport_close(c);
	ipfix_transport_close(l);
	free(big);
}

/* The collector goes away: the connected socket reports the ICMP error on
 * its next read (design.md §3, liveness without heartbeats). */
static void
test_refused(void)
{
	struct ipfix_err err;
	struct ipfix_transport *l = listener(AF_INET, &err), *c;
	struct ipfix_tmsg m;
	int rc = IPFIX_T_AGAIN, i;

	c = client_to(l, "127.0.0.1", &err);
	ipfix_transport_close(l);
	CHECK(ipfix_transport_send(c, "0123456789abcdef", 16, NULL, &err) ==
	    IPFIX_T_OK, "send into a closed port is accepted");
	for (i = 0; i < 20 && rc == IPFIX_T_AGAIN; i++) {
		(void)readable(c->fd, 100);
		rc = ipfix_transport_recv(c, &m, &err);
	}
	CHECK(rc == IPFIX_T_ERR && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "unreachable") != NULL,
	    "ICMP port unreachable surfaces on recv (%s)", err.reason);
	ipfix_transport_close(c);
}

static void
test_open_errors(void)
{
	struct ipfix_err err;
	struct ipfix_transport *l = listener(AF_INET, &err), *l2;
	struct ipfix_endpoint ep;
	char url[64];

	snprintf(url, sizeof(url), "udp://127.0.0.1:%u",
	    ipfix_addr_port((struct sockaddr *)&l->local.addr));
	CHECK(ipfix_endpoint_parse(url, &ep, &err) == 0, "parse");
	l2 = ipfix_transport_listen(&ep, NULL, &err);
	CHECK(l2 == NULL && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "bind 127.0.0.1") != NULL,
	    "port in use: bind error names the address (%s)", err.reason);
	ipfix_transport_close(l);
	ipfix_transport_close(NULL);
}

/* A burst longer than one recvmmsg batch comes out whole and in order,
 * each datagram with its own bytes; after 256 datagrams (chan_listen's
 * run per wake-up) nothing is held back in the batch: the socket is still
 * readable for the rest. */
static void
test_burst(void)
{
	struct ipfix_err err;
	struct ipfix_transport *l, *c;
	struct ipfix_tmsg m;
	uint8_t msg[64];
	int buf = 0, i, n = 0, inorder = 1;
	socklen_t blen = sizeof(buf);

	ipfix_err_clear(&err);
	l = listener(AF_INET, &err);
	c = l != NULL ? client_to(l, "127.0.0.1", &err) : NULL;
	CHECK(l != NULL && c != NULL, "burst: listener and client");
	if (l == NULL || c == NULL) {
		ipfix_transport_close(l);
		ipfix_transport_close(c);
		return;
	}
	CHECK(getsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &buf, &blen) == 0 &&
	    buf >= 1024 * 1024, "burst: listener receive buffer %d", buf);
	for (i = 0; i < 300; i++) {
		memset(msg, i & 0xff, sizeof(msg));
		if (ipfix_transport_send(c, msg, (size_t)(1 + i % 60), NULL,
		    &err) != IPFIX_T_OK)
			break;
	}
	CHECK_EQ_U(i, 300, "burst: 300 sent");
	while (n < 256 && readable(l->fd, 2000) &&
	    ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK) {
		if (m.len != (size_t)(1 + n % 60) || m.data[0] != (n & 0xff))
			inorder = 0;
		n++;
	}
	CHECK_EQ_U(n, 256, "burst: one run of 256");
	CHECK(readable(l->fd, 2000), "burst: the rest still readable");
	while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK) {
		if (m.len != (size_t)(1 + n % 60) || m.data[0] != (n & 0xff))
			inorder = 0;
		n++;
	}
	CHECK_EQ_U(n, 300, "burst: all 300 received");
	CHECK(inorder, "burst: every datagram in order with its bytes");
	ipfix_transport_close(l);
	ipfix_transport_close(c);
}

int
main(void)
{
	round_trip(AF_INET, "127.0.0.1");
	round_trip(AF_INET6, "[::1]");
	test_limits();
	test_refused();
	test_open_errors();
	test_burst();
	TEST_DONE();
}
