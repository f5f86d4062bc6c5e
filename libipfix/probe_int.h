/*
 * probe_int: what the probe modules share (private to probe*.c): the
 * report's "label: value" lines, a certificate's lines, and the small
 * JSON writer over outbuf that both modes' reports use.
 */
#ifndef IPFIX_PROBE_INT_H
#define IPFIX_PROBE_INT_H

#include "outbuf.h"
#include "probe.h"

void ipfix_probe_line(FILE *f, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ipfix_probe_text_cert(FILE *f, const char *label,
    const struct ipfix_cert_info *c);

struct ipfix_jw {
	struct ipfix_ob ob;
	bool comma;
};

void ipfix_jw_key(struct ipfix_jw *j, const char *k);
void ipfix_jw_str(struct ipfix_jw *j, const char *k, const char *v);
void ipfix_jw_num(struct ipfix_jw *j, const char *k, double v);
void ipfix_jw_int(struct ipfix_jw *j, const char *k, long long v);
void ipfix_jw_bool(struct ipfix_jw *j, const char *k, bool v);
/* k NULL: an array element. */
void ipfix_jw_open(struct ipfix_jw *j, const char *k, char ch);
void ipfix_jw_close(struct ipfix_jw *j, char ch);
void ipfix_jw_cert(struct ipfix_jw *j, const struct ipfix_cert_info *c);

/* probe_send.c: --send, after the handshake checks. */
void ipfix_probe_send(const struct ipfix_probe_config *cfg,
    struct ipfix_sec_ctx *sec, uint64_t deadline_ms,
    struct ipfix_probe_result *r);

#endif
