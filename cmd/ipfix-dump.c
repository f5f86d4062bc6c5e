/*
 * ipfix-dump: print, validate or summarise IPFIX streams and captures.
 * Options -> struct dump_config -> reader, decoder, printer and stats
 * from libipfix; the library does the work, this file wires it up.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "cli.h"
#include "decode.h"
#include "origin.h"
#include "print.h"
#include "problems.h"
#include "readsess.h"
#include "stats.h"
#include "stream.h"
#include "validate.h"

enum {
	OPT_JSON = 'j', OPT_COUNT = 'n', OPT_PORT = 'p', OPT_VERBOSE = 'v',
	OPT_QUIET = 'q',
	OPT_VALIDATE = 256, OPT_STATS, OPT_ODID, OPT_TEMPLATE, OPT_DEPTH,
	OPT_NO_DEFLATE, OPT_EXPORTER, OPT_STRICT,
};

/* One row per option: getopt_long and --help both come from here. */
static const struct cli_opt optdocs[] = {
	{ { "json", optional_argument, NULL, OPT_JSON }, "[=WHAT]",
	    "NDJSON: one object per record; WHAT is a comma list of records, "
	    "messages, templates, or all" },
	{ { "validate", no_argument, NULL, OPT_VALIDATE }, NULL,
	    "check the input; print each violation (offset, checklist item, "
	    "reason) instead of the records" },
	{ { "stats", no_argument, NULL, OPT_STATS }, NULL,
	    "print statistics per input instead of the records" },
	{ { "no-deflate", no_argument, NULL, OPT_NO_DEFLATE }, NULL,
	    "--stats: skip the DEFLATE compressibility measurement" },
	{ { "odid", required_argument, NULL, OPT_ODID }, "N",
	    "only messages of observation domain N" },
	{ { "template", required_argument, NULL, OPT_TEMPLATE }, "ID",
	    "only templates and records of template ID" },
	{ { "exporter", required_argument, NULL, OPT_EXPORTER }, "ADDR|NAME",
	    "ipfix-recv output: only records of this exporter (address, "
	    "address:port, PSK identity or certificate CN)" },
	{ { "count", required_argument, NULL, OPT_COUNT }, "N",
	    "stop after N records" },
	{ { "port", required_argument, NULL, OPT_PORT }, "PORT",
	    "captures: only IPFIX on UDP/TCP port PORT (default any)" },
	{ { "max-depth", required_argument, NULL, OPT_DEPTH }, "N",
	    "bound on nested list depth (default 8)" },
	{ { "strict", no_argument, NULL, OPT_STRICT }, NULL,
	    "refuse templates with lengths their elements do not allow "
	    "(C31) or no options scope (C24), and zero bytes after the last "
	    "set (C15), instead of decoding them" },
	CLI_STD_OPTS("more detail: offsets, template refreshes, notes (repeatable)",
	    "no warnings or progress on stderr"),
};

struct dump_config {
	struct ipfix_print_options print;
	bool validate, stats, deflate, strict;
	int64_t odid, tid;		/* -1: no filter */
	uint64_t count;			/* 0: all records */
	uint16_t port;
	const char *exporter;		/* NULL: no filter */
};

struct dump {
	struct cli cli;
	struct dump_config cfg;
	struct ipfix_printer *pr;
	struct ipfix_stats *st;
	struct ipfix_reader *rd;
	struct ipfix_decoder *dec;
	const char *path;
	uint64_t shown, msgs_in_file;
	uint64_t violations, lost_input;
	bool done, odid_ok, netflow_said;
	const struct ipfix_msg_ctx *pending;	/* header not shown yet */
	struct ipfix_origins *org;	/* exporters of ipfix-recv output */
	uint64_t origin_shown;		/* offset + 1 of the message whose
					   exporter the printer has */
	char sname[128];
	struct ipfix_problems probs;	/* per file */
};

/* Repeats of one check are summarised: a UDP capture with loss would
 * otherwise print one line per message (ipfixDump's flood). */
#define SHOW_WARN 5		/* per check and file, on stderr */
#define SHOW_VALIDATE 100	/* per check and file, --validate */

static int
json_item(struct dump *d, const char *s, size_t n)
{
	struct ipfix_print_options *po = &d->cfg.print;

	if (n == 3 && strncmp(s, "all", 3) == 0)
		po->json_messages = po->json_templates = true;
	else if (n == 8 && strncmp(s, "messages", 8) == 0)
		po->json_messages = true;
	else if (n == 9 && strncmp(s, "templates", 9) == 0)
		po->json_templates = true;
	else if (n != 7 || strncmp(s, "records", 7) != 0)
		return cli_usage_error(&d->cli, "--json: unknown item '%.*s' (records, "
		    "messages, templates, all)", (int)n, s);
	return 0;
}

static int
parse_json(struct dump *d, const char *arg)
{
	const char *comma;
	int rc;

	d->cfg.print.json = true;
	while (arg != NULL) {
		comma = strchr(arg, ',');
		rc = json_item(d, arg, comma != NULL ? (size_t)(comma - arg) :
		    strlen(arg));
		if (rc != 0)
			return rc;
		arg = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

static int
num(struct dump *d, const char *opt, long long max, long long *v)
{
	/* cli_parse_num has said what is wrong, on one line. */
	if (cli_parse_num(&d->cli, opt, optarg, 0, max, v) == -1)
		return CLI_EXIT_USAGE;
	return 0;
}

static int
option(void *arg, int ch)
{
	struct dump *d = arg;
	long long v = 0;
	int rc = 0;

	switch (ch) {
	case OPT_JSON: return parse_json(d, optarg);
	case OPT_VALIDATE: d->cfg.validate = true; break;
	case OPT_STATS: d->cfg.stats = true; break;
	case OPT_STRICT: d->cfg.strict = true; break;
	case OPT_NO_DEFLATE: d->cfg.deflate = false; break;
	case OPT_VERBOSE: d->cli.verbosity++; break;
	case OPT_QUIET: d->cli.verbosity = -1; break;
	case OPT_ODID:
		if ((rc = num(d, "--odid", UINT32_MAX, &v)) == 0)
			d->cfg.odid = v;
		break;
	case OPT_TEMPLATE:
		if ((rc = num(d, "--template", UINT16_MAX, &v)) == 0)
			d->cfg.tid = v;
		break;
	case OPT_EXPORTER: d->cfg.exporter = optarg; break;
	case OPT_COUNT:
		if ((rc = num(d, "--count", INT64_MAX, &v)) == 0)
			d->cfg.count = (uint64_t)v;
		break;
	case OPT_PORT:
		if ((rc = num(d, "--port", UINT16_MAX, &v)) == 0)
			d->cfg.port = (uint16_t)v;
		break;
	case OPT_DEPTH:
		if ((rc = num(d, "--max-depth", 64, &v)) == 0)
			d->cfg.print.max_depth = (unsigned)v;
		break;
	}
	return rc;
}

static const struct cli_spec spec = {
	.synopsis = "[options] [FILE...]\n"
	    "Print the IPFIX messages of each FILE (raw, gzip'd, pcap or "
	    "pcapng;\n'-' or none: stdin).\n",
	.footer = "Exit status: 0 ok, 1 problems found (--validate, data "
	    "lost) or failure,\n2 usage error. See ipfix-dump(1).\n",
	.opts = optdocs,
	.nopts = sizeof(optdocs) / sizeof(optdocs[0]),
	.option = option,
};

/* Returns -1 to go on, or an exit code (--help, --version, errors). */
static int
parse_args(struct dump *d, int argc, char **argv)
{
	int rc;

	if ((rc = cli_parse(&d->cli, &spec, argc, argv, d)) != -1)
		return rc;
	if (d->cfg.validate && d->cfg.stats)
		return cli_usage_error(&d->cli,
		    "--validate and --stats cannot be combined");
	return -1;
}

/* Decoder callbacks ------------------------------------------------------- */

static bool
printing(const struct dump *d)
{
	return !d->cfg.validate && !d->cfg.stats && !d->done;
}

static void
on_message(void *arg, const struct ipfix_msg_ctx *m)
{
	struct dump *d = arg;

	d->msgs_in_file++;
	d->odid_ok = d->cfg.odid < 0 || (uint32_t)d->cfg.odid == m->hdr.odid;
	d->pending = NULL;
	if (!printing(d))
		return;
	d->origin_shown = 0;
	ipfix_print_origin(d->pr, NULL);
	/* With a template filter, a header is shown only above something. */
	if (!d->odid_ok || d->cfg.tid >= 0 || d->cfg.exporter != NULL)
		d->pending = m;
	else
		ipfix_print_message(d->pr, m);
}

/* Show the held-back header before the first item shown under it. */
static void
show_pending(struct dump *d)
{
	if (d->pending != NULL) {
		ipfix_print_message(d->pr, d->pending);
		d->pending = NULL;
	}
}

static void
on_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct dump *d = arg;

	(void)offset;
	if (d->st != NULL)
		ipfix_stats_template(d->st, how);
	/* UDP exporters re-send templates all the time: show only changes. */
	if (!printing(d) || !d->odid_ok ||
	    (how == IPFIX_TADD_SAME && d->cli.verbosity < 1))
		return;
	if (d->cfg.tid < 0 || (uint16_t)d->cfg.tid == t->id) {
		show_pending(d);
		ipfix_print_template(d->pr, m, t);
	}
}

static void
on_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct dump *d = arg;

	(void)removed;
	(void)offset;
	if (printing(d) && d->odid_ok &&
	    (d->cfg.tid < 0 || (uint16_t)d->cfg.tid == tid)) {
		show_pending(d);
		ipfix_print_withdrawal(d->pr, m, set_id, tid);
	}
}

static void
report(struct dump *d, const struct ipfix_problem *p)
{
	if (p->severity >= IPFIX_SEV_WARN)
		d->violations++;
	if (p->severity == IPFIX_SEV_MALFORMED)
		d->lost_input++;
	if (d->st != NULL)
		ipfix_stats_problem(d->st, p);
	/* Notes are not violations: --validate lists them, a dump only
	 * with -v. */
	if (p->severity == IPFIX_SEV_NOTE && !d->cfg.validate &&
	    d->cli.verbosity < 1)
		return;
	if (!ipfix_problems_show(&d->probs, p))
		return;
	if (d->cfg.validate) {
		ipfix_print_problem(d->pr, d->path, p);
		return;
	}
	if (d->cli.verbosity < 0)
		return;
	cli_progress_done(&d->cli);
	if (p->offset == IPFIX_NO_OFFSET)
		cli_warnx(&d->cli, "%s: %s %s: %s", d->path,
		    ipfix_severity_name(p->severity), p->check != NULL ?
		    p->check : "-", p->reason);
	else
		cli_warnx(&d->cli, "%s: %s %s at offset %llu: %s", d->path,
		    ipfix_severity_name(p->severity), p->check != NULL ?
		    p->check : "-", (unsigned long long)p->offset, p->reason);
}

/* At the end of a file: how many of a check were not shown. */
static void
report_suppressed(void *arg, const char *check, uint64_t hidden)
{
	struct dump *d = arg;
	char text[160];

	snprintf(text, sizeof(text), "%s: %llu more %s problems not shown "
	    "(-v shows all)", d->path, (unsigned long long)hidden, check);
	if (d->cfg.validate)
		ipfix_print_note(d->pr, "suppressed", text);
	else if (d->cli.verbosity >= 0)
		cli_warnx(&d->cli, "%s", text);
}

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	report(arg, p);
}

/* The exporter of m's records (ipfix-recv output), NULL if not named;
 * false when --exporter leaves the record out. */
static bool
origin_of(struct dump *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r,
    const struct ipfix_origin **x)
{
	*x = NULL;
	if (d->org == NULL)
		return true;
	(void)ipfix_origins_record(d->org, m, t, r);
	*x = ipfix_origins_current(d->org, m);
	return d->cfg.exporter == NULL ||
	    (*x != NULL && ipfix_origin_match(*x, d->cfg.exporter));
}

static void
show_record(struct dump *d, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r,
    const struct ipfix_origin *x)
{
	show_pending(d);
	if (x != NULL && d->origin_shown != m->offset + 1) {
		d->origin_shown = m->offset + 1;
		ipfix_print_origin(d->pr, x);
	}
	ipfix_print_record(d->pr, m, t, r);
}

static void
on_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct dump *d = arg;
	const struct ipfix_origin *x;

	if (d->done || !origin_of(d, m, t, r, &x))
		return;
	if (d->st != NULL) {
		ipfix_stats_record(d->st, m, t, r);
		if (x != NULL)
			ipfix_stats_exporter(d->st, m, x->label);
	}
	if (!d->odid_ok || (d->cfg.tid >= 0 && (uint16_t)d->cfg.tid != t->id))
		return;
	if (printing(d))
		show_record(d, m, t, r, x);
	if (d->cfg.count != 0 && ++d->shown >= d->cfg.count)
		d->done = true;
}

static void
on_message_end(void *arg, const struct ipfix_msg_ctx *m)
{
	struct dump *d = arg;

	if (d->pending != NULL)
		ipfix_print_message_skip(d->pr);
	d->pending = NULL;
	if (d->st != NULL)
		ipfix_stats_message(d->st, m);
}

static const struct ipfix_decoder_ops dump_ops = {
	.on_message = on_message,
	.on_template = on_template,
	.on_withdrawal = on_withdrawal,
	.on_record = on_record,
	.on_problem = on_problem,
	.on_message_end = on_message_end,
};

/* Reading one input ------------------------------------------------------- */

static const char *
session_name(void *arg, uint32_t session)
{
	struct dump *d = arg;

	return ipfix_readsess_name(d->rd, session, d->sname, sizeof(d->sname));
}

/* A problem the reader stepped over, reported like a decoder problem. */
static void
reader_problem(struct dump *d, const struct ipfix_err *err)
{
	struct ipfix_problem p;

	ipfix_problem_from_reader(&p, err);
	if (strstr(p.reason, "NetFlow") != NULL)
		d->netflow_said = true;
	report(d, &p);
}

/* After a capture without IPFIX: name the NetFlow version when seen. */
static int
check_netflow(struct dump *d)
{
	uint64_t other, v5, v9;
	enum ipfix_input_format f = ipfix_reader_format(d->rd);

	if (d->msgs_in_file > 0 || (f != IPFIX_IN_PCAP && f != IPFIX_IN_PCAPNG))
		return 0;
	ipfix_reader_capture_counts(d->rd, &other, &v5, &v9);
	if (v5 == 0 && v9 == 0)
		return 0;
	if (d->netflow_said)
		return -1;
	cli_warnx(&d->cli, "%s: NetFlow v%d capture, not IPFIX (%llu NetFlow"
	    " packets); ipfix-dump reads IPFIX and NetFlow v9 only", d->path,
	    v9 >= v5 ? 9 : 5, (unsigned long long)(v9 >= v5 ? v9 : v5));
	return -1;
}

static void
progress(struct dump *d)
{
	uint64_t pos = ipfix_reader_position(d->rd);
	uint64_t size = ipfix_reader_size(d->rd);

	if (size > 0)
		cli_progress(&d->cli, "%s: %llu%%", d->path,
		    (unsigned long long)(pos * 100 / size));
	else
		cli_progress(&d->cli, "%s: %llu MB", d->path,
		    (unsigned long long)(pos >> 20));
}

/* Feed every message of the open reader; -1 on a fatal read error. */
static int
read_all(struct dump *d)
{
	struct ipfix_msg_meta meta;
	struct ipfix_err err;
	const uint8_t *msg;
	size_t len;
	int rc;

	while (!d->done) {
		ipfix_err_clear(&err);
		rc = ipfix_reader_next(d->rd, &msg, &len, &meta, &err);
		if (rc == 0)
			break;
		if (rc == -2) {
			cli_warn_err(&d->cli, d->path, &err);
			return -1;
		}
		if (rc == -1) {
			reader_problem(d, &err);
			continue;
		}
		(void)ipfix_decoder_feed(d->dec, msg, len, meta.session,
		    ipfix_readsess_kind(d->rd, meta.session), meta.offset,
		    &err);
		/* live input: show what came before waiting for more (a
		 * failed write stays in the printer, reported at its end) */
		if (!ipfix_reader_buffered(d->rd))
			(void)ipfix_printer_flush(d->pr);
		if (d->cli.progress && (d->msgs_in_file & 255) == 0)
			progress(d);
	}
	return 0;
}

static int
dump_file(struct dump *d, const char *path)
{
	struct ipfix_reader_options ro = { .port = d->cfg.port };
	struct ipfix_decoder_config dc;
	struct ipfix_err err;
	int rc = 0;

	d->path = path;
	d->msgs_in_file = 0;
	d->netflow_said = false;
	if ((d->rd = ipfix_reader_open(path, &ro, &err)) == NULL) {
		cli_warn_err(&d->cli, strstr(err.reason, path) != NULL ? NULL :
		    path, &err);
		return -1;
	}
	memset(&dc, 0, sizeof(dc));
	dc.max_list_depth = d->cfg.print.max_depth;
	dc.check_values = d->cfg.validate;
	dc.strict = d->cfg.strict;
	d->dec = ipfix_decoder_new(&dc, &dump_ops, d);
	d->org = ipfix_origins_new(ipfix_cert_subject);
	d->pr = ipfix_printer_new(stdout, &d->cfg.print, d->dec == NULL ? NULL :
	    ipfix_decoder_templates(d->dec), session_name, d);
	if (d->dec == NULL || d->pr == NULL || d->org == NULL ||
	    (d->st != NULL && ipfix_stats_begin(d->st, path) == -1)) {
		cli_warn(&d->cli, "%s", path);
		rc = -1;
	} else
		rc = read_all(d) == -1 || check_netflow(d) == -1 ? -1 : 0;
	cli_progress_done(&d->cli);
	if (d->pr != NULL)
		ipfix_problems_flush(&d->probs, report_suppressed, d);
	if (d->st != NULL)
		ipfix_stats_end(d->st, d->dec);
	if (ipfix_printer_free(d->pr) == -1) {
		cli_warn(&d->cli, "stdout");
		rc = -1;
	}
	d->pr = NULL;
	ipfix_origins_free(d->org);
	d->org = NULL;
	ipfix_decoder_free(d->dec);
	d->dec = NULL;
	ipfix_reader_close(d->rd);
	d->rd = NULL;
	return rc;
}

static int
finish(struct dump *d, int failed)
{
	if (d->st != NULL && ipfix_stats_write(d->st, stdout,
	    d->cfg.print.json) == -1) {
		cli_warn(&d->cli, "stdout");
		failed = 1;
	}
	if (d->cfg.validate && !d->cfg.print.json && d->cli.verbosity >= 0)
		printf("%llu problem%s found\n",
		    (unsigned long long)d->violations,
		    d->violations == 1 ? "" : "s");
	if (fflush(stdout) == EOF) {
		cli_warn(&d->cli, "stdout");
		failed = 1;
	}
	if (failed)
		return CLI_EXIT_FAIL;
	if (d->cfg.validate ? d->violations > 0 : d->lost_input > 0)
		return CLI_EXIT_FAIL;
	return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static char stdin_name[] = "-";
	static char *def[] = { stdin_name };
	struct dump d;
	char **files;
	int rc, i, nfiles, failed = 0;

	memset(&d, 0, sizeof(d));
	cli_init(&d.cli, argv[0]);
	d.cfg.odid = d.cfg.tid = -1;
	d.cfg.deflate = true;
	if ((rc = parse_args(&d, argc, argv)) >= 0)
		return rc;
	if (d.cli.verbosity > 0)
		d.cfg.print.offsets = true;
	if (d.cli.verbosity < 0)
		d.cli.progress = false;
	ipfix_problems_init(&d.probs, d.cli.verbosity > 0 ? 0 :
	    d.cfg.validate ? SHOW_VALIDATE : SHOW_WARN);
	files = optind < argc ? argv + optind : def;
	nfiles = optind < argc ? argc - optind : 1;
	if (d.cfg.stats &&
	    (d.st = ipfix_stats_new(d.cfg.deflate)) == NULL) {
		cli_warn(&d.cli, "statistics");
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < nfiles && !d.done; i++)
		failed |= dump_file(&d, files[i]) == -1;
	rc = finish(&d, failed);
	ipfix_stats_free(d.st);
	return rc;
}
