/*
 * cli: what every tool front end shares (support layer, used only by cmd/):
 * messages on stderr prefixed with the tool's name, ranged number parsing
 * (strtonum style), the exit codes of design.md §4, and a progress line on
 * stderr when it is a terminal. Nothing here exits: tools return the code.
 */
#ifndef IPFIX_CLI_H
#define IPFIX_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "err.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,	/* runtime failure, or problems found */
	CLI_EXIT_USAGE = 2,
};

struct cli {
	const char *prog;	/* "ipfix-dump" */
	int verbosity;		/* 0 normal, -1 quiet (-q), >0 -v count */
	bool progress;		/* stderr is a terminal and not quiet */
	int progress_opt;	/* 1 --progress, -1 --no-progress, 0 auto */
	int64_t progress_last_ms;
};

void cli_init(struct cli *c, const char *prog);

/* "prog: message" on stderr. cli_warn appends strerror(errno). */
void cli_warnx(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_warn(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Only at verbosity >= level. */
void cli_debug(const struct cli *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "prog: where: reason (at offset N, C15)" from a library error. */
void cli_warn_err(const struct cli *c, const char *where,
    const struct ipfix_err *err);

/*
 * Rate limit for log lines of one kind (a flood must not flood stderr):
 * at most CLI_RATE_BURST lines per CLI_RATE_WINDOW_MS, whatever -v asks.
 * cli_rate_ok says whether to print this one; *held is set to the lines
 * held back in the window that just ended (announce them), else 0.
 */
#define CLI_RATE_BURST		10
#define CLI_RATE_WINDOW_MS	10000
struct cli_rate {
	int64_t start_ms;
	unsigned shown;
	uint64_t held;
};
bool cli_rate_ok(struct cli_rate *r, int64_t now_ms, uint64_t *held);

/* Usage error, one line: "prog: message (try prog --help)"; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a decimal integer in [min, max] into *out; on failure prints
 * "prog: option: 'arg' is <why> (min..max)" and returns -1. */
int cli_parse_num(const struct cli *c, const char *option, const char *arg,
    long long min, long long max, long long *out);
/* Same for a non-negative decimal with optional fraction (1.5). */
int cli_parse_double(const struct cli *c, const char *option,
    const char *arg, double min, double max, double *out);

/* Progress on stderr at most every 200 ms while c->progress is set:
 * "prog: <text>" redrawn in place; cli_progress_done clears the line.
 * cli_progress_due tells whether the next cli_progress would print, so a
 * caller gathers its figures only then. */
void cli_progress(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool cli_progress_due(const struct cli *c);
void cli_progress_done(struct cli *c);
/* The monotonic clock in milliseconds (progress rates, elapsed times). */
int64_t cli_now_ms(void);

/* --progress and --no-progress, table rows a tool adds to its options;
 * cli_parse handles them: they force the line on (even when stderr is no
 * terminal, even with -q) or off. */
enum { CLI_OPT_PROGRESS = 0x1100, CLI_OPT_NO_PROGRESS };
#define CLI_PROGRESS_OPTS						\
	{ { "progress", no_argument, NULL, CLI_OPT_PROGRESS }, NULL,	\
	    "show progress on stderr even when it is not a terminal" },	\
	{ { "no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS },	\
	    NULL, "never show progress (default: only on a terminal)" }

/* --version text: "prog (ipfix-dtls) X.Y.Z" plus library versions. */
void cli_print_version(const struct cli *c);

/* Options: one table row per option gives getopt_long its entry and --help
 * its line, so the two cannot drift. A val below 256 is also the short
 * option; 'h' and 'V' are --help and --version. */
struct cli_opt {
	struct option o;
	const char *arg;	/* argument name for --help, or NULL */
	const char *help;
};

struct cli_spec {
	const char *synopsis;	/* after "usage: PROG ", up to the options */
	const char *footer;	/* after the options (signals, exit status) */
	const struct cli_opt *opts;
	size_t nopts;
	/* Apply one option (optarg is set): 0 to go on, or an exit code. */
	int (*option)(void *arg, int id);
};

/* Parse argv by spec. Returns -1 to go on (optind is at the first
 * operand), or the exit code: 0 after --help or --version, CLI_EXIT_USAGE
 * for an unknown option or a missing argument (one line on stderr), or
 * what spec->option returned. */
int cli_parse(struct cli *c, const struct cli_spec *spec, int argc,
    char **argv, void *arg);
void cli_usage(const struct cli *c, const struct cli_spec *spec);

/* -v, -q, -h and -V, the same in every tool; cli_parse handles -h, -V. */
#define CLI_STD_OPTS(verbose_help, quiet_help)				\
	{ { "verbose", no_argument, NULL, 'v' }, NULL, verbose_help },	\
	{ { "quiet", no_argument, NULL, 'q' }, NULL, quiet_help },	\
	{ { "help", no_argument, NULL, 'h' }, NULL,			\
	    "show this help and exit" },				\
	{ { "version", no_argument, NULL, 'V' }, NULL,			\
	    "show the version and exit" }

/* The security options every networked tool shares (design.md §4), as
 * table rows and a parser into struct ipfix_sec_config. */
enum {
	CLI_OPT_CERT = 0x1000, CLI_OPT_KEY, CLI_OPT_CA, CLI_OPT_PEER_NAME,
	CLI_OPT_PSK_ID, CLI_OPT_PSK_FILE, CLI_OPT_CIPHERS, CLI_OPT_KEYLOG,
	CLI_OPT_INSECURE, CLI_OPT_HS_TIMEOUT, CLI_OPT_DTLS_TIMER,
};
#define CLI_IS_SEC_OPT(id) ((id) >= CLI_OPT_CERT && (id) <= CLI_OPT_DTLS_TIMER)
#define CLI_MAX_PEER_NAMES 32

#define CLI_SEC_OPTS(cert_help, ca_help, peer_help, insecure_help)	\
	{ { "cert", required_argument, NULL, CLI_OPT_CERT }, "FILE",	\
	    cert_help },						\
	{ { "key", required_argument, NULL, CLI_OPT_KEY }, "FILE",	\
	    "PEM private key of --cert" },				\
	{ { "ca", required_argument, NULL, CLI_OPT_CA }, "FILE|DIR",	\
	    ca_help },							\
	{ { "peer-name", required_argument, NULL, CLI_OPT_PEER_NAME },	\
	    "NAME", peer_help },					\
	{ { "psk-identity", required_argument, NULL, CLI_OPT_PSK_ID },	\
	    "ID", "pre-shared key identity" },				\
	{ { "psk-file", required_argument, NULL, CLI_OPT_PSK_FILE },	\
	    "FILE", "pre-shared key (hex or raw)" },			\
	{ { "ciphers", required_argument, NULL, CLI_OPT_CIPHERS },	\
	    "LIST", "OpenSSL cipher list / TLS 1.3 suites" },		\
	{ { "keylog", required_argument, NULL, CLI_OPT_KEYLOG }, "FILE",\
	    "NSS key log (default: $SSLKEYLOGFILE)" },			\
	{ { "insecure", no_argument, NULL, CLI_OPT_INSECURE }, NULL,	\
	    insecure_help },						\
	{ { "handshake-timeout", required_argument, NULL,		\
	    CLI_OPT_HS_TIMEOUT }, "SECONDS",				\
	    "bound on a (D)TLS handshake (default 10)" },		\
	{ { "dtls-timer", required_argument, NULL, CLI_OPT_DTLS_TIMER },\
	    "SECONDS", "first DTLS retransmission timeout, doubled up to "\
	    "60 s (default 1)" }

struct cli_sec {
	struct ipfix_sec_config cfg;
	const char *peer_names[CLI_MAX_PEER_NAMES + 1];
	size_t npeer_names;
	bool given;		/* any option except --peer-name was given */
};

/* Apply security option id with optarg: 0, or CLI_EXIT_USAGE after a
 * one-line message. */
int cli_sec_option(const struct cli *c, struct cli_sec *s, int id,
    const char *arg);

#endif
