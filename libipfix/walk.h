/*
 * walk: one traversal of the values of a Data Record (layer 1, over value
 * and template). Fields are read in template order, decoded, and RFC 6313
 * lists are entered up to a nesting bound (C38), sub-templates resolved
 * through the template store; a visitor table hears of each step. The
 * printers and the validator are such visitors. Nothing here allocates.
 */
#ifndef IPFIX_WALK_H
#define IPFIX_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "msg.h"
#include "template.h"
#include "value.h"

#define IPFIX_WALK_DEPTH 8	/* default list nesting bound (C38) */

struct ipfix_walk_list;

/* Where a value sits. */
struct ipfix_walk_at {
	const struct ipfix_tmpl *t;	/* the record's template; NULL for a
					   basicList element */
	const struct ipfix_field *f;	/* its field (for an element: the
					   list's element field) */
	const struct ipfix_walk_list *list;	/* the basicList of an
						   element, else NULL */
	unsigned index;		/* field index in t, or element index */
	unsigned occurrence;	/* earlier fields of t with the same element
				   (C26); 0 for elements, and unless the
				   walk asks for occurrences */
	unsigned depth;		/* lists entered to get here (0: the record) */
	uint64_t field_offset;	/* where the record field holding the value
				   starts (varlen prefix included); for an
				   element, the enclosing list field's */
};

/* A list value being entered. */
struct ipfix_walk_list {
	const struct ipfix_walk_at *at;	/* the field or element holding it */
	const struct ipfix_value *v;	/* its bytes */
	enum ipfix_type type;	/* BASICLIST, SUBTEMPLATELIST or ...MULTILIST */
	uint8_t semantic;	/* once opened */
	const struct ipfix_field *elem;	/* basicList element field, else NULL */
	unsigned depth;		/* depth of the values inside (at->depth + 1) */
};

/* The records of one sub-template: a subTemplateList's, or one block of a
 * subTemplateMultiList. */
struct ipfix_walk_block {
	uint16_t tid;
	const struct ipfix_tmpl *t;	/* NULL: unknown in this scope */
	const struct ipfix_cursor *recs;	/* the records' bytes */
	unsigned index;		/* block number (0 for a subTemplateList) */
};

/*
 * The visitor. Every member may be NULL. For each field of a record (and
 * each element of a basicList) the walker calls exactly one of 'value' (a
 * value that is not a list, or one its type does not allow: v->bad),
 * 'truncated' (the field runs past the record; its remaining fields are
 * skipped), 'depth_limit' (a list at the bound, not entered), 'list_bad'
 * (a list whose header is malformed, not entered) or 'list_begin' ...
 * 'list_end'; each gets the position (at, or l->at), so a printer writes
 * the name or separator there: one indirect call per scalar field. Inside a subTemplateList or
 * subTemplateMultiList come blocks: 'block_begin', then 'unknown' when the
 * sub-template is not known, else each record between 'rec_begin' and
 * 'rec_end' and 'recs_bad' if the records run past the block, then
 * 'block_end'. 'list_end' gets err when the list was cut short by a
 * malformed element or block, NULL otherwise.
 */
struct ipfix_walk_ops {
	void (*value)(void *arg, const struct ipfix_walk_at *at,
	    const struct ipfix_value *v);
	void (*truncated)(void *arg, const struct ipfix_walk_at *at,
	    const struct ipfix_err *err);
	void (*depth_limit)(void *arg, const struct ipfix_walk_at *at,
	    const struct ipfix_value *v);
	void (*list_bad)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_err *err);
	void (*list_begin)(void *arg, const struct ipfix_walk_list *l);
	void (*list_end)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_err *err);
	void (*block_begin)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_walk_block *b);
	void (*block_end)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_walk_block *b);
	void (*unknown)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_walk_block *b);
	void (*rec_begin)(void *arg, const struct ipfix_walk_block *b,
	    unsigned n);
	void (*rec_end)(void *arg, const struct ipfix_walk_block *b);
	void (*recs_bad)(void *arg, const struct ipfix_walk_list *l,
	    const struct ipfix_walk_block *b, const struct ipfix_err *err);
};

/* One walk's setting; the caller owns it and everything it points to. */
struct ipfix_walk {
	const struct ipfix_walk_ops *ops;
	void *arg;			/* first argument of every op */
	const struct ipfix_tstore *ts;	/* resolves sub-templates; NULL:
					   none is known */
	uint32_t session, odid;		/* the store scope of the record */
	uint32_t now;			/* export time, for template ages */
	unsigned max_depth;		/* nesting bound; 0 = IPFIX_WALK_DEPTH */
	bool flat;			/* lists are reported as values */
	bool occurrences;		/* fill at->occurrence (a few
					   instructions a field) */
};

/* Walk every field of record r of template t. */
void ipfix_walk_record(const struct ipfix_walk *w, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r);

/* True for the three RFC 6313 list types. */
bool ipfix_walk_is_list(enum ipfix_type type);

#endif
