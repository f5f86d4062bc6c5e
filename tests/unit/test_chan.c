/* Unit tests of chan (plain kind): client and listener round trips over
 * loopback UDP, TCP and SCTP over UDP (usrsctp), limits, drops, closes. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

#include "chan.h"
#include "testhelp.h"

#define NCLI	3
#define NMSG	40

struct coll {
	struct ipfix_chan_listener *l;
	struct ipfix_chan *sess[8];
	int opens, closes, close_errs, refused, msgs;
	uint64_t bytes, sum;
	enum ipfix_errcode last_code;
	char last_reason[IPFIX_REASON_MAX];
	bool drop_on_msg;
	uint8_t tag[64];	/* byte 4 of each message, in arrival order */
	int ntag;
};

static uint64_t
fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static void
on_open(void *arg, struct ipfix_chan *c)
{
	struct coll *k = arg;

	if (k->opens < 8)
		k->sess[k->opens] = c;
	k->opens++;
}

static void
on_message(void *arg, struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct coll *k = arg;

	k->msgs++;
	k->bytes += m->len;
	k->sum += fnv(m->data, m->len);
	if (k->ntag < 64 && m->len > 4)
		k->tag[k->ntag++] = m->data[4];
	if (k->drop_on_msg)
		ipfix_chan_listener_drop(k->l, c);
}

static void
on_close(void *arg, struct ipfix_chan *c, const struct ipfix_err *err)
{
	struct coll *k = arg;
	int i;

	for (i = 0; i < 8; i++)
		if (k->sess[i] == c)
			k->sess[i] = NULL;
	k->closes++;
	if (err != NULL) {
		k->close_errs++;
		k->last_code = err->code;
		snprintf(k->last_reason, sizeof(k->last_reason), "%s",
		    err->reason);
	}
}

static void
on_refused(void *arg, const struct ipfix_tpeer *peer,
    const struct ipfix_err *err)
{
	struct coll *k = arg;

	(void)peer;
	k->refused++;
	k->last_code = err->code;
}

static const struct ipfix_listen_ops lops = { on_open, on_message, on_close,
    on_refused };

static void
make_msg(uint8_t *m, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		m[i] = (uint8_t)(seq * 7 + i);
	m[0] = 0;
	m[1] = 10;
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)len;
}

static int
parse(const char *url, struct ipfix_endpoint *ep)
{
	struct ipfix_err err;

	return ipfix_endpoint_parse(url, ep, &err);
}

/* Run the loop and service the clients for at most ms, or until *stop. */
static void
drive(struct ev_loop *ev, struct ipfix_chan **c, int n, int ms,
    const int *watch, int want)
{
	uint64_t end = ev_now_ms() + (uint64_t)ms;
	struct ipfix_err err;
	int i;

	while (ev_now_ms() < end) {
		if (watch != NULL && *watch >= want)
			return;
		(void)ev_run_once(ev, 5, &err);
		for (i = 0; i < n; i++)
			if (c[i] != NULL)
				(void)ipfix_chan_service(c[i], &err);
	}
}

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

static struct ipfix_chan_listener *
listen_on(const char *url, const struct ipfix_topts *o,
    const struct ipfix_listen_limits *lim, struct ev_loop *ev,
    struct coll *k, char *port_url, size_t cap)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	const struct ipfix_tpeer *p;

	if (parse(url, &ep) == -1)
		return NULL;
	/* usrsctp binds no SCTP port 0: take any free number. */
	ep.port = o != NULL && o->sctp_udp ? free_udp_port() : 0;
	k->l = ipfix_chan_listen(&ep, o, NULL, lim, ev, &lops, k, &err);
	if (k->l == NULL) {
		printf("# listen %s: %s\n", url, err.reason);
		return NULL;
	}
	p = ipfix_chan_listener_local(k->l);
	/* usrsctp's local address is the encapsulation's. */
	snprintf(port_url, cap, "%.*s127.0.0.1:%u",
	    (int)(strstr(url, "//") - url + 2), url, ep.port != 0 ? ep.port :
	    ipfix_addr_port((const struct sockaddr *)&p->addr));
	return k->l;
}

static int
connect_all(const char *url, const struct ipfix_topts *o,
    struct ipfix_chan **c, int n)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	int i;

	if (parse(url, &ep) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if ((c[i] = ipfix_chan_connect(&ep, o, NULL, &err)) == NULL) {
			printf("# connect %s: %s\n", url, err.reason);
			return -1;
		}
	return 0;
}

static int
all_up(struct ipfix_chan **c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (ipfix_chan_state(c[i]) != IPFIX_CHAN_UP)
			return 0;
	return 1;
}

static void
wait_up(struct ev_loop *ev, struct ipfix_chan **c, int n)
{
	uint64_t end = ev_now_ms() + 3000;

	while (!all_up(c, n) && ev_now_ms() < end)
		drive(ev, c, n, 5, NULL, 0);
}

/* Send NMSG messages from each client; the expected byte sum and hash. */
static int
send_all(struct ev_loop *ev, struct ipfix_chan **c, int n, uint64_t *bytes,
    uint64_t *sum)
{
	uint8_t m[1200];
	struct ipfix_err err;
	size_t len;
	int i, j, rc;

	for (j = 0; j < NMSG; j++)
		for (i = 0; i < n; i++) {
			len = 16 + (size_t)((i * NMSG + j) % 1100);
			make_msg(m, len, (uint32_t)(i * NMSG + j));
			while ((rc = ipfix_chan_send(c[i], m, len, NULL,
			    &err)) == IPFIX_T_AGAIN)
				drive(ev, c, n, 5, NULL, 0);
			if (rc != IPFIX_T_OK) {
				printf("# send: %s\n", err.reason);
				return -1;
			}
			*bytes += len;
			*sum += fnv(m, len);
			/* UDP has no flow control: keep the loop turning. */
			if (j % 8 == 7)
				drive(ev, c, n, 1, NULL, 0);
		}
	return 0;
}

static void
close_all(struct ev_loop *ev, struct ipfix_chan **c, int n)
{
	struct ipfix_err err;
	uint64_t end = ev_now_ms() + 3000;
	int i, open;

	for (i = 0; i < n; i++)
		(void)ipfix_chan_shutdown(c[i], &err);
	do {
		drive(ev, c, n, 5, NULL, 0);
		for (i = open = 0; i < n; i++)
			open += ipfix_chan_state(c[i]) == IPFIX_CHAN_CLOSING;
	} while (open > 0 && ev_now_ms() < end);
}

static void
free_all(struct ipfix_chan **c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ipfix_chan_free(c[i]);
		c[i] = NULL;
	}
}

static void
test_roundtrip(const char *url, const struct ipfix_topts *o, bool stream)
{
	struct ipfix_listen_limits lim = { .idle_timeout_ms = 400 };
	struct ipfix_chan *c[NCLI] = { NULL };
	struct ipfix_listen_stats st;
	struct coll k = { 0 };
	uint64_t bytes = 0, sum = 0;
	struct ev_loop *ev;
	struct ipfix_err err;
	char purl[80];

	ev = ev_new(1024, &err);
	if (listen_on(url, o, &lim, ev, &k, purl, sizeof(purl)) == NULL ||
	    connect_all(purl, o, c, NCLI) == -1) {
		CHECK(0, "%s: listener and clients", url);
		goto out;
	}
	wait_up(ev, c, NCLI);
	CHECK(all_up(c, NCLI), "%s: %d clients up", url, NCLI);
	CHECK(ipfix_chan_max_msg(c[0]) >= 1200, "%s: max_msg %zu", url,
	    ipfix_chan_max_msg(c[0]));
	CHECK(send_all(ev, c, NCLI, &bytes, &sum) == 0, "%s: sent", url);
	drive(ev, c, NCLI, 5000, &k.msgs, NCLI * NMSG);
	CHECK_EQ_U(k.opens, NCLI, "%s: one session per client", url);
	CHECK_EQ_U(k.msgs, NCLI * NMSG, "%s: every message arrived", url);
	CHECK(k.bytes == bytes && k.sum == sum, "%s: messages identical",
	    url);
	CHECK(k.sess[0] != NULL && !ipfix_chan_identity(k.sess[0])->verified,
	    "%s: plain session is not verified", url);
	ipfix_chan_listener_stats(k.l, &st);
	CHECK_EQ_U(st.sessions_open, NCLI, "%s: stats sessions_open", url);
	CHECK_EQ_U(st.sessions_opened, NCLI, "%s: stats sessions_opened", url);
	close_all(ev, c, NCLI);
	CHECK(ipfix_chan_state(c[0]) == IPFIX_CHAN_CLOSED,
	    "%s: client closed in order", url);
	drive(ev, c, NCLI, stream ? 3000 : 1500, &k.closes, NCLI);
	CHECK_EQ_U(k.closes, NCLI, "%s: collector saw every end (%s)", url,
	    stream ? "peer close" : "idle timeout");
	CHECK_EQ_U(k.close_errs, 0, "%s: ends were orderly", url);
out:
	free_all(c, NCLI);
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

/* The collector answers a client through the listener session. */
static void
test_reply(const char *url)
{
	struct ipfix_chan *c[1] = { NULL };
	struct coll k = { 0 };
	struct ipfix_tmsg m;
	struct ipfix_err err;
	struct ev_loop *ev;
	uint8_t msg[64];
	char purl[80];
	int rc = IPFIX_T_AGAIN, i;

	ev = ev_new(1024, &err);
	if (listen_on(url, NULL, NULL, ev, &k, purl, sizeof(purl)) == NULL ||
	    connect_all(purl, NULL, c, 1) == -1)
		goto out;
	wait_up(ev, c, 1);
	make_msg(msg, sizeof(msg), 1);
	(void)ipfix_chan_send(c[0], msg, sizeof(msg), NULL, &err);
	drive(ev, c, 1, 2000, &k.msgs, 1);
	CHECK(k.sess[0] != NULL, "%s reply: session open", url);
	if (k.sess[0] == NULL)
		goto out;
	make_msg(msg, sizeof(msg), 2);
	CHECK_EQ_U(ipfix_chan_send(k.sess[0], msg, sizeof(msg), NULL, &err),
	    IPFIX_T_OK, "%s reply: collector sends", url);
	for (i = 0; i < 200 && rc == IPFIX_T_AGAIN; i++) {
		drive(ev, c, 1, 5, NULL, 0);
		rc = ipfix_chan_recv(c[0], &m, &err);
	}
	CHECK(rc == IPFIX_T_OK && m.len == sizeof(msg) &&
	    memcmp(m.data, msg, sizeof(msg)) == 0,
	    "%s reply: client receives it", url);
out:
	free_all(c, 1);
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

/* max_sessions: the third TCP client is refused; a dropped session's
 * client sees the end. */
static void
test_limits_and_drop(void)
{
	struct ipfix_listen_limits lim = { .max_sessions = 2 };
	struct ipfix_chan *c[3] = { NULL };
	struct ipfix_listen_stats st;
	struct coll k = { 0 };
	struct ipfix_tmsg m;
	struct ipfix_err err;
	struct ev_loop *ev;
	uint8_t msg[32];
	char purl[80];
	int i, rc = IPFIX_T_AGAIN;

	ev = ev_new(1024, &err);
	if (listen_on("tcp://127.0.0.1", NULL, &lim, ev, &k, purl,
	    sizeof(purl)) == NULL || connect_all(purl, NULL, c, 3) == -1)
		goto out;
	drive(ev, c, 3, 2000, &k.refused, 1);
	drive(ev, c, 3, 100, NULL, 0);
	ipfix_chan_listener_stats(k.l, &st);
	CHECK_EQ_U(st.sessions_open, 2, "limit: two sessions open");
	CHECK_EQ_U(k.refused, 1, "limit: the third is refused");
	CHECK_EQ_U(k.last_code, IPFIX_E_LIMIT, "limit: refused for the limit");
	k.drop_on_msg = true;
	make_msg(msg, sizeof(msg), 3);
	for (i = 0; i < 3; i++)
		(void)ipfix_chan_send(c[i], msg, sizeof(msg), NULL, &err);
	drive(ev, c, 3, 2000, &k.closes, 2);
	CHECK_EQ_U(k.closes, 2, "drop: on_close for the dropped sessions");
	for (i = 0; i < 300 && rc != IPFIX_T_EOF; i++) {
		drive(ev, c, 3, 5, NULL, 0);
		rc = ipfix_chan_recv(c[0], &m, &err);
	}
	CHECK_EQ_U(rc, IPFIX_T_EOF, "drop: the client sees the end");
out:
	free_all(c, 3);
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

static void
send_one(struct ipfix_chan *c, uint32_t seq)
{
	struct ipfix_err err;
	uint8_t m[32];

	make_msg(m, sizeof(m), seq);
	(void)ipfix_chan_send(c, m, sizeof(m), NULL, &err);
}

/* Only a whole IPFIX header, compressed frame or NetFlow v9 packet earns a
 * UDP session. */
static void
test_admit(void)
{
	uint8_t m[32];

	make_msg(m, sizeof(m), 1);
	CHECK(ipfix_chan_admit_udp(m, sizeof(m)), "admit: an IPFIX message");
	CHECK(!ipfix_chan_admit_udp(m, sizeof(m) - 1), "admit: length "
	    "field larger than the datagram");
	CHECK(!ipfix_chan_admit_udp(m, 15), "admit: shorter than a header");
	m[1] = 9;
	CHECK(!ipfix_chan_admit_udp(m, sizeof(m)), "admit: version 9 whose "
	    "FlowSets do not frame the datagram");
	CHECK(!ipfix_chan_admit_udp(m, 20), "admit: a bare v9 header");
	memset(m + 20, 0, sizeof(m) - 20);
	m[22] = 0, m[23] = (uint8_t)(sizeof(m) - 20);
	CHECK(ipfix_chan_admit_udp(m, sizeof(m)), "admit: a NetFlow v9 "
	    "packet (one FlowSet to its end)");
	m[23] = 3;
	CHECK(!ipfix_chan_admit_udp(m, sizeof(m)), "admit: v9 FlowSet "
	    "shorter than its header");
	memcpy(m, "IZ\0\x20", 4);
	CHECK(ipfix_chan_admit_udp(m, sizeof(m)), "admit: a compressed frame");
	memcpy(m, "junk", 4);
	CHECK(!ipfix_chan_admit_udp(m, sizeof(m)), "admit: junk");
}

/* A full table makes room by ending its longest silent session (idle
 * for a second), and junk UDP never gets a session. */
static void
test_evict_and_junk(void)
{
	struct ipfix_listen_limits lim = { .max_sessions = 2 };
	struct ipfix_chan *c[3] = { NULL };
	struct ipfix_listen_stats st;
	struct coll k = { 0 };
	struct ipfix_err err;
	struct ev_loop *ev;
	uint8_t junk[20] = "not an IPFIX header";
	char purl[80];

	ev = ev_new(1024, &err);
	if (listen_on("udp://127.0.0.1", NULL, &lim, ev, &k, purl,
	    sizeof(purl)) == NULL || connect_all(purl, NULL, c, 3) == -1)
		goto out;
	(void)ipfix_chan_send(c[0], junk, sizeof(junk), NULL, &err);
	drive(ev, c, 3, 2000, &k.refused, 1);
	ipfix_chan_listener_stats(k.l, &st);
	CHECK_EQ_U(st.not_ipfix, 1, "junk: counted as not IPFIX");
	CHECK_EQ_U(k.opens, 0, "junk: no session");
	send_one(c[0], 1);
	drive(ev, c, 3, 2000, &k.opens, 1);
	drive(ev, c, 3, 1100, NULL, 0);		/* c[0] now idle for 1 s */
	send_one(c[1], 1);
	drive(ev, c, 3, 2000, &k.opens, 2);
	send_one(c[2], 1);
	drive(ev, c, 3, 2000, &k.opens, 3);
	ipfix_chan_listener_stats(k.l, &st);
	CHECK_EQ_U(k.opens, 3, "evict: the third peer got a session");
	CHECK_EQ_U(st.evicted, 1, "evict: one session made room");
	CHECK_EQ_U(k.closes, 1, "evict: the idle one was closed");
	CHECK_EQ_U(k.refused, 1, "evict: no refusal but the junk");
out:
	free_all(c, 3);
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

/* Bytes that are not IPFIX on a TCP port end that session with C68. */
static void
test_tcp_garbage(void)
{
	struct sockaddr_in s;
	struct coll k = { 0 };
	struct ipfix_err err;
	struct ev_loop *ev;
	char purl[80];
	const char *colon;
	int fd;

	ev = ev_new(1024, &err);
	if (listen_on("tcp://127.0.0.1", NULL, NULL, ev, &k, purl,
	    sizeof(purl)) == NULL)
		goto out;
	colon = strrchr(purl, ':');
	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&s, sizeof(s)) == 0)
		(void)!write(fd, "GET / HTTP/1.0\r\n\r\n", 18);
	drive(ev, NULL, 0, 2000, &k.closes, 1);
	close(fd);
	CHECK_EQ_U(k.close_errs, 1, "tcp garbage: session ended with an "
	    "error");
	CHECK_EQ_U(k.last_code, IPFIX_E_VERSION, "tcp garbage: bad version "
	    "(%s)", k.last_reason);
out:
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

/* TCP: messages sent with how.more stay with the client (EV_WRITE
 * wanted) until a send without it or a service call; then they arrive
 * in order. */
static void
test_cork(void)
{
	struct ipfix_tsend more = { .pr_rtx = -1, .more = true };
	struct ipfix_chan *c[1] = { NULL };
	struct coll k = { 0 };
	struct ipfix_err err;
	struct ev_loop *ev;
	uint8_t msg[300];
	char purl[80];
	int i, ok = 1, order = 1;

	ev = ev_new(1024, &err);
	if (listen_on("tcp://127.0.0.1", NULL, NULL, ev, &k, purl,
	    sizeof(purl)) == NULL || connect_all(purl, NULL, c, 1) == -1) {
		CHECK(0, "cork: listener and client");
		goto out;
	}
	wait_up(ev, c, 1);
	drive(ev, NULL, 0, 100, NULL, 0);
	CHECK(k.opens == 1 && all_up(c, 1), "cork: session up");
	for (i = 0; i < 5; i++) {
		make_msg(msg, sizeof(msg), (uint32_t)i);
		ok &= ipfix_chan_send(c[0], msg, sizeof(msg), &more, &err) ==
		    IPFIX_T_OK;
	}
	CHECK(ok, "cork: 5 sends with more taken");
	CHECK(ipfix_chan_events(c[0]) & EV_WRITE,
	    "cork: the client wants EV_WRITE while holding them");
	/* only the listener runs: nothing may arrive */
	drive(ev, NULL, 0, 200, NULL, 0);
	CHECK_EQ_U(k.msgs, 0, "cork: the collector got nothing yet");
	CHECK_EQ_U(ipfix_chan_service(c[0], &err), IPFIX_CHAN_UP,
	    "cork: service");
	CHECK(!(ipfix_chan_events(c[0]) & EV_WRITE),
	    "cork: nothing held after service");
	drive(ev, NULL, 0, 2000, &k.msgs, 5);
	CHECK_EQ_U(k.msgs, 5, "cork: service sent all 5");
	CHECK_EQ_U(k.bytes, 5 * sizeof(msg), "cork: 1500 bytes");
	for (i = 0; i < 5 && i < k.ntag; i++)
		order &= k.tag[i] == (uint8_t)(i * 7 + 4);
	CHECK(order && k.ntag == 5, "cork: in the order sent");
	/* held, then released by a send without more */
	for (i = 5; i < 8; i++) {
		make_msg(msg, sizeof(msg), (uint32_t)i);
		(void)ipfix_chan_send(c[0], msg, sizeof(msg), &more, &err);
	}
	drive(ev, NULL, 0, 200, NULL, 0);
	CHECK_EQ_U(k.msgs, 5, "cork: 3 more held");
	make_msg(msg, sizeof(msg), 8);
	CHECK_EQ_U(ipfix_chan_send(c[0], msg, sizeof(msg), NULL, &err),
	    IPFIX_T_OK, "cork: a send without more");
	drive(ev, NULL, 0, 2000, &k.msgs, 9);
	CHECK_EQ_U(k.msgs, 9, "cork: all 4 arrive");
	for (i = 0; i < 9 && i < k.ntag; i++)
		order &= k.tag[i] == (uint8_t)(i * 7 + 4);
	CHECK(order && k.ntag == 9, "cork: still in order");
out:
	free_all(c, 1);
	ipfix_chan_listener_free(k.l);
	ev_free(ev);
}

static void
test_errors(void)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;

	CHECK(parse("dtls://127.0.0.1", &ep) == 0 &&
	    ipfix_chan_connect(&ep, NULL, NULL, &err) == NULL &&
	    err.code == IPFIX_E_USAGE, "dtls without a context is refused");
}

int
main(void)
{
	struct ipfix_topts su = { .sctp_udp = true };

	test_errors();
	test_roundtrip("udp://127.0.0.1", NULL, false);
	test_roundtrip("tcp://127.0.0.1", NULL, true);
	su.encap_port = free_udp_port();
	test_roundtrip("sctp://127.0.0.1", &su, true);
	test_reply("udp://127.0.0.1");
	test_reply("tcp://127.0.0.1");
	test_limits_and_drop();
	test_admit();
	test_evict_and_junk();
	test_tcp_garbage();
	test_cork();
	TEST_DONE();
}
