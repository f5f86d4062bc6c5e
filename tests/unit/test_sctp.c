/*
 * Unit tests of kernel SCTP (sctp.c). On a kernel without SCTP (the build
 * machines) only the refusal is checked: it must fail at once and name
 * --sctp-udp-encap. Under user-mode Linux (tests/sctp-kernel.bats) the
 * loopback round trip runs, and with the argument "encap" usrsctp and the
 * kernel talk over RFC 6951 UDP encapsulation both ways (the kernel's
 * net.sctp.udp_port must be KERNEL_UDP).
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "transport.h"
#include "testhelp.h"

#define KERNEL_UDP	9899	/* net.sctp.udp_port in the guest */
#define USRSCTP_UDP	9900	/* our usrsctp listener's UDP port */

static bool
kernel_has_sctp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd == -1)
		return false;
	close(fd);
	return true;
}

static struct ipfix_transport *
open_ep(const char *url, bool listen, const struct ipfix_topts *o,
    struct ipfix_err *err)
{
	struct ipfix_endpoint ep;

	if (ipfix_endpoint_parse(url, &ep, err) == -1)
		return NULL;
	return listen ? ipfix_transport_listen(&ep, o, err) :
	    ipfix_transport_connect(&ep, o, err);
}

static void
test_missing(void)
{
	struct ipfix_err err;
	struct ipfix_transport *t;

	ipfix_err_clear(&err);
	t = open_ep("sctp://127.0.0.1:4739", false, NULL, &err);
	CHECK(t == NULL && err.code == IPFIX_E_USAGE &&
	    strstr(err.reason, "--sctp-udp-encap") != NULL,
	    "no kernel SCTP: connect names --sctp-udp-encap (%s)", err.reason);
	t = open_ep("sctp://:4739", true, NULL, &err);
	CHECK(t == NULL && strstr(err.reason, "--sctp-udp-encap") != NULL,
	    "no kernel SCTP: listen names --sctp-udp-encap");
	t = open_ep("dtls-sctp://[::1]", false, NULL, &err);
	CHECK(t == NULL && strstr(err.reason, "--sctp-udp-encap") != NULL,
	    "no kernel SCTP: dtls-sctp too");
}

static void
drive(struct ipfix_transport *a, struct ipfix_transport *b, int ms)
{
	struct pollfd p[2] = { { .fd = a->fd, .events = POLLIN },
	    { .fd = b->fd, .events = POLLIN } };
	struct ipfix_err err;

	(void)poll(p, 2, ms);
	(void)ipfix_transport_service(a, &err);
	(void)ipfix_transport_service(b, &err);
}

static void
make_msg(uint8_t *m, size_t len, uint8_t fill)
{
	memset(m, fill, len);
	m[0] = 0;
	m[1] = 10;
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)len;
}

/* Listener l, client c: up, 40 messages on 4 streams, a 65535-byte one,
 * a reply, an orderly close. what names the pairing. */
static int
set_keys(struct ipfix_transport *l, struct ipfix_transport *c,
    uint32_t assoc, struct ipfix_err *err)
{
	static const uint8_t key[] = "0123456789abcdef0123456789abcdef";

	ipfix_err_clear(err);
	if (ipfix_transport_sctp_auth(l, IPFIX_AUTH_SET_KEY, assoc, 1, key,
	    sizeof(key) - 1, err) == -1 ||
	    ipfix_transport_sctp_auth(l, IPFIX_AUTH_ACTIVATE, assoc, 1, NULL,
	    0, err) == -1 ||
	    ipfix_transport_sctp_auth(c, IPFIX_AUTH_SET_KEY, 0, 1, key,
	    sizeof(key) - 1, err) == -1)
		return -1;
	return ipfix_transport_sctp_auth(c, IPFIX_AUTH_ACTIVATE, 0, 1, NULL,
	    0, err);
}

static void
exchange(struct ipfix_transport *l, struct ipfix_transport *c, bool auth,
    const char *what)
{
	struct ipfix_tsend how = { .pr_rtx = -1 };
	struct ipfix_tpeer last;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t *big = malloc(65535), buf[300];
	int i, rc, up = 0, conn = 0, got = 0, bigok = 0, down = 0;
	int per[4] = { 0 }, unord = 0, ok = 1;

	memset(&last, 0, sizeof(last));
	for (i = 0; i < 500 && !(up && conn); i++) {
		drive(l, c, 10);
		if (!conn && ipfix_transport_flush(c, &err) == IPFIX_T_OK)
			conn = 1;
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			if (m.event == IPFIX_TEV_UP) {
				up = 1;
				last = m.peer;
			}
	}
	CHECK(up && conn, "%s: association up, listener told", what);
	if (auth)
		CHECK(set_keys(l, c, last.assoc, &err) == 0,
		    "%s: AUTH key 1 set and active on both (%s)", what,
		    err.reason);
	for (i = 0; i < 40; i++) {
		make_msg(buf, sizeof(buf), (uint8_t)i);
		how.stream = (uint16_t)(i % 4);
		how.unordered = i % 4 == 3;
		how.pr_rtx = i % 4 == 2 ? 0 : -1;
		ok &= ipfix_transport_send(c, buf, sizeof(buf), &how, &err) ==
		    IPFIX_T_OK;
	}
	make_msg(big, 65535, 0x77);
	how.stream = 0;
	how.unordered = false;
	how.pr_rtx = -1;
	ok &= ipfix_transport_send(c, big, 65535, &how, &err) == IPFIX_T_OK;
	CHECK(ok, "%s: 41 messages sent (%s)", what, ok ? "" : err.reason);
	for (i = 0; i < 500 && got < 41; i++) {
		drive(l, c, 10);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK) {
			if (m.event != IPFIX_TEV_NONE)
				continue;
			got++;
			last = m.peer;
			if (m.len == 65535) {
				bigok = memcmp(m.data, big, 65535) == 0;
				continue;
			}
			per[m.stream & 3]++;
			unord += m.unordered;
		}
	}
	CHECK_EQ_U(got, 41, "%s: all messages arrived", what);
	CHECK(bigok, "%s: 65535-byte message intact", what);
	CHECK(per[0] == 10 && per[1] == 10 && per[2] == 10 && per[3] == 10 &&
	    unord == 10, "%s: streams and unordered flag kept", what);
	how.peer = &last;
	how.stream = 2;
	CHECK(ipfix_transport_send(l, "reply-0123456789", 16, &how, &err) ==
	    IPFIX_T_OK, "%s: listener replies (%s)", what, err.reason);
	for (i = 0, rc = IPFIX_T_AGAIN; i < 300 && rc == IPFIX_T_AGAIN; i++) {
		drive(l, c, 10);
		rc = ipfix_transport_recv(c, &m, &err);
	}
	CHECK(rc == IPFIX_T_OK && m.len == 16 && m.stream == 2,
	    "%s: client gets the reply on stream 2", what);
	CHECK(ipfix_transport_shutdown(c, &err) == IPFIX_T_OK,
	    "%s: shutdown", what);
	for (i = 0, rc = IPFIX_T_AGAIN; i < 300 && !(rc == IPFIX_T_EOF &&
	    down); i++) {
		drive(l, c, 10);
		if (rc != IPFIX_T_EOF)
			rc = ipfix_transport_recv(c, &m, &err);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			down |= m.event == IPFIX_TEV_DOWN;
	}
	CHECK(rc == IPFIX_T_EOF && down, "%s: orderly close seen by both "
	    "(client %d%s%s, listener %s)", what, rc, rc == IPFIX_T_ERR ?
	    ": " : "", rc == IPFIX_T_ERR ? err.reason : "", down ? "down" :
	    "no event");
	free(big);
}

static void
pairing(const char *lurl, const struct ipfix_topts *lo, const char *curl,
    const struct ipfix_topts *co, const char *what)
{
	struct ipfix_err err;
	struct ipfix_transport *l, *c = NULL;

	l = open_ep(lurl, true, lo, &err);
	CHECK(l != NULL, "%s: listen %s (%s)", what, lurl,
	    l ? "ok" : err.reason);
	if (l != NULL) {
		c = open_ep(curl, false, co, &err);
		CHECK(c != NULL, "%s: connect %s (%s)", what, curl,
		    c ? "ok" : err.reason);
	}
	if (l != NULL && c != NULL)
		exchange(l, c, (lo != NULL && lo->sctp_auth), what);
	ipfix_transport_close(c);
	ipfix_transport_close(l);
}

int
main(int argc, char **argv)
{
	struct ipfix_topts kern_to_usr = { .encap_port = USRSCTP_UDP };
	struct ipfix_topts usr_listen = { .sctp_udp = true,
	    .encap_port = USRSCTP_UDP };
	struct ipfix_topts usr_to_kern = { .sctp_udp = true,
	    .encap_port = KERNEL_UDP };
	struct ipfix_topts kern_auth = { .sctp_auth = true };
	struct ipfix_topts usr_to_kern_auth = { .sctp_udp = true,
	    .encap_port = KERNEL_UDP, .sctp_auth = true };

	if (!kernel_has_sctp()) {
		test_missing();
		TEST_DONE();
	}
	if (argc > 1 && strcmp(argv[1], "encap") == 0) {
		pairing("sctp://127.0.0.1:4801", &usr_listen,
		    "sctp://127.0.0.1:4801", &kern_to_usr,
		    "kernel -> usrsctp over UDP");
		pairing("sctp://127.0.0.1:4802", NULL,
		    "sctp://127.0.0.1:4802", &usr_to_kern,
		    "usrsctp -> kernel over UDP");
		pairing("sctp://127.0.0.1:4803", &kern_auth,
		    "sctp://127.0.0.1:4803", &usr_to_kern_auth,
		    "usrsctp -> kernel over UDP with SCTP-AUTH");
		TEST_DONE();
	}
	pairing("sctp://127.0.0.1:4739", NULL, "sctp://127.0.0.1:4739", NULL,
	    "kernel loopback IPv4");
	pairing("sctp://[::1]:4739", NULL, "sctp://[::1]:4739", NULL,
	    "kernel loopback IPv6");
	pairing("sctp://:4740", NULL, "sctp://localhost:4740", NULL,
	    "kernel wildcard listener");
	pairing("sctp://127.0.0.1:4741", &kern_auth, "sctp://127.0.0.1:4741",
	    &kern_auth, "kernel loopback with SCTP-AUTH");
	TEST_DONE();
}
