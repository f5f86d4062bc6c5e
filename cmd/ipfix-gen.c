/*
 * ipfix-gen: packet captures (or a live interface) to an IPFIX flow record
 * stream. Options become a struct meter_config; meter_run does the work.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "meter.h"

#define NS 1000000000LL

enum {
	OPT_IDLE = 256, OPT_ACTIVE, OPT_MAXFLOWS, OPT_BIFLOW, OPT_FIELDS,
	OPT_LISTFIELDS, OPT_ODID, OPT_MSGSIZE, OPT_PREC, OPT_IFINDEX,
	OPT_INNER, OPT_STATS,
};

/* One row per option: getopt_long and --help both come from here. */
static const struct cli_opt optdocs[] = {
	{ { "interface", required_argument, NULL, 'i' }, "IFACE",
	    "live capture on IFACE" },
	{ { "filter", required_argument, NULL, 'f' }, "EXPR",
	    "BPF filter (file or live input)" },
	{ { "snaplen", required_argument, NULL, 's' }, "N",
	    "live capture snapshot length (default 65535)" },
	{ { "output", required_argument, NULL, 'o' }, "FILE",
	    "output stream, - for stdout (default -)" },
	{ { "gzip", no_argument, NULL, 'z' }, NULL, "gzip the output stream" },
	{ { "idle-timeout", required_argument, NULL, OPT_IDLE }, "SEC",
	    "idle timeout (default 15; 0: a record per packet)" },
	{ { "active-timeout", required_argument, NULL, OPT_ACTIVE }, "SEC",
	    "active timeout (default 1800; 0: none)" },
	{ { "max-flows", required_argument, NULL, OPT_MAXFLOWS }, "N",
	    "cache size; oldest flows expire (default 0: no limit)" },
	{ { "biflow", no_argument, NULL, OPT_BIFLOW }, NULL,
	    "RFC 5103 biflows (initiator = first packet)" },
	{ { "fields", required_argument, NULL, OPT_FIELDS }, "LIST",
	    "comma-separated element names (see --list-fields)" },
	{ { "list-fields", no_argument, NULL, OPT_LISTFIELDS }, NULL,
	    "print the elements --fields accepts and exit" },
	{ { "odid", required_argument, NULL, OPT_ODID }, "N",
	    "Observation Domain ID (default 0)" },
	{ { "msg-size", required_argument, NULL, OPT_MSGSIZE }, "N",
	    "message size limit in bytes (default 65535)" },
	{ { "time-precision", required_argument, NULL, OPT_PREC }, "P",
	    "milli, micro or nano (default milli)" },
	{ { "ifindex", required_argument, NULL, OPT_IFINDEX }, "N",
	    "ingressInterface of every packet, part of the key" },
	{ { "inner", no_argument, NULL, OPT_INNER }, NULL,
	    "meter 6in4/4in6 tunnels by the inner header" },
	{ { "stats", no_argument, NULL, OPT_STATS }, NULL,
	    "print a summary on stderr" },
	CLI_PROGRESS_OPTS,
	CLI_STD_OPTS("more detail",
	    "no progress, warnings only"),
};

struct opts {
	struct cli *cli;
	struct meter_config mc;
	bool stats, list;
};

static volatile sig_atomic_t stop_flag;

/*
 * The meter checks the flag between packets and at least every 100 ms on a
 * quiet live capture; a second signal kills at once.
 */
static void
on_signal(int sig)
{
	stop_flag = 1;
	signal(sig, SIG_DFL);
}

static int
parse_seconds(const struct cli *c, const char *opt, const char *arg,
    int64_t *ns)
{
	double d;

	if (cli_parse_double(c, opt, arg, 0, 31536000, &d) == -1)
		return -1;
	*ns = (int64_t)(d * NS);
	return 0;
}

static int
parse_prec(const struct cli *c, const char *arg, struct opts *o)
{
	static const char *const names[] = { "milli", "micro", "nano" };
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			o->mc.exp.precision = (enum flowexport_precision)i;
			return 0;
		}
	cli_warnx(c, "--time-precision: '%s' is not milli, micro or nano",
	    arg);
	return -1;
}

static int
num_opt(const struct cli *c, int ch, const char *arg, struct opts *o)
{
	long long v;

	switch (ch) {
	case 's':
		if (cli_parse_num(c, "--snaplen", arg, 64, 262144, &v) == -1)
			return -1;
		o->mc.snaplen = (int)v;
		return 0;
	case OPT_MAXFLOWS:
		if (cli_parse_num(c, "--max-flows", arg, 0, 100000000, &v) == -1)
			return -1;
		o->mc.cache.max_flows = (uint32_t)v;
		return 0;
	case OPT_ODID:
		if (cli_parse_num(c, "--odid", arg, 0, UINT32_MAX, &v) == -1)
			return -1;
		o->mc.exp.odid = (uint32_t)v;
		return 0;
	case OPT_MSGSIZE:
		if (cli_parse_num(c, "--msg-size", arg, 256, 65535, &v) == -1)
			return -1;
		o->mc.exp.msg_size = (size_t)v;
		return 0;
	default:
		if (cli_parse_num(c, "--ifindex", arg, 0, UINT32_MAX, &v) == -1)
			return -1;
		o->mc.ifindex = (uint32_t)v;
		o->mc.cache.key_ifindex = o->mc.exp.ifindex = true;
		return 0;
	}
}

/* One option; 0 ok, -1 bad value (message printed). */
static int
one_opt(struct cli *c, int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case 'i': o->mc.iface = arg; return 0;
	case 'f': o->mc.filter = arg; return 0;
	case 'o': o->mc.output = arg; return 0;
	case 'z': o->mc.gzip = true; return 0;
	case 'q': c->verbosity = -1; c->progress = false; return 0;
	case 'v': c->verbosity++; return 0;
	case OPT_BIFLOW: o->mc.cache.biflow = o->mc.exp.biflow = true; return 0;
	case OPT_FIELDS: o->mc.exp.fields = arg; return 0;
	case OPT_LISTFIELDS: o->list = true; return 0;
	case OPT_INNER: o->mc.pkt.inner_tunnel = true; return 0;
	case OPT_STATS: o->stats = true; return 0;
	case OPT_PREC: return parse_prec(c, arg, o);
	case OPT_IDLE:
		return parse_seconds(c, "--idle-timeout", arg,
		    &o->mc.cache.idle_ns);
	case OPT_ACTIVE:
		return parse_seconds(c, "--active-timeout", arg,
		    &o->mc.cache.active_ns);
	default: return num_opt(c, ch, arg, o);
	}
}

static int
option(void *arg, int ch)
{
	struct opts *o = arg;

	return one_opt(o->cli, ch, optarg, o) == 0 ? 0 : CLI_EXIT_USAGE;
}

static const struct cli_spec spec = {
	.synopsis = "[options] CAPTURE|-\n"
	    "       ipfix-gen [options] -i IFACE [-f EXPR]\n"
	    "Meter a pcap/pcapng capture (or a live interface) into IPFIX flow "
	    "records.\n",
	.footer = "Exit status: 0 ok, 1 failure, 2 usage error. See "
	    "ipfix-gen(1).\n",
	.opts = optdocs,
	.nopts = sizeof(optdocs) / sizeof(optdocs[0]),
	.option = option,
};

/* Returns -1 to go on, or the exit code. */
static int
parse_args(struct cli *c, int argc, char **argv, struct opts *o)
{
	int rc;

	if ((rc = cli_parse(c, &spec, argc, argv, o)) != -1)
		return rc;
	if (o->list)
		return -1;
	if (o->mc.iface == NULL && optind != argc - 1)
		return cli_usage_error(c, "expected one capture file (or -i)");
	if (o->mc.iface != NULL && optind != argc)
		return cli_usage_error(c, "-i takes no capture file");
	o->mc.input = o->mc.iface == NULL ? argv[optind] : NULL;
	return -1;
}

static void
show_progress(const struct meter_progress *p, void *arg)
{
	struct cli *c = arg;

	if (p->size > 0)
		cli_progress(c, "%llu packets, %u flows, %.0f%%",
		    (unsigned long long)p->packets, p->flows,
		    100.0 * (double)p->position / (double)p->size);
	else
		cli_progress(c, "%llu packets, %u flows",
		    (unsigned long long)p->packets, p->flows);
}

static void
print_stats(const struct cli *c, const struct meter_stats *s)
{
	const struct flowcache_stats *f = &s->cache;

	fprintf(stderr, "%s: packets read %llu, metered %llu, ignored %llu "
	    "(not IP %llu, malformed %llu), truncated %llu\n", c->prog,
	    (unsigned long long)s->packets_read, (unsigned long long)s->metered,
	    (unsigned long long)s->ignored, (unsigned long long)s->not_ip,
	    (unsigned long long)s->malformed, (unsigned long long)s->truncated);
	fprintf(stderr, "%s: flows %llu (peak %u active, %zu bytes), "
	    "records %llu, messages %llu, bytes %llu\n", c->prog,
	    (unsigned long long)f->flows, f->peak, f->mem_peak,
	    (unsigned long long)s->exp.flow_records,
	    (unsigned long long)s->exp.messages,
	    (unsigned long long)s->exp.octets);
	fprintf(stderr, "%s: expired idle %llu, active %llu, end %llu, "
	    "forced %llu, lack of resources %llu; fragments joined %llu, "
	    "orphaned %llu\n", c->prog, (unsigned long long)f->expired[1],
	    (unsigned long long)f->expired[2], (unsigned long long)f->expired[3],
	    (unsigned long long)f->expired[4], (unsigned long long)f->expired[5],
	    (unsigned long long)f->frag_joined,
	    (unsigned long long)f->frag_orphans);
}

static void
defaults(struct opts *o, struct cli *c)
{
	memset(o, 0, sizeof(*o));
	o->cli = c;
	o->mc.output = "-";
	o->mc.cache.idle_ns = 15 * NS;
	o->mc.cache.active_ns = 1800 * NS;
	o->mc.exp.process_id = 1;
	o->mc.progress = show_progress;
	o->mc.progress_arg = c;
	o->mc.stop = &stop_flag;
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct opts o;
	struct meter_stats st;
	struct ipfix_err err;
	size_t i;
	int rc;

	cli_init(&c, "ipfix-gen");
	defaults(&o, &c);
	if ((rc = parse_args(&c, argc, argv, &o)) >= 0)
		return rc;
	if (o.list) {
		for (i = 0; flowexport_field_name(i) != NULL; i++)
			printf("%s\n", flowexport_field_name(i));
		return CLI_EXIT_OK;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ipfix_err_clear(&err);
	rc = meter_run(&o.mc, &st, &err);
	cli_progress_done(&c);
	if (rc == -1 && err.code == IPFIX_E_USAGE) {
		cli_warnx(&c, "%s", err.reason);
		return CLI_EXIT_USAGE;
	}
	if (rc == -1) {
		cli_warn_err(&c, NULL, &err);
		return CLI_EXIT_FAIL;
	}
	if (o.stats)
		print_stats(&c, &st);
	return CLI_EXIT_OK;
}
