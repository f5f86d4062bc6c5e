/*
 * ie: the Information Element registry (layer 1), generated from the IANA
 * "IPFIX Entities" XML (data/iana/ipfix.xml) by tools/gen_ie.py into
 * ie_table.c. Offers lookup by (PEN, ID) and by name, the RFC 5103 reverse
 * elements (PEN 29305, "reverseXxx") and the abstract data types of RFC 7012.
 */
#ifndef IPFIX_IE_H
#define IPFIX_IE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPFIX_PEN_REVERSE 29305u	/* RFC 5103 §6.1 */
#define IPFIX_VARLEN 65535u		/* field length meaning "variable" */

/* RFC 7012 §3.1 abstract data types (plus RFC 6313 lists). */
enum ipfix_type {
	IPFIX_T_OCTETARRAY = 0,	/* also: unknown element */
	IPFIX_T_UNSIGNED8,
	IPFIX_T_UNSIGNED16,
	IPFIX_T_UNSIGNED32,
	IPFIX_T_UNSIGNED64,
	IPFIX_T_SIGNED8,
	IPFIX_T_SIGNED16,
	IPFIX_T_SIGNED32,
	IPFIX_T_SIGNED64,
	IPFIX_T_FLOAT32,
	IPFIX_T_FLOAT64,
	IPFIX_T_BOOLEAN,
	IPFIX_T_MACADDRESS,
	IPFIX_T_STRING,
	IPFIX_T_DATETIME_SECONDS,
	IPFIX_T_DATETIME_MILLISECONDS,
	IPFIX_T_DATETIME_MICROSECONDS,
	IPFIX_T_DATETIME_NANOSECONDS,
	IPFIX_T_IPV4ADDRESS,
	IPFIX_T_IPV6ADDRESS,
	IPFIX_T_BASICLIST,
	IPFIX_T_SUBTEMPLATELIST,
	IPFIX_T_SUBTEMPLATEMULTILIST,
	IPFIX_T_UNSIGNED256,
	IPFIX_T_COUNT
};

/* RFC 7012 §3.2 data type semantics. */
enum ipfix_semantics {
	IPFIX_S_DEFAULT = 0,
	IPFIX_S_QUANTITY,
	IPFIX_S_TOTALCOUNTER,
	IPFIX_S_DELTACOUNTER,
	IPFIX_S_IDENTIFIER,
	IPFIX_S_FLAGS,
	IPFIX_S_LIST,
	IPFIX_S_SNMPCOUNTER,
	IPFIX_S_SNMPGAUGE,
};

struct ipfix_ie {
	uint32_t pen;		/* 0 for IANA elements */
	uint16_t id;		/* 1..32767 */
	uint8_t type;		/* enum ipfix_type */
	uint8_t semantics;	/* enum ipfix_semantics */
	const char *name;	/* "octetDeltaCount", "reverseOctetDeltaCount" */
	const char *units;	/* "octets", or NULL */
};

/* The element for (pen, id), or NULL when the registry does not know it.
 * PEN 29305 yields the reverse element of a reversible IANA element. */
const struct ipfix_ie *ipfix_ie_lookup(uint32_t pen, uint16_t id);

/* The element called name (IANA or reverse), or NULL. */
const struct ipfix_ie *ipfix_ie_by_name(const char *name);

/* Number of entries in the generated table (IANA + reverse). */
size_t ipfix_ie_count(void);
const struct ipfix_ie *ipfix_ie_at(size_t i);

const char *ipfix_type_name(enum ipfix_type t);	/* "unsigned32" */
const char *ipfix_semantics_name(enum ipfix_semantics s);

/* Natural wire size of a fixed-size type; 0 for octetArray, string, lists. */
size_t ipfix_type_size(enum ipfix_type t);

/* True when an element of type t may be sent with field length len
 * (RFC 7011 §6.2 reduced-size rules; IPFIX_VARLEN allowed only for
 * octetArray, string and lists). */
bool ipfix_type_length_ok(enum ipfix_type t, uint16_t len);

/* Writes "name" or, for unknown elements, "PEN/ID" (or "ID" when pen is 0)
 * into buf; returns buf. */
const char *ipfix_ie_label(uint32_t pen, uint16_t id, char *buf, size_t size);

/* The generated registry (ie_table.c, from tools/gen_ie.py): entries sorted
 * by (pen, id), and their indices sorted by name. Use the calls above. */
extern const struct ipfix_ie ipfix_ie_table[];
extern const size_t ipfix_ie_table_len;
extern const uint16_t ipfix_ie_name_index[];

#endif
