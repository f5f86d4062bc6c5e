/*
 * ipfix-send: the Exporting Process. Options -> struct
 * ipfix_exporter_config (+ a security context for dtls/tls/dtls-sctp) ->
 * ipfix_exporter_run over one input stream; events and statistics are
 * printed here, since the library never prints.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chan.h"
#include "cli.h"
#include "endpoint.h"
#include "exporter.h"
#include "stream.h"


enum {
	OPT_VERBOSE = 'v', OPT_QUIET = 'q',
	OPT_ENCAP = 256, OPT_MTU, OPT_MAX_MSG, OPT_SCTP_STREAMS, OPT_PR_SCTP,
	OPT_SNDBUF, OPT_REFRESH, OPT_REFRESH_MSGS, OPT_EXPORT_TIME, OPT_RATE,
	OPT_RECORD_RATE, OPT_REALTIME, OPT_SPEED, OPT_RETRY_MIN,
	OPT_RETRY_MAX, OPT_MAX_RETRIES, OPT_CONNECT_TIMEOUT, OPT_LINGER,
	OPT_REKEY, OPT_PROBE, OPT_SPOOL, OPT_COMPRESS, OPT_PROCESS_ID, OPT_STATS,
	OPT_MAX_DGRAM, OPT_NO_STATS_RECORDS,
};

/* One row per option: getopt_long and --help both come from here. */
static const struct cli_opt optdocs[] = {
	{ { "sctp-udp-encap", optional_argument, NULL, OPT_ENCAP }, "[=PORT]",
	    "SCTP over UDP encapsulation (usrsctp, RFC 6951) to PORT "
	    "(default 9899)" },
	{ { "mtu", required_argument, NULL, OPT_MTU }, "BYTES",
	    "UDP/DTLS: path MTU to size messages for (default: the route's)" },
	{ { "max-msg", required_argument, NULL, OPT_MAX_MSG }, "BYTES",
	    "cap on the IPFIX message size on any transport" },
	{ { "max-datagram", required_argument, NULL, OPT_MAX_DGRAM }, "BYTES",
	    "UDP/DTLS: cap on each datagram's payload whatever the MTU "
	    "(nfacctd: 1500)" },
	{ { "sctp-streams", required_argument, NULL, OPT_SCTP_STREAMS }, "N",
	    "SCTP: data on streams 1..N by ODID, templates on stream 0" },
	{ { "pr-sctp", required_argument, NULL, OPT_PR_SCTP }, "RTX",
	    "SCTP: abandon data-only messages after RTX retransmissions" },
	{ { "sndbuf", required_argument, NULL, OPT_SNDBUF }, "BYTES",
	    "socket send buffer wish" },
	{ { "template-refresh", required_argument, NULL, OPT_REFRESH },
	    "SECONDS", "UDP/DTLS: send all templates again every SECONDS "
	    "(default 60; 0: never)" },
	{ { "template-refresh-msgs", required_argument, NULL,
	    OPT_REFRESH_MSGS }, "N", "UDP/DTLS: ... and every N data messages "
	    "(default 20; 0: never)" },
	{ { "export-time", required_argument, NULL, OPT_EXPORT_TIME },
	    "keep|now", "export time of the messages (default keep)" },
	{ { "rate", required_argument, NULL, OPT_RATE }, "N",
	    "send at most N messages per second" },
	{ { "record-rate", required_argument, NULL, OPT_RECORD_RATE }, "N",
	    "send at most N data records per second" },
	{ { "realtime", no_argument, NULL, OPT_REALTIME }, NULL,
	    "follow the input's export (capture) times" },
	{ { "speed", required_argument, NULL, OPT_SPEED }, "X",
	    "--realtime X times faster (default 1)" },
	{ { "retry-min", required_argument, NULL, OPT_RETRY_MIN }, "SECONDS",
	    "first reconnect delay, doubled per failure (default 1; tcp and "
	    "tls 60)" },
	{ { "retry-max", required_argument, NULL, OPT_RETRY_MAX }, "SECONDS",
	    "longest reconnect delay (default 300)" },
	{ { "max-retries", required_argument, NULL, OPT_MAX_RETRIES }, "N",
	    "give up after N failed reconnects in a row (default: never)" },
	{ { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	    "SECONDS", "bound on connecting and the handshake (default 10)" },
	{ { "linger", required_argument, NULL, OPT_LINGER }, "SECONDS",
	    "bound on the orderly close at the end (default 5)" },
	{ { "rekey", required_argument, NULL, OPT_REKEY }, "LIMIT",
	    "soft hand-off to a new Transport Session after LIMIT: SECONDS "
	    "(600 or 600s), BYTES (500k, 1M, 2G) or messages (100000msgs); "
	    "repeat to combine" },
	{ { "probe", required_argument, NULL, OPT_PROBE }, "SECONDS",
	    "dtls: liveness probe every SECONDS (finds a restarted collector "
	    "about a second later)" },
	{ { "spool", required_argument, NULL, OPT_SPOOL }, "BYTES",
	    "keep up to BYTES of data messages a lost session could not take "
	    "for the next one (default 4194304; 0: none)" },
	{ { "compress", no_argument, NULL, OPT_COMPRESS }, NULL,
	    "DEFLATE framing (private extension; ipfix-recv only)" },
	{ { "process-id", required_argument, NULL, OPT_PROCESS_ID }, "N",
	    "exportingProcessId in statistics records (default 1)" },
	{ { "no-stats-records", no_argument, NULL, OPT_NO_STATS_RECORDS },
	    NULL, "send none of our own RFC 7011 4.3/4.1 statistics records" },
	{ { "stats", no_argument, NULL, OPT_STATS }, NULL,
	    "print a summary on stderr at exit" },
	CLI_SEC_OPTS("PEM certificate (chain) of this exporter",
	    "CA certificates the collector must chain to",
	    "the collector's expected name (default: the URL host)",
	    "do not verify the collector (warned about at every start)"),
	CLI_PROGRESS_OPTS,
	CLI_STD_OPTS("log sessions (-v) and every event (-vv)",
	    "no warnings on stderr"),
};

struct send {
	struct cli cli;
	struct ipfix_exporter_config cfg;
	struct cli_sec sec;
	const char *input;
	struct ipfix_reader *reader;	/* the input, for progress */
	int64_t t0_ms;			/* start, for progress */
	bool stats;
	bool realtime_set, speed_set;
};

static volatile sig_atomic_t stop_flag, report_flag;

/* Options ---------------------------------------------------------------- */

static int
num(struct send *s, const char *opt, long long min, long long max,
    long long *v)
{
	return cli_parse_num(&s->cli, opt, optarg, min, max, v) == -1 ?
	    CLI_EXIT_USAGE : 0;
}

/* Seconds with a fraction into ms; zero allowed when zero_ok. */
static int
seconds_ms(struct send *s, const char *opt, bool zero_ok, unsigned *out)
{
	double d;

	if (cli_parse_double(&s->cli, opt, optarg, zero_ok ? 0 : 0.001,
	    86400.0 * 30, &d) == -1)
		return CLI_EXIT_USAGE;
	*out = (unsigned)(d * 1000.0 + 0.5);
	return 0;
}

static int
opt_transport(struct send *s, int id)
{
	struct ipfix_exporter_config *c = &s->cfg;
	long long v = IPFIX_SCTP_UDP_PORT;
	int rc;

	switch (id) {
	case OPT_ENCAP:
		c->topts.sctp_udp = true;
		if (optarg != NULL && (rc = num(s, "--sctp-udp-encap", 1,
		    65535, &v)) != 0)
			return rc;
		c->topts.encap_port = (uint16_t)v;
		return 0;
	case OPT_MTU:
		rc = num(s, "--mtu", 576, 65535, &v);
		c->mtu = (unsigned)v;
		return rc;
	case OPT_MAX_MSG:
		rc = num(s, "--max-msg", 256, 65535, &v);
		c->max_msg = (size_t)v;
		return rc;
	case OPT_MAX_DGRAM:
		rc = num(s, "--max-datagram", 512, 65507, &v);
		c->topts.dgram_max = (size_t)v;
		return rc;
	case OPT_SCTP_STREAMS:
		rc = num(s, "--sctp-streams", 1, 1024, &v);
		c->data_streams = (uint16_t)v;
		c->topts.streams = (uint16_t)(v + 1);
		return rc;
	case OPT_PR_SCTP:
		rc = num(s, "--pr-sctp", 0, 255, &v);
		c->pr_rtx = (int)v;
		return rc;
	default:
		rc = num(s, "--sndbuf", 4096, 1 << 30, &v);
		c->topts.sndbuf = (int)v;
		return rc;
	}
}

static int
opt_rate(struct send *s, int id)
{
	struct ipfix_exporter_config *c = &s->cfg;
	double d;

	if (c->pace != IPFIX_PACE_FAST)
		return cli_usage_error(&s->cli, "--rate, --record-rate and "
		    "--realtime exclude each other");
	if (id == OPT_REALTIME) {
		c->pace = IPFIX_PACE_REALTIME;
		return 0;
	}
	if (cli_parse_double(&s->cli, id == OPT_RATE ? "--rate" :
	    "--record-rate", optarg, 0.001, 1e9, &d) == -1)
		return CLI_EXIT_USAGE;
	c->pace = id == OPT_RATE ? IPFIX_PACE_MSGS : IPFIX_PACE_RECORDS;
	c->rate = d;
	return 0;
}

static int
opt_export(struct send *s, int id)
{
	struct ipfix_exporter_config *c = &s->cfg;
	long long v;
	int rc;

	switch (id) {
	case OPT_REFRESH:
		return seconds_ms(s, "--template-refresh", true,
		    &c->refresh_ms);
	case OPT_REFRESH_MSGS:
		rc = num(s, "--template-refresh-msgs", 0, 1000000, &v);
		c->refresh_msgs = (unsigned)v;
		return rc;
	case OPT_EXPORT_TIME:
		if (strcmp(optarg, "keep") != 0 && strcmp(optarg, "now") != 0)
			return cli_usage_error(&s->cli, "--export-time: '%s' "
			    "is not keep or now", optarg);
		c->export_time_now = strcmp(optarg, "now") == 0;
		return 0;
	case OPT_SPEED:
		s->speed_set = true;
		return cli_parse_double(&s->cli, "--speed", optarg, 0.001, 1e6,
		    &c->speed) == -1 ? CLI_EXIT_USAGE : 0;
	case OPT_PROCESS_ID:
		rc = num(s, "--process-id", 0, UINT32_MAX, &v);
		c->process_id = (uint32_t)v;
		return rc;
	default:
		return opt_rate(s, id);
	}
}

/* --rekey LIMIT: seconds (bare or with s), bytes (k, M, G: 1024-based)
 * or messages (msgs); each kind once, the first reached starts a
 * hand-off. */
static int
opt_rekey(struct send *s)
{
	struct ipfix_exporter_config *c = &s->cfg;
	static const struct { const char *suf; double mul; } bytes[] = {
		{ "k", 1024.0 }, { "M", 1048576.0 }, { "G", 1073741824.0 },
	};
	char *end;
	double v = strtod(optarg, &end);
	size_t i;

	if (end == optarg || !(v > 0) || v > 1e15)
		return cli_usage_error(&s->cli, "--rekey: '%s' is not a "
		    "positive number with an optional unit (s, k, M, G, msgs)",
		    optarg);
	if (*end == '\0' || strcmp(end, "s") == 0) {
		if (v < 0.001 || v > 86400.0 * 30)
			return cli_usage_error(&s->cli, "--rekey: %s seconds "
			    "is outside 0.001..2592000", optarg);
		c->rekey_ms = (unsigned)(v * 1000.0 + 0.5);
		return 0;
	}
	if (strcmp(end, "msgs") == 0) {
		c->rekey_msgs = (uint64_t)v;
		return c->rekey_msgs > 0 ? 0 : cli_usage_error(&s->cli,
		    "--rekey: '%s': at least 1 message", optarg);
	}
	for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
		if (strcmp(end, bytes[i].suf) == 0) {
			c->rekey_bytes = (uint64_t)(v * bytes[i].mul);
			return 0;
		}
	return cli_usage_error(&s->cli, "--rekey: unit '%s' of '%s' is none "
	    "of s, k, M, G, msgs", end, optarg);
}

static int
opt_session(struct send *s, int id)
{
	struct ipfix_exporter_config *c = &s->cfg;
	long long v;
	int rc;

	switch (id) {
	case OPT_RETRY_MIN:
		return seconds_ms(s, "--retry-min", false, &c->retry_min_ms);
	case OPT_RETRY_MAX:
		return seconds_ms(s, "--retry-max", false, &c->retry_max_ms);
	case OPT_CONNECT_TIMEOUT:
		return seconds_ms(s, "--connect-timeout", false,
		    &c->connect_ms);
	case OPT_LINGER:
		return seconds_ms(s, "--linger", false, &c->linger_ms);
	case OPT_REKEY:
		return opt_rekey(s);
	case OPT_PROBE:
		return seconds_ms(s, "--probe", false, &c->probe_ms);
	case OPT_SPOOL:
		rc = num(s, "--spool", 0, 1LL << 32, &v);
		c->spool_bytes = (size_t)v;
		return rc;
	default:
		rc = num(s, "--max-retries", 0, 1000000, &v);
		c->max_retries = (int)v;
		return rc;
	}
}

/* 0 to go on, else an exit status. */
static int
opt_one(void *arg, int id)
{
	struct send *s = arg;

	switch (id) {
	case OPT_COMPRESS: s->cfg.compress = true; return 0;
	case OPT_STATS: s->stats = true; return 0;
	case OPT_NO_STATS_RECORDS: s->cfg.no_own_stats = true; return 0;
	case OPT_VERBOSE: s->cli.verbosity++; return 0;
	case OPT_QUIET: s->cli.verbosity = -1; return 0;
	/* each group listed, so a new option cannot fall into another's
	 * handler by its place in the enum */
	case OPT_ENCAP: case OPT_MTU: case OPT_MAX_MSG: case OPT_MAX_DGRAM:
	case OPT_SCTP_STREAMS: case OPT_PR_SCTP: case OPT_SNDBUF:
		return opt_transport(s, id);
	case OPT_REFRESH: case OPT_REFRESH_MSGS: case OPT_EXPORT_TIME:
	case OPT_RATE: case OPT_RECORD_RATE: case OPT_REALTIME: case OPT_SPEED:
	case OPT_PROCESS_ID:
		return opt_export(s, id);
	case OPT_RETRY_MIN: case OPT_RETRY_MAX: case OPT_MAX_RETRIES:
	case OPT_CONNECT_TIMEOUT: case OPT_LINGER: case OPT_REKEY:
	case OPT_PROBE: case OPT_SPOOL:
		return opt_session(s, id);
	}
	if (CLI_IS_SEC_OPT(id))
		return cli_sec_option(&s->cli, &s->sec, id, optarg);
	return cli_usage_error(&s->cli, "unknown option");
}

static const struct cli_spec spec = {
	.synopsis = "[options] URL [FILE|-]\n"
	    "Export the IPFIX stream FILE (raw or gzip'd; '-' or none: stdin) "
	    "to the\ncollector at URL (udp|tcp|sctp|dtls|tls|dtls-sctp"
	    "://HOST[:PORT]).\n",
	.footer = "Signals: INT/TERM flush and close in order, USR1 prints "
	    "statistics.\nExit status: 0 input exported (records not sent are "
	    "reported), 1 failure,\n2 usage error. See ipfix-send(1).\n",
	.opts = optdocs,
	.nopts = sizeof(optdocs) / sizeof(optdocs[0]),
	.option = opt_one,
};

static int
parse_args(struct send *s, int argc, char **argv)
{
	struct ipfix_err err;
	int rc;

	/* main's convention: 0 goes on, -1 exits 0 (--help, --version) */
	if ((rc = cli_parse(&s->cli, &spec, argc, argv, s)) != -1)
		return rc == CLI_EXIT_OK ? -1 : rc;
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return cli_usage_error(&s->cli, "expected a collector URL and "
		    "at most one input FILE");
	if (ipfix_endpoint_parse(argv[0], &s->cfg.ep, &err) == -1)
		return cli_usage_error(&s->cli, "%s: %s", argv[0], err.reason);
	s->input = argc == 2 ? argv[1] : "-";
	if (s->speed_set && s->cfg.pace != IPFIX_PACE_REALTIME)
		return cli_usage_error(&s->cli, "--speed needs --realtime");
	if (!s->cfg.ep.secure && s->sec.given)
		return cli_usage_error(&s->cli, "security options need a "
		    "dtls://, tls:// or dtls-sctp:// URL");
	if (s->cfg.topts.sctp_udp && s->cfg.ep.scheme != IPFIX_SCHEME_SCTP &&
	    s->cfg.ep.scheme != IPFIX_SCHEME_DTLS_SCTP)
		return cli_usage_error(&s->cli, "--sctp-udp-encap needs an "
		    "sctp:// or dtls-sctp:// URL");
	return 0;
}

/* Reporting -------------------------------------------------------------- */

static void
on_event(void *arg, enum ipfix_exp_event ev, const char *detail,
    const struct ipfix_err *err)
{
	struct send *s = arg;
	const struct cli *c = &s->cli;

	switch (ev) {
	case IPFIX_EXP_CONNECTING:
		cli_debug(c, 2, "connecting");
		break;
	case IPFIX_EXP_UP:
		cli_debug(c, 1, "session up (collector %s)", detail);
		break;
	case IPFIX_EXP_HANDOFF:
		cli_debug(c, 1, "hand-off to the new session done");
		break;
	case IPFIX_EXP_RETRY:
		cli_debug(c, 1, "next attempt in %s ms", detail);
		break;
	case IPFIX_EXP_DROPPED:
		if (c->verbosity >= 2)
			cli_warn_err(c, "message not sent", err);
		break;
	case IPFIX_EXP_LOST:
		cli_warn_err(c, "session lost", err);
		break;
	case IPFIX_EXP_CONNECT_FAILED:
		cli_warn_err(c, detail != NULL ? detail : "connect", err);
		break;
	case IPFIX_EXP_GAVE_UP:
		cli_warnx(c, "giving up after --max-retries");
		break;
	case IPFIX_EXP_INPUT:
		cli_warn_err(c, "input", err);
		break;
	case IPFIX_EXP_UNACKED:
		cli_debug(c, 1, "session ended: %s", detail);
		break;
	case IPFIX_EXP_PROBE_OFF:
		cli_warnx(c, "liveness probe switched off for this collector: "
		    "%s", detail);
		break;
	case IPFIX_EXP_UNCONFIRMED:
		cli_debug(c, 1, "the lost session had taken %s records no "
		    "probe confirmed (sent, unconfirmed)", detail);
		break;
	}
}

static void
print_stats(const struct cli *c, const struct ipfix_exporter_stats *st)
{
	fprintf(stderr, "%s: input: %llu messages, %llu records, %llu "
	    "templates, %llu withdrawals, %llu malformed, %llu without "
	    "template\n", c->prog, (unsigned long long)st->in_messages,
	    (unsigned long long)st->in_records,
	    (unsigned long long)st->in_templates,
	    (unsigned long long)st->in_withdrawals,
	    (unsigned long long)st->in_malformed,
	    (unsigned long long)st->in_no_template);
	fprintf(stderr, "%s: sent: %llu messages, %llu records, %llu bytes "
	    "(%llu on the wire), %llu template records, %llu withdrawals, "
	    "%llu statistics records\n", c->prog,
	    (unsigned long long)st->out_messages,
	    (unsigned long long)st->out_records,
	    (unsigned long long)st->out_bytes,
	    (unsigned long long)st->out_wire_bytes,
	    (unsigned long long)st->out_templates,
	    (unsigned long long)st->out_withdrawals,
	    (unsigned long long)st->out_stats_records);
	fprintf(stderr, "%s: not sent: %llu messages, %llu records, %llu "
	    "bytes\n", c->prog, (unsigned long long)st->not_sent_messages,
	    (unsigned long long)st->not_sent_records,
	    (unsigned long long)st->not_sent_bytes);
	fprintf(stderr, "%s: sessions: %llu opened, %llu lost, %llu failed "
	    "attempts, %llu hand-offs\n", c->prog,
	    (unsigned long long)st->sessions,
	    (unsigned long long)st->failures,
	    (unsigned long long)st->connect_failures,
	    (unsigned long long)st->handoffs);
	fprintf(stderr, "%s: liveness: %llu attempts, %llu resumed, %llu "
	    "rekeys, %llu probes sent, %llu answered; sent, unconfirmed: "
	    "%llu records; spooled: %llu messages, %llu records dropped "
	    "from a full spool\n", c->prog,
	    (unsigned long long)st->attempts,
	    (unsigned long long)st->resumed,
	    (unsigned long long)st->rekeys,
	    (unsigned long long)st->probes_sent,
	    (unsigned long long)st->probes_answered,
	    (unsigned long long)st->sent_unconfirmed,
	    (unsigned long long)st->spooled_messages,
	    (unsigned long long)st->spool_dropped_records);
}

/* What became of the data records (ipfix-send(1), DELIVERY). */
static void
print_delivery(const struct cli *c, const struct ipfix_exporter_stats *st)
{
	fprintf(stderr, "%s: delivery: %llu records acknowledged (tcp, tls), "
	    "%llu sent unconfirmed (udp, dtls, sctp), %llu not sent (%llu "
	    "of them uncertain)\n", c->prog,
	    (unsigned long long)st->acked_records,
	    (unsigned long long)st->unconfirmed_records,
	    (unsigned long long)st->not_sent_records,
	    (unsigned long long)st->uncertain_records);
}

static void
on_report(void *arg, const struct ipfix_exporter_stats *st)
{
	struct send *s = arg;

	cli_progress_done(&s->cli);
	print_stats(&s->cli, st);
	print_delivery(&s->cli, st);
}

/* "N records, R rec/s", and for a regular file "P%, M:SS left": the
 * rate and the time left are averages over the whole run. */
static void
on_progress(void *arg, const struct ipfix_exporter *x)
{
	struct send *s = arg;
	struct ipfix_exporter_stats st;
	uint64_t pos = ipfix_reader_position(s->reader);
	uint64_t size = ipfix_reader_size(s->reader);
	double t = (double)(cli_now_ms() - s->t0_ms) / 1000.0, left;

	/* the first 200 ms say nothing yet about rate and time left */
	if (t < 0.2 || !cli_progress_due(&s->cli))
		return;
	ipfix_exporter_stats(x, &st);
	if (size == 0 || pos == 0 || pos > size) {
		cli_progress(&s->cli, "%llu records, %.0f rec/s",
		    (unsigned long long)st.out_records,
		    (double)st.out_records / t);
		return;
	}
	left = t * (double)(size - pos) / (double)pos;
	cli_progress(&s->cli, "%llu records, %.0f rec/s, %.0f%%, "
	    "%u:%02u left", (unsigned long long)st.out_records,
	    (double)st.out_records / t, 100.0 * (double)pos / (double)size,
	    (unsigned)(left / 60), (unsigned)left % 60);
}

/* Setup ------------------------------------------------------------------ */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_flag = 1;
}

/* INT/TERM interrupt a blocking read of the input (no SA_RESTART);
 * USR1 must not, or a report would look like a read error. */
static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* A pipe or terminal: send each input message at once (latency); a
 * file: re-pack freely. */
static bool
input_is_live(const char *path)
{
	struct stat st;
	int rc = strcmp(path, "-") == 0 ? fstat(0, &st) : stat(path, &st);

	return rc == -1 || !S_ISREG(st.st_mode);
}

static struct ipfix_sec_ctx *
security(struct send *s, struct ipfix_err *err)
{
	if (!s->cfg.ep.secure)
		return NULL;
	if (s->sec.cfg.insecure)
		cli_warnx(&s->cli, "warning: --insecure: the collector's "
		    "identity is NOT verified");
	return ipfix_sec_ctx_new(&s->sec.cfg, false, s->cfg.ep.scheme, err);
}

static void
defaults(struct send *s)
{
	memset(s, 0, sizeof(*s));
	cli_init(&s->cli, "ipfix-send");
	ipfix_exporter_config_init(&s->cfg);
	s->cfg.stop = &stop_flag;
	s->cfg.report = &report_flag;
	s->cfg.on_event = on_event;
	s->cfg.on_report = on_report;
	s->cfg.arg = s;
}

static int
run(struct send *s, struct ipfix_reader *r, struct ipfix_sec_ctx *sec)
{
	struct ipfix_exporter_stats st;
	struct ipfix_exporter *x;
	struct ipfix_err err;
	int rc;

	s->cfg.sec = sec;
	s->cfg.flush_each_input = input_is_live(s->input);
	s->reader = r;
	s->t0_ms = cli_now_ms();
	if (s->cli.progress)
		s->cfg.on_progress = on_progress;
	if ((x = ipfix_exporter_new(&s->cfg, &err)) == NULL) {
		cli_warnx(&s->cli, "%s", err.reason);
		return err.code == IPFIX_E_USAGE ? CLI_EXIT_USAGE :
		    CLI_EXIT_FAIL;
	}
	ipfix_err_clear(&err);
	rc = ipfix_exporter_run(x, r, &err);
	ipfix_exporter_stats(x, &st);
	ipfix_exporter_free(x);
	cli_progress_done(&s->cli);
	if (rc == -1)
		cli_warn_err(&s->cli, NULL, &err);
	if (st.not_sent_records > 0)
		cli_warnx(&s->cli, "%llu records in %llu messages could not "
		    "be sent%s", (unsigned long long)st.not_sent_records,
		    (unsigned long long)st.not_sent_messages,
		    st.uncertain_records > 0 ? " (some were handed to TCP, "
		    "which could not tell whether the collector got them)" :
		    "");
	if (s->stats) {
		print_stats(&s->cli, &st);
		print_delivery(&s->cli, &st);
	}
	/* A collector that went away is no failure of ours (RFC 7011
	 * §10.4.4 expects reconnects): what it missed is reported above. */
	return rc == -1 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct ipfix_sec_ctx *sec = NULL;
	struct ipfix_reader *r;
	struct ipfix_err err;
	struct send s;
	int rc;

	defaults(&s);
	if ((rc = parse_args(&s, argc, argv)) != 0)
		return rc == -1 ? CLI_EXIT_OK : rc;
	ipfix_err_clear(&err);
	if (s.cfg.ep.secure && (sec = security(&s, &err)) == NULL) {
		cli_warn_err(&s.cli, "security", &err);
		return err.code == IPFIX_E_USAGE ? CLI_EXIT_USAGE :
		    CLI_EXIT_FAIL;
	}
	if ((r = ipfix_reader_open(s.input, NULL, &err)) == NULL) {
		cli_warn_err(&s.cli, s.input, &err);
		ipfix_sec_ctx_free(sec);
		return CLI_EXIT_FAIL;
	}
	signals();
	rc = run(&s, r, sec);
	ipfix_reader_close(r);
	ipfix_sec_ctx_free(sec);
	return rc;
}
