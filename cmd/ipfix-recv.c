/*
 * ipfix-recv: the Collecting Process. Options -> struct recv_config ->
 * one collector with one listener per endpoint, driven by an event loop
 * that also takes the signals (signalfd) and the flush and rotate timers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "cli.h"
#include "collector.h"
#include "endpoint.h"
#include "evloop.h"

#define MAX_ENDPOINTS	16
#define FLUSH_MS	1000	/* also when busy; idle flushes come first */
#define EV_SETSIZE	65536
#define HSFAIL_KEPT	64

enum {
	OPT_OUTPUT = 'o', OPT_GZIP = 'z', OPT_VERBOSE = 'v', OPT_QUIET = 'q',
	OPT_SPLIT = 256, OPT_ROTATE, OPT_STATS, OPT_JSON, OPT_ENCAP,
	OPT_MAX_TEMPLATES, OPT_MAX_SESSIONS, OPT_IDLE, OPT_LIFETIME,
	OPT_FIRST_MSG, OPT_MAX_HS, OPT_RCVBUF, OPT_STRICT, OPT_REFUSE_PROBES,
	OPT_APPEND,
};

/* One row per option: getopt_long and --help both come from here. */
static const struct cli_opt optdocs[] = {
	{ { "output", required_argument, NULL, OPT_OUTPUT }, "FILE",
	    "write the merged stream to FILE ('-': stdout, the default)" },
	{ { "append", no_argument, NULL, OPT_APPEND }, NULL,
	    "continue the --output FILE a previous ipfix-recv wrote (its "
	    "exporters' chains and loss counts go on) instead of replacing it" },
	{ { "gzip", no_argument, NULL, OPT_GZIP }, NULL,
	    "gzip the output file(s)" },
	{ { "split", required_argument, NULL, OPT_SPLIT }, "DIR",
	    "one byte-exact file per Transport Session in DIR instead" },
	{ { "rotate", required_argument, NULL, OPT_ROTATE }, "SECONDS",
	    "start a new output file every SECONDS (FILE.YYYYmmddTHHMMSS)" },
	{ { "stats", no_argument, NULL, OPT_STATS }, NULL,
	    "print per exporter and session counts on stderr at exit" },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	    "statistics as one JSON object" },
	{ { "sctp-udp-encap", optional_argument, NULL, OPT_ENCAP }, "[=PORT]",
	    "SCTP over UDP encapsulation (usrsctp, RFC 6951) on PORT "
	    "(default 9899)" },
	{ { "max-templates", required_argument, NULL, OPT_MAX_TEMPLATES },
	    "N", "templates kept per session and ODID (default 4096)" },
	{ { "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS }, "N",
	    "sessions at once per listener (default 1024)" },
	{ { "idle-timeout", required_argument, NULL, OPT_IDLE }, "SECONDS",
	    "end a session silent for SECONDS (default 600)" },
	{ { "first-message-timeout", required_argument, NULL, OPT_FIRST_MSG },
	    "SECONDS", "end a session without a message SECONDS after "
	    "its peer came (default 60)" },
	{ { "max-handshakes", required_argument, NULL, OPT_MAX_HS }, "N",
	    "(D)TLS handshakes in progress per listener, a quarter of them "
	    "per address (default 64)" },
	{ { "template-lifetime", required_argument, NULL, OPT_LIFETIME },
	    "SECONDS", "UDP templates expire SECONDS of Export Time after "
	    "their last refresh (default: with their session)" },
	{ { "rcvbuf", required_argument, NULL, OPT_RCVBUF }, "BYTES",
	    "socket receive buffer wish" },
	{ { "strict", no_argument, NULL, OPT_STRICT }, NULL,
	    "refuse templates with lengths their elements do not allow "
	    "(C31) or no options scope (C24), and zero bytes after the last "
	    "set (C15), instead of decoding them" },
	{ { "refuse-probes", no_argument, NULL, OPT_REFUSE_PROBES }, NULL,
	    "dtls: refuse exporters' liveness probes (renegotiation)" },
	CLI_SEC_OPTS("PEM certificate (chain) of this collector",
	    "CA certificates exporters must chain to",
	    "accept only exporters with this name (repeatable)",
	    "do not verify exporters (warned about at every start)"),
	CLI_STD_OPTS("log sessions (-v) and every problem (-vv)",
	    "no warnings on stderr"),
};

struct recv_config {
	struct ipfix_collector_config col;
	struct cli_sec sec;
	struct ipfix_endpoint eps[MAX_ENDPOINTS];
	size_t neps;
	const char *output;
	long rotate_s;
	bool stats, json;
};

struct recv {
	struct cli cli;
	struct recv_config cfg;
	struct ev_loop *ev;
	struct ipfix_collector *col;
	struct ipfix_sec_ctx *sec[MAX_ENDPOINTS];
	int sigfd;
	int status;
	bool refuse_probes;		/* --refuse-probes */
	/* Log lines of a flood: rate-limited per kind; a failed handshake
	 * once per address (the last HSFAIL_KEPT addresses). */
	struct cli_rate rl_refused, rl_session, rl_closed, rl_problem;
	char hsfail[HSFAIL_KEPT][IPFIX_ADDRSTR_MAX];
	unsigned nhsfail;
	char path[1024];		/* current output file (rotation) */
};

/* Options ---------------------------------------------------------------- */

static int
num(struct recv *r, const char *opt, long long min, long long max,
    long long *v)
{
	return cli_parse_num(&r->cli, opt, optarg, min, max, v) == -1 ?
	    CLI_EXIT_USAGE : 0;
}

static int
seconds_ms(struct recv *r, const char *opt, unsigned *out)
{
	double d;

	if (cli_parse_double(&r->cli, opt, optarg, 0.001, 86400.0, &d) == -1)
		return CLI_EXIT_USAGE;
	*out = (unsigned)(d * 1000.0 + 0.5);
	return 0;
}

static int
opt_limit(struct recv *r, int id)
{
	struct ipfix_collector_config *c = &r->cfg.col;
	long long v;
	int rc = 0;

	switch (id) {
	case OPT_MAX_TEMPLATES:
		if ((rc = num(r, "--max-templates", 1, 65279, &v)) == 0)
			c->max_templates = (size_t)v;
		break;
	case OPT_MAX_SESSIONS:
		if ((rc = num(r, "--max-sessions", 1, 1000000, &v)) == 0)
			c->limits.max_sessions = (unsigned)v;
		break;
	case OPT_IDLE:
		rc = seconds_ms(r, "--idle-timeout", &c->limits.idle_timeout_ms);
		break;
	case OPT_FIRST_MSG:
		rc = seconds_ms(r, "--first-message-timeout",
		    &c->limits.first_msg_ms);
		break;
	case OPT_MAX_HS:
		if ((rc = num(r, "--max-handshakes", 1, 100000, &v)) == 0)
			r->cfg.sec.cfg.max_handshakes = (unsigned)v;
		break;
	case OPT_LIFETIME:
		if ((rc = num(r, "--template-lifetime", 1, 86400 * 7, &v)) == 0)
			c->udp_template_lifetime = (uint32_t)v;
		break;
	case OPT_RCVBUF:
		if ((rc = num(r, "--rcvbuf", 4096, 1 << 30, &v)) == 0)
			c->topts.rcvbuf = (int)v;
		break;
	case OPT_ROTATE:
		if ((rc = num(r, "--rotate", 1, 86400 * 366, &v)) == 0)
			r->cfg.rotate_s = (long)v;
		break;
	}
	return rc;
}

static int
opt_encap(struct recv *r)
{
	long long v = IPFIX_SCTP_UDP_PORT;

	r->cfg.col.topts.sctp_udp = true;
	if (optarg != NULL && num(r, "--sctp-udp-encap", 1, 65535, &v) != 0)
		return CLI_EXIT_USAGE;
	r->cfg.col.topts.encap_port = (uint16_t)v;
	return 0;
}

/* 0 to go on, else an exit status. */
static int
opt_one(void *arg, int id)
{
	struct recv *r = arg;

	switch (id) {
	case OPT_OUTPUT: r->cfg.output = optarg; return 0;
	case OPT_GZIP: r->cfg.col.out.gzip = true; return 0;
	case OPT_APPEND: r->cfg.col.out.append = true; return 0;
	case OPT_SPLIT: r->cfg.col.out.split_dir = optarg; return 0;
	case OPT_STATS: r->cfg.stats = true; return 0;
	case OPT_JSON: r->cfg.json = true; return 0;
	case OPT_STRICT: r->cfg.col.strict = true; return 0;
	case OPT_REFUSE_PROBES: r->refuse_probes = true; return 0;
	case OPT_ENCAP: return opt_encap(r);
	case OPT_VERBOSE: r->cli.verbosity++; return 0;
	case OPT_QUIET: r->cli.verbosity = -1; return 0;
	}
	if (CLI_IS_SEC_OPT(id))
		return cli_sec_option(&r->cli, &r->cfg.sec, id, optarg);
	if ((id >= OPT_MAX_TEMPLATES && id <= OPT_RCVBUF) || id == OPT_ROTATE)
		return opt_limit(r, id);
	return cli_usage_error(&r->cli, "unknown option");
}

static int
parse_endpoints(struct recv *r, int argc, char **argv)
{
	struct ipfix_err err;

	if (argc == 0)
		return cli_usage_error(&r->cli, "no ENDPOINT to listen on "
		    "(e.g. udp://:4739)");
	if (argc > MAX_ENDPOINTS)
		return cli_usage_error(&r->cli, "at most %d endpoints",
		    MAX_ENDPOINTS);
	for (int i = 0; i < argc; i++)
		if (ipfix_endpoint_parse(argv[i], &r->cfg.eps[r->cfg.neps++],
		    &err) == -1)
			return cli_usage_error(&r->cli, "%s: %s", argv[i],
			    err.reason);
	return 0;
}

/* --append continues one raw file: a stream, gzip'd output or files
 * named by time or session cannot be continued. */
static int
check_append(struct recv *r)
{
	struct recv_config *c = &r->cfg;

	if (!c->col.out.append)
		return 0;
	if (c->output == NULL || strcmp(c->output, "-") == 0)
		return cli_usage_error(&r->cli, "--append needs --output FILE");
	if (c->col.out.split_dir != NULL || c->col.out.gzip ||
	    c->rotate_s > 0)
		return cli_usage_error(&r->cli, "--append continues one raw "
		    "file: not with --%s", c->col.out.gzip ? "gzip" :
		    c->rotate_s > 0 ? "rotate" : "split");
	return 0;
}

static int
check_conflicts(struct recv *r)
{
	struct recv_config *c = &r->cfg;
	struct stat st;

	if (c->col.out.split_dir != NULL && c->output != NULL)
		return cli_usage_error(&r->cli, "--split and --output "
		    "exclude each other");
	if (c->col.out.split_dir != NULL && (stat(c->col.out.split_dir, &st)
	    == -1 || !S_ISDIR(st.st_mode)))
		return cli_usage_error(&r->cli, "--split: '%s' is not a "
		    "directory", c->col.out.split_dir);
	if (c->rotate_s > 0 && c->col.out.split_dir == NULL &&
	    (c->output == NULL || strcmp(c->output, "-") == 0))
		return cli_usage_error(&r->cli, "--rotate needs --output FILE "
		    "or --split DIR");
	if (c->json && !c->stats)
		c->stats = true;
	return check_append(r);
}

static const struct cli_spec spec = {
	.synopsis = "[options] ENDPOINT...\n"
	    "Collect IPFIX on each ENDPOINT (udp|tcp|sctp|dtls|tls|dtls-sctp"
	    "://[HOST][:PORT])\nand write one stream keeping each "
	    "Transport Session's identity.\n",
	.footer = "Signals: INT/TERM flush and exit, HUP reopens the output, "
	    "USR1 prints\nstatistics. Exit status: 0 ok, 1 failure, 2 usage "
	    "error. See ipfix-recv(1).\n",
	.opts = optdocs,
	.nopts = sizeof(optdocs) / sizeof(optdocs[0]),
	.option = opt_one,
};

/* 0 to go on, -1 to exit 0 (--help, --version), else an exit status. */
static int
parse_args(struct recv *r, int argc, char **argv)
{
	int rc;

	if ((rc = cli_parse(&r->cli, &spec, argc, argv, r)) != -1)
		return rc == CLI_EXIT_OK ? -1 : rc;
	if ((rc = parse_endpoints(r, argc - optind, argv + optind)) != 0)
		return rc;
	return check_conflicts(r);
}

/* Statistics -------------------------------------------------------------- */

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
counts(FILE *f, const struct ipfix_collector_counts *c, bool json)
{
	if (json)
		fprintf(f, "\"messages\":%llu,\"records\":%llu,\"lost\":%llu,"
		    "\"loss_unknown\":%llu,\"malformed\":%llu,\"bytes\":%llu,"
		    "\"compressed\":%llu,\"no_template\":%llu",
		    (unsigned long long)c->messages,
		    (unsigned long long)c->records,
		    (unsigned long long)c->lost,
		    (unsigned long long)c->loss_unknown,
		    (unsigned long long)c->malformed,
		    (unsigned long long)c->bytes,
		    (unsigned long long)c->compressed,
		    (unsigned long long)c->no_template);
	else
		fprintf(f, "messages %llu records %llu lost %llu%s malformed "
		    "%llu", (unsigned long long)c->messages,
		    (unsigned long long)c->records,
		    (unsigned long long)c->lost,
		    c->loss_unknown > 0 ? " and unknown (reset)" : "",
		    (unsigned long long)c->malformed);
}

struct stat_ctx {
	FILE *f;
	bool json, first;
};

/* Association: the chain's hand-offs, restarts and resumed sessions; the
 * loss between sessions and duplicates from the exporter's own counts. */
static void
exp_line(const struct ipfix_collector_exp_stats *e, void *arg)
{
	struct stat_ctx *s = arg;

	if (s->json) {
		fprintf(s->f, "%s{\"exporter\":%u,\"key\":", s->first ? "" :
		    ",", e->index);
		json_str(s->f, e->key);
		fprintf(s->f, ",\"sessions\":%u,\"handoffs\":%u,\"restarts\":"
		    "%u,\"resumed\":%u,\"lost_between\":%llu,\"duplicated\":"
		    "%llu,", e->sessions, e->handoffs, e->restarts, e->resumed,
		    (unsigned long long)e->lost_between,
		    (unsigned long long)e->duplicated);
		counts(s->f, &e->c, true);
		fputc('}', s->f);
	} else {
		fprintf(s->f, "exporter %s: sessions %u hand-offs %u restarts "
		    "%u resumed %u/%u duplicated %llu ", e->key, e->sessions,
		    e->handoffs, e->restarts, e->resumed, e->sessions,
		    (unsigned long long)e->duplicated);
		counts(s->f, &e->c, false);
		fputc('\n', s->f);
	}
	s->first = false;
}

static void
sess_line(const struct ipfix_collector_sess_stats *x, void *arg)
{
	struct stat_ctx *s = arg;

	if (s->json) {
		fprintf(s->f, "%s{\"session\":%u,\"exporter\":%u,\"follows\":"
		    "%u,\"open\":%s,\"desc\":", s->first ? "" : ",", x->id,
		    x->exporter, x->prev, x->open ? "true" : "false");
		json_str(s->f, x->desc);
		fputs(",\"identity\":", s->f);
		json_str(s->f, x->identity);
		fprintf(s->f, ",\"resumed\":%s,", x->resumed ? "true" :
		    "false");
		counts(s->f, &x->c, true);
		fputc('}', s->f);
	} else {
		fprintf(s->f, "  session %u %s%s%s%s%s: ", x->id, x->desc,
		    x->open ? "" : " (ended)", x->identity[0] ? " id " : "",
		    x->identity, x->resumed ? " (resumed)" : "");
		counts(s->f, &x->c, false);
		fputc('\n', s->f);
	}
	s->first = false;
}

static void
dom_line(const struct ipfix_domain_stats *d, void *arg)
{
	struct stat_ctx *s = arg;

	fprintf(s->f, s->json ? "%s{\"session\":%u,\"odid\":%u,\"stream\":"
	    "%u,\"messages\":%llu,\"records\":%llu,\"lost\":%llu,"
	    "\"out_of_order\":%llu,\"malformed\":%llu}" : "%s  session %u "
	    "odid %u stream %u: messages %llu records %llu lost %llu out of "
	    "order %llu malformed %llu\n",
	    s->json && !s->first ? "," : "", d->session, d->odid, d->stream,
	    (unsigned long long)d->messages, (unsigned long long)d->records,
	    (unsigned long long)d->lost,
	    (unsigned long long)d->seq_out_of_order,
	    (unsigned long long)d->malformed);
	s->first = false;
}

/* (D)TLS listener counters; the text form only when there is any. */
static void
secure_totals(const struct ipfix_collector_totals *t, bool json)
{
	if (!json && t->resumed == 0 && t->cookies_sent == 0 &&
	    t->cookies_bad == 0 && t->handshakes_pending == 0)
		return;
	fprintf(stderr, json ? "\"resumed\":%llu,\"handshakes_pending\":%llu,"
	    "\"cookies_sent\":%llu,\"cookies_bad\":%llu," : "  secure: resumed "
	    "%llu, handshakes pending %llu, cookies sent %llu, bad %llu\n",
	    (unsigned long long)t->resumed,
	    (unsigned long long)t->handshakes_pending,
	    (unsigned long long)t->cookies_sent,
	    (unsigned long long)t->cookies_bad);
}

/* The totals line (or the JSON object's opening fields). */
static void
totals_line(struct recv *r, const struct ipfix_collector_totals *t)
{
	if (!r->cfg.json)
		fprintf(stderr, "%s: ", r->cli.prog);
	fprintf(stderr, r->cfg.json ? "{\"sessions_opened\":%llu,"
	    "\"sessions_open\":%llu,\"refused\":%llu,\"not_ipfix\":%llu,"
	    "\"evicted\":%llu,\"timed_out\":%llu,\"closed_for_errors\":%llu,"
	    : "sessions %llu (open %llu, refused %llu, not IPFIX %llu, "
	    "evicted %llu, timed out %llu, closed for errors %llu) ",
	    (unsigned long long)t->sessions_opened,
	    (unsigned long long)t->sessions_open,
	    (unsigned long long)t->refused,
	    (unsigned long long)t->not_ipfix,
	    (unsigned long long)t->evicted,
	    (unsigned long long)t->timed_out,
	    (unsigned long long)t->dropped_sessions);
	if (r->cfg.json) {
		fprintf(stderr, "\"written_messages\":%llu,"
		    "\"written_records\":%llu,",
		    (unsigned long long)t->out.messages,
		    (unsigned long long)t->out.records);
		secure_totals(t, true);
		counts(stderr, &t->c, true);
		fputs(",\"exporters\":[", stderr);
	} else {
		counts(stderr, &t->c, false);
		fputc('\n', stderr);
		secure_totals(t, false);
	}
}

static void
print_stats(struct recv *r)
{
	struct ipfix_collector_totals t;
	struct stat_ctx s = { stderr, r->cfg.json, true };

	ipfix_collector_totals(r->col, &t);
	totals_line(r, &t);
	ipfix_collector_foreach_exporter(r->col, exp_line, &s);
	if (s.json)
		fputs("],\"sessions\":[", stderr);
	s.first = true;
	ipfix_collector_foreach_session(r->col, sess_line, &s);
	if (s.json)
		fputs("],\"domains\":[", stderr);
	s.first = true;
	ipfix_collector_foreach_domain(r->col, dom_line, &s);
	if (s.json)
		fputs("]}\n", stderr);
	fflush(stderr);
}

/* Collector events --------------------------------------------------- */

/* Whether this line of kind r may go out; a line first says how many of
 * its kind were held back before it. */
static bool
rate_ok(struct recv *r, struct cli_rate *rl, const char *kind)
{
	uint64_t held;
	bool ok = cli_rate_ok(rl, (int64_t)ev_now_ms(), &held);

	if (held > 0)
		cli_warnx(&r->cli, "%llu more %s lines not shown (at most %d "
		    "per %d s)", (unsigned long long)held, kind,
		    CLI_RATE_BURST, CLI_RATE_WINDOW_MS / 1000);
	return ok;
}

static void
on_session(void *arg, uint32_t id, const char *desc, bool open,
    const struct ipfix_err *why)
{
	struct recv *r = arg;
	bool bad = why != NULL && why->code != IPFIX_OK;

	if (r->cli.verbosity < (bad ? 0 : 1) || !rate_ok(r, bad ?
	    &r->rl_closed : &r->rl_session, bad ? "session closed" :
	    "session"))
		return;
	if (bad)
		cli_warnx(&r->cli, "session %u %s closed: %s", id, desc,
		    why->reason);
	else
		cli_debug(&r->cli, 1, "session %u %s %s%s%s", id, desc,
		    open ? "open" : "ended", why != NULL ? ": " : "",
		    why != NULL ? why->reason : "");
}

static void
on_problem(void *arg, uint32_t id, const struct ipfix_problem *p)
{
	struct recv *r = arg;
	int level = p->severity == IPFIX_SEV_MALFORMED ? 1 : 2;

	if (r->cli.verbosity < level || !rate_ok(r, &r->rl_problem,
	    "problem"))
		return;
	cli_debug(&r->cli, level, "session %u odid %u: %s%s%s%s", id, p->odid,
	    p->reason, p->check ? " (" : "", p->check ? p->check : "",
	    p->check ? ")" : "");
}

/* A handshake that never finished: once per address. DTLS drops a
 * Finished it cannot decrypt without a word, so a wrong PSK or key shows
 * only as this. true when said before. */
static bool
hs_failed_before(struct recv *r, const char *peer)
{
	char a[IPFIX_ADDRSTR_MAX];
	char *colon;

	snprintf(a, sizeof(a), "%s", peer);
	if ((colon = strrchr(a, ':')) != NULL && (a[0] == '[' ||
	    strchr(a, ':') == colon))
		*colon = '\0';
	for (unsigned i = 0; i < r->nhsfail && i < HSFAIL_KEPT; i++)
		if (strcmp(r->hsfail[i], a) == 0)
			return true;
	snprintf(r->hsfail[r->nhsfail++ % HSFAIL_KEPT], IPFIX_ADDRSTR_MAX,
	    "%s", a);
	return false;
}

static void
on_refused(void *arg, const char *peer, const struct ipfix_err *err)
{
	struct recv *r = arg;
	const char *why = err != NULL ? err->reason : "";

	if (r->cli.verbosity < 0)
		return;
	if (err != NULL && err->code == IPFIX_E_TLS &&
	    strncmp(why, "handshake not done", 18) == 0) {
		if (!hs_failed_before(r, peer))
			cli_warnx(&r->cli, "refused %s: %s (a wrong PSK or key "
			    "looks like this; said once per address)", peer,
			    why);
		return;
	}
	if (rate_ok(r, &r->rl_refused, "refusal"))
		cli_warnx(&r->cli, "refused %s: %s", peer, why);
}

/* Event loop: signals and timers ---------------------------------------- */

static const char *
rotated_path(struct recv *r)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
	snprintf(r->path, sizeof(r->path), "%s.%s", r->cfg.output, when);
	/* two files in one second (SIGHUP and the timer): never reuse */
	for (int n = 1; access(r->path, F_OK) == 0 && n < 1000; n++)
		snprintf(r->path, sizeof(r->path), "%s.%s.%d", r->cfg.output,
		    when, n);
	return r->path;
}

static void
reopen(struct recv *r, const char *path)
{
	struct ipfix_err err;

	if (ipfix_collector_reopen(r->col, path, &err) == -1) {
		cli_warn_err(&r->cli, "reopen", &err);
		r->status = CLI_EXIT_FAIL;
		ev_stop(r->ev);
	}
}

static void
on_signal(struct ev_loop *ev, int fd, int mask, void *arg)
{
	struct recv *r = arg;
	struct signalfd_siginfo si;

	(void)mask;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reopen(r, r->cfg.rotate_s > 0 && !r->cfg.col.out.split_dir ?
			    rotated_path(r) : NULL);
		else if (si.ssi_signo == SIGUSR1)
			print_stats(r);
		else
			ev_stop(ev);
	}
}

static long
on_flush(struct ev_loop *ev, long long id, void *arg)
{
	struct recv *r = arg;
	struct ipfix_err err;

	(void)id;
	if (ipfix_collector_flush(r->col, &err) == -1) {
		cli_warn_err(&r->cli, "output", &err);
		if (err.code == IPFIX_E_IO) {
			r->status = CLI_EXIT_FAIL;
			ev_stop(ev);
			return EV_STOP;
		}
	}
	return FLUSH_MS;
}

/* Nothing ready: the output goes out now, not at the next timer. */
static void
on_idle(struct ev_loop *ev, void *arg)
{
	struct recv *r = arg;

	(void)ev;
	ipfix_collector_idle(r->col);
}

static long
on_rotate(struct ev_loop *ev, long long id, void *arg)
{
	struct recv *r = arg;

	(void)ev;
	(void)id;
	reopen(r, r->cfg.col.out.split_dir ? NULL : rotated_path(r));
	return r->cfg.rotate_s * 1000;
}

/* Blocked before anything can start a thread (usrsctp may), so every
 * thread inherits the mask and the signals reach only the signalfd. */
static void
block_signals(sigset_t *set)
{
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	(void)pthread_sigmask(SIG_BLOCK, set, NULL);
}

static int
setup_signals(struct recv *r, struct ipfix_err *err)
{
	sigset_t set;

	block_signals(&set);
	if ((r->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "signalfd");
	if (ev_fd_add(r->ev, r->sigfd, EV_READ, on_signal, r, err) == -1)
		return -1;
	if (ev_timer_add(r->ev, FLUSH_MS, on_flush, r, err) == -1)
		return -1;
	ev_set_before_block(r->ev, on_idle, r);
	if (r->cfg.rotate_s > 0 && ev_timer_add(r->ev, r->cfg.rotate_s * 1000,
	    on_rotate, r, err) == -1)
		return -1;
	return 0;
}

/* Start and stop --------------------------------------------------------- */

static int
listen_all(struct recv *r, struct ipfix_err *err)
{
	struct ipfix_endpoint *ep;

	for (size_t i = 0; i < r->cfg.neps; i++) {
		ep = &r->cfg.eps[i];
		/* ipfix-send's --probe is an abbreviated renegotiation. */
		r->cfg.sec.cfg.allow_renegotiation_probe = !r->refuse_probes &&
		    ep->scheme == IPFIX_SCHEME_DTLS;
		if (ep->secure && (r->sec[i] = ipfix_sec_ctx_new(&r->cfg.sec.cfg,
		    true, ep->scheme, err)) == NULL)
			return -1;
		if (ipfix_collector_listen(r->col, ep, r->sec[i], r->ev, err)
		    == -1)
			return -1;
		cli_debug(&r->cli, 1, "listening on %s://%s%s%s:%u",
		    ipfix_scheme_name(ep->scheme), strchr(ep->host, ':') ?
		    "[" : "", ep->host, strchr(ep->host, ':') ? "]" : "",
		    ep->port);
	}
	return 0;
}

/* --append: what was found in the file, and a cut tail said once. */
static void
say_resumed(struct recv *r)
{
	struct ipfix_resume_info in;

	if (!r->cfg.col.out.append)
		return;
	ipfix_collector_resumed(r->col, &in);
	if (in.kept < in.size)
		cli_warnx(&r->cli, "%s: last message cut short at offset "
		    "%llu: %llu bytes dropped before appending", r->cfg.output,
		    (unsigned long long)in.kept,
		    (unsigned long long)(in.size - in.kept));
	cli_debug(&r->cli, 1, "appending to %s: %llu messages, %llu records "
	    "of %u sessions (new ids from %u)", r->cfg.output,
	    (unsigned long long)in.messages, (unsigned long long)in.records,
	    in.sessions, in.last_id + 1);
}

static int
start(struct recv *r)
{
	static const struct ipfix_collector_hooks hooks0 = {
		on_session, on_problem, on_refused, NULL,
	};
	struct ipfix_collector_hooks hooks = hooks0;
	struct ipfix_err err;

	hooks.arg = r;
	/* said even with -q: weaker than the default must be visible */
	if (r->cfg.sec.cfg.insecure)
		cli_warnx(&r->cli, "warning: --insecure: exporters are NOT "
		    "authenticated");
	r->cfg.col.out.path = r->cfg.rotate_s > 0 && r->cfg.output != NULL ?
	    rotated_path(r) : r->cfg.output;
	if ((r->ev = ev_new(EV_SETSIZE, &err)) == NULL ||
	    (r->col = ipfix_collector_new(&r->cfg.col, &hooks, &err)) ==
	    NULL) {
		cli_warn_err(&r->cli, "start", &err);
		return CLI_EXIT_FAIL;
	}
	say_resumed(r);
	if (listen_all(r, &err) == -1 || setup_signals(r, &err) == -1) {
		cli_warn_err(&r->cli, "start", &err);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* Lines a limiter still holds back are announced at the end. */
static void
rate_flush(struct recv *r)
{
	struct cli_rate *rl[] = { &r->rl_refused, &r->rl_session,
	    &r->rl_closed, &r->rl_problem };
	uint64_t held = 0;

	for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++)
		held += rl[i]->held;
	if (held > 0 && r->cli.verbosity >= 0)
		cli_warnx(&r->cli, "%llu more log lines not shown (at most %d "
		    "per kind every %d s)", (unsigned long long)held,
		    CLI_RATE_BURST, CLI_RATE_WINDOW_MS / 1000);
}

static void
stop(struct recv *r)
{
	struct ipfix_err err;

	rate_flush(r);
	if (r->col != NULL && r->cfg.stats)
		print_stats(r);
	if (r->col != NULL && ipfix_collector_free(r->col, &err) == -1) {
		cli_warn_err(&r->cli, "output", &err);
		r->status = CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < r->cfg.neps; i++)
		ipfix_sec_ctx_free(r->sec[i]);
	ev_free(r->ev);
	if (r->sigfd > 0)
		close(r->sigfd);
}

int
main(int argc, char **argv)
{
	struct recv r;
	struct ipfix_err err;
	sigset_t set;
	int rc;

	block_signals(&set);
	memset(&r, 0, sizeof(r));
	r.sigfd = -1;
	cli_init(&r.cli, argv[0]);
	if ((rc = parse_args(&r, argc, argv)) != 0)
		return rc == -1 ? CLI_EXIT_OK : rc;
	r.cli.progress = false;
	if ((r.status = start(&r)) == CLI_EXIT_OK &&
	    ev_run(r.ev, &err) == -1) {
		cli_warn_err(&r.cli, "event loop", &err);
		r.status = CLI_EXIT_FAIL;
	}
	stop(&r);
	return r.status;
}
