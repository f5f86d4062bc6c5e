/* Unit tests of SCTP over UDP encapsulation (usrsctp) on loopback. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "evloop.h"
#include "transport.h"
#include "testhelp.h"

#define SCTP_PORT 4739

/* A UDP port free right now, for the encapsulation. */
static uint16_t
free_udp_port(void)
{
	struct sockaddr_in s;
	socklen_t len = sizeof(s);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)bind(fd, (struct sockaddr *)&s, sizeof(s));
	(void)getsockname(fd, (struct sockaddr *)&s, &len);
	close(fd);
	return ntohs(s.sin_port);
}

/* Drive every transport for up to ms: wait on their fds, service them. */
static void
drive(struct ipfix_transport **t, int n, int ms)
{
	struct pollfd p[8];
	struct ipfix_err err;
	int i;

	for (i = 0; i < n; i++) {
		p[i].fd = t[i]->fd;
		p[i].events = POLLIN;
	}
	(void)poll(p, (nfds_t)n, ms);
	for (i = 0; i < n; i++)
		(void)ipfix_transport_service(t[i], &err);
}

static struct ipfix_transport *
open_listener_auth(uint16_t encap, bool auth, struct ipfix_err *err)
{
	struct ipfix_topts o = { .sctp_udp = true, .encap_port = encap,
	    .sctp_auth = auth };
	struct ipfix_endpoint ep;
	char url[64];

	snprintf(url, sizeof(url), "sctp://127.0.0.1:%u", SCTP_PORT);
	if (ipfix_endpoint_parse(url, &ep, err) == -1)
		return NULL;
	return ipfix_transport_listen(&ep, &o, err);
}

static struct ipfix_transport *
open_listener(uint16_t encap, struct ipfix_err *err)
{
	return open_listener_auth(encap, false, err);
}

static struct ipfix_transport *
open_client_auth(uint16_t encap, bool auth, struct ipfix_err *err)
{
	struct ipfix_topts o = { .sctp_udp = true, .encap_port = encap,
	    .streams = 4, .sctp_auth = auth };
	struct ipfix_endpoint ep;

	if (ipfix_endpoint_parse("sctp://127.0.0.1", &ep, err) == -1)
		return NULL;
	return ipfix_transport_connect(&ep, &o, err);
}

static struct ipfix_transport *
open_client(uint16_t encap, struct ipfix_err *err)
{
	return open_client_auth(encap, false, err);
}

/* Wait until c is connected; the listener sees the association come up. */
static int
connect_up(struct ipfix_transport *l, struct ipfix_transport *c,
    uint32_t *assoc)
{
	struct ipfix_transport *t[2] = { l, c };
	struct ipfix_tmsg m;
	struct ipfix_err err;
	int i, up = 0, conn = 0;

	for (i = 0; i < 300 && !(up && conn); i++) {
		drive(t, 2, 10);
		if (!conn && ipfix_transport_flush(c, &err) == IPFIX_T_OK)
			conn = 1;
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			if (m.event == IPFIX_TEV_UP) {
				up = 1;
				*assoc = m.peer.assoc;
			}
	}
	return up && conn;
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

static void
test_round_trip(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_transport *l = open_listener(encap, &err), *c, *t[2];
	struct ipfix_tsend how = { .pr_rtx = -1 };
	struct ipfix_tmsg m;
	struct ipfix_tpeer last;
	uint8_t *big = malloc(65535), buf[200];
	int i, got = 0, ok = 1, per[4] = { 0 }, unord = 0, rc;
	uint32_t assoc = 0;
	size_t mtu;

	memset(&last, 0, sizeof(last));
	CHECK(l != NULL && l->fd >= 0, "listener (%s)", l ? "ok" : err.reason);
	c = open_client(encap, &err);
	CHECK(c != NULL && ipfix_transport_want_write(c),
	    "client connecting (%s)", c ? "ok" : err.reason);
	if (l == NULL || c == NULL)
		goto out;
	CHECK_STR(ipfix_transport_name(c), "sctp-udp", "name");
	CHECK(ipfix_transport_timeout(c) > 0, "usrsctp needs its timers");
	CHECK(connect_up(l, c, &assoc), "association up, listener saw it");
	CHECK(!ipfix_transport_want_write(c), "connected");
	t[0] = l;
	t[1] = c;
	for (i = 0; i < 40; i++) {
		make_msg(buf, sizeof(buf), (uint8_t)i);
		how.stream = (uint16_t)(i % 4);
		how.unordered = i % 4 == 3;
		how.pr_rtx = i % 4 == 2 ? 0 : -1;
		ok &= ipfix_transport_send(c, buf, sizeof(buf), &how, &err) ==
		    IPFIX_T_OK;
	}
	CHECK(ok, "40 messages sent on 4 streams (%s)", ok ? "" : err.reason);
	make_msg(big, 65535, 0xee);
	how.stream = 0;
	how.unordered = false;
	how.pr_rtx = -1;
	CHECK(ipfix_transport_send(c, big, 65535, &how, &err) == IPFIX_T_OK,
	    "a 65535-byte message is sent (SCTP fragments it)");
	for (i = 0; i < 300 && got < 41; i++) {
		drive(t, 2, 10);
		while ((rc = ipfix_transport_recv(l, &m, &err)) ==
		    IPFIX_T_OK) {
			if (m.event != IPFIX_TEV_NONE)
				continue;
			got++;
			last = m.peer;
			if (m.len == 65535) {
				ok = memcmp(m.data, big, 65535) == 0;
				continue;
			}
			per[m.stream & 3]++;
			unord += m.unordered;
		}
	}
	CHECK_EQ_U(got, 41, "all messages arrived");
	CHECK(ok, "the large message is intact");
	CHECK(per[0] == 10 && per[1] == 10 && per[2] == 10 && per[3] == 10,
	    "10 per stream");
	CHECK_EQ_U(unord, 10, "unordered flag delivered");
	CHECK(got > 0 && last.assoc == assoc && last.addrlen > 0 &&
	    ipfix_addr_port((struct sockaddr *)&last.addr) ==
	    ipfix_addr_port((struct sockaddr *)&c->local.addr),
	    "peer: association and the client's UDP address");
	how.peer = &last;
	how.stream = 1;
	CHECK(ipfix_transport_send(l, "reply-1234567890", 16, &how, &err) ==
	    IPFIX_T_OK, "listener replies on the association");
	for (i = 0, rc = IPFIX_T_AGAIN; i < 200 && rc == IPFIX_T_AGAIN; i++) {
		drive(t, 2, 10);
		rc = ipfix_transport_recv(c, &m, &err);
	}
	CHECK(rc == IPFIX_T_OK && m.len == 16 && m.stream == 1 &&
	    memcmp(m.data, "reply", 5) == 0, "client gets the reply");
	CHECK(ipfix_transport_mtu(c, &mtu, &err) == 0 && mtu == 65535,
	    "message limit 65535");
	CHECK(ipfix_transport_shutdown(c, &err) == IPFIX_T_OK, "shutdown");
	for (i = 0, rc = IPFIX_T_AGAIN; i < 300 && rc != IPFIX_T_EOF; i++) {
		drive(t, 2, 10);
		rc = ipfix_transport_recv(c, &m, &err);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			if (m.event == IPFIX_TEV_DOWN)
				got = -1;
	}
	CHECK(rc == IPFIX_T_EOF, "client sees the orderly close");
	CHECK(got == -1, "listener sees the association end");
out:
	ipfix_transport_close(c);
	ipfix_transport_close(l);
	free(big);
}

/* Two exporters on one listener port are told apart. */
static void
test_two_peers(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_transport *l = open_listener(encap, &err), *c1, *c2;
	struct ipfix_transport *t[3];
	struct ipfix_tmsg m;
	uint8_t a[20], b[24];
	uint32_t as1 = 0, as2 = 0;
	int i, n1 = 0, n2 = 0, wrong = 0;

	c1 = open_client(encap, &err);
	c2 = open_client(encap, &err);
	CHECK(l && c1 && c2, "listener and two clients");
	if (!(l && c1 && c2))
		goto out;
	CHECK(connect_up(l, c1, &as1) && connect_up(l, c2, &as2) &&
	    as1 != as2, "two associations");
	make_msg(a, sizeof(a), 1);
	make_msg(b, sizeof(b), 2);
	for (i = 0; i < 5; i++) {
		(void)ipfix_transport_send(c1, a, sizeof(a), NULL, &err);
		(void)ipfix_transport_send(c2, b, sizeof(b), NULL, &err);
	}
	t[0] = l;
	t[1] = c1;
	t[2] = c2;
	for (i = 0; i < 300 && n1 + n2 < 10; i++) {
		drive(t, 3, 10);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK) {
			if (m.event != IPFIX_TEV_NONE)
				continue;
			if (m.peer.assoc == as1)
				n1++, wrong += m.len != sizeof(a);
			else if (m.peer.assoc == as2)
				n2++, wrong += m.len != sizeof(b);
		}
	}
	CHECK(n1 == 5 && n2 == 5 && wrong == 0,
	    "each association's messages kept apart (%d, %d)", n1, n2);
out:
	ipfix_transport_close(c1);
	ipfix_transport_close(c2);
	ipfix_transport_close(l);
}

/* end_assoc: shut c down and drive until the listener sees it end. */
static int
end_assoc(struct ipfix_transport *l, struct ipfix_transport *c)
{
	struct ipfix_transport *t[2] = { l, c };
	struct ipfix_tmsg m;
	struct ipfix_err err;
	int i, down = 0;

	if (ipfix_transport_shutdown(c, &err) != IPFIX_T_OK)
		return 0;
	for (i = 0; i < 300 && !down; i++) {
		drive(t, 2, 10);
		(void)ipfix_transport_recv(c, &m, &err);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			down |= m.event == IPFIX_TEV_DOWN;
	}
	return down;
}

/* Every hand-off of an exporter comes from a new UDP port: a peer whose
 * associations ended is freed, so the limit on peers bounds the ones at
 * a time, not the ones over the listener's life (which ended service
 * after 1,024 hand-offs). */
static void
test_peer_reuse(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_topts o = { .sctp_udp = true, .encap_port = encap,
	    .max_peers = 1 };
	struct ipfix_endpoint ep;
	struct ipfix_transport *l = NULL, *c;
	uint32_t as = 0;
	int i, ok = 1;

	if (ipfix_endpoint_parse("sctp://127.0.0.1:4739", &ep, &err) == 0)
		l = ipfix_transport_listen(&ep, &o, &err);
	CHECK(l != NULL, "listener of one peer (%s)", l ? "ok" : err.reason);
	for (i = 0; l != NULL && i < 3 && ok; i++) {
		c = open_client(encap, &err);
		ok = c != NULL && connect_up(l, c, &as) && end_assoc(l, c);
		ipfix_transport_close(c);
		/* the peer waits out its grace, then makes room */
		if (i < 2)
			usleep(1100 * 1000);
		CHECK(ok, "association %d of a new UDP port, then its end", i);
	}
	ipfix_transport_close(l);
}

static void
test_errors(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_transport *l = open_listener(encap, &err), *l2, *c;
	struct ipfix_tmsg m;
	int i, rc = IPFIX_T_AGAIN;

	l2 = open_listener(encap, &err);
	CHECK(l2 == NULL && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "bind") != NULL,
	    "encapsulation port in use is an error, not a silent hang (%s)",
	    err.reason);
	CHECK(ipfix_transport_send(l, "x", 1, NULL, &err) == IPFIX_T_ERR &&
	    err.code == IPFIX_E_USAGE, "listener send needs a peer");
	ipfix_transport_close(l);
	c = open_client(encap, &err);
	for (i = 0; c != NULL && i < 100 && rc == IPFIX_T_AGAIN; i++) {
		drive(&c, 1, 10);
		rc = ipfix_transport_recv(c, &m, &err);
	}
	CHECK(rc == IPFIX_T_ERR && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "unreachable") != NULL,
	    "no one on the encapsulation port: reported (%s)", err.reason);
	ipfix_transport_close(c);
}

/* SCTP-AUTH with key 1 on both sides: how many of 5 messages arrive. */
static int
auth_run(const char *lkey, const char *ckey)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_transport *l, *c, *t[2];
	struct ipfix_tmsg m;
	uint8_t msg[32];
	uint32_t assoc = 0;
	int i, got = 0, ok;

	l = open_listener_auth(encap, true, &err);
	c = open_client_auth(encap, true, &err);
	if (l == NULL || c == NULL || !connect_up(l, c, &assoc)) {
		ipfix_transport_close(c);
		ipfix_transport_close(l);
		return -1;
	}
	ok = ipfix_transport_sctp_auth(l, IPFIX_AUTH_SET_KEY, assoc, 1,
	    (const uint8_t *)lkey, strlen(lkey), &err) == 0 &&
	    ipfix_transport_sctp_auth(l, IPFIX_AUTH_ACTIVATE, assoc, 1, NULL,
	    0, &err) == 0 &&
	    ipfix_transport_sctp_auth(c, IPFIX_AUTH_SET_KEY, 0, 1,
	    (const uint8_t *)ckey, strlen(ckey), &err) == 0 &&
	    ipfix_transport_sctp_auth(c, IPFIX_AUTH_ACTIVATE, 0, 1, NULL, 0,
	    &err) == 0 &&
	    ipfix_transport_sctp_auth(c, IPFIX_AUTH_DELETE, 0, 0, NULL, 0,
	    &err) == 0;
	CHECK(ok, "AUTH keys set, activated, key 0 deleted (%s)",
	    ok ? "ok" : err.reason);
	make_msg(msg, sizeof(msg), 9);
	for (i = 0; i < 5; i++)
		(void)ipfix_transport_send(c, msg, sizeof(msg), NULL, &err);
	t[0] = l;
	t[1] = c;
	for (i = 0; i < 100 && got < 5; i++) {
		drive(t, 2, 10);
		while (ipfix_transport_recv(l, &m, &err) == IPFIX_T_OK)
			got += m.event == IPFIX_TEV_NONE;
	}
	ipfix_transport_close(c);
	ipfix_transport_close(l);
	return got;
}

static void
test_auth(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct ipfix_transport *l = open_listener(encap, &err);

	CHECK(ipfix_transport_sctp_auth(l, IPFIX_AUTH_ACTIVATE, 0, 1, NULL, 0,
	    &err) == -1 && err.code == IPFIX_E_NET, "no such key: error");
	ipfix_transport_close(l);
	CHECK_EQ_U(auth_run("shared-secret-1", "shared-secret-1"), 5,
	    "SCTP-AUTH, same key: all messages arrive");
	CHECK_EQ_U(auth_run("shared-secret-1", "other-secret-22"), 0,
	    "SCTP-AUTH, different keys: nothing is accepted");
}

/* The intended use: an evloop drives both ends, with a timer for
 * usrsctp's clock and read callbacks on the UDP fds. */
struct evtest {
	struct ipfix_transport *l, *c;
	int sent, got;
	uint8_t msg[64];
};

static long
ev_service(struct ev_loop *ev, long long id, void *arg)
{
	struct evtest *e = arg;
	struct ipfix_err err;

	(void)id;
	(void)ipfix_transport_service(e->l, &err);
	(void)ipfix_transport_service(e->c, &err);
	while (e->sent < 100 && ipfix_transport_send(e->c, e->msg,
	    sizeof(e->msg), NULL, &err) == IPFIX_T_OK)
		e->sent++;
	if (e->got == 100)
		ev_stop(ev);
	return ipfix_transport_timeout(e->c);
}

static void
ev_readable(struct ev_loop *ev, int fd, int mask, void *arg)
{
	struct evtest *e = arg;
	struct ipfix_tmsg m;
	struct ipfix_err err;

	(void)ev;
	(void)mask;
	if (fd == e->c->fd) {
		while (ipfix_transport_recv(e->c, &m, &err) == IPFIX_T_OK)
			;
		return;
	}
	while (ipfix_transport_recv(e->l, &m, &err) == IPFIX_T_OK)
		e->got += m.event == IPFIX_TEV_NONE && m.len == sizeof(e->msg);
}

static long
ev_deadline(struct ev_loop *ev, long long id, void *arg)
{
	(void)id;
	(void)arg;
	ev_stop(ev);
	return EV_STOP;
}

static void
test_evloop_driven(void)
{
	struct ipfix_err err;
	uint16_t encap = free_udp_port();
	struct evtest e = { .sent = 0 };
	struct ev_loop *ev = ev_new(1024, &err);

	e.l = open_listener(encap, &err);
	e.c = open_client(encap, &err);
	make_msg(e.msg, sizeof(e.msg), 3);
	CHECK(ev != NULL && e.l != NULL && e.c != NULL &&
	    ev_fd_add(ev, e.l->fd, EV_READ, ev_readable, &e, &err) == 0 &&
	    ev_fd_add(ev, e.c->fd, EV_READ, ev_readable, &e, &err) == 0 &&
	    ev_timer_add(ev, 0, ev_service, &e, &err) > 0 &&
	    ev_timer_add(ev, 5000, ev_deadline, NULL, &err) > 0,
	    "loop, transports, fds and timers set up");
	CHECK(ev_run(ev, &err) == 0, "loop ran");
	CHECK(e.sent == 100 && e.got == 100,
	    "evloop-driven usrsctp: %d sent, %d received", e.sent, e.got);
	ipfix_transport_close(e.c);
	ipfix_transport_close(e.l);
	ev_free(ev);
}

int
main(void)
{
	test_round_trip();
	test_evloop_driven();
	test_auth();
	test_two_peers();
	test_peer_reuse();
	test_errors();
	TEST_DONE();
}
