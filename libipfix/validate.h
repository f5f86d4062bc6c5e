/*
 * validate: the value-level checks a reader can make once a message has
 * been decoded (layer 1, over value/template/decode): booleans other than
 * 1 and 2 (C33), ill-formed UTF-8 in strings (C34), values whose length
 * their type does not allow (C31), malformed RFC 6313 lists (C37, C38),
 * lists nested deeper than the bound (C38) or naming an unknown
 * sub-template. Structure-level checks are the decoder's (decode.h).
 */
#ifndef IPFIX_VALIDATE_H
#define IPFIX_VALIDATE_H

#include "decode.h"
#include "template.h"

typedef void (*ipfix_validate_fn)(void *arg, const struct ipfix_problem *p);

/*
 * Walk every value of record r (template t, in message m) and call fn once
 * per problem found (severity IPFIX_SEV_WARN; offset is the value's). ts
 * resolves sub-templates (may be NULL: lists are then not entered).
 * max_depth bounds list nesting (0 = 8). Returns the number of problems.
 */
unsigned ipfix_validate_record(const struct ipfix_tstore *ts,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r, unsigned max_depth, ipfix_validate_fn fn,
    void *arg);

#endif
