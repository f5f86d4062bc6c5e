/*
 * print: text and JSON rendering of decoded messages, templates and records
 * (layer 1), driven from decode callbacks. Output goes to a caller-owned
 * FILE through an internal buffer with hand-written number formatting, since
 * formatting dominates a dump's cost. Values are typed as RFC 7012 says;
 * strings are UTF-8 with invalid bytes escaped (C34); unknown elements are
 * labelled "PEN/ID" (or "ID") and shown as hex octets (C39); RFC 6313 lists
 * are rendered nested, resolving sub-templates through the template store.
 */
#ifndef IPFIX_PRINT_H
#define IPFIX_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "decode.h"
#include "origin.h"
#include "template.h"

struct ipfix_print_options {
	bool json;		/* NDJSON, one object per record */
	bool json_messages;	/* JSON: also one object per message */
	bool json_templates;	/* JSON: also one object per template */
	bool offsets;		/* show byte offsets */
	unsigned max_depth;	/* list nesting bound (0 = 8) */
};

struct ipfix_printer;

/* 'templates' resolves sub-templates of lists; it must outlive the printer.
 * session_name, if set, labels a session id ("udp 10.0.0.1:5000 ->
 * 10.0.0.2:4739") in output; it returns NULL for "no name". */
struct ipfix_printer *ipfix_printer_new(FILE *out,
    const struct ipfix_print_options *opt, const struct ipfix_tstore *templates,
    const char *(*session_name)(void *, uint32_t), void *session_arg);
/* Flushes and frees. Returns 0, or -1 if writing failed (errno set). */
int ipfix_printer_free(struct ipfix_printer *p);

void ipfix_print_message(struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m);
/* Count a message without showing it (filtered out), so the numbers of
 * the messages shown stay their positions in the input. */
void ipfix_print_message_skip(struct ipfix_printer *p);
void ipfix_print_template(struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t);
void ipfix_print_withdrawal(struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m, uint16_t set_id, uint16_t tid);
void ipfix_print_record(struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r);
/* The exporter of the records that follow (a collector's output, origin.h;
 * x must stay valid until the next call), NULL for none: JSON records
 * carry "exporter":{"address","port","transport","identity"}, text gets
 * an "exporter:" line now. */
void ipfix_print_origin(struct ipfix_printer *p, const struct ipfix_origin *x);
/* Free-form line (text) or {"type":"note",...} object (JSON). */
void ipfix_print_note(struct ipfix_printer *p, const char *kind,
    const char *text);
int ipfix_printer_flush(struct ipfix_printer *p);

/*
 * One problem (--validate or a warning): text "problem: C15 malformed at
 * offset 123 (session 1, odid 0): reason", JSON {"type":"problem",...}.
 * 'where' (a file name, or NULL) prefixes the text form.
 */
void ipfix_print_problem(struct ipfix_printer *p, const char *where,
    const struct ipfix_problem *pr);
const char *ipfix_severity_name(enum ipfix_severity s);

/* Messages seen by ipfix_print_message so far. */
uint64_t ipfix_printer_messages(const struct ipfix_printer *p);

#endif
