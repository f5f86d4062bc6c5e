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
	c->progress_last_ms = 0;
}

static void
vwarn(const struct cli *c, const char *suffix, const char *fmt, va_list ap)
{
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
	fprintf(stderr, "%s: %s%s%s%s\n", c->prog, where != NULL ? where : "",
	    where != NULL ? ": " : "",
	    err->reason[0] != '\0' ? err->reason : ipfix_strerror(err->code),
	    at);
}

int
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(c, NULL, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", c->prog);
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

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
cli_progress(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	int64_t t;

	if (!c->progress || c->verbosity < 0)
		return;
	t = now_ms();
	if (t - c->progress_last_ms < 200)
		return;
	c->progress_last_ms = t;
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
