/*
 * probe_print: the report of a client run, as "label: value" lines for
 * people and grep, or as one JSON object for scripts (same facts, the
 * escaping of outbuf).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "probe_int.h"

/* --- text ----------------------------------------------------------------- */

void
ipfix_probe_line(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-15s ", label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

static const char *
exit_text(int code)
{
	switch (code) {
	case PROBE_EXIT_OK: return "every check passed";
	case PROBE_EXIT_HANDSHAKE: return "handshake failed";
	case PROBE_EXIT_USAGE: return "usage";
	case PROBE_EXIT_AUTH: return "authentication failed";
	case PROBE_EXIT_UNREACH: return "unreachable or timed out";
	}
	return "a requested check failed";
}

static void
text_hs(FILE *f, const struct ipfix_probe_hs *h, bool dtls)
{
	size_t i;
	char lab[32];

	if (h->ok)
		ipfix_probe_line(f, "handshake:", "ok in %.1f ms, %zu flights", h->ms,
		    h->nflights);
	else
		ipfix_probe_line(f, "handshake:", "failed after %.1f ms: %s", h->ms,
		    h->reason);
	if (h->hvr)
		ipfix_probe_line(f, "cookie:", "HelloVerifyRequest after %.1f ms",
		    h->cookie_ms);
	else if (h->nrecv > 0 && dtls)
		ipfix_probe_line(f, "cookie:", "none asked");
	ipfix_probe_line(f, "retransmitted:", "%u", h->retrans);
	for (i = 0; i < h->nflights; i++) {
		snprintf(lab, sizeof(lab), "flight %zu:", i + 1);
		ipfix_probe_line(f, lab, "%s %8.1f ms  %s", h->flights[i].sent ? "->" :
		    "<-", h->flights[i].at_ms, h->flights[i].msgs);
	}
}

void
ipfix_probe_text_cert(FILE *f, const char *lab,
    const struct ipfix_cert_info *c)
{
	ipfix_probe_line(f, lab, "subject=%s", c->subject);
	ipfix_probe_line(f, "", "issuer=%s", c->issuer);
	ipfix_probe_line(f, "", "SAN=%s", c->sans);
	ipfix_probe_line(f, "", "notBefore=%s", c->not_before);
	ipfix_probe_line(f, "", "notAfter=%s", c->not_after);
	ipfix_probe_line(f, "", "key=%s %d bits", c->key_type, c->key_bits);
	ipfix_probe_line(f, "", "SHA-256=%s", c->sha256);
}

static void
text_info(FILE *f, const struct ipfix_probe_result *r)
{
	const struct ipfix_tls_info *in = &r->info;
	char lab[40];
	size_t i;

	ipfix_probe_line(f, "version:", "%s", in->version);
	ipfix_probe_line(f, "cipher:", "%s", in->cipher);
	ipfix_probe_line(f, "group:", "%s", in->group[0] != '\0' ? in->group : "none");
	ipfix_probe_line(f, "resumed:", "%s", yesno(in->resumed));
	for (i = 0; i < in->nchain; i++) {
		snprintf(lab, sizeof(lab), "certificate %zu:", i);
		ipfix_probe_text_cert(f, lab, &in->chain[i]);
	}
	ipfix_probe_line(f, "verify:", "%s (%ld)", in->verify_text, in->verify_code);
	ipfix_probe_line(f, "name:", "%s", r->name_check);
	ipfix_probe_line(f, "cert asked:", "%s%s%s%s", yesno(in->cert_asked),
	    in->cert_asked ? " (CAs named: " : "", in->cert_asked ?
	    (in->ca_names[0] != '\0' ? in->ca_names : "none") : "",
	    in->cert_asked ? ")" : "");
	if (in->data_mtu > 0)
		ipfix_probe_line(f, "data MTU:", "%zu", in->data_mtu);
	ipfix_probe_line(f, "secure reneg:", "%s", strncmp(in->version, "TLSv1.3", 7) ==
	    0 ? "n/a (TLS 1.3)" : yesno(in->secure_reneg));
}

static const char *
check_text(enum ipfix_probe_check c)
{
	switch (c) {
	case PROBE_PASS: return "pass";
	case PROBE_FAIL: return "FAIL";
	case PROBE_NA: return "n/a";
	case PROBE_NOT_ASKED: break;
	}
	return "not asked";
}

static void
text_checks(FILE *f, const struct ipfix_probe_result *r)
{
	if (r->resume != PROBE_NOT_ASKED)
		ipfix_probe_line(f, "resume:", "%s: %s (first %.1f ms, resumed %.1f ms)",
		    check_text(r->resume), r->resume_how, r->full_ms,
		    r->resumed_ms);
	if (r->reneg != PROBE_NOT_ASKED)
		ipfix_probe_line(f, "renegotiate:", "%s: %s (%.1f ms)",
		    check_text(r->reneg), r->reneg_how, r->reneg_ms);
	if (r->session != PROBE_NOT_ASKED)
		ipfix_probe_line(f, "session:", "%s: %s", check_text(r->session),
		    r->session_how);
	if (r->send != PROBE_NOT_ASKED)
		ipfix_probe_line(f, "send:", "%s: %s", check_text(r->send),
		    r->send_how);
	if (r->count > 0)
		ipfix_probe_line(f, "count:", "%s: %u handshakes, %u failed, min %.1f ms, "
		    "median %.1f ms, max %.1f ms", r->count_ok == r->count ?
		    "pass" : "FAIL", r->count, r->count - r->count_ok,
		    r->min_ms, r->median_ms, r->max_ms);
}

static void
report_text(FILE *f, const struct ipfix_probe_result *r)
{
	ipfix_probe_line(f, "target:", "%s", r->target);
	if (r->exit == PROBE_EXIT_USAGE) {
		ipfix_probe_line(f, "error:", "%s", r->first.reason);
	} else {
		if (r->peer[0] != '\0')
			ipfix_probe_line(f, "peer:", "%s", r->peer);
		ipfix_probe_line(f, "reachable:", "%s", r->reach);
		text_hs(f, &r->first, strncmp(r->target, "dtls", 4) == 0);
		if (r->have_info)
			text_info(f, r);
		text_checks(f, r);
	}
	ipfix_probe_line(f, "result:", "exit %d (%s)", r->exit, exit_text(r->exit));
}

/* --- JSON ------------------------------------------------------------------- */

void
ipfix_jw_key(struct ipfix_jw *j, const char *k)
{
	if (j->comma)
		ipfix_ob_putc(&j->ob, ',');
	ipfix_ob_json_lit(&j->ob, k);
	ipfix_ob_putc(&j->ob, ':');
	j->comma = true;
}

void
ipfix_jw_str(struct ipfix_jw *j, const char *k, const char *v)
{
	ipfix_jw_key(j, k);
	ipfix_ob_putc(&j->ob, '"');
	ipfix_ob_str_json(&j->ob, (const uint8_t *)v, strlen(v));
	ipfix_ob_putc(&j->ob, '"');
}

void
ipfix_jw_num(struct ipfix_jw *j, const char *k, double v)
{
	ipfix_jw_key(j, k);
	ipfix_ob_double(&j->ob, (double)(long long)(v * 1000.0 + 0.5) / 1000.0,
	    false);
}

void
ipfix_jw_int(struct ipfix_jw *j, const char *k, long long v)
{
	ipfix_jw_key(j, k);
	ipfix_ob_i64(&j->ob, v);
}

void
ipfix_jw_bool(struct ipfix_jw *j, const char *k, bool v)
{
	ipfix_jw_key(j, k);
	ipfix_ob_puts(&j->ob, v ? "true" : "false");
}

void
ipfix_jw_open(struct ipfix_jw *j, const char *k, char ch)
{
	if (k != NULL)
		ipfix_jw_key(j, k);
	else if (j->comma)
		ipfix_ob_putc(&j->ob, ',');
	ipfix_ob_putc(&j->ob, ch);
	j->comma = false;
}

void
ipfix_jw_close(struct ipfix_jw *j, char ch)
{
	ipfix_ob_putc(&j->ob, ch);
	j->comma = true;
}

static void
json_hs(struct ipfix_jw *j, const struct ipfix_probe_hs *h)
{
	size_t i;

	ipfix_jw_open(j, "handshake", '{');
	ipfix_jw_bool(j, "ok", h->ok);
	ipfix_jw_num(j, "ms", h->ms);
	ipfix_jw_bool(j, "hello_verify_request", h->hvr);
	if (h->hvr)
		ipfix_jw_num(j, "cookie_ms", h->cookie_ms);
	ipfix_jw_int(j, "retransmissions", h->retrans);
	ipfix_jw_open(j, "flights", '[');
	for (i = 0; i < h->nflights; i++) {
		ipfix_jw_open(j, NULL, '{');
		ipfix_jw_str(j, "dir", h->flights[i].sent ? "sent" : "received");
		ipfix_jw_num(j, "at_ms", h->flights[i].at_ms);
		ipfix_jw_str(j, "messages", h->flights[i].msgs);
		ipfix_jw_close(j, '}');
	}
	ipfix_jw_close(j, ']');
	if (!h->ok)
		ipfix_jw_str(j, "error", h->reason);
	ipfix_jw_close(j, '}');
}

void
ipfix_jw_cert(struct ipfix_jw *j, const struct ipfix_cert_info *c)
{
	ipfix_jw_open(j, NULL, '{');
	ipfix_jw_str(j, "subject", c->subject);
	ipfix_jw_str(j, "issuer", c->issuer);
	ipfix_jw_str(j, "sans", c->sans);
	ipfix_jw_str(j, "not_before", c->not_before);
	ipfix_jw_str(j, "not_after", c->not_after);
	ipfix_jw_str(j, "key_type", c->key_type);
	ipfix_jw_int(j, "key_bits", c->key_bits);
	ipfix_jw_str(j, "sha256", c->sha256);
	ipfix_jw_close(j, '}');
}

static void
json_info(struct ipfix_jw *j, const struct ipfix_probe_result *r)
{
	const struct ipfix_tls_info *in = &r->info;
	size_t i;

	ipfix_jw_str(j, "version", in->version);
	ipfix_jw_str(j, "cipher", in->cipher);
	ipfix_jw_str(j, "group", in->group);
	ipfix_jw_bool(j, "resumed", in->resumed);
	ipfix_jw_open(j, "chain", '[');
	for (i = 0; i < in->nchain; i++)
		ipfix_jw_cert(j, &in->chain[i]);
	ipfix_jw_close(j, ']');
	ipfix_jw_open(j, "verify", '{');
	ipfix_jw_int(j, "code", in->verify_code);
	ipfix_jw_str(j, "text", in->verify_text);
	ipfix_jw_close(j, '}');
	ipfix_jw_str(j, "name_check", r->name_check);
	ipfix_jw_bool(j, "certificate_requested", in->cert_asked);
	ipfix_jw_str(j, "ca_names", in->ca_names);
	ipfix_jw_int(j, "data_mtu", (long long)in->data_mtu);
	ipfix_jw_bool(j, "secure_renegotiation", in->secure_reneg);
}

static void
json_check(struct ipfix_jw *j, const char *k, enum ipfix_probe_check c,
    const char *how, double ms, double first_ms)
{
	ipfix_jw_open(j, k, '{');
	ipfix_jw_str(j, "result", c == PROBE_FAIL ? "fail" : check_text(c));
	if (c != PROBE_NOT_ASKED) {
		ipfix_jw_str(j, "detail", how);
		if (ms >= 0)
			ipfix_jw_num(j, "ms", ms);
		if (first_ms >= 0)
			ipfix_jw_num(j, "first_ms", first_ms);
	}
	ipfix_jw_close(j, '}');
}

static void
json_checks(struct ipfix_jw *j, const struct ipfix_probe_result *r)
{
	json_check(j, "resume", r->resume, r->resume_how, r->resumed_ms,
	    r->full_ms);
	json_check(j, "renegotiate", r->reneg, r->reneg_how, r->reneg_ms, -1);
	json_check(j, "session", r->session, r->session_how, -1, -1);
	json_check(j, "send", r->send, r->send_how, -1, -1);
	if (r->send != PROBE_NOT_ASKED) {
		ipfix_jw_open(j, "sent", '{');
		ipfix_jw_int(j, "messages", (long long)r->sent_msgs);
		ipfix_jw_int(j, "records", (long long)r->sent_records);
		ipfix_jw_int(j, "bytes", (long long)r->sent_bytes);
		ipfix_jw_int(j, "records_not_sent",
		    (long long)r->unsent_records);
		ipfix_jw_close(j, '}');
	}
	ipfix_jw_open(j, "count", '{');
	ipfix_jw_int(j, "handshakes", r->count);
	ipfix_jw_int(j, "failed", (long long)r->count - r->count_ok);
	if (r->count_ok > 0) {
		ipfix_jw_num(j, "min_ms", r->min_ms);
		ipfix_jw_num(j, "median_ms", r->median_ms);
		ipfix_jw_num(j, "max_ms", r->max_ms);
	}
	ipfix_jw_close(j, '}');
}

static int
report_json(FILE *f, const struct ipfix_probe_result *r)
{
	struct ipfix_jw j = { .comma = false };

	if (ipfix_ob_init(&j.ob, f) == -1)
		return -1;
	ipfix_jw_open(&j, NULL, '{');
	ipfix_jw_str(&j, "target", r->target);
	ipfix_jw_str(&j, "peer", r->peer);
	ipfix_jw_bool(&j, "reachable", strcmp(r->reach, "yes") == 0);
	if (r->exit == PROBE_EXIT_USAGE)
		ipfix_jw_str(&j, "error", r->first.reason);
	else
		json_hs(&j, &r->first);
	if (r->have_info)
		json_info(&j, r);
	json_checks(&j, r);
	ipfix_jw_int(&j, "exit", r->exit);
	ipfix_jw_str(&j, "result", exit_text(r->exit));
	ipfix_jw_close(&j, '}');
	ipfix_ob_putc(&j.ob, '\n');
	return ipfix_ob_fini(&j.ob);
}

int
ipfix_probe_report(FILE *out, const struct ipfix_probe_result *r, bool json)
{
	if (json)
		return report_json(out, r);
	report_text(out, r);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
