#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/opensslv.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "cli.h"

#ifndef IPFIX_VERSION_STRING
#define IPFIX_VERSION_STRING "unknown"
#endif

void
cli_init(struct cli *c, const char *prog)
{
	const char *slash = strrchr(prog, '/');

	c->prog = slash != NULL ? slash + 1 : prog;
	c->verbosity = 0;
	c->progress = isatty(STDERR_FILENO) == 1;
	c->progress_opt = 0;
	c->progress_last_ms = 0;
}

/* A message starts on a clean line: a progress line shown is wiped first
 * (the next cli_progress draws it again below the message). */
static void
clear_progress(const struct cli *c)
{
	if (c->progress && c->progress_last_ms != 0)
		fputs("\r\033[K", stderr);
}

static void
vwarn(const struct cli *c, const char *suffix, const char *fmt, va_list ap)
{
	clear_progress(c);
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

void
cli_warnx(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(c, NULL, fmt, ap);
	va_end(ap);
}

void
cli_warn(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	const char *why = strerror(errno);

	va_start(ap, fmt);
	vwarn(c, why, fmt, ap);
	va_end(ap);
}

void
cli_debug(const struct cli *c, int level, const char *fmt, ...)
{
	va_list ap;

	if (c->verbosity < level)
		return;
	va_start(ap, fmt);
	vwarn(c, NULL, fmt, ap);
	va_end(ap);
}

bool
cli_rate_ok(struct cli_rate *r, int64_t now_ms, uint64_t *held)
{
	*held = 0;
	if (r->start_ms == 0 || now_ms - r->start_ms >= CLI_RATE_WINDOW_MS) {
		*held = r->held;
		r->start_ms = now_ms;
		r->shown = 0;
		r->held = 0;
	}
	if (r->shown < CLI_RATE_BURST) {
		r->shown++;
		return true;
	}
	r->held++;
	return false;
}

void
cli_warn_err(const struct cli *c, const char *where,
    const struct ipfix_err *err)
{
	char at[64] = "";

	if (err->offset != IPFIX_NO_OFFSET && err->check != NULL)
		snprintf(at, sizeof(at), " (offset %llu, %s)",
		    (unsigned long long)err->offset, err->check);
	else if (err->offset != IPFIX_NO_OFFSET)
		snprintf(at, sizeof(at), " (offset %llu)",
		    (unsigned long long)err->offset);
	else if (err->check != NULL)
		snprintf(at, sizeof(at), " (%s)", err->check);
	clear_progress(c);
	fprintf(stderr, "%s: %s%s%s%s\n", c->prog, where != NULL ? where : "",
	    where != NULL ? ": " : "",
	    err->reason[0] != '\0' ? err->reason : ipfix_strerror(err->code),
	    at);
}

int
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try %s --help)\n", c->prog);
	return CLI_EXIT_USAGE;
}

int
cli_parse_num(const struct cli *c, const char *option, const char *arg,
    long long min, long long max, long long *out)
{
	char *end;
	long long v;
	const char *why = NULL;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0')
		why = "not a number";
	else if (errno == ERANGE || v < min || v > max)
		why = "out of range";
	if (why != NULL) {
		cli_warnx(c, "%s: '%s' is %s (%lld..%lld)", option, arg, why,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_parse_double(const struct cli *c, const char *option, const char *arg,
    double min, double max, double *out)
{
	char *end;
	double v;
	const char *why = NULL;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0')
		why = "not a number";
	else if (errno == ERANGE || !(v >= min && v <= max))
		why = "out of range";
	if (why != NULL) {
		cli_warnx(c, "%s: '%s' is %s (%g..%g)", option, arg, why, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

int64_t
cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
cli_progress_due(const struct cli *c)
{
	if (!c->progress || (c->verbosity < 0 && c->progress_opt <= 0))
		return false;
	return cli_now_ms() - c->progress_last_ms >= 200;
}

void
cli_progress(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (!cli_progress_due(c))
		return;
	c->progress_last_ms = cli_now_ms();
	fprintf(stderr, "\r%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
}

void
cli_progress_done(struct cli *c)
{
	if (c->progress && c->progress_last_ms != 0)
		fputs("\r\033[K", stderr);
	c->progress_last_ms = 0;
}

void
cli_print_version(const struct cli *c)
{
	printf("%s (ipfix-dtls) %s\n", c->prog, IPFIX_VERSION_STRING);
	printf("built with %s, %s, zlib %s\n", OPENSSL_VERSION_TEXT,
	    pcap_lib_version(), ZLIB_VERSION);
}

/* Help text wrapped to 79 columns after a 26-column option name. */
static void
usage_line(const char *left, const char *help)
{
	int col = printf("  %-24s", left), n;
	const char *sp;

	while (*help != '\0') {
		sp = strchr(help, ' ');
		n = sp != NULL ? (int)(sp - help) : (int)strlen(help);
		if (col + 1 + n > 79 && col > 26)
			col = printf("\n%26s", "") - 1;
		col += printf(" %.*s", n, help);
		help += n;
		while (*help == ' ')
			help++;
	}
	putchar('\n');
}

void
cli_usage(const struct cli *c, const struct cli_spec *spec)
{
	const struct cli_opt *t;
	char left[48];
	bool sh;
	size_t i;

	printf("usage: %s %s\n", c->prog, spec->synopsis);
	for (i = 0; i < spec->nopts; i++) {
		t = &spec->opts[i];
		sh = t->o.val < 256;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", sh ? "-" : " ",
		    sh ? t->o.val : ' ', sh ? ", " : "  ", t->o.name,
		    t->arg != NULL && t->o.has_arg == required_argument ?
		    " " : "", t->arg != NULL ? t->arg : "");
		usage_line(left, t->help);
	}
	if (spec->footer != NULL)
		printf("\n%s", spec->footer);
}

/* getopt_long's arrays from the table; lo has nopts + 1 rows. */
static void
getopt_arrays(const struct cli_spec *spec, struct option *lo, char *so)
{
	size_t i;

	*so++ = ':';		/* ':' for a missing argument, not '?' */
	for (i = 0; i < spec->nopts; i++) {
		lo[i] = spec->opts[i].o;
		if (lo[i].val >= 256)
			continue;
		*so++ = (char)lo[i].val;
		if (lo[i].has_arg != no_argument)
			*so++ = ':';
		if (lo[i].has_arg == optional_argument)
			*so++ = ':';
	}
	*so = '\0';
	memset(&lo[spec->nopts], 0, sizeof(lo[0]));
}

int
cli_parse(struct cli *c, const struct cli_spec *spec, int argc, char **argv,
    void *arg)
{
	struct option *lo;
	char *so;
	int ch, rc = -1;

	lo = calloc(spec->nopts + 1, sizeof(*lo));
	so = malloc(3 * spec->nopts + 2);
	if (lo == NULL || so == NULL) {
		cli_warn(c, "options");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	getopt_arrays(spec, lo, so);
	opterr = 0;
	while (rc == -1 && (ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == 'h')
			cli_usage(c, spec), rc = CLI_EXIT_OK;
		else if (ch == 'V')
			cli_print_version(c), rc = CLI_EXIT_OK;
		else if (ch == ':')
			rc = cli_usage_error(c, "missing argument for '%s'",
			    argv[optind - 1]);
		else if (ch == '?' && optopt != 0 && optopt < 256)
			rc = cli_usage_error(c, "unknown option '-%c'", optopt);
		else if (ch == '?')
			rc = cli_usage_error(c, "unknown option '%s'",
			    argv[optind - 1]);
		else if (ch == CLI_OPT_PROGRESS || ch == CLI_OPT_NO_PROGRESS)
			c->progress_opt = ch == CLI_OPT_PROGRESS ? 1 : -1;
		else if ((rc = spec->option(arg, ch)) == 0)
			rc = -1;
	}
	if (c->progress_opt != 0)
		c->progress = c->progress_opt > 0;
out:
	free(lo);
	free(so);
	return rc;
}

int
cli_sec_option(const struct cli *c, struct cli_sec *s, int id,
    const char *arg)
{
	struct ipfix_sec_config *k = &s->cfg;
	double sec;

	s->given |= id != CLI_OPT_PEER_NAME;
	switch (id) {
	case CLI_OPT_CERT: k->cert = arg; break;
	case CLI_OPT_KEY: k->key = arg; break;
	case CLI_OPT_CA: k->ca = arg; break;
	case CLI_OPT_PSK_ID: k->psk_identity = arg; break;
	case CLI_OPT_PSK_FILE: k->psk_file = arg; break;
	case CLI_OPT_CIPHERS: k->ciphers = arg; break;
	case CLI_OPT_KEYLOG: k->keylog = arg; break;
	case CLI_OPT_INSECURE: k->insecure = true; break;
	case CLI_OPT_HS_TIMEOUT:
		if (cli_parse_double(c, "--handshake-timeout", arg, 0.001,
		    3600, &sec) == -1)
			return CLI_EXIT_USAGE;
		k->handshake_timeout_ms = (unsigned)(sec * 1000.0 + 0.5);
		break;
	case CLI_OPT_DTLS_TIMER:
		if (cli_parse_double(c, "--dtls-timer", arg, 0.01, 60,
		    &sec) == -1)
			return CLI_EXIT_USAGE;
		k->dtls_timer_ms = (unsigned)(sec * 1000.0 + 0.5);
		break;
	case CLI_OPT_PEER_NAME:
		if (s->npeer_names >= CLI_MAX_PEER_NAMES)
			return cli_usage_error(c, "--peer-name: at most %d "
			    "names", CLI_MAX_PEER_NAMES);
		s->peer_names[s->npeer_names++] = arg;
		k->peer_names = s->peer_names;
		break;
	}
	return 0;
}
