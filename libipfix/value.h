/*
 * value: decoding one field of a Data Record into a typed value (layer 1):
 * every RFC 7012 abstract data type, reduced-size encoding (RFC 7011 §6.2),
 * the NTP-format timestamps, and the RFC 6313 structured types walked by
 * iterators that never read past the list. Values point into the message
 * (zero copy); nothing here allocates.
 */
#ifndef IPFIX_VALUE_H
#define IPFIX_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "err.h"
#include "ie.h"
#include "template.h"

struct ipfix_value {
	enum ipfix_type type;	/* from the registry; octetArray if unknown */
	const uint8_t *raw;	/* the field's bytes (varlen prefix excluded) */
	size_t len;
	uint64_t offset;	/* absolute offset of raw[0] (set by
				   ipfix_value_read; lists report errors
				   relative to it) */
	union {
		uint64_t u;	/* unsigned*, dateTimeSeconds/Milliseconds */
		int64_t i;	/* signed* */
		double f;	/* float32/64 */
		bool b;		/* boolean (see 'bad') */
		struct {
			int64_t sec;	/* seconds since 1970 (may be < 0) */
			uint32_t nsec;
		} t;		/* dateTime* after conversion from NTP */
	} v;
	bool bad;		/* value outside its type (boolean not 1/2,
				   length not allowed for the type); 'type'
				   is then IPFIX_T_OCTETARRAY and raw/len
				   hold the bytes */
};

/*
 * Read the field at c's position (applying the varlen prefix when
 * f->len is IPFIX_VARLEN) and decode it. Returns 0, or -1 with err set when
 * the field runs past the cursor (C28). A value its type does not allow is
 * not an error: it is decoded as octets with 'bad' set.
 */
int ipfix_value_read(struct ipfix_cursor *c, const struct ipfix_field *f,
    struct ipfix_value *v, struct ipfix_err *err);

/* Decode raw bytes of length len as type t (no prefix handling). Leaves
 * v->offset alone. Integers of 1..8 bytes are read by that length (reduced
 * size widened, signed ones sign-extended; a vendor's oversized unsigned8
 * too), floats of either type in 4 or 8 bytes, unsigned256 stays raw
 * (32 bytes), addresses and MACs stay raw (ipv4 also in v.u). */
void ipfix_value_decode(enum ipfix_type t, const uint8_t *raw, size_t len,
    struct ipfix_value *v);

/* True when p[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * surrogates or code points above U+10FFFF). */
bool ipfix_utf8_valid(const uint8_t *p, size_t len);
/* Length of the well-formed sequence at p (1..4), 0 when ill-formed. */
size_t ipfix_utf8_seq(const uint8_t *p, size_t n);

/* Skip one field (fixed or varlen) without decoding it; 0 or -1. */
int ipfix_field_skip(struct ipfix_cursor *c, const struct ipfix_field *f,
    struct ipfix_err *err);

/* RFC 6313 structured data ----------------------------------------------- */

enum ipfix_list_semantic {
	IPFIX_LIST_NONEOF = 0,
	IPFIX_LIST_EXACTLYONEOF = 1,
	IPFIX_LIST_ONEORMOREOF = 2,
	IPFIX_LIST_ALLOF = 3,
	IPFIX_LIST_ORDERED = 4,
	IPFIX_LIST_UNDEFINED = 255,
};
const char *ipfix_list_semantic_name(uint8_t semantic);

/* basicList: header, then elements of one field specifier. */
struct ipfix_basiclist {
	uint8_t semantic;
	struct ipfix_field field;	/* element id/pen/len, ie resolved */
	struct ipfix_cursor elems;	/* remaining element bytes */
};
int ipfix_basiclist_open(const struct ipfix_value *v,
    struct ipfix_basiclist *bl, struct ipfix_err *err);
/* 1 with *elem set, 0 at the end, -1 on malformed data. */
int ipfix_basiclist_next(struct ipfix_basiclist *bl,
    struct ipfix_value *elem, struct ipfix_err *err);

/* subTemplateList: one template id, then records of it. */
struct ipfix_stlist {
	uint8_t semantic;
	uint16_t tid;
	struct ipfix_cursor recs;	/* the records' bytes */
};
int ipfix_stlist_open(const struct ipfix_value *v, struct ipfix_stlist *sl,
    struct ipfix_err *err);

/* subTemplateMultiList: a sequence of (template id, records) blocks. */
struct ipfix_stmlist {
	uint8_t semantic;
	struct ipfix_cursor blocks;
};
struct ipfix_stml_block {
	uint16_t tid;
	struct ipfix_cursor recs;
};
int ipfix_stmlist_open(const struct ipfix_value *v,
    struct ipfix_stmlist *ml, struct ipfix_err *err);
int ipfix_stmlist_next(struct ipfix_stmlist *ml,
    struct ipfix_stml_block *blk, struct ipfix_err *err);

/*
 * Conversions used by printers and builders. NTP era 0 only (1900-2036):
 * seconds below 2^31 are NOT moved to era 1, so times after 2036-02-07
 * come out as 1900+ (RFC 7011 §5.2 leaves the era to context). micro
 * ignores the low 11 fraction bits (C35) and rounds to whole microseconds;
 * otherwise the fraction is rounded to the nearest nanosecond.
 */
void ipfix_ntp_to_unix(uint32_t sec, uint32_t frac, bool micro,
    int64_t *usec_sec, uint32_t *nsec);

#endif
