/*
 * cli: what every tool front end shares (support layer, used only by cmd/):
 * messages on stderr prefixed with the tool's name, ranged number parsing
 * (strtonum style), the exit codes of design.md §4, and a progress line on
 * stderr when it is a terminal. Nothing here exits: tools return the code.
 */
#ifndef IPFIX_CLI_H
#define IPFIX_CLI_H

#include <stdbool.h>
#include <stdint.h>

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

/* Usage error: "prog: message" plus "Try 'prog --help'."; returns
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
 * "prog: <text>" redrawn in place; cli_progress_done clears the line. */
void cli_progress(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_progress_done(struct cli *c);

/* --version text: "prog (ipfix-dtls) X.Y.Z" plus library versions. */
void cli_print_version(const struct cli *c);

#endif
