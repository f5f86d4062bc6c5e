#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const char *const errnames[] = {
	[IPFIX_OK] = "ok",
	[IPFIX_E_TRUNCATED] = "truncated",
	[IPFIX_E_VERSION] = "bad version",
	[IPFIX_E_LENGTH] = "bad length",
	[IPFIX_E_SET] = "bad set",
	[IPFIX_E_TEMPLATE] = "bad template",
	[IPFIX_E_NO_TEMPLATE] = "no template",
	[IPFIX_E_RECORD] = "bad record",
	[IPFIX_E_VALUE] = "bad value",
	[IPFIX_E_LIMIT] = "limit reached",
	[IPFIX_E_NOMEM] = "out of memory",
	[IPFIX_E_IO] = "i/o error",
	[IPFIX_E_FORMAT] = "unknown format",
	[IPFIX_E_USAGE] = "invalid argument",
	[IPFIX_E_NET] = "network error",
	[IPFIX_E_TLS] = "tls error",
};

const char *
ipfix_strerror(enum ipfix_errcode code)
{
	if ((size_t)code >= sizeof(errnames) / sizeof(errnames[0]))
		return "unknown error";
	return errnames[code];
}

void
ipfix_err_clear(struct ipfix_err *err)
{
	if (err == NULL)
		return;
	err->code = IPFIX_OK;
	err->offset = IPFIX_NO_OFFSET;
	err->check = NULL;
	err->reason[0] = '\0';
}

int
ipfix_err_set(struct ipfix_err *err, enum ipfix_errcode code, uint64_t offset,
    const char *check, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->offset = offset;
	err->check = check;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

int
ipfix_err_sys(struct ipfix_err *err, enum ipfix_errcode code,
    const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t n;

	if (err == NULL)
		return -1;
	err->code = code;
	err->offset = IPFIX_NO_OFFSET;
	err->check = NULL;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	n = strlen(err->reason);
	snprintf(err->reason + n, sizeof(err->reason) - n, ": %s",
	    strerror(saved));
	errno = saved;
	return -1;
}
