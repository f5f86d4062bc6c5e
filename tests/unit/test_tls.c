/*
 * Unit tests of the secured kinds of chan (tls, dtls_bio, chan_tls,
 * chan_dtls): round trips over DTLS/UDP, TLS/TCP and DTLS/SCTP over usrsctp
 * with certificates and PSK, resumption, and every refusal of the issue,
 * each with its one-line reason. Certificates come from tests/lib/mkcerts.sh
 * at run time. The DTLS 1.0 client and the flood are raw OpenSSL/sockets.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/ssl.h>

#include "chan.h"
#include "collector.h"
#include "msg.h"
#include "testhelp.h"
#include "sechelp.h"

#define NMSG	60

static char pki[256];

struct side {
	struct ipfix_chan_listener *l;
	int opens, closes, close_errs, refused, msgs;
	uint64_t sum;
	struct ipfix_chan_identity id;	/* of the last session opened */
	char refusal[IPFIX_REASON_MAX];
};

struct outcome {
	enum ipfix_chan_state st;
	char reason[IPFIX_REASON_MAX];
	struct ipfix_chan_identity id;	/* the client's view */
	uint64_t ms;			/* to UP or failure */
	uint64_t sent_sum;
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
	struct side *k = arg;

	k->opens++;
	k->id = *ipfix_chan_identity(c);
}

static void
on_message(void *arg, struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct side *k = arg;

	(void)c;
	k->msgs++;
	k->sum += fnv(m->data, m->len);
}

static void
on_close(void *arg, struct ipfix_chan *c, const struct ipfix_err *err)
{
	struct side *k = arg;

	(void)c;
	k->closes++;
	k->close_errs += err != NULL;
}

static void
on_refused(void *arg, const struct ipfix_tpeer *peer,
    const struct ipfix_err *err)
{
	struct side *k = arg;

	(void)peer;
	k->refused++;
	snprintf(k->refusal, sizeof(k->refusal), "%s", err->reason);
}

static const struct ipfix_listen_ops lops = { on_open, on_message, on_close,
    on_refused };

static const char *
P(const char *file)
{
	static char buf[32][512];
	static int i;

	i = (i + 1) % 32;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", pki, file);
	return buf[i];
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

static void
drive(struct ev_loop *ev, struct ipfix_chan *c, int ms)
{
	struct ipfix_err err;
	struct ipfix_tmsg m;

	(void)ev_run_once(ev, ms, &err);
	if (c == NULL)
		return;
	(void)ipfix_chan_service(c, &err);
	if (ipfix_chan_state(c) == IPFIX_CHAN_UP)
		while (ipfix_chan_recv(c, &m, &err) == IPFIX_T_OK)
			;
}

/* A listener of scheme on 127.0.0.1 (any port); its port in *port. */
static struct ipfix_chan_listener *
listen_sec(const char *scheme, const struct ipfix_topts *o,
    struct ipfix_sec_ctx *sec, struct ev_loop *ev, struct side *k,
    uint16_t *port)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	char url[64];

	snprintf(url, sizeof(url), "%s://127.0.0.1", scheme);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1)
		return NULL;
	ep.port = o != NULL && o->sctp_udp ? free_udp_port() : 0;
	k->l = ipfix_chan_listen(&ep, o, sec, NULL, ev, &lops, k, &err);
	if (k->l == NULL) {
		printf("# listen: %s\n", err.reason);
		return NULL;
	}
	*port = ep.port != 0 ? ep.port : ipfix_addr_port((const struct
	    sockaddr *)&ipfix_chan_listener_local(k->l)->addr);
	return k->l;
}

static void
send_some(struct ev_loop *ev, struct ipfix_chan *c, struct outcome *o)
{
	uint8_t m[1000];
	struct ipfix_err err;
	size_t len;
	int i, rc;

	for (i = 0; i < NMSG; i++) {
		len = 20 + (size_t)(i * 37) % 900;
		if (len > ipfix_chan_max_msg(c))
			len = ipfix_chan_max_msg(c);
		test_ipfix_msg(m, len, (uint32_t)i);
		while ((rc = ipfix_chan_send(c, m, len, NULL, &err)) ==
		    IPFIX_T_AGAIN)
			drive(ev, c, 2);
		if (rc != IPFIX_T_OK) {
			printf("# send: %s\n", err.reason);
			return;
		}
		o->sent_sum += fnv(m, len);
		if (i % 8 == 7)
			drive(ev, c, 0);
	}
}

static void
finish(struct ev_loop *ev, struct ipfix_chan *c, struct side *k)
{
	struct ipfix_err err;
	uint64_t end = ev_now_ms() + 4000;

	while (k->msgs < NMSG && ev_now_ms() < end)
		drive(ev, c, 5);
	(void)ipfix_chan_shutdown(c, &err);
	while (ipfix_chan_state(c) == IPFIX_CHAN_CLOSING &&
	    ev_now_ms() < end)
		drive(ev, c, 5);
	while (k->closes < 1 && ev_now_ms() < end)
		drive(ev, NULL, 5);
}

/*
 * One client of ccfg against a listener of scfg: the handshake's outcome
 * in *o; when it comes up, NMSG messages and an orderly close. The client
 * context is created here unless *cctx is given (resumption).
 */
static void
run_pair(const char *scheme, const struct ipfix_topts *topts,
    const struct ipfix_sec_config *scfg, const struct ipfix_sec_config *ccfg,
    const char *host, struct ipfix_sec_ctx **sctx, struct ipfix_sec_ctx **cctx,
    struct side *k, struct outcome *o)
{
	enum ipfix_scheme sch;
	struct ipfix_endpoint ep;
	struct ipfix_sec_ctx *ss = sctx != NULL ? *sctx : NULL;
	struct ipfix_sec_ctx *cs = cctx != NULL ? *cctx : NULL;
	struct ipfix_chan *c = NULL;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	uint64_t t0, end;
	uint16_t port;
	char url[128];

	memset(o, 0, sizeof(*o));
	memset(k, 0, sizeof(*k));
	o->st = IPFIX_CHAN_FAILED;
	snprintf(url, sizeof(url), "%s://x", scheme);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1)
		goto out;
	sch = ep.scheme;
	if ((ss == NULL && (ss = ipfix_sec_ctx_new(scfg, true, sch, &err)) ==
	    NULL) ||
	    (cs == NULL && (cs = ipfix_sec_ctx_new(ccfg, false, sch, &err)) ==
	    NULL)) {
		snprintf(o->reason, sizeof(o->reason), "%s", err.reason);
		goto out;
	}
	if (listen_sec(scheme, topts, ss, ev, k, &port) == NULL)
		goto out;
	snprintf(url, sizeof(url), "%s://%s:%u", scheme, host, port);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (c = ipfix_chan_connect(&ep, topts, cs, &err)) == NULL) {
		snprintf(o->reason, sizeof(o->reason), "%s", err.reason);
		goto out;
	}
	t0 = ev_now_ms();
	end = t0 + 8000;
	ipfix_err_clear(&err);
	while (ev_now_ms() < end) {
		(void)ev_run_once(ev, 5, &err);
		o->st = ipfix_chan_service(c, &err);
		if (o->st != IPFIX_CHAN_CONNECTING)
			break;
	}
	o->ms = ev_now_ms() - t0;
	/* TLS 1.3: the exporter is done before the collector has checked
	 * its certificate; a refusal then arrives as an alert. */
	while (o->st == IPFIX_CHAN_UP && ev_now_ms() < t0 + o->ms + 100) {
		struct ipfix_tmsg m;

		(void)ev_run_once(ev, 5, &err);
		if (ipfix_chan_recv(c, &m, &err) == IPFIX_T_ERR)
			o->st = IPFIX_CHAN_FAILED;
	}
	snprintf(o->reason, sizeof(o->reason), "%s", err.reason);
	if (o->st == IPFIX_CHAN_UP) {
		o->id = *ipfix_chan_identity(c);
		send_some(ev, c, o);
		finish(ev, c, k);
	} else
		while (k->refused == 0 && ev_now_ms() < end + 2000)
			drive(ev, NULL, 5);
out:
	ipfix_chan_free(c);
	ipfix_chan_listener_free(k->l);
	k->l = NULL;
	if (sctx != NULL)
		*sctx = ss;
	else
		ipfix_sec_ctx_free(ss);
	if (cctx != NULL)
		*cctx = cs;
	else
		ipfix_sec_ctx_free(cs);
	ev_free(ev);
}

static struct ipfix_sec_config
cfg_cert(const char *cert, const char *key, const char *ca)
{
	struct ipfix_sec_config c;

	memset(&c, 0, sizeof(c));
	c.cert = cert != NULL ? P(cert) : NULL;
	c.key = key != NULL ? P(key) : NULL;
	c.ca = ca != NULL ? P(ca) : NULL;
	c.handshake_timeout_ms = 2000;
	c.dtls_timer_ms = 200;
	return c;
}

static struct ipfix_sec_config
server_cfg(void)
{
	return cfg_cert("collector.pem", "collector.key", "ca.pem");
}

static struct ipfix_sec_config
client_cfg(void)
{
	return cfg_cert("exporter.pem", "exporter.key", "ca.pem");
}

static void
check_roundtrip(const char *what, const struct outcome *o,
    const struct side *k, const char *version)
{
	CHECK(o->st == IPFIX_CHAN_UP, "%s: handshake (%s)", what, o->reason);
	CHECK_EQ_U(k->msgs, NMSG, "%s: every message arrived", what);
	CHECK(k->sum == o->sent_sum, "%s: messages identical", what);
	CHECK(k->opens == 1 && k->closes == 1 && k->close_errs == 0,
	    "%s: one session, closed in order (close_notify)", what);
	CHECK_STR(o->id.version, version, "%s: client sees %s", what, version);
	CHECK_STR(k->id.version, version, "%s: collector sees %s", what,
	    version);
}

/* A client of scheme, up against a listener of it on ev; NULL when not. */
static struct ipfix_chan *
client_up(const char *scheme, struct ev_loop *ev, struct side *k,
    struct ipfix_sec_ctx **ss, struct ipfix_sec_ctx **cs)
{
	struct ipfix_sec_config scfg = server_cfg(), ccfg = client_cfg();
	struct ipfix_endpoint ep;
	struct ipfix_chan *c;
	struct ipfix_err err;
	uint64_t end = ev_now_ms() + 8000;
	uint16_t port;
	char url[128];

	snprintf(url, sizeof(url), "%s://x", scheme);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (*ss = ipfix_sec_ctx_new(&scfg, true, ep.scheme, &err)) == NULL ||
	    (*cs = ipfix_sec_ctx_new(&ccfg, false, ep.scheme, &err)) == NULL ||
	    listen_sec(scheme, NULL, *ss, ev, k, &port) == NULL)
		return NULL;
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u", scheme, port);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (c = ipfix_chan_connect(&ep, NULL, *cs, &err)) == NULL)
		return NULL;
	while (ev_now_ms() < end && k->opens == 0)
		drive(ev, c, 5);
	return c;
}

/*
 * Messages sent with how->more are held by the client (TLS: in its
 * queue; DTLS: records packed into a datagram) until a service call or
 * a send without more, then all arrive, in order and intact.
 */
static void
test_cork(const char *scheme)
{
	struct ipfix_tsend more = { .pr_rtx = -1, .more = true };
	struct ipfix_sec_ctx *ss = NULL, *cs = NULL;
	struct ipfix_chan *c;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	struct side k;
	uint8_t m[600];
	uint64_t sum = 0, end;
	int i, ok = 1;

	memset(&k, 0, sizeof(k));
	c = client_up(scheme, ev, &k, &ss, &cs);
	CHECK(c != NULL && ipfix_chan_state(c) == IPFIX_CHAN_UP && k.opens == 1,
	    "%s cork: session up", scheme);
	if (c == NULL || ipfix_chan_state(c) != IPFIX_CHAN_UP)
		goto out;
	for (i = 0; i < 10; i++) {
		test_ipfix_msg(m, sizeof(m), (uint32_t)i);
		sum += fnv(m, sizeof(m));
		ok &= ipfix_chan_send(c, m, sizeof(m), &more, &err) ==
		    IPFIX_T_OK;
	}
	CHECK(ok, "%s cork: 10 sends with more taken", scheme);
	CHECK(ipfix_chan_events(c) & EV_WRITE, "%s cork: the client wants "
	    "EV_WRITE while it holds them", scheme);
	for (i = 0; i < 40; i++)
		drive(ev, NULL, 5);	/* the listener only */
	CHECK_EQ_U(k.msgs, 0, "%s cork: nothing arrived yet", scheme);
	(void)ipfix_chan_service(c, &err);
	for (end = ev_now_ms() + 3000; k.msgs < 10 && ev_now_ms() < end;)
		drive(ev, NULL, 5);
	CHECK(k.msgs == 10 && k.sum == sum, "%s cork: a service call sent "
	    "all 10, intact (%d)", scheme, k.msgs);
	for (i = 10; i < 14; i++) {
		test_ipfix_msg(m, sizeof(m), (uint32_t)i);
		sum += fnv(m, sizeof(m));
		(void)ipfix_chan_send(c, m, sizeof(m), i < 13 ? &more : NULL,
		    &err);
	}
	for (end = ev_now_ms() + 3000; k.msgs < 14 && ev_now_ms() < end;)
		drive(ev, NULL, 5);
	CHECK(k.msgs == 14 && k.sum == sum, "%s cork: a send without more "
	    "releases the held ones (%d)", scheme, k.msgs);
out:
	ipfix_chan_free(c);
	ipfix_chan_listener_free(k.l);
	ipfix_sec_ctx_free(ss);
	ipfix_sec_ctx_free(cs);
	ev_free(ev);
}

static void
test_certs(const char *scheme, const struct ipfix_topts *to,
    const char *version)
{
	struct ipfix_sec_config s = server_cfg(), c = client_cfg();
	struct outcome o;
	struct side k;
	char keylog[600], line[300] = "";
	FILE *f;

	snprintf(keylog, sizeof(keylog), "%s/%s.keys", pki, scheme);
	c.keylog = keylog;
	run_pair(scheme, to, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	check_roundtrip(scheme, &o, &k, version);
	if ((f = fopen(keylog, "r")) != NULL) {
		(void)!fgets(line, sizeof(line), f);
		fclose(f);
	}
	CHECK(strncmp(line, "CLIENT_RANDOM ", 14) == 0 ||
	    strstr(line, "TRAFFIC_SECRET ") != NULL, "%s: NSS key log "
	    "written", scheme);
	CHECK(k.id.verified && strstr(k.id.subject, "CN=exporter-1.test") !=
	    NULL, "%s: collector has the exporter's subject (%s)", scheme,
	    k.id.subject);
	CHECK(strstr(k.id.sans, "DNS:exporter-1.test") != NULL &&
	    strstr(k.id.sans, "IP:127.0.0.1") != NULL,
	    "%s: collector has the exporter's SANs (%s)", scheme, k.id.sans);
	CHECK(o.id.verified && strstr(o.id.subject, "collector.test") != NULL,
	    "%s: exporter has the collector's identity", scheme);
	CHECK(o.id.cipher[0] != '\0', "%s: cipher %s", scheme, o.id.cipher);
}

static void
test_psk(const char *scheme)
{
	struct ipfix_sec_config s, c;
	struct outcome o;
	struct side k;

	memset(&s, 0, sizeof(s));
	s.psk_identity = "exporter-1";
	s.psk_file = P("psk.hex");
	s.handshake_timeout_ms = 2000;
	c = s;
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	check_roundtrip(scheme, &o, &k, strcmp(scheme, "tls") == 0 ?
	    "TLSv1.2" : "DTLSv1.2");
	CHECK_STR(k.id.psk_identity, "exporter-1", "%s psk: collector has "
	    "the PSK identity", scheme);
	CHECK(k.id.verified && o.id.verified, "%s psk: both verified",
	    scheme);
}

static void
test_resume(const char *scheme)
{
	struct ipfix_sec_config s = server_cfg(), c = client_cfg();
	struct ipfix_sec_ctx *cctx = NULL, *sctx = NULL;
	struct outcome o;
	struct side k;

	run_pair(scheme, NULL, &s, &c, "127.0.0.1", &sctx, &cctx, &k, &o);
	CHECK(o.st == IPFIX_CHAN_UP && !o.id.resumed, "%s: first handshake "
	    "is full", scheme);
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", &sctx, &cctx, &k, &o);
	CHECK(o.st == IPFIX_CHAN_UP && o.id.resumed && k.id.resumed,
	    "%s: second handshake resumed on both sides (%s)", scheme,
	    o.reason);
	CHECK(k.id.verified && strstr(k.id.subject, "exporter-1") != NULL,
	    "%s: a resumed session keeps the exporter's identity", scheme);
	ipfix_sec_ctx_free(cctx);
	ipfix_sec_ctx_free(sctx);
}

/* A refusal: the client fails within the handshake timeout, and the
 * collector reports it (when server_sees). */
static void
check_refused(const char *what, const struct outcome *o, const struct side *k,
    const char *client_says, bool server_sees)
{
	CHECK(o->st == IPFIX_CHAN_FAILED, "%s: refused", what);
	CHECK(o->ms < 4000, "%s: within the handshake timeout (%llu ms)", what,
	    (unsigned long long)o->ms);
	CHECK(client_says == NULL || strstr(o->reason, client_says) != NULL,
	    "%s: exporter says \"%s\"", what, o->reason);
	if (server_sees)
		CHECK(k->refused >= 1 && k->opens == 0,
		    "%s: collector says \"%s\"", what, k->refusal);
	printf("# %s: exporter: %s | collector: %s\n", what, o->reason,
	    k->refusal);
}

static void
test_refusals(const char *scheme)
{
	struct ipfix_sec_config s, c;
	const char *other[] = { "someone-else.test", NULL };
	const char *wrong[] = { "wrong.test", NULL };
	char what[96];
	struct outcome o;
	struct side k;

#define CASE(name) snprintf(what, sizeof(what), "%s %s", scheme, name)
	s = server_cfg(); c = cfg_cert("rogue.pem", "rogue.key", "ca.pem");
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("exporter of an unknown CA");
	check_refused(what, &o, &k, NULL, true);
	CHECK(strstr(k.refusal, "unable to get local issuer") != NULL ||
	    strstr(k.refusal, "unknown") != NULL, "%s: reason", what);

	s = server_cfg(); c = cfg_cert("exporter.pem", "exporter.key",
	    "rogue-ca.pem");
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("collector of an unknown CA");
	check_refused(what, &o, &k, "certificate refused", false);

	s = cfg_cert("expired.pem", "expired.key", "ca.pem"); c = client_cfg();
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("expired collector certificate");
	check_refused(what, &o, &k, "expired", false);

	s = server_cfg(); c = cfg_cert("notyet.pem", "notyet.key", "ca.pem");
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("not yet valid exporter certificate");
	check_refused(what, &o, &k, NULL, true);
	CHECK(strstr(k.refusal, "not yet valid") != NULL, "%s: reason", what);

	s = server_cfg(); c = client_cfg(); c.peer_names = wrong;
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("collector name mismatch");
	check_refused(what, &o, &k, "mismatch", false);

	s = server_cfg(); s.peer_names = other; c = client_cfg();
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("exporter name not allowed");
	check_refused(what, &o, &k, NULL, true);
	CHECK(strstr(k.refusal, "mismatch") != NULL, "%s: reason", what);

	s = server_cfg(); c = cfg_cert(NULL, NULL, "ca.pem");
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("no exporter certificate");
	check_refused(what, &o, &k, NULL, true);
	CHECK(strstr(k.refusal, "certificate") != NULL, "%s: reason", what);

	s = server_cfg(); c = client_cfg();
	s.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_256_GCM_SHA384";
	c.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256";
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("disjoint ciphers");
	check_refused(what, &o, &k, NULL, true);
	CHECK(strstr(k.refusal, "shared cipher") != NULL, "%s: reason", what);

	memset(&s, 0, sizeof(s));
	s.psk_identity = "exporter-1";
	s.psk_file = P("psk.hex");
	s.handshake_timeout_ms = 1500;
	s.dtls_timer_ms = 200;
	c = s;
	c.psk_file = P("psk-other.hex");	/* not the collector's key */
	run_pair(scheme, NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CASE("wrong PSK");
	check_refused(what, &o, &k, NULL, false);
#undef CASE
}

static void
test_names(void)
{
	const char *good[] = { "a.example.test", NULL };
	const char *deep[] = { "a.b.example.test", NULL };
	struct ipfix_sec_config s = cfg_cert("wild.pem", "wild.key", "ca.pem");
	struct ipfix_sec_config c = client_cfg();
	struct outcome o;
	struct side k;

	c.peer_names = good;
	run_pair("dtls", NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CHECK(o.st == IPFIX_CHAN_UP, "wildcard *.example.test matches "
	    "a.example.test (%s)", o.reason);
	c.peer_names = deep;
	run_pair("dtls", NULL, &s, &c, "127.0.0.1", NULL, NULL, &k, &o);
	CHECK(o.st == IPFIX_CHAN_FAILED, "wildcard does not match two labels "
	    "(%s)", o.reason);
	s = server_cfg();
	c = client_cfg();
	run_pair("tls", NULL, &s, &c, "localhost", NULL, NULL, &k, &o);
	CHECK(o.st == IPFIX_CHAN_UP, "the URL host (localhost) is the "
	    "reference identity (%s)", o.reason);
}

static void
test_config_errors(void)
{
	struct ipfix_sec_config c = client_cfg();
	struct ipfix_err err;

	c.ciphers = "NULL-SHA256:eNULL";
	CHECK(ipfix_sec_ctx_new(&c, false, IPFIX_SCHEME_DTLS, &err) == NULL,
	    "NULL ciphers are refused (%s)", err.reason);
	c = client_cfg();
	c.key = P("rogue.key");
	CHECK(ipfix_sec_ctx_new(&c, false, IPFIX_SCHEME_TLS, &err) == NULL &&
	    strstr(err.reason, "--key") != NULL, "a key not matching the "
	    "certificate is refused (%s)", err.reason);
	c = client_cfg();
	c.ca = NULL;
	CHECK(ipfix_sec_ctx_new(&c, false, IPFIX_SCHEME_TLS, &err) == NULL,
	    "no CA and no PSK is refused unless insecure (%s)", err.reason);
	c.cert = P("missing.pem");
	c.ca = P("ca.pem");
	CHECK(ipfix_sec_ctx_new(&c, false, IPFIX_SCHEME_TLS, &err) == NULL &&
	    strstr(err.reason, "missing.pem") != NULL, "an unreadable "
	    "certificate is named (%s)", err.reason);
}

/* Plain IPFIX sent to a secure port is refused with a reason. */
static void
test_plaintext(const char *scheme, const char *plain)
{
	struct ipfix_sec_config s = server_cfg();
	struct ipfix_sec_ctx *ss;
	struct ipfix_endpoint ep;
	struct ipfix_chan *c = NULL;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	struct side k = { 0 };
	uint8_t m[64];
	uint16_t port;
	uint64_t end;
	char url[64];

	ss = ipfix_sec_ctx_new(&s, true, strcmp(scheme, "tls") == 0 ?
	    IPFIX_SCHEME_TLS : IPFIX_SCHEME_DTLS, &err);
	if (ss == NULL || listen_sec(scheme, NULL, ss, ev, &k, &port) == NULL)
		goto out;
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u", plain, port);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (c = ipfix_chan_connect(&ep, NULL, NULL, &err)) == NULL)
		goto out;
	end = ev_now_ms() + 3000;
	test_ipfix_msg(m, sizeof(m), 1);
	while (ipfix_chan_service(c, &err) == IPFIX_CHAN_CONNECTING &&
	    ev_now_ms() < end)
		(void)ev_run_once(ev, 5, &err);
	(void)ipfix_chan_send(c, m, sizeof(m), NULL, &err);
	while (k.refused == 0 && ev_now_ms() < end)
		drive(ev, c, 5);
	CHECK(k.refused >= 1 && k.opens == 0, "plaintext IPFIX to a %s port "
	    "is refused: \"%s\"", scheme, k.refusal);
out:
	ipfix_chan_free(c);
	ipfix_chan_listener_free(k.l);
	ipfix_sec_ctx_free(ss);
	ev_free(ev);
}

/* A connected DTLS client sees the collector's port closed (ICMP). */
static void
test_unreachable(void)
{
	struct ipfix_sec_config c = client_cfg();
	struct ipfix_sec_ctx *cs;
	struct ipfix_endpoint ep;
	struct ipfix_chan *ch = NULL;
	struct ipfix_err err;
	enum ipfix_chan_state st = IPFIX_CHAN_CONNECTING;
	uint64_t t0 = ev_now_ms();
	char url[64];

	cs = ipfix_sec_ctx_new(&c, false, IPFIX_SCHEME_DTLS, &err);
	snprintf(url, sizeof(url), "dtls://127.0.0.1:%u", free_udp_port());
	if (cs != NULL && ipfix_endpoint_parse(url, &ep, &err) == 0)
		ch = ipfix_chan_connect(&ep, NULL, cs, &err);
	while (ch != NULL && st == IPFIX_CHAN_CONNECTING &&
	    ev_now_ms() - t0 < 3000) {
		(void)poll(NULL, 0, 5);
		st = ipfix_chan_service(ch, &err);
	}
	CHECK(st == IPFIX_CHAN_FAILED && err.code == IPFIX_E_NET &&
	    ev_now_ms() - t0 < 1000, "dtls to a closed port fails at once: "
	    "\"%s\"", err.reason);
	ipfix_chan_free(ch);
	ipfix_sec_ctx_free(cs);
}

/* --- raw OpenSSL peers: a DTLS 1.0-only client, a ClientHello flood ------- */

static int
udp_to(uint16_t port)
{
	struct sockaddr_in s;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&s, sizeof(s)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A ClientHello made by an SSL of method m, max version v (bytes in buf). */
static size_t
client_hello(const SSL_METHOD *m, int v, uint8_t *buf, size_t cap)
{
	SSL_CTX *ctx = SSL_CTX_new(m);
	SSL *ssl = SSL_new(ctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	int n;

	SSL_set_max_proto_version(ssl, v);
	SSL_set_min_proto_version(ssl, v);
	SSL_set_security_level(ssl, 0);
	SSL_set_bio(ssl, rb, wb);
	SSL_set_connect_state(ssl);
	(void)SSL_do_handshake(ssl);
	n = BIO_read(wb, buf, (int)cap);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return n > 0 ? (size_t)n : 0;
}

/* An OpenSSL DTLS client of version v (with the exporter's certificate)
 * on socket fd, through the cookie exchange: 1 when its handshake ended
 * within ms. Sends one message when up: msg, or a fake one when NULL. */
static int
raw_client_msg(struct ev_loop *ev, int fd, int v, int ms, const uint8_t *msg,
    size_t len)
{
	SSL_CTX *ctx = SSL_CTX_new(DTLS_client_method());
	SSL *ssl;
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	uint64_t end = ev_now_ms() + (uint64_t)ms;
	uint8_t buf[4096];
	int n, rc = -1;
	ssize_t got;

	SSL_CTX_use_certificate_file(ctx, P("exporter.pem"), SSL_FILETYPE_PEM);
	SSL_CTX_use_PrivateKey_file(ctx, P("exporter.key"), SSL_FILETYPE_PEM);
	ssl = SSL_new(ctx);
	SSL_set_min_proto_version(ssl, v);
	SSL_set_max_proto_version(ssl, v);
	SSL_set_security_level(ssl, 0);
	SSL_set_bio(ssl, rb, wb);
	SSL_set_connect_state(ssl);
	while (ev_now_ms() < end && (rc = SSL_do_handshake(ssl)) != 1 &&
	    SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ) {
		while ((n = BIO_read(wb, buf, sizeof(buf))) > 0)
			(void)!send(fd, buf, (size_t)n, 0);
		drive(ev, NULL, 5);
		if ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			BIO_write(rb, buf, (int)got);
	}
	if (rc == 1) {
		test_ipfix_msg(buf, 100, 1);
		if (msg != NULL)
			memcpy(buf, msg, len);
		SSL_write(ssl, buf, msg != NULL ? (int)len : 100);
		while ((n = BIO_read(wb, buf, sizeof(buf))) > 0)
			(void)!send(fd, buf, (size_t)n, 0);
		drive(ev, NULL, 5);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return rc == 1;
}

static int
raw_client(struct ev_loop *ev, int fd, int v, int ms)
{
	return raw_client_msg(ev, fd, v, ms, NULL, 0);
}

/* RFC 6347 4.2.8 (C89): an exporter restarted on the same source port
 * gets a new session once its cookie verifies; the old one ends. */
static void
test_same_port(void)
{
	struct ipfix_sec_config s = server_cfg();
	struct ipfix_sec_ctx *ss;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	struct side k = { 0 };
	uint16_t port;
	int fd = -1, i;

	ss = ipfix_sec_ctx_new(&s, true, IPFIX_SCHEME_DTLS, &err);
	if (ss == NULL || listen_sec("dtls", NULL, ss, ev, &k, &port) == NULL ||
	    (fd = udp_to(port)) == -1)
		goto out;
	CHECK(raw_client(ev, fd, DTLS1_2_VERSION, 3000), "same port: first "
	    "handshake");
	CHECK(raw_client(ev, fd, DTLS1_2_VERSION, 3000), "same port: second "
	    "handshake from the same address and port");
	for (i = 0; i < 20; i++)
		drive(ev, NULL, 5);
	CHECK(k.opens == 2 && k.closes == 1 && k.msgs == 2, "same port: the "
	    "new session replaced the old (opens %d closes %d msgs %d)",
	    k.opens, k.closes, k.msgs);
out:
	if (fd != -1)
		close(fd);
	ipfix_chan_listener_free(k.l);
	ipfix_sec_ctx_free(ss);
	ev_free(ev);
}

static void
last_sess(const struct ipfix_collector_sess_stats *x, void *arg)
{
	*(struct ipfix_collector_sess_stats *)arg = *x;
}

static void
one_exp(const struct ipfix_collector_exp_stats *x, void *arg)
{
	*(struct ipfix_collector_exp_stats *)arg = *x;
}

/* A valid IPFIX message: template 256 (packetDeltaCount) and a record. */
static size_t
ipfix_one(uint8_t *buf, size_t cap)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(256, 1, 0);
	struct ipfix_builder b;
	uint8_t rec[8] = { 0, 0, 0, 0, 0, 0, 0, 42 };
	size_t n;

	t->fields[0].id = 2;
	t->fields[0].len = 8;
	ipfix_tmpl_finish(t);
	ipfix_builder_init(&b, buf, cap, 5, 1700000000, 0);
	(void)ipfix_builder_add_template(&b, t, NULL);
	(void)ipfix_builder_add_record(&b, 256, rec, sizeof(rec), NULL);
	n = ipfix_builder_finish(&b);
	ipfix_tmpl_free(t);
	return n;
}

/* The same restart seen by the collector: the new session is accepted and
 * follows the old one in the exporter's chain (a restart: it brings no
 * cumulative counts). */
static void
test_same_port_assoc(void)
{
	struct ipfix_sec_config s = server_cfg();
	struct ipfix_collector_config cc = { .out = { .path = "/dev/null" } };
	struct ipfix_collector_sess_stats last = { 0 };
	struct ipfix_collector_exp_stats e = { 0 };
	struct ipfix_collector *col = NULL;
	struct ipfix_sec_ctx *ss;
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	uint16_t port = free_udp_port();
	uint8_t msg[128];
	size_t n = ipfix_one(msg, sizeof(msg));
	char url[64];
	int fd = -1, i;

	snprintf(url, sizeof(url), "dtls://127.0.0.1:%u", port);
	ss = ipfix_sec_ctx_new(&s, true, IPFIX_SCHEME_DTLS, &err);
	if (ss == NULL || ipfix_endpoint_parse(url, &ep, &err) == -1 ||
	    (col = ipfix_collector_new(&cc, NULL, &err)) == NULL ||
	    ipfix_collector_listen(col, &ep, ss, ev, &err) == -1 ||
	    (fd = udp_to(port)) == -1) {
		CHECK(0, "same port, collector: set up (%s)", err.reason);
		goto out;
	}
	CHECK(raw_client_msg(ev, fd, DTLS1_2_VERSION, 3000, msg, n),
	    "same port, collector: first handshake");
	CHECK(raw_client_msg(ev, fd, DTLS1_2_VERSION, 3000, msg, n),
	    "same port, collector: restarted exporter's handshake");
	for (i = 0; i < 20; i++)
		drive(ev, NULL, 5);
	ipfix_collector_foreach_session(col, last_sess, &last);
	ipfix_collector_foreach_exporter(col, one_exp, &e);
	CHECK(last.id == 2 && last.open && last.prev == 1, "same port, "
	    "collector: session 2 accepted, follows 1 (id %u prev %u)",
	    last.id, last.prev);
	CHECK(e.sessions == 2 && e.restarts == 1 && e.handoffs == 0 &&
	    e.c.records == 2, "same port, collector: one exporter, one "
	    "restart, both records (sessions %u restarts %u records %llu)",
	    e.sessions, e.restarts, (unsigned long long)e.c.records);
out:
	if (fd != -1)
		close(fd);
	(void)ipfix_collector_free(col, NULL);
	ipfix_sec_ctx_free(ss);
	ev_free(ev);
}

static void
test_raw_peers(void)
{
	struct ipfix_sec_config s = server_cfg();
	struct ipfix_listen_stats st;
	struct ipfix_sec_ctx *ss;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	struct side k = { 0 };
	uint8_t hello[2048], buf[2048];
	size_t n;
	uint16_t port;
	int i, fd, answers = 0;

	ss = ipfix_sec_ctx_new(&s, true, IPFIX_SCHEME_DTLS, &err);
	if (ss == NULL || listen_sec("dtls", NULL, ss, ev, &k, &port) == NULL)
		goto out;
	/* 300 ClientHellos from 300 source ports, none answering the
	 * cookie: no session, no handshake state, 300 cookies. */
	n = client_hello(DTLS_client_method(), DTLS1_2_VERSION, hello,
	    sizeof(hello));
	for (i = 0; i < 300 && n > 0; i++) {
		if ((fd = udp_to(port)) == -1)
			continue;
		(void)!send(fd, hello, n, 0);
		drive(ev, NULL, 0);
		answers += recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
		close(fd);
	}
	drive(ev, NULL, 20);
	ipfix_chan_listener_stats(k.l, &st);
	CHECK(n > 0 && st.cookies_sent >= 290, "flood: a cookie for each "
	    "ClientHello (%llu sent, %d seen)", (unsigned long long)
	    st.cookies_sent, answers);
	CHECK(st.sessions_open == 0 && st.handshakes_pending == 0 &&
	    k.opens == 0, "flood: no per-peer state before the cookie");
	fd = udp_to(port);
	CHECK(!raw_client(ev, fd, DTLS1_VERSION, 1500) && k.opens == 0,
	    "a DTLS 1.0-only client is refused: \"%s\"", k.refusal);
	close(fd);
	CHECK(strstr(k.refusal, "version") != NULL ||
	    strstr(k.refusal, "protocol") != NULL, "DTLS 1.0: the reason "
	    "names the version");
out:
	ipfix_chan_listener_free(k.l);
	ipfix_sec_ctx_free(ss);
	ev_free(ev);
}

/* Many exporters at once into one DTLS listener: all of every one's
 * messages arrive. */
static void
test_many(int n)
{
	struct ipfix_sec_config s = server_cfg(), cc = client_cfg();
	struct ipfix_sec_ctx *ss, *cs;
	struct ipfix_chan **c = calloc((size_t)n, sizeof(*c));
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(4096, &err);
	struct side k = { 0 };
	uint8_t m[300];
	uint64_t end, sum = 0;
	uint16_t port;
	char url[64];
	int i, j, up = 0;

	s.max_handshakes = (unsigned)n;
	s.handshake_timeout_ms = cc.handshake_timeout_ms = 15000;
	ss = ipfix_sec_ctx_new(&s, true, IPFIX_SCHEME_DTLS, &err);
	cs = ipfix_sec_ctx_new(&cc, false, IPFIX_SCHEME_DTLS, &err);
	if (ss == NULL || cs == NULL || c == NULL ||
	    listen_sec("dtls", NULL, ss, ev, &k, &port) == NULL)
		goto out;
	snprintf(url, sizeof(url), "dtls://127.0.0.1:%u", port);
	if (ipfix_endpoint_parse(url, &ep, &err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		c[i] = ipfix_chan_connect(&ep, NULL, cs, &err);
	end = ev_now_ms() + 20000;
	while (up < n && ev_now_ms() < end) {
		(void)ev_run_once(ev, 2, &err);
		for (i = up = 0; i < n; i++)
			up += c[i] != NULL &&
			    ipfix_chan_service(c[i], &err) == IPFIX_CHAN_UP;
	}
	CHECK_EQ_U(up, n, "%d concurrent DTLS exporters are up", n);
	for (j = 0; j < 10; j++) {
		for (i = 0; i < n; i++) {
			test_ipfix_msg(m, sizeof(m), (uint32_t)(i * 10 + j));
			if (c[i] != NULL && ipfix_chan_send(c[i], m, sizeof(m),
			    NULL, &err) == IPFIX_T_OK)
				sum += fnv(m, sizeof(m));
			if (i % 16 == 15)
				(void)ev_run_once(ev, 0, &err);
		}
	}
	while (k.msgs < n * 10 && ev_now_ms() < end)
		(void)ev_run_once(ev, 5, &err);
	CHECK_EQ_U(k.msgs, n * 10, "%d exporters: every message arrived", n);
	CHECK(k.sum == sum, "%d exporters: messages identical", n);
out:
	for (i = 0; c != NULL && i < n; i++)
		ipfix_chan_free(c[i]);
	free(c);
	ipfix_chan_listener_free(k.l);
	ipfix_sec_ctx_free(ss);
	ipfix_sec_ctx_free(cs);
	ev_free(ev);
}

/* Tail loss: a TLS 1.3 export that ends right after its last write,
 * against a collector that issues session tickets, loses nothing. */
static void
test_tail(int runs, int n)
{
	struct ipfix_sec_config s = server_cfg(), cc = client_cfg();
	struct ipfix_sec_ctx *ss, *cs;
	struct ipfix_endpoint ep;
	struct ipfix_chan *c;
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(1024, &err);
	struct side k;
	uint8_t m[120];
	uint64_t end;
	uint16_t port;
	char url[64];
	int r, i, ok = 0;

	ss = ipfix_sec_ctx_new(&s, true, IPFIX_SCHEME_TLS, &err);
	cs = ipfix_sec_ctx_new(&cc, false, IPFIX_SCHEME_TLS, &err);
	for (r = 0; r < runs && ss != NULL && cs != NULL; r++) {
		memset(&k, 0, sizeof(k));
		if (listen_sec("tls", NULL, ss, ev, &k, &port) == NULL)
			break;
		snprintf(url, sizeof(url), "tls://127.0.0.1:%u", port);
		c = NULL;
		if (ipfix_endpoint_parse(url, &ep, &err) == 0)
			c = ipfix_chan_connect(&ep, NULL, cs, &err);
		end = ev_now_ms() + 10000;
		while (c != NULL && ipfix_chan_service(c, &err) ==
		    IPFIX_CHAN_CONNECTING && ev_now_ms() < end)
			(void)ev_run_once(ev, 2, &err);
		for (i = 0; c != NULL && i < n && ev_now_ms() < end; ) {
			test_ipfix_msg(m, sizeof(m), (uint32_t)i);
			if (ipfix_chan_send(c, m, sizeof(m), NULL, &err) ==
			    IPFIX_T_OK)
				i++;
			else
				(void)ev_run_once(ev, 0, &err);
		}
		if (c != NULL)
			(void)ipfix_chan_shutdown(c, &err);
		while (c != NULL && ipfix_chan_state(c) == IPFIX_CHAN_CLOSING &&
		    ev_now_ms() < end) {
			(void)ev_run_once(ev, 1, &err);
			(void)ipfix_chan_service(c, &err);
		}
		while (k.closes == 0 && ev_now_ms() < end)
			(void)ev_run_once(ev, 1, &err);
		ok += k.msgs == n && k.close_errs == 0;
		ipfix_chan_free(c);
		ipfix_chan_listener_free(k.l);
	}
	CHECK_EQ_U(ok, runs, "tail: %d TLS exports of %d messages ending at "
	    "the last write lose nothing", runs, n);
	ipfix_sec_ctx_free(ss);
	ipfix_sec_ctx_free(cs);
	ev_free(ev);
}

int
main(void)
{
	struct ipfix_topts su = { .sctp_udp = true };
	char cmd[300];

	if (test_make_pki(pki, sizeof(pki)) == -1) {
		CHECK(0, "tests/lib/mkcerts.sh makes the certificates");
		TEST_DONE();
	}
	test_config_errors();
	test_certs("dtls", NULL, "DTLSv1.2");
	test_certs("tls", NULL, "TLSv1.3");
	su.encap_port = free_udp_port();
	test_certs("dtls-sctp", &su, "DTLSv1.2");
	test_cork("tls");
	test_cork("dtls");
	test_psk("dtls");
	test_psk("tls");
	test_resume("dtls");
	test_resume("tls");
	test_names();
	test_refusals("dtls");
	test_refusals("tls");
	test_plaintext("dtls", "udp");
	test_plaintext("tls", "tcp");
	test_unreachable();
	test_raw_peers();
	test_same_port();
	test_same_port_assoc();
	test_many(200);
	test_tail(5, 20000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki);
	(void)!system(cmd);
	TEST_DONE();
}
