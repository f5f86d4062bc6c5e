/*
 * print_int: what print_text.c and print_json.c share and nobody else
 * uses: the printer object, the session-name cache, scalar rendering and
 * the record walk (walk.h) each printer drives with its own visitor.
 * Internal to the print module; not installed for other modules' use.
 */
#ifndef IPFIX_PRINT_INT_H
#define IPFIX_PRINT_INT_H

#include "outbuf.h"
#include "print.h"
#include "value.h"
#include "walk.h"

/* A registry name ready to copy as a block of constant size: labels are
 * written for every field of every record. */
#define IPFIX_PRINT_LABEL_MAX 48
#define IPFIX_PRINT_LABEL_SLOTS 256	/* direct-mapped on the ie pointer */
struct ipfix_print_label_slot {
	const struct ipfix_ie *ie;	/* NULL: empty */
	size_t len;
	char text[IPFIX_PRINT_LABEL_MAX];	/* the name, zero padded */
};

struct ipfix_printer {
	struct ipfix_ob ob;
	struct ipfix_print_options opt;
	const struct ipfix_tstore *ts;
	const char *(*session_name)(void *, uint32_t);
	void *session_arg;
	bool name_valid;	/* name/name_session cache one lookup */
	uint32_t name_session;
	char name[160];
	uint64_t messages;
	/* The JSON context ("odid", "export_time", ...) is the same for
	 * every record of a message: its text, kept for the last key. */
	bool ctx_valid;
	uint32_t ctx_session, ctx_odid, ctx_export;
	size_t ctx_len;
	char ctx[1024];
	struct ipfix_print_label_slot labels[IPFIX_PRINT_LABEL_SLOTS];
	const struct ipfix_origin *origin;	/* ipfix_print_origin */
};

/* The label of session, or NULL: cached, since names are formatted. */
const char *ipfix_print_session_name(struct ipfix_printer *p,
    uint32_t session);

/* A non-list value: text form, or JSON (strings quoted, numbers bare). */
void ipfix_print_scalar(struct ipfix_ob *ob, const struct ipfix_value *v,
    bool json);

/* The label of f (as ipfix_print_label) written to ob. */
void ipfix_print_put_label(struct ipfix_ob *ob, const struct ipfix_field *f);

/* Fills ie's slot; NULL when its name does not fit one. */
const struct ipfix_print_label_slot *ipfix_print_slot_fill(
    struct ipfix_printer *p, const struct ipfix_ie *ie);

/*
 * The slot holding the registry name of ie, or NULL (unknown element, long
 * name): the caller then writes ipfix_print_put_label. A hit costs a few
 * instructions, and the name is copied as IPFIX_PRINT_LABEL_MAX bytes.
 */
static inline const struct ipfix_print_label_slot *
ipfix_print_slot(struct ipfix_printer *p, const struct ipfix_ie *ie)
{
	const struct ipfix_print_label_slot *sl;

	if (ie == NULL)
		return NULL;
	sl = &p->labels[(uintptr_t)ie / sizeof(*ie) % IPFIX_PRINT_LABEL_SLOTS];
	return sl->ie == ie ? sl : ipfix_print_slot_fill(p, ie);
}

/* Walk the fields of record r (in message m) with visitor ops, whose
 * argument is p; lists are bounded by p's max_depth and resolved through
 * p's template store. */
void ipfix_print_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r,
    const struct ipfix_walk_ops *ops);

/* "malformed basicList" and so on, for list type 'list'. */
const char *ipfix_print_malformed(enum ipfix_type list);

/* Element label into buf: registry name or "PEN/ID" / "ID" (C39). */
const char *ipfix_print_label(const struct ipfix_field *f, char *buf,
    size_t size);

void ipfix_pj_message(struct ipfix_printer *p, const struct ipfix_msg_ctx *m);
void ipfix_pj_template(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t);
void ipfix_pj_withdrawal(struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m, uint16_t set_id, uint16_t tid);
void ipfix_pj_record(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r);
void ipfix_pj_note(struct ipfix_printer *p, const char *kind,
    const char *text);
void ipfix_pj_problem(struct ipfix_printer *p, const char *where,
    const struct ipfix_problem *pr);

#endif
