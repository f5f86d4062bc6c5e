/*
 * probe: client mode of dtls-probe. Each handshake is a fresh chan session
 * of one security context (so a second one resumes the first), driven by
 * poll(2) under one deadline for the whole run; the context's message
 * hook records flights, retransmissions and alerts as they happen.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_int.h"

#define DEF_TIMEOUT_MS		10000
#define TICKET_WAIT_MS		500	/* TLS 1.3 tickets follow the handshake */
#define CLOSE_WAIT_MS		1000
#define MAX_COUNT_SAMPLES	10000

struct probe {
	const struct ipfix_probe_config *cfg;
	const struct ipfix_probe_ops *ops;
	void *arg;
	struct ipfix_sec_ctx *sec;
	uint64_t deadline_ms;
	struct ipfix_probe_hs *hs;	/* the handshake being recorded */
	double t0;			/* its start, ms */
	uint32_t sent_types;		/* handshake types sent (bits < 32) */
	bool in_reneg;
};

static double
now_msf(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
event(struct probe *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
event(struct probe *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (p->ops == NULL || p->ops->on_event == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->ops->on_event(p->arg, line);
}

/* --- the message trace --------------------------------------------------- */

static void
flight_add(struct ipfix_probe_hs *h, bool sent, double at, const char *name)
{
	struct ipfix_probe_flight *f = h->nflights > 0 ?
	    &h->flights[h->nflights - 1] : NULL;
	size_t used;

	if (f == NULL || f->sent != sent) {
		if (h->nflights == PROBE_FLIGHTS)
			return;
		f = &h->flights[h->nflights++];
		f->sent = sent;
		f->at_ms = at;
	}
	used = strlen(f->msgs);
	if (used + 1 < sizeof(f->msgs))
		snprintf(f->msgs + used, sizeof(f->msgs) - used, "%s%s",
		    used > 0 ? ", " : "", name);
}

static void
on_msg(void *arg, bool sent, int hs_type, const char *name, size_t len)
{
	struct probe *p = arg;
	struct ipfix_probe_hs *h = p->hs;
	double at;
	bool again = false;

	if (h == NULL)
		return;
	at = now_msf() - p->t0;
	if (sent && hs_type >= 0 && hs_type < 32) {
		again = (p->sent_types >> hs_type & 1u) != 0;
		p->sent_types |= 1u << hs_type;
		h->retrans += again;
		h->sent_finished |= hs_type == 20;
	}
	if (!sent) {
		h->nrecv++;
		if (hs_type == 3) {	/* HelloVerifyRequest: a new hello */
			h->hvr = true;
			h->cookie_ms = at;
			p->sent_types &= ~(1u << 1);
		}
		h->ticket_seen |= hs_type == 4;
		h->cert_req |= hs_type == 13;
		h->no_reneg_alert |= strstr(name, "no renegotiation") != NULL;
	}
	flight_add(h, sent, at, name);
	event(p, "%8.1f ms %s %s (%zu bytes)%s", at, sent ? "->" : "<-", name,
	    len, again ? " again" : "");
}

static void
hs_begin(struct probe *p, struct ipfix_probe_hs *h)
{
	memset(h, 0, sizeof(*h));
	p->hs = h;
	p->t0 = now_msf();
	p->sent_types = 0;
}

/* --- driving a session --------------------------------------------------- */

static long
wait_ms(struct probe *p, long chan_ms)
{
	uint64_t now = ev_now_ms();
	long left = p->deadline_ms > now ? (long)(p->deadline_ms - now) : 0;

	return chan_ms >= 0 && chan_ms < left ? chan_ms : left;
}

/* One poll and service round: the state after it, or -1 at the
 * deadline. */
static int
step(struct probe *p, struct ipfix_chan *c, struct ipfix_err *err)
{
	struct pollfd pfd = { .fd = ipfix_chan_fd(c), .events = 0 };
	int ev = ipfix_chan_events(c);
	long ms = wait_ms(p, ipfix_chan_timeout_ms(c));

	if (ev_now_ms() >= p->deadline_ms)
		return -1;
	pfd.events = (short)((ev & EV_READ ? POLLIN : 0) |
	    (ev & EV_WRITE ? POLLOUT : 0));
	if (poll(&pfd, 1, (int)ms) == -1 && errno != EINTR) {
		ipfix_err_sys(err, IPFIX_E_NET, "poll");
		return IPFIX_CHAN_FAILED;
	}
	return (int)ipfix_chan_service(c, err);
}

/* The message ipfix_tls_err and the transports give for an ICMP error. */
static bool
is_unreachable(const char *reason)
{
	static const int codes[] = { ECONNREFUSED, EHOSTUNREACH, ENETUNREACH };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strstr(reason, strerror(codes[i])) != NULL)
			return true;
	return false;
}

/* The exit class of a failed handshake, and a reason people can act on. */
static void
classify(struct probe *p, struct ipfix_probe_hs *h, bool timed_out)
{
	bool psk = p->cfg->sec.psk_file != NULL;
	size_t n;

	if (is_unreachable(h->reason))
		h->exit = PROBE_EXIT_UNREACH;
	else if (timed_out && h->nrecv == 0) {
		h->exit = PROBE_EXIT_UNREACH;
		snprintf(h->reason, sizeof(h->reason), "no answer within the "
		    "timeout (nothing listening that answers, or a silent "
		    "drop)");
	} else if (h->cert_req && p->cfg->sec.cert == NULL &&
	    strstr(h->reason, "alert") != NULL) {
		h->exit = PROBE_EXIT_AUTH;
		n = strlen(h->reason);
		snprintf(h->reason + n, sizeof(h->reason) - n, " (the peer "
		    "asked for a certificate and we have none: --cert)");
	} else if (strstr(h->reason, "certificate") != NULL ||
	    strstr(h->reason, "unknown ca") != NULL ||
	    strstr(h->reason, "hostname mismatch") != NULL)
		h->exit = PROBE_EXIT_AUTH;
	else if (psk && (strstr(h->reason, "decrypt") != NULL ||
	    strstr(h->reason, "bad record mac") != NULL ||
	    (h->sent_finished && (timed_out || strstr(h->reason,
	    "not done within") != NULL)))) {
		h->exit = PROBE_EXIT_AUTH;
		if (timed_out || strstr(h->reason, "not done within") != NULL)
			snprintf(h->reason, sizeof(h->reason), "the peer never "
			    "answered our Finished: DTLS drops records it "
			    "cannot decrypt (wrong PSK?)");
	} else
		h->exit = PROBE_EXIT_HANDSHAKE;
}

/*
 * One handshake into h: the session when it is UP (the caller frees it),
 * NULL when it failed (h->reason, h->exit).
 */
static struct ipfix_chan *
handshake(struct probe *p, struct ipfix_probe_hs *h)
{
	struct ipfix_err err;
	struct ipfix_chan *c;
	int st = IPFIX_CHAN_CONNECTING;

	ipfix_err_clear(&err);
	hs_begin(p, h);
	c = ipfix_chan_connect(&p->cfg->ep, &p->cfg->topts, p->sec, &err);
	if (c != NULL)
		st = (int)ipfix_chan_service(c, &err);
	while (c != NULL && st == IPFIX_CHAN_CONNECTING)
		st = step(p, c, &err);
	h->ms = now_msf() - p->t0;
	p->hs = NULL;
	if (c != NULL && st == IPFIX_CHAN_UP) {
		h->ok = true;
		return c;
	}
	snprintf(h->reason, sizeof(h->reason), "%s", st == -1 ?
	    "timed out" : err.reason[0] != '\0' ? err.reason :
	    ipfix_strerror(err.code));
	classify(p, h, st == -1);
	ipfix_chan_free(c);
	return NULL;
}

/* Read (and drop) what the peer sends until until_ms, or until done
 * returns true; false when the session failed (reason in err). */
static bool
pump(struct probe *p, struct ipfix_chan *c, uint64_t until_ms,
    bool (*done)(struct probe *, struct ipfix_chan *), struct ipfix_err *err)
{
	struct ipfix_tmsg m;
	uint64_t keep = p->deadline_ms;
	int rc, st = IPFIX_CHAN_UP;
	bool ok = true;

	if (until_ms < p->deadline_ms)
		p->deadline_ms = until_ms;
	while (!done(p, c)) {
		if ((st = step(p, c, err)) == -1)
			break;
		while ((rc = ipfix_chan_recv(c, &m, err)) == IPFIX_T_OK)
			;
		if (rc == IPFIX_T_EOF)
			ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
			    "the peer closed the session");
		if (rc == IPFIX_T_ERR || rc == IPFIX_T_EOF ||
		    st == IPFIX_CHAN_FAILED) {
			ok = false;
			break;
		}
	}
	p->deadline_ms = keep;
	return ok;
}

static bool
have_ticket(struct probe *p, struct ipfix_chan *c)
{
	(void)c;
	return p->hs != NULL && p->hs->ticket_seen;
}

static void
close_chan(struct probe *p, struct ipfix_chan *c)
{
	struct ipfix_err err;
	uint64_t keep = p->deadline_ms, end = ev_now_ms() + CLOSE_WAIT_MS;
	int st;

	if (c == NULL)
		return;
	if (end < p->deadline_ms)
		p->deadline_ms = end;
	if (ipfix_chan_shutdown(c, &err) == 0)
		while ((st = step(p, c, &err)) == IPFIX_CHAN_CLOSING)
			;
	p->deadline_ms = keep;
	ipfix_chan_free(c);
}

/* TLS 1.3: the session to resume comes in a NewSessionTicket after the
 * handshake; wait for it a little (DTLS 1.2 and TLS 1.2 have theirs). */
static void
await_ticket(struct probe *p, struct ipfix_chan *c, struct ipfix_probe_hs *h)
{
	struct ipfix_err err;
	struct ipfix_tls_info in;

	if (ipfix_chan_tls_info(c, &in) == -1 ||
	    strcmp(in.version, "TLSv1.3") != 0 || h->ticket_seen)
		return;
	p->hs = h;
	(void)pump(p, c, ev_now_ms() + TICKET_WAIT_MS, have_ticket, &err);
	p->hs = NULL;
}

/* --- the checks ----------------------------------------------------------- */

static bool
reneg_done(struct probe *p, struct ipfix_chan *c)
{
	return !ipfix_chan_renegotiating(c) ||
	    (p->hs != NULL && p->hs->no_reneg_alert);
}

static void
reneg_verdict(struct ipfix_chan *c, const struct ipfix_probe_hs *h, bool ok,
    const struct ipfix_err *err, struct ipfix_probe_result *r)
{
	struct ipfix_tls_info in;

	if (h->no_reneg_alert)
		snprintf(r->reneg_how, sizeof(r->reneg_how), "refused (a "
		    "no_renegotiation alert)");
	else if (!ok)
		snprintf(r->reneg_how, sizeof(r->reneg_how), "refused: %s",
		    err->reason);
	else if (ipfix_chan_renegotiating(c))
		snprintf(r->reneg_how, sizeof(r->reneg_how), "no answer "
		    "within the timeout (ignored)");
	else {
		r->reneg = PROBE_PASS;
		snprintf(r->reneg_how, sizeof(r->reneg_how), "accepted (%s)",
		    ipfix_chan_tls_info(c, &in) == 0 && in.resumed ?
		    "abbreviated" : "full handshake");
	}
}

/* On a session of its own: a refused renegotiation ends the session and
 * makes OpenSSL forget it (no resumption after it). */
static void
check_reneg(struct probe *p, struct ipfix_probe_result *r)
{
	struct ipfix_probe_hs h;
	struct ipfix_chan *c;
	struct ipfix_err err;
	bool ok;

	ipfix_err_clear(&err);
	r->reneg = PROBE_FAIL;
	if ((c = handshake(p, &h)) == NULL) {
		snprintf(r->reneg_how, sizeof(r->reneg_how), "its handshake "
		    "failed: %.200s", h.reason);
		return;
	}
	hs_begin(p, &h);
	/* The peer's answer may come within the first call already. */
	ok = ipfix_chan_renegotiate(c, &err) == 0;
	if (!ok && strstr(err.reason, "TLS 1.3") != NULL) {
		p->hs = NULL;
		r->reneg = PROBE_NA;
		snprintf(r->reneg_how, sizeof(r->reneg_how), "%s", err.reason);
		close_chan(p, c);
		return;
	}
	if (ok)
		ok = pump(p, c, p->deadline_ms, reneg_done, &err);
	r->reneg_ms = now_msf() - p->t0;
	p->hs = NULL;
	reneg_verdict(c, &h, ok, &err, r);
	close_chan(p, c);
}

static void
session_judge(struct probe *p, int loaded, const struct ipfix_cert_info *was,
    struct ipfix_probe_result *r)
{
	const char *now_fp = r->info.nchain > 0 ? r->info.chain[0].sha256 : "";
	struct ipfix_err err;
	size_t n;

	if (loaded == 0) {
		r->session = PROBE_PASS;
		snprintf(r->session_how, sizeof(r->session_how), "no saved "
		    "session: this one is kept for the next run");
	} else if (r->info.resumed) {
		r->session = PROBE_PASS;
		snprintf(r->session_how, sizeof(r->session_how), "same "
		    "instance (the saved session resumed)");
	} else {
		r->session = PROBE_FAIL;
		snprintf(r->session_how, sizeof(r->session_how), "new instance "
		    "(the saved session was not resumed: restarted, or its "
		    "session state lost)%s", was->sha256[0] != '\0' &&
		    strcmp(was->sha256, now_fp) != 0 ?
		    "; a different certificate" : "");
	}
	if (ipfix_sec_ctx_session_save(p->sec, p->cfg->session_file,
	    &err) == -1) {
		n = strlen(r->session_how);
		snprintf(r->session_how + n, sizeof(r->session_how) - n,
		    "; not saved: %s", err.reason);
		r->session = PROBE_FAIL;
	}
}

static void
check_resume(struct probe *p, struct ipfix_probe_result *r)
{
	struct ipfix_probe_hs h;
	struct ipfix_tls_info in;
	struct ipfix_chan *c;

	r->resume = PROBE_FAIL;
	r->full_ms = r->first.ms;
	if (!ipfix_sec_ctx_has_session(p->sec)) {
		snprintf(r->resume_how, sizeof(r->resume_how), "the peer gave "
		    "no session");
		return;
	}
	if ((c = handshake(p, &h)) == NULL) {
		snprintf(r->resume_how, sizeof(r->resume_how), "failed: %.48s",
		    h.reason);
		return;
	}
	r->resumed_ms = h.ms;
	if (ipfix_chan_tls_info(c, &in) == 0 && in.resumed) {
		r->resume = PROBE_PASS;
		snprintf(r->resume_how, sizeof(r->resume_how), "%s",
		    in.ticket ? "ticket" : "session id");
	} else
		snprintf(r->resume_how, sizeof(r->resume_how), "not resumed "
		    "(full handshake)");
	close_chan(p, c);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
pause_ms(struct probe *p, unsigned ms)
{
	long w = wait_ms(p, (long)ms);

	if (w > 0)
		(void)poll(NULL, 0, (int)w);
}

/* --count: full handshakes (no session offered), the first included. */
static void
check_count(struct probe *p, struct ipfix_probe_result *r, double *t)
{
	struct ipfix_probe_hs h;
	struct ipfix_chan *c;
	unsigned i;

	r->count = 1;
	r->count_ok = r->first.ok;
	if (r->first.ok)
		t[0] = r->first.ms;
	for (i = 1; i < p->cfg->count && ev_now_ms() < p->deadline_ms; i++) {
		pause_ms(p, p->cfg->interval_ms);
		ipfix_sec_ctx_session_forget(p->sec);
		r->count++;
		if ((c = handshake(p, &h)) == NULL)
			continue;
		t[r->count_ok++] = h.ms;
		close_chan(p, c);
	}
	if (r->count_ok > 0) {
		qsort(t, r->count_ok, sizeof(*t), cmp_double);
		r->min_ms = t[0];
		r->max_ms = t[r->count_ok - 1];
		r->median_ms = r->count_ok % 2 == 1 ? t[r->count_ok / 2] :
		    (t[r->count_ok / 2 - 1] + t[r->count_ok / 2]) / 2;
	}
}

/* --- the run ----------------------------------------------------------------- */

static void
name_check(const struct ipfix_probe_config *cfg, struct ipfix_probe_result *r)
{
	const char *const *n = cfg->sec.peer_names;
	size_t used;

	if (cfg->sec.insecure) {
		snprintf(r->name_check, sizeof(r->name_check), "not checked "
		    "(--insecure)");
		return;
	}
	if (r->info.nchain == 0) {
		snprintf(r->name_check, sizeof(r->name_check), "not checked "
		    "(no certificate: PSK)");
		return;
	}
	snprintf(r->name_check, sizeof(r->name_check), "matches ");
	for (; n != NULL && *n != NULL; n++) {
		used = strlen(r->name_check);
		snprintf(r->name_check + used, sizeof(r->name_check) - used,
		    "%s%s", n != cfg->sec.peer_names ? " or " : "", *n);
	}
	if (cfg->sec.peer_names == NULL || cfg->sec.peer_names[0] == NULL) {
		used = strlen(r->name_check);
		snprintf(r->name_check + used, sizeof(r->name_check) - used,
		    "%s (the URL host)", cfg->ep.host);
	}
}

static int
setup(struct probe *p, struct ipfix_probe_result *r)
{
	static const struct ipfix_probe_hooks hooks = { .on_msg = on_msg };
	struct ipfix_sec_config sc = p->cfg->sec;
	unsigned to = p->cfg->timeout_ms;
	struct ipfix_err err;

	if (sc.handshake_timeout_ms == 0 || sc.handshake_timeout_ms > to)
		sc.handshake_timeout_ms = to;
	p->sec = ipfix_sec_ctx_new(&sc, false, p->cfg->ep.scheme, &err);
	if (p->sec == NULL) {
		snprintf(r->first.reason, sizeof(r->first.reason), "%s",
		    err.reason);
		return PROBE_EXIT_USAGE;
	}
	ipfix_sec_ctx_probe(p->sec, &hooks, p, false);
	return 0;
}

static int
verdict(const struct ipfix_probe_result *r)
{
	if (r->resume == PROBE_FAIL || r->reneg == PROBE_FAIL ||
	    r->session == PROBE_FAIL || r->send == PROBE_FAIL ||
	    r->count_ok < r->count)
		return PROBE_EXIT_CHECK;
	return PROBE_EXIT_OK;
}

/* After the first handshake: what the session shows and the checks on
 * it, then the ones that need handshakes of their own. */
static void
checks(struct probe *p, struct ipfix_chan *c, int loaded,
    const struct ipfix_cert_info *was, struct ipfix_probe_result *r)
{
	const struct ipfix_probe_config *cfg = p->cfg;
	const struct ipfix_tpeer *pe = ipfix_chan_peer(c);
	double *t;

	ipfix_addr_format((const struct sockaddr *)&pe->addr, pe->addrlen,
	    r->peer, sizeof(r->peer));
	r->have_info = ipfix_chan_tls_info(c, &r->info) == 0;
	/* TLS 1.3 need not name CAs: the message itself tells. */
	r->info.cert_asked |= r->first.cert_req;
	name_check(cfg, r);
	if (cfg->resume || cfg->session_file != NULL)
		await_ticket(p, c, &r->first);
	close_chan(p, c);
	if (cfg->session_file != NULL)
		session_judge(p, loaded, was, r);
	if (cfg->resume)
		check_resume(p, r);
	if (cfg->renegotiate)
		check_reneg(p, r);
	if (cfg->send_file != NULL)
		ipfix_probe_send(cfg, p->sec, p->deadline_ms, r);
	if (cfg->count > 1 && (t = calloc(cfg->count, sizeof(*t))) != NULL) {
		check_count(p, r, t);
		free(t);
	}
}

int
ipfix_probe_run(const struct ipfix_probe_config *cfg,
    const struct ipfix_probe_ops *ops, void *arg,
    struct ipfix_probe_result *r)
{
	struct probe p = { .cfg = cfg, .ops = ops, .arg = arg };
	struct ipfix_cert_info was;
	struct ipfix_chan *c;
	struct ipfix_err err;
	int loaded = 0;

	memset(r, 0, sizeof(*r));
	memset(&was, 0, sizeof(was));
	ipfix_endpoint_format(&cfg->ep, r->target, sizeof(r->target));
	p.deadline_ms = ev_now_ms() + (cfg->timeout_ms != 0 ?
	    cfg->timeout_ms : DEF_TIMEOUT_MS);
	if ((r->exit = setup(&p, r)) != 0)
		return r->exit;
	if (cfg->session_file != NULL && (loaded = ipfix_sec_ctx_session_load(
	    p.sec, cfg->session_file, &was, &err)) == -1) {
		snprintf(r->first.reason, sizeof(r->first.reason), "%s",
		    err.reason);
		r->exit = PROBE_EXIT_USAGE;
	} else if ((c = handshake(&p, &r->first)) == NULL) {
		snprintf(r->reach, sizeof(r->reach), "%s",
		    r->first.exit == PROBE_EXIT_UNREACH ? "no" : "yes");
		r->exit = r->first.exit;
	} else {
		snprintf(r->reach, sizeof(r->reach), "yes");
		checks(&p, c, loaded, &was, r);
		r->exit = verdict(r);
	}
	ipfix_sec_ctx_free(p.sec);
	return r->exit;
}
