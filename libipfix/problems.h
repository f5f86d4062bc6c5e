/*
 * problems: what a tool does with the problems a decoder or a stream
 * reader reports (layer 2, over decode): count them per checklist id and
 * show only the first few of each, so a lossy UDP capture does not print
 * one line per message (ipfixDump's flood), then say how many were held
 * back; and turn a reader error into a problem like the decoder's.
 */
#ifndef IPFIX_PROBLEMS_H
#define IPFIX_PROBLEMS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "err.h"

#define IPFIX_PROBLEMS_IDS 32	/* ids counted; problems of further ids
				   are always shown */

/* Counters of one scope (a file, a session); the caller owns it. */
struct ipfix_problems {
	uint64_t limit;		/* shown per id; 0: all (still counted) */
	size_t nids;
	struct {
		char check[8];	/* "C15", or "-" for a problem without one */
		uint64_t count;
	} ids[IPFIX_PROBLEMS_IDS];
};

void ipfix_problems_init(struct ipfix_problems *ps, uint64_t limit);

/* Count p under its checklist id. True while p is to be shown: one of
 * the first 'limit' of its id, or limit 0, or an id past the table. */
bool ipfix_problems_show(struct ipfix_problems *ps,
    const struct ipfix_problem *p);

/* Call fn(arg, check, hidden) for every id that had problems held back,
 * in the order the ids were first seen, then forget all counts. */
void ipfix_problems_flush(struct ipfix_problems *ps,
    void (*fn)(void *arg, const char *check, uint64_t hidden), void *arg);

/*
 * The problem a stream reader's error stands for: input that was stepped
 * over (IPFIX_SEV_MALFORMED), with the error's code, check, offset and
 * reason (or the code's text); a message cut by the end of the input
 * (IPFIX_E_TRUNCATED without a check) is C03. Session and ODID are 0.
 */
void ipfix_problem_from_reader(struct ipfix_problem *p,
    const struct ipfix_err *err);

#endif
