/*
 * template: Template and Options Template records (RFC 7011 §3.4) and the
 * template store scoped by (transport session, ODID) with the §8 rules
 * (layer 1). A parsed template owns its field array; the store owns the
 * templates added to it.
 */
#ifndef IPFIX_TEMPLATE_H
#define IPFIX_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "err.h"
#include "ie.h"

#define IPFIX_SET_TEMPLATE 2
#define IPFIX_SET_OPTIONS_TEMPLATE 3
#define IPFIX_MIN_DATA_SET_ID 256

struct ipfix_field {
	uint32_t pen;		/* 0 unless the enterprise bit was set */
	uint16_t id;		/* element id without the enterprise bit */
	uint16_t len;		/* field length, IPFIX_VARLEN for varlen */
	const struct ipfix_ie *ie;	/* registry entry, NULL if unknown */
};

struct ipfix_tmpl {
	uint16_t id;		/* 256..65535 */
	uint16_t nfields;
	uint16_t scope_count;	/* 0 for a plain template */
	bool options;		/* came from an Options Template Set */
	uint16_t min_len;	/* record length with every varlen empty */
	bool varlen;		/* at least one variable-length field */
	struct ipfix_field *fields;	/* nfields entries, owned */
	uint8_t quirks;		/* IPFIX_TQ_* deviations tolerated by parse */
	uint32_t first_seen;	/* export time of the defining message */
	uint32_t last_seen;	/* export time of the latest (re)definition */
};

/* Deviations of real exporters that a tolerant parse takes (issue 12):
 * decoding follows the wire, and the decoder warns once per definition. */
#define IPFIX_TQ_LENGTH	0x01	/* known element at a length its type does
				   not allow (C31): decoded by the wire
				   length (value.h) */
#define IPFIX_TQ_NOSCOPE 0x02	/* options template with scope count 0
				   (C24): kept as a template without scope */
#define IPFIX_TQ_PEN0	0x04	/* E bit with PEN 0 (C20): the IANA element;
				   taken in strict mode too */

/*
 * Parse one template record (or withdrawal) at c's position inside a set
 * of kind set_id (2 or 3). On success returns 1 and *out is a new template
 * (free with ipfix_tmpl_free), or returns 0 for a withdrawal with *wid the
 * withdrawn id (2 or 3 for "all"). Returns -1 with err set when the record
 * is malformed (scope count 0 or above field count: C24; fields overrunning
 * the set: C25; illegal length for the element's type: C31; id < 256: C22;
 * enterprise element id 0: C21; "all" id 2/3 in the other set kind: C44;
 * shortest record longer than a message can carry: no id), all with
 * code IPFIX_E_TEMPLATE and the offset of the offending record or field.
 * Unknown elements take any length (C39). An E bit with PEN 0 is kept as
 * the IANA element it names (quirk PEN0). When tolerant, a length the
 * type does not allow and an options scope count of 0 are not errors but
 * quirks noted in (*out)->quirks.
 */
int ipfix_tmpl_parse(struct ipfix_cursor *c, uint16_t set_id, bool tolerant,
    struct ipfix_tmpl **out, uint16_t *wid, struct ipfix_err *err);

/* Describe t's first quirk (its record at offset at) in err as an
 * IPFIX_E_TEMPLATE problem with its checklist item and the offset of the
 * field concerned. Returns the number of deviant fields or headers (0:
 * none, err untouched). */
unsigned ipfix_tmpl_quirk(const struct ipfix_tmpl *t, uint64_t at,
    struct ipfix_err *err);

/* A template with nfields zeroed fields; options is set when scope_count
 * is not 0. Fill the fields, then call ipfix_tmpl_finish. NULL: no memory. */
struct ipfix_tmpl *ipfix_tmpl_new(uint16_t id, uint16_t nfields,
    uint16_t scope_count);
void ipfix_tmpl_free(struct ipfix_tmpl *t);
struct ipfix_tmpl *ipfix_tmpl_dup(const struct ipfix_tmpl *t);
/* Recompute min_len/varlen/ie after filling fields by hand. */
void ipfix_tmpl_finish(struct ipfix_tmpl *t);
/* Same id, kind, scope count and field specifiers (times not compared). */
bool ipfix_tmpl_equal(const struct ipfix_tmpl *a, const struct ipfix_tmpl *b);
/* An options template of Exporting Process statistics: RFC 7011 §4.1
 * exportedFlowRecordTotalCount or §4.3 notSentFlowTotalCount. Their
 * records are not flow records, to the collector's association and to
 * the exporter's own cumulative count alike. */
bool ipfix_tmpl_exp_stats(const struct ipfix_tmpl *t);
/* Bytes the record takes on the wire in a template set. */
size_t ipfix_tmpl_wire_size(const struct ipfix_tmpl *t);
/* Encode the template record into buf (size checked); returns bytes or 0. */
size_t ipfix_tmpl_encode(const struct ipfix_tmpl *t, uint8_t *buf,
    size_t size);
/* The wire size of t when the 'left' bytes at p start with exactly t's
 * record (what ipfix_tmpl_encode writes), else 0. */
size_t ipfix_tmpl_wire_match(const struct ipfix_tmpl *t, const uint8_t *p,
    size_t left);

/* Store ----------------------------------------------------------------- */

struct ipfix_tstore;

struct ipfix_tstore_limits {
	size_t max_templates;	/* per (session, ODID); 0 = unlimited */
	uint32_t udp_lifetime;	/* seconds; 0 = never expire (RFC 7011 §8.4) */
};

enum ipfix_tadd {
	IPFIX_TADD_NEW,		/* first definition of this id */
	IPFIX_TADD_SAME,	/* identical re-send (refresh, or C48 log) */
	IPFIX_TADD_CHANGED,	/* different definition replaced the old one */
};

struct ipfix_tstore *ipfix_tstore_new(const struct ipfix_tstore_limits *lim);
void ipfix_tstore_free(struct ipfix_tstore *s);

/* Add (taking ownership of t, also on failure). Returns the outcome, or -1
 * with err set (IPFIX_E_LIMIT when the per-(session, ODID) cap is hit).
 * SAME keeps the stored template (and its first_seen) and copies
 * t->last_seen into it; CHANGED stores t with first_seen = last_seen.
 * Pointers from find/get stay valid until that id is replaced, withdrawn
 * or its session dropped. */
int ipfix_tstore_add(struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, struct ipfix_tmpl *t, struct ipfix_err *err);

/* Withdraw id (or all templates for 2, all options templates for 3).
 * Returns the number of templates removed (0: unknown, C46). */
int ipfix_tstore_withdraw(struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, uint16_t id);

/* The stored template whatever its age, or NULL (O(1)). */
const struct ipfix_tmpl *ipfix_tstore_find(const struct ipfix_tstore *s,
    uint32_t session, uint32_t odid, uint16_t id);

/* An identical re-send of a stored template: its last_seen becomes now
 * (unless now is older).
 * Returns it, or NULL when there is none. */
const struct ipfix_tmpl *ipfix_tstore_touch(struct ipfix_tstore *s,
    uint32_t session, uint32_t odid, uint16_t id, uint32_t now);

/* True when udp_lifetime is set and t was last (re)defined more than that
 * many seconds of export time before now (C53). */
bool ipfix_tstore_expired(const struct ipfix_tstore *s,
    const struct ipfix_tmpl *t, uint32_t now);

/* The live template, or NULL. Templates older than udp_lifetime relative
 * to 'now' (export time) are treated as absent when the limit is set. */
const struct ipfix_tmpl *ipfix_tstore_get(const struct ipfix_tstore *s,
    uint32_t session, uint32_t odid, uint16_t id, uint32_t now);

/* Forget every template of a transport session (end of TCP/SCTP). */
void ipfix_tstore_drop_session(struct ipfix_tstore *s, uint32_t session);

/* Visit every stored template of (session, odid) in ascending id order
 * (ages are not checked here). fn must not modify the store. */
void ipfix_tstore_foreach(const struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, void (*fn)(const struct ipfix_tmpl *, void *), void *arg);

size_t ipfix_tstore_count(const struct ipfix_tstore *s);

#endif
