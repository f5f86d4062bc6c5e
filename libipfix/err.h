/*
 * err: the error value every libipfix call fills instead of printing.
 * Layer 0 (used by all modules). The library never prints and never exits;
 * a failed call returns -1 (or NULL) and describes the problem here: a code,
 * the byte offset where it was found, the conformance checklist item it
 * violates (standards.md §20, e.g. "C15") when there is one, and a reason.
 */
#ifndef IPFIX_ERR_H
#define IPFIX_ERR_H

#include <stddef.h>
#include <stdint.h>

enum ipfix_errcode {
	IPFIX_OK = 0,
	IPFIX_E_TRUNCATED,	/* input ends inside a header or record */
	IPFIX_E_VERSION,	/* message version is not 10 */
	IPFIX_E_LENGTH,		/* a length field disagrees with the data */
	IPFIX_E_SET,		/* bad set header or set id */
	IPFIX_E_TEMPLATE,	/* malformed template or options template */
	IPFIX_E_NO_TEMPLATE,	/* data set whose template is unknown */
	IPFIX_E_RECORD,		/* data record does not match its template */
	IPFIX_E_VALUE,		/* a value that its type does not allow */
	IPFIX_E_LIMIT,		/* a configured limit was reached */
	IPFIX_E_NOMEM,
	IPFIX_E_IO,		/* read/write/open failure (errno in reason) */
	IPFIX_E_FORMAT,		/* input is not an IPFIX stream or capture */
	IPFIX_E_USAGE,		/* caller passed an invalid argument */
	IPFIX_E_NET,		/* network/transport failure */
	IPFIX_E_TLS,		/* (D)TLS failure */
};

#define IPFIX_REASON_MAX 192

struct ipfix_err {
	enum ipfix_errcode code;
	uint64_t offset;	/* byte offset in the input, or UINT64_MAX */
	const char *check;	/* checklist id ("C15") or NULL */
	char reason[IPFIX_REASON_MAX];
};

#define IPFIX_NO_OFFSET UINT64_MAX

/* Fill err (which may be NULL) and return -1, so callers can write
 * "return ipfix_err_set(...)". */
int ipfix_err_set(struct ipfix_err *err, enum ipfix_errcode code,
    uint64_t offset, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Same, with strerror(errno) appended to the reason. */
int ipfix_err_sys(struct ipfix_err *err, enum ipfix_errcode code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void ipfix_err_clear(struct ipfix_err *err);

/* A short constant name for a code ("truncated", "bad version", ...). */
const char *ipfix_strerror(enum ipfix_errcode code);

#endif
