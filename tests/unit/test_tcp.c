/* Unit tests of the TCP transport and the framer, over loopback. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <unistd.h>

#include "cursor.h"
#include "evloop.h"
#include "transport.h"
#include "testhelp.h"

static int
wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, ms) == 1;
}

static struct ipfix_transport *
listener(const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct ipfix_addr a;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;

	memset(&a, 0, sizeof(a));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.len = sizeof(*s4);
	return ipfix_tcp_open(&a, true, o, err);
}

static struct ipfix_transport *
client_to(uint16_t port, const struct ipfix_topts *o, struct ipfix_err *err)
{
	struct ipfix_endpoint ep;
	char url[64];

	snprintf(url, sizeof(url), "tcp://127.0.0.1:%u", port);
	if (ipfix_endpoint_parse(url, &ep, err) == -1)
		return NULL;
	return ipfix_transport_connect(&ep, o, err);
}

static uint16_t
port_of(const struct ipfix_transport *t)
{
	return ipfix_addr_port((const struct sockaddr *)&t->local.addr);
}

/* A pair: client c, accepted child s. */
static int
pair(struct ipfix_transport **l, struct ipfix_transport **c,
    struct ipfix_transport **s, const struct ipfix_topts *o)
{
	struct ipfix_err err;
	int i, rc = IPFIX_T_AGAIN;

	*s = NULL;
	if ((*l = listener(NULL, &err)) == NULL)
		return -1;
	if ((*c = client_to(port_of(*l), o, &err)) == NULL)
		return -1;
	for (i = 0; i < 50 && rc == IPFIX_T_AGAIN; i++) {
		(void)wait_fd((*l)->fd, POLLIN, 100);
		rc = ipfix_transport_accept(*l, s, &err);
	}
	return rc == IPFIX_T_OK ? 0 : -1;
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

/* Receive one message on s within 2 s. */
static int
recv_one(struct ipfix_transport *s, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	int i, rc = IPFIX_T_AGAIN;

	for (i = 0; i < 20 && rc == IPFIX_T_AGAIN; i++) {
		rc = ipfix_transport_recv(s, m, err);
		if (rc == IPFIX_T_AGAIN)
			(void)wait_fd(s->fd, POLLIN, 100);
	}
	return rc;
}

static void
test_round_trip(void)
{
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	static const size_t sizes[] = { 16, 100, 1500, 65535, 17 };
	uint8_t *buf = malloc(65535);
	size_t i;
	int ok = 1, rc;

	CHECK(pair(&l, &c, &s, NULL) == 0, "listen, connect, accept");
	CHECK(c->bytestream && s->bytestream, "tcp is a byte stream");
	for (i = 0; i < 5; i++) {
		make_msg(buf, sizes[i], (uint8_t)i);
		rc = ipfix_transport_send(c, buf, sizes[i], NULL, &err);
		ok &= rc == IPFIX_T_OK;
	}
	CHECK(ok, "5 messages taken");
	for (i = 0; i < 200 && ipfix_transport_want_write(c); i++) {
		(void)wait_fd(c->fd, POLLOUT, 10);
		(void)ipfix_transport_flush(c, &err);
	}
	CHECK(!ipfix_transport_want_write(c), "queue drained");
	for (i = 0; i < 5; i++) {
		make_msg(buf, sizes[i], (uint8_t)i);
		rc = recv_one(s, &m, &err);
		CHECK(rc == IPFIX_T_OK && m.len == sizes[i] &&
		    memcmp(m.data, buf, sizes[i]) == 0,
		    "message %zu (%zu bytes) framed intact", i, sizes[i]);
	}
	CHECK(ipfix_addr_port((struct sockaddr *)&m.peer.addr) ==
	    port_of(c), "peer identity is the client's port");
	CHECK(ipfix_transport_shutdown(c, &err) == IPFIX_T_OK, "shutdown");
	CHECK(recv_one(s, &m, &err) == IPFIX_T_EOF, "orderly EOF");
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
	free(buf);
}

/* A message dribbled byte by byte is reassembled. */
static void
test_partial(void)
{
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t msg[40];
	size_t i, n;
	int again = 0, rc = IPFIX_T_AGAIN;

	CHECK(pair(&l, &c, &s, NULL) == 0, "pair");
	make_msg(msg, sizeof(msg), 0x5a);
	for (i = 0; i < sizeof(msg); i++) {
		while (ipfix_transport_write(c, msg + i, 1, &n, &err) ==
		    IPFIX_T_AGAIN)
			(void)wait_fd(c->fd, POLLOUT, 100);
		(void)wait_fd(s->fd, POLLIN, 1000);
		rc = ipfix_transport_recv(s, &m, &err);
		if (i + 1 < sizeof(msg))
			again += rc == IPFIX_T_AGAIN;
	}
	if (rc == IPFIX_T_AGAIN)
		rc = recv_one(s, &m, &err);
	CHECK_EQ_U(again, sizeof(msg) - 1, "no message before the last byte");
	CHECK(rc == IPFIX_T_OK && m.len == sizeof(msg) &&
	    memcmp(m.data, msg, sizeof(msg)) == 0, "reassembled");
	/* Half a message, then close: truncated, not EOF. */
	CHECK(ipfix_transport_write(c, msg, 20, &n, &err) == IPFIX_T_OK &&
	    n == 20, "half a message");
	CHECK(ipfix_transport_shutdown(c, &err) == IPFIX_T_OK, "shutdown");
	rc = recv_one(s, &m, &err);
	CHECK(rc == IPFIX_T_ERR && err.code == IPFIX_E_TRUNCATED &&
	    err.offset == sizeof(msg), "close inside a message: truncated at "
	    "offset %llu", (unsigned long long)err.offset);
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
}

static void
bad_header(const uint8_t *hdr, enum ipfix_errcode code, const char *what)
{
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t good[16];
	size_t n;
	int rc;

	CHECK(pair(&l, &c, &s, NULL) == 0, "pair");
	make_msg(good, sizeof(good), 0);
	(void)ipfix_transport_write(c, good, sizeof(good), &n, &err);
	(void)ipfix_transport_write(c, hdr, 4, &n, &err);
	CHECK(recv_one(s, &m, &err) == IPFIX_T_OK, "%s: good one first",
	    what);
	rc = recv_one(s, &m, &err);
	CHECK(rc == IPFIX_T_ERR && err.code == code && err.offset >= 16 &&
	    err.check != NULL && strcmp(err.check, "C68") == 0,
	    "%s rejected (%s)", what, err.reason);
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
}

/* Back-pressure: the bounded queue refuses, nothing is lost. */
static void
test_backpressure(void)
{
	struct ipfix_topts o = { .sndq_max = 200000, .sndbuf = 4096 };
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t *buf = malloc(65535);
	int sent = 0, got = 0, i, rc;

	CHECK(pair(&l, &c, &s, &o) == 0, "pair with a small queue");
	make_msg(buf, 65535, 7);
	for (i = 0; i < 1000; i++) {
		rc = ipfix_transport_send(c, buf, 65535, NULL, &err);
		if (rc != IPFIX_T_OK)
			break;
		sent++;
	}
	CHECK(rc == IPFIX_T_AGAIN && sent < 1000,
	    "queue full: AGAIN after %d messages", sent);
	for (i = 0; i < 2000 && got < sent; i++) {
		(void)ipfix_transport_flush(c, &err);
		rc = ipfix_transport_recv(s, &m, &err);
		if (rc == IPFIX_T_OK)
			got += m.len == 65535 && m.data[100] == 7;
		else if (rc == IPFIX_T_AGAIN)
			(void)wait_fd(s->fd, POLLIN, 10);
		else
			break;
	}
	CHECK_EQ_U(got, sent, "every taken message arrives");
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
	free(buf);
}

static void
test_refused(void)
{
	struct ipfix_err err;
	struct ipfix_transport *l = listener(NULL, &err), *c;
	uint16_t port = port_of(l);
	int i, rc = IPFIX_T_AGAIN;

	ipfix_transport_close(l);
	c = client_to(port, NULL, &err);
	CHECK(c != NULL && ipfix_transport_want_write(c),
	    "connect in progress");
	for (i = 0; i < 20 && rc == IPFIX_T_AGAIN; i++) {
		(void)wait_fd(c->fd, POLLOUT, 100);
		rc = ipfix_transport_flush(c, &err);
	}
	CHECK(rc == IPFIX_T_ERR && err.code == IPFIX_E_NET &&
	    strstr(err.reason, "refused") != NULL &&
	    strstr(err.reason, "127.0.0.1") != NULL,
	    "refused connect reported with the address (%s)", err.reason);
	ipfix_transport_close(c);
}

static void
test_framer(void)
{
	struct ipfix_framer f;
	struct ipfix_err err;
	const uint8_t *msg;
	uint8_t two[36], *p;
	size_t room, len;

	CHECK(ipfix_framer_init(&f, &err) == 0, "framer init");
	make_msg(two, 16, 1);
	make_msg(two + 16, 20, 2);
	p = ipfix_framer_space(&f, &room);
	CHECK(room >= 2 * 65535, "room for two maximal messages");
	memcpy(p, two, 30);
	ipfix_framer_fill(&f, 30);
	CHECK(ipfix_framer_next(&f, &msg, &len, &err) == 1 && len == 16,
	    "first of two");
	CHECK(ipfix_framer_next(&f, &msg, &len, &err) == 0 &&
	    ipfix_framer_pending(&f) == 14, "second incomplete");
	p = ipfix_framer_space(&f, &room);
	memcpy(p, two + 30, 6);
	ipfix_framer_fill(&f, 6);
	CHECK(ipfix_framer_next(&f, &msg, &len, &err) == 1 && len == 20 &&
	    msg[5] == 2, "second completed after compaction");
	CHECK(ipfix_framer_next(&f, &msg, &len, &err) == 0 &&
	    ipfix_framer_pending(&f) == 0, "empty");
	ipfix_framer_free(&f);
}

/* A message of len bytes whose body is a pattern of its number k, so
 * order and content can be checked on arrival. */
static void
numbered_msg(uint8_t *m, size_t len, uint32_t k)
{
	size_t i;

	for (i = 4; i < len; i++)
		m[i] = (uint8_t)(k * 31 + i);
	m[0] = 0;
	m[1] = 10;
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)len;
	if (len >= 8)
		ipfix_put32(m + 4, k);
}

static bool
is_numbered(const struct ipfix_tmsg *m, size_t len, uint32_t k)
{
	size_t i;

	if (m->len != len || len < 8 || ipfix_be32(m->data + 4) != k)
		return false;
	for (i = 8; i < len; i++)
		if (m->data[i] != (uint8_t)(k * 31 + i))
			return false;
	return true;
}

/* Nothing readable on s for ms (the peer saw no byte). */
static bool
quiet(struct ipfix_transport *s, int ms)
{
	return !wait_fd(s->fd, POLLIN, ms);
}

/* Receive messages first..first+n-1 of length len in order. */
static int
recv_numbered(struct ipfix_transport *s, uint32_t first, uint32_t n,
    size_t len)
{
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint32_t k;

	for (k = first; k < first + n; k++)
		if (recv_one(s, &m, &err) != IPFIX_T_OK ||
		    !is_numbered(&m, len, k))
			return (int)(k - first);
	return (int)n;
}

static void
test_cork(void)
{
	struct ipfix_topts o = { .sndbuf = 1 << 20 };
	struct ipfix_tsend more = { .pr_rtx = -1, .more = true };
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t *buf = malloc(65535);
	uint32_t k;
	int ok = 1;

	CHECK(pair(&l, &c, &s, &o) == 0, "cork: pair");
	for (k = 0; k < 5; k++) {
		numbered_msg(buf, 1000, k);
		ok &= ipfix_transport_send(c, buf, 1000, &more, &err) ==
		    IPFIX_T_OK;
	}
	CHECK(ok, "cork: 5 messages with more taken");
	CHECK(ipfix_transport_want_write(c), "cork: held, want_write");
	CHECK(quiet(s, 200), "cork: the peer sees nothing yet");
	CHECK(ipfix_transport_recv(s, &m, &err) == IPFIX_T_AGAIN,
	    "cork: recv has nothing");
	numbered_msg(buf, 1000, 5);
	CHECK(ipfix_transport_send(c, buf, 1000, NULL, &err) == IPFIX_T_OK,
	    "cork: a send without more");
	CHECK(!ipfix_transport_want_write(c), "cork: queue empty after it");
	CHECK_EQ_U(recv_numbered(s, 0, 6, 1000), 6,
	    "cork: all 6 arrive in order");
	CHECK(quiet(s, 50), "cork: nothing more");

	/* held, then flush */
	for (k = 6; k < 9; k++) {
		numbered_msg(buf, 500, k);
		(void)ipfix_transport_send(c, buf, 500, &more, &err);
	}
	CHECK(quiet(s, 200) && ipfix_transport_want_write(c),
	    "cork: 3 more held");
	CHECK(ipfix_transport_flush(c, &err) == IPFIX_T_OK &&
	    !ipfix_transport_want_write(c), "cork: flush empties the queue");
	CHECK_EQ_U(recv_numbered(s, 6, 3, 500), 3,
	    "cork: flushed messages arrive in order");

	/* 64 KB: one 65535-byte message is held (less than 65536), the
	 * next one that brings the queue to 64 KB leaves without a flush */
	numbered_msg(buf, 65535, 9);
	CHECK(ipfix_transport_send(c, buf, 65535, &more, &err) ==
	    IPFIX_T_OK && quiet(s, 200), "cork: 65535 bytes held");
	numbered_msg(buf, 16, 10);
	CHECK(ipfix_transport_send(c, buf, 16, &more, &err) == IPFIX_T_OK,
	    "cork: 16 more bytes with more");
	CHECK_EQ_U(recv_numbered(s, 9, 1, 65535), 1,
	    "cork: 64 KB queued leave without a flush");
	CHECK(recv_one(s, &m, &err) == IPFIX_T_OK && m.len == 16 &&
	    ipfix_be32(m.data + 4) == 10, "cork: the 16-byte one too");
	CHECK(!ipfix_transport_want_write(c), "cork: queue empty");

	/* 20000-byte messages: 3 are held (60000), the 4th sends all */
	for (k = 11; k < 14; k++) {
		numbered_msg(buf, 20000, k);
		(void)ipfix_transport_send(c, buf, 20000, &more, &err);
	}
	CHECK(quiet(s, 200) && ipfix_transport_want_write(c),
	    "cork: 60000 bytes held");
	numbered_msg(buf, 20000, 14);
	(void)ipfix_transport_send(c, buf, 20000, &more, &err);
	CHECK_EQ_U(recv_numbered(s, 11, 4, 20000), 4,
	    "cork: 80000 bytes of more messages leave unflushed, in order");

	/* shutdown sends what is held first */
	for (k = 15; k < 17; k++) {
		numbered_msg(buf, 100, k);
		(void)ipfix_transport_send(c, buf, 100, &more, &err);
	}
	CHECK(ipfix_transport_shutdown(c, &err) == IPFIX_T_OK,
	    "cork: shutdown");
	CHECK_EQ_U(recv_numbered(s, 15, 2, 100), 2,
	    "cork: held messages precede the close");
	CHECK(recv_one(s, &m, &err) == IPFIX_T_EOF, "cork: then EOF");
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
	free(buf);
}

/* The peer reads nothing: sends fill the queue (OK) up to sndq_max, then
 * AGAIN; once the peer reads, flushes deliver every byte in order. */
static void
test_full_socket(bool with_more)
{
	struct ipfix_topts o = { .sndq_max = 100000, .sndbuf = 4096 };
	struct ipfix_tsend more = { .pr_rtx = -1, .more = true };
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t buf[1000];
	const char *what = with_more ? "full (more)" : "full";
	uint32_t sent = 0, got = 0, bad = 0;
	uint64_t bytes = 0, queued;
	int i, rc = IPFIX_T_OK, errs = 0, outq = 0, inq = 0;

	CHECK(pair(&l, &c, &s, &o) == 0, "%s: pair", what);
	for (i = 0; i < 100000 && rc == IPFIX_T_OK; i++) {
		numbered_msg(buf, sizeof(buf), sent);
		rc = ipfix_transport_send(c, buf, sizeof(buf),
		    with_more ? &more : NULL, &err);
		if (rc == IPFIX_T_OK)
			sent++;
		else if (rc != IPFIX_T_AGAIN)
			errs++;
	}
	CHECK(rc == IPFIX_T_AGAIN && errs == 0,
	    "%s: OK %u times, then AGAIN", what, sent);
	/* the queue alone holds 100 of them; the socket buffers some */
	CHECK(sent >= 100, "%s: the queue filled to its limit (%u >= 100)",
	    what, sent);
	CHECK(ipfix_transport_want_write(c), "%s: want_write", what);
	/* what the kernel holds (not yet sent on c, received unread on
	 * s) leaves the queue's share: more than 99000 bytes, at most
	 * 100000 (one more 1000-byte message did not fit) */
	(void)wait_fd(s->fd, POLLIN, 50);
	if (ioctl(c->fd, SIOCOUTQNSD, &outq) == 0 &&
	    ioctl(s->fd, FIONREAD, &inq) == 0) {
		queued = (uint64_t)sent * sizeof(buf) - (uint64_t)outq -
		    (uint64_t)inq;
		CHECK(queued > 99000 && queued <= 100000,
		    "%s: the queue holds %llu bytes (sndq_max 100000)", what,
		    (unsigned long long)queued);
	}
	/* a refused message is not half-queued: retrying it after the
	 * peer read is accepted as message number 'sent' */
	for (i = 0; i < 20000 && (got < sent || ipfix_transport_want_write(c));
	    i++) {
		if (rc == IPFIX_T_AGAIN) {
			numbered_msg(buf, sizeof(buf), sent);
			rc = ipfix_transport_send(c, buf, sizeof(buf), NULL,
			    &err);
			if (rc == IPFIX_T_OK)
				sent++;
		}
		(void)ipfix_transport_flush(c, &err);
		while (ipfix_transport_recv(s, &m, &err) == IPFIX_T_OK) {
			bad += !is_numbered(&m, sizeof(buf), got);
			bytes += m.len;
			got++;
		}
		if (got < sent)
			(void)wait_fd(s->fd, POLLIN, 10);
	}
	CHECK(rc == IPFIX_T_OK, "%s: the refused message went later", what);
	CHECK_EQ_U(got, sent, "%s: every taken message arrives", what);
	CHECK_EQ_U(bytes, (uint64_t)sent * sizeof(buf),
	    "%s: every byte arrives", what);
	CHECK_EQ_U(bad, 0, "%s: in order, intact", what);
	CHECK(!ipfix_transport_want_write(c), "%s: queue drained", what);
	/* the socket has room again: a send goes out at once */
	numbered_msg(buf, sizeof(buf), sent);
	CHECK(ipfix_transport_send(c, buf, sizeof(buf), NULL, &err) ==
	    IPFIX_T_OK && !ipfix_transport_want_write(c),
	    "%s: after the drain a send leaves at once", what);
	CHECK(recv_numbered(s, sent, 1, sizeof(buf)) == 1,
	    "%s: and arrives without a flush", what);
	ipfix_transport_close(c);
	ipfix_transport_close(s);
	ipfix_transport_close(l);
}

/* The acknowledged bytes (TCP_INFO) against what was taken: all of it
 * once the peer read it; after the peer closed, what the client sends
 * next is answered by a reset, never acknowledged, and the count still
 * answers after the reset. */
static uint64_t
acked_after(struct ipfix_transport *c, uint64_t want)
{
	struct ipfix_err err;
	uint64_t a = 0;
	int i;

	for (i = 0; i < 100; i++) {
		(void)ipfix_transport_flush(c, &err);
		if (ipfix_transport_acked(c, &a) == -1 || a >= want)
			break;
		(void)wait_fd(c->fd, POLLIN, 20);
	}
	return a;
}

static void
test_acked(void)
{
	struct ipfix_transport *l, *c, *s;
	struct ipfix_tmsg m;
	struct ipfix_err err;
	uint8_t buf[1000];
	uint64_t a;
	int i, ok = 1;

	CHECK(pair(&l, &c, &s, NULL) == 0, "acked: a pair");
	make_msg(buf, sizeof(buf), 7);
	for (i = 0; i < 3; i++)
		ok &= ipfix_transport_send(c, buf, sizeof(buf), NULL, &err) ==
		    IPFIX_T_OK;
	for (i = 0; i < 3; i++)
		ok &= recv_one(s, &m, &err) == IPFIX_T_OK;
	CHECK(ok, "acked: 3 messages sent and read");
	CHECK_EQ_U(c->tx_taken, 3000, "acked: 3000 bytes taken");
	CHECK_EQ_U(acked_after(c, 3000), 3000, "acked: all acknowledged");
	ipfix_transport_close(s);
	usleep(50000);		/* its FIN arrives */
	for (i = 0; i < 2; i++)
		(void)ipfix_transport_send(c, buf, sizeof(buf), NULL, &err);
	CHECK_EQ_U(c->tx_taken, 5000, "acked: 5000 bytes taken");
	/* The kernel may count one sequence number more for the FINs
	 * exchanged: still short of the next message's end (4000). */
	a = acked_after(c, 5000);
	CHECK(a >= 3000 && a < 4000, "acked: the 2000 sent after the peer "
	    "closed are not (%llu)", (unsigned long long)a);
	CHECK(ipfix_transport_send(c, buf, sizeof(buf), NULL, &err) ==
	    IPFIX_T_ERR, "acked: the reset came (%s)", err.reason);
	CHECK(acked_after(c, 5000) == a, "acked: still told after it");
	ipfix_transport_close(c);
	ipfix_transport_close(l);
}

int
main(void)
{
	static const uint8_t v9[4] = { 0, 9, 0, 20 };
	static const uint8_t short_len[4] = { 0, 10, 0, 15 };

	test_framer();
	test_round_trip();
	test_partial();
	bad_header(v9, IPFIX_E_VERSION, "version 9");
	bad_header(short_len, IPFIX_E_LENGTH, "length 15");
	test_backpressure();
	test_refused();
	test_cork();
	test_full_socket(false);
	test_full_socket(true);
	test_acked();
	TEST_DONE();
}
