/*
 * ie: lookups in the generated Information Element table (ie_table.c) and
 * the facts about RFC 7012 abstract data types that decoders need: names,
 * natural sizes and the RFC 7011 §6.2 reduced-size rules.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ie.h"

struct type_info {
	const char *name;
	uint8_t size;		/* natural wire size, 0 when none */
};

static const struct type_info types[IPFIX_T_COUNT] = {
	[IPFIX_T_OCTETARRAY] = { "octetArray", 0 },
	[IPFIX_T_UNSIGNED8] = { "unsigned8", 1 },
	[IPFIX_T_UNSIGNED16] = { "unsigned16", 2 },
	[IPFIX_T_UNSIGNED32] = { "unsigned32", 4 },
	[IPFIX_T_UNSIGNED64] = { "unsigned64", 8 },
	[IPFIX_T_SIGNED8] = { "signed8", 1 },
	[IPFIX_T_SIGNED16] = { "signed16", 2 },
	[IPFIX_T_SIGNED32] = { "signed32", 4 },
	[IPFIX_T_SIGNED64] = { "signed64", 8 },
	[IPFIX_T_FLOAT32] = { "float32", 4 },
	[IPFIX_T_FLOAT64] = { "float64", 8 },
	[IPFIX_T_BOOLEAN] = { "boolean", 1 },
	[IPFIX_T_MACADDRESS] = { "macAddress", 6 },
	[IPFIX_T_STRING] = { "string", 0 },
	[IPFIX_T_DATETIME_SECONDS] = { "dateTimeSeconds", 4 },
	[IPFIX_T_DATETIME_MILLISECONDS] = { "dateTimeMilliseconds", 8 },
	[IPFIX_T_DATETIME_MICROSECONDS] = { "dateTimeMicroseconds", 8 },
	[IPFIX_T_DATETIME_NANOSECONDS] = { "dateTimeNanoseconds", 8 },
	[IPFIX_T_IPV4ADDRESS] = { "ipv4Address", 4 },
	[IPFIX_T_IPV6ADDRESS] = { "ipv6Address", 16 },
	[IPFIX_T_BASICLIST] = { "basicList", 0 },
	[IPFIX_T_SUBTEMPLATELIST] = { "subTemplateList", 0 },
	[IPFIX_T_SUBTEMPLATEMULTILIST] = { "subTemplateMultiList", 0 },
	[IPFIX_T_UNSIGNED256] = { "unsigned256", 32 },
};

static const char *const semantics[] = {
	[IPFIX_S_DEFAULT] = "default",
	[IPFIX_S_QUANTITY] = "quantity",
	[IPFIX_S_TOTALCOUNTER] = "totalCounter",
	[IPFIX_S_DELTACOUNTER] = "deltaCounter",
	[IPFIX_S_IDENTIFIER] = "identifier",
	[IPFIX_S_FLAGS] = "flags",
	[IPFIX_S_LIST] = "list",
	[IPFIX_S_SNMPCOUNTER] = "snmpCounter",
	[IPFIX_S_SNMPGAUGE] = "snmpGauge",
};

static int
key_cmp(uint32_t pen, uint16_t id, const struct ipfix_ie *e)
{
	if (pen != e->pen)
		return pen < e->pen ? -1 : 1;
	if (id != e->id)
		return id < e->id ? -1 : 1;
	return 0;
}

/* Binary search: the generator sorted the table by (pen, id). */
const struct ipfix_ie *
ipfix_ie_lookup(uint32_t pen, uint16_t id)
{
	size_t lo = 0, hi = ipfix_ie_table_len, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = key_cmp(pen, id, &ipfix_ie_table[mid]);
		if (c == 0)
			return &ipfix_ie_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct ipfix_ie *
ipfix_ie_by_name(const char *name)
{
	size_t lo = 0, hi = ipfix_ie_table_len, mid;
	const struct ipfix_ie *e;
	int c;

	if (name == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		e = &ipfix_ie_table[ipfix_ie_name_index[mid]];
		c = strcmp(name, e->name);
		if (c == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t
ipfix_ie_count(void)
{
	return ipfix_ie_table_len;
}

const struct ipfix_ie *
ipfix_ie_at(size_t i)
{
	if (i >= ipfix_ie_table_len)
		return NULL;
	return &ipfix_ie_table[i];
}

const char *
ipfix_type_name(enum ipfix_type t)
{
	if ((unsigned)t >= IPFIX_T_COUNT)
		return "unknown";
	return types[t].name;
}

const char *
ipfix_semantics_name(enum ipfix_semantics s)
{
	if ((size_t)s >= sizeof(semantics) / sizeof(semantics[0]))
		return "unknown";
	return semantics[s];
}

size_t
ipfix_type_size(enum ipfix_type t)
{
	if ((unsigned)t >= IPFIX_T_COUNT)
		return 0;
	return types[t].size;
}

/*
 * RFC 7011 §6.2: only integers wider than one byte may shrink (to any
 * size from 1 up), and float64 only to float32. Octet arrays, strings and
 * RFC 6313 lists take any length or varlen. Everything else (addresses,
 * dateTime*, boolean, macAddress, unsigned256) must have its natural size.
 */
bool
ipfix_type_length_ok(enum ipfix_type t, uint16_t len)
{
	switch (t) {
	case IPFIX_T_OCTETARRAY:
	case IPFIX_T_STRING:
	case IPFIX_T_BASICLIST:
	case IPFIX_T_SUBTEMPLATELIST:
	case IPFIX_T_SUBTEMPLATEMULTILIST:
		return true;
	case IPFIX_T_UNSIGNED16:
	case IPFIX_T_UNSIGNED32:
	case IPFIX_T_UNSIGNED64:
	case IPFIX_T_SIGNED16:
	case IPFIX_T_SIGNED32:
	case IPFIX_T_SIGNED64:
		return len >= 1 && len <= types[t].size;
	case IPFIX_T_FLOAT64:
		return len == 4 || len == 8;
	case IPFIX_T_COUNT:
		return false;
	default:
		if ((unsigned)t >= IPFIX_T_COUNT)
			return false;
		return len == types[t].size;
	}
}

const char *
ipfix_ie_label(uint32_t pen, uint16_t id, char *buf, size_t size)
{
	const struct ipfix_ie *e;

	if (buf == NULL || size == 0)
		return buf;
	e = ipfix_ie_lookup(pen, id);
	if (e != NULL)
		snprintf(buf, size, "%s", e->name);
	else if (pen != 0)
		snprintf(buf, size, "%lu/%u", (unsigned long)pen, (unsigned)id);
	else
		snprintf(buf, size, "%u", (unsigned)id);
	return buf;
}
