/*
 * dtls-probe: debugs a DTLS (or DTLS/SCTP, TLS) peer. Options -> struct
 * ipfix_probe_config -> ipfix_probe_run (client) or ipfix_probe_listen;
 * the report comes from the library's probe printer, live events (-v)
 * are printed here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "probe.h"

enum {
	OPT_VERBOSE = 'v', OPT_QUIET = 'q',
	OPT_ENCAP = 256, OPT_TIMEOUT, OPT_RESUME, OPT_RENEG, OPT_SESSION,
	OPT_COUNT, OPT_INTERVAL, OPT_LISTEN, OPT_DUMP, OPT_JSON, OPT_SEND,
};

static const struct cli_opt optdocs[] = {
	{ { "listen", no_argument, NULL, OPT_LISTEN }, NULL,
	    "listen at URL and show what exporters offer" },
	{ { "dump", no_argument, NULL, OPT_DUMP }, NULL,
	    "listen mode: decode the IPFIX that arrives" },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	    "one JSON object with every result" },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, "SECONDS",
	    "bound on the whole run (default 10)" },
	{ { "resume", no_argument, NULL, OPT_RESUME }, NULL,
	    "check: a second handshake resumes the first" },
	{ { "renegotiate", no_argument, NULL, OPT_RENEG }, NULL,
	    "check: the peer accepts an abbreviated renegotiation" },
	{ { "session", required_argument, NULL, OPT_SESSION }, "FILE",
	    "check: the peer resumes the session of the last run kept in FILE "
	    "(the same instance)" },
	{ { "count", required_argument, NULL, OPT_COUNT }, "N",
	    "client: N full handshakes (min/median/max time); listen: stop "
	    "after N sessions" },
	{ { "interval", required_argument, NULL, OPT_INTERVAL }, "SECONDS",
	    "pause between the --count handshakes (default 0)" },
	{ { "send", required_argument, NULL, OPT_SEND }, "FILE",
	    "send the IPFIX stream FILE over the probe's session, re-packed "
	    "to the data MTU" },
	{ { "sctp-udp-encap", optional_argument, NULL, OPT_ENCAP }, "[=PORT]",
	    "DTLS/SCTP over UDP encapsulation (usrsctp, RFC 6951) to PORT "
	    "(default 9899)" },
	CLI_SEC_OPTS("PEM certificate (chain) to present",
	    "CA certificates the peer must chain to",
	    "the peer's expected name (default: the URL host)",
	    "do not verify the peer"),
	CLI_STD_OPTS("show each handshake message as it happens (-v)",
	    "no warnings on stderr"),
};

struct probe_tool {
	struct cli cli;
	struct ipfix_probe_config cfg;
	struct cli_sec sec;
};

static int
num(struct probe_tool *t, const char *opt, long long min, long long max,
    long long *v)
{
	return cli_parse_num(&t->cli, opt, optarg, min, max, v) == -1 ?
	    CLI_EXIT_USAGE : 0;
}

static int
seconds(struct probe_tool *t, const char *opt, double min, unsigned *ms)
{
	double d;

	if (cli_parse_double(&t->cli, opt, optarg, min, 86400, &d) == -1)
		return CLI_EXIT_USAGE;
	*ms = (unsigned)(d * 1000.0 + 0.5);
	return 0;
}

static int
opt_one(void *arg, int id)
{
	struct probe_tool *t = arg;
	struct ipfix_probe_config *c = &t->cfg;
	long long v = IPFIX_SCTP_UDP_PORT;
	int rc;

	if (CLI_IS_SEC_OPT(id))
		return cli_sec_option(&t->cli, &t->sec, id, optarg);
	switch (id) {
	case OPT_VERBOSE: t->cli.verbosity++; return 0;
	case OPT_QUIET: t->cli.verbosity = -1; return 0;
	case OPT_LISTEN: c->listen = true; return 0;
	case OPT_DUMP: c->dump = true; return 0;
	case OPT_JSON: c->json = true; return 0;
	case OPT_RESUME: c->resume = true; return 0;
	case OPT_RENEG: c->renegotiate = true; return 0;
	case OPT_SESSION: c->session_file = optarg; return 0;
	case OPT_SEND: c->send_file = optarg; return 0;
	case OPT_TIMEOUT: return seconds(t, "--timeout", 0.1, &c->timeout_ms);
	case OPT_INTERVAL: return seconds(t, "--interval", 0,
	    &c->interval_ms);
	case OPT_COUNT:
		rc = num(t, "--count", 1, 10000, &v);
		c->count = (unsigned)v;
		return rc;
	case OPT_ENCAP:
		c->topts.sctp_udp = true;
		if (optarg != NULL && (rc = num(t, "--sctp-udp-encap", 1,
		    65535, &v)) != 0)
			return rc;
		c->topts.encap_port = (uint16_t)v;
		return 0;
	}
	return cli_usage_error(&t->cli, "unknown option");
}

static const struct cli_spec spec = {
	.synopsis = "[options] dtls|dtls-sctp|tls://HOST[:PORT]\n"
	    "       dtls-probe --listen [options] dtls|dtls-sctp|tls://"
	    "[HOST]:PORT\n"
	    "Handshake with a DTLS/TLS peer and report what it negotiated, or "
	    "listen\nand report what exporters offer.\n",
	.footer = "Exit status: 0 every check passed, 1 handshake failed, 2 "
	    "usage error,\n3 authentication failed, 4 unreachable or timed "
	    "out, 5 a requested check\nfailed. See dtls-probe(1).\n",
	.opts = optdocs,
	.nopts = sizeof(optdocs) / sizeof(optdocs[0]),
	.option = opt_one,
};

static int
check_args(struct probe_tool *t)
{
	const struct ipfix_probe_config *c = &t->cfg;

	if (!c->ep.secure)
		return cli_usage_error(&t->cli, "dtls-probe needs a dtls://, "
		    "dtls-sctp:// or tls:// URL");
	if (c->topts.sctp_udp && c->ep.scheme != IPFIX_SCHEME_DTLS_SCTP)
		return cli_usage_error(&t->cli, "--sctp-udp-encap needs a "
		    "dtls-sctp:// URL");
	if (c->listen && (c->resume || c->renegotiate ||
	    c->session_file != NULL || c->interval_ms != 0 ||
	    c->send_file != NULL))
		return cli_usage_error(&t->cli, "--resume, --renegotiate, "
		    "--session, --send and --interval are client checks (not "
		    "with --listen)");
	if (!c->listen && c->dump)
		return cli_usage_error(&t->cli, "--dump needs --listen");
	return 0;
}

static int
parse_args(struct probe_tool *t, int argc, char **argv)
{
	struct ipfix_err err;
	int rc;

	if ((rc = cli_parse(&t->cli, &spec, argc, argv, t)) != -1)
		return rc == CLI_EXIT_OK ? -1 : rc;
	if (argc - optind != 1)
		return cli_usage_error(&t->cli, "expected one URL");
	if (ipfix_endpoint_parse(argv[optind], &t->cfg.ep, &err) == -1)
		return cli_usage_error(&t->cli, "%s: %s", argv[optind],
		    err.reason);
	t->cfg.sec = t->sec.cfg;
	return check_args(t);
}

static void
on_event(void *arg, const char *text)
{
	const struct probe_tool *t = arg;

	cli_debug(&t->cli, 1, "%s", text);
}

static int
run(struct probe_tool *t)
{
	static const struct ipfix_probe_ops ops = { .on_event = on_event };
	struct ipfix_probe_result *r;
	struct ipfix_err err;
	int rc;

	if (t->cfg.sec.insecure && t->cli.verbosity >= 0)
		cli_warnx(&t->cli, "warning: --insecure: the peer is not "
		    "verified");
	t->cfg.out = stdout;
	if (t->cfg.listen) {
		rc = ipfix_probe_listen(&t->cfg, &ops, t, &err);
		if (rc == PROBE_EXIT_USAGE)
			cli_warn_err(&t->cli, NULL, &err);
		return rc;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		cli_warn(&t->cli, "report");
		return PROBE_EXIT_HANDSHAKE;
	}
	rc = ipfix_probe_run(&t->cfg, &ops, t, r);
	if (rc == PROBE_EXIT_USAGE)
		cli_warnx(&t->cli, "%s", r->first.reason);
	else if (rc != 0 && t->cli.verbosity >= 0 && !r->first.ok)
		cli_warnx(&t->cli, "%s: %s", r->target, r->first.reason);
	if (ipfix_probe_report(stdout, r, t->cfg.json) == -1)
		cli_warn(&t->cli, "stdout");
	free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct probe_tool t;
	int rc;

	memset(&t, 0, sizeof(t));
	cli_init(&t.cli, argv[0]);
	if ((rc = parse_args(&t, argc, argv)) != 0)
		return rc == -1 ? CLI_EXIT_OK : rc;
	return run(&t);
}
