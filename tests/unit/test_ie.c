/*
 * Unit tests of the ie module: the generated table against facts read from
 * data/iana/ipfix.xml (counts, known entries, RFC 5103 reverse elements),
 * lookups by (pen, id) and by name, type names and the RFC 7011 §6.2
 * length rules.
 */
#include <stdint.h>
#include <string.h>

#include "ie.h"
#include "testhelp.h"

/*
 * From data/iana/ipfix.xml: 509 records in ipfix-information-elements, of
 * which 502 carry a dataType (the rest are reserved/unassigned ranges and
 * two deprecated placeholders, 416 and 419). 25 of the 502 are not
 * reversible (10 "config", 9 "processCounter", flowId, templateId,
 * observationDomainId, commonPropertiesId, paddingOctets, biflowDirection),
 * so there are 477 reverse elements.
 */
#define IANA_TYPED 502
#define REVERSE 477

static void
test_counts(void)
{
	size_t i, iana = 0, rev = 0, other = 0, sorted = 1;
	const struct ipfix_ie *e, *prev = NULL;

	for (i = 0; i < ipfix_ie_count(); i++) {
		e = ipfix_ie_at(i);
		if (e->pen == 0)
			iana++;
		else if (e->pen == IPFIX_PEN_REVERSE)
			rev++;
		else
			other++;
		if (prev != NULL && (prev->pen > e->pen ||
		    (prev->pen == e->pen && prev->id >= e->id)))
			sorted = 0;
		prev = e;
	}
	CHECK_EQ_U(iana, IANA_TYPED, "502 typed IANA elements");
	CHECK_EQ_U(rev, REVERSE, "477 reverse elements");
	CHECK_EQ_U(other, 0, "no other PEN");
	CHECK_EQ_U(ipfix_ie_count(), IANA_TYPED + REVERSE, "total count");
	CHECK(sorted, "table strictly sorted by (pen, id)");
	CHECK(ipfix_ie_at(ipfix_ie_count()) == NULL, "ipfix_ie_at past end");
}

static void
check_ie(uint32_t pen, uint16_t id, enum ipfix_type t,
    enum ipfix_semantics s, const char *name, const char *units)
{
	const struct ipfix_ie *e = ipfix_ie_lookup(pen, id);

	CHECK(e != NULL, "lookup %u/%u", (unsigned)pen, (unsigned)id);
	if (e == NULL)
		return;
	CHECK_STR(e->name, name, "%u/%u is %s", (unsigned)pen,
	    (unsigned)id, name);
	CHECK_EQ_U(e->type, t, "%s type %s", name, ipfix_type_name(t));
	CHECK_EQ_U(e->semantics, s, "%s semantics %s", name,
	    ipfix_semantics_name(s));
	if (units == NULL)
		CHECK(e->units == NULL, "%s has no units", name);
	else
		CHECK_STR(e->units, units, "%s units", name);
	CHECK(ipfix_ie_by_name(name) == e, "by_name(%s)", name);
}

static void
test_known(void)
{
	check_ie(0, 1, IPFIX_T_UNSIGNED64, IPFIX_S_DELTACOUNTER,
	    "octetDeltaCount", "octets");
	check_ie(0, 8, IPFIX_T_IPV4ADDRESS, IPFIX_S_DEFAULT,
	    "sourceIPv4Address", NULL);
	check_ie(0, 153, IPFIX_T_DATETIME_MILLISECONDS, IPFIX_S_DEFAULT,
	    "flowEndMilliseconds", "milliseconds");
	check_ie(0, 291, IPFIX_T_BASICLIST, IPFIX_S_LIST, "basicList", NULL);
	check_ie(0, 292, IPFIX_T_SUBTEMPLATELIST, IPFIX_S_LIST,
	    "subTemplateList", NULL);
	check_ie(0, 210, IPFIX_T_OCTETARRAY, IPFIX_S_DEFAULT,
	    "paddingOctets", NULL);
	check_ie(0, 515, IPFIX_T_UNSIGNED256, IPFIX_S_FLAGS,
	    "ipv6ExtensionHeadersFull", NULL);
	check_ie(IPFIX_PEN_REVERSE, 1, IPFIX_T_UNSIGNED64,
	    IPFIX_S_DELTACOUNTER, "reverseOctetDeltaCount", "octets");
	check_ie(IPFIX_PEN_REVERSE, 8, IPFIX_T_IPV4ADDRESS, IPFIX_S_DEFAULT,
	    "reverseSourceIPv4Address", NULL);
	check_ie(IPFIX_PEN_REVERSE, 6, IPFIX_T_UNSIGNED16, IPFIX_S_FLAGS,
	    "reverseTcpControlBits", NULL);
}

static void
test_not_reversible(void)
{
	static const uint16_t ids[] = {
		148, 145, 149, 137, 210, 239,	/* named in RFC 5103 §6.1 */
		130, 173, 217,			/* process configuration */
		40, 41, 42, 163, 168,		/* process statistics */
	};
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		CHECK(ipfix_ie_lookup(0, ids[i]) != NULL, "%u exists",
		    (unsigned)ids[i]);
		CHECK(ipfix_ie_lookup(IPFIX_PEN_REVERSE, ids[i]) == NULL,
		    "%u has no reverse form", (unsigned)ids[i]);
	}
	CHECK(ipfix_ie_by_name("reverseFlowId") == NULL, "no reverseFlowId");
	CHECK(ipfix_ie_by_name("reversePaddingOctets") == NULL,
	    "no reversePaddingOctets");
	/* Process "misc" elements stay reversible. */
	CHECK(ipfix_ie_lookup(IPFIX_PEN_REVERSE, 136) != NULL,
	    "reverseFlowEndReason exists");
}

static void
test_lookup_misses(void)
{
	char buf[32];

	CHECK(ipfix_ie_lookup(0, 0) == NULL, "id 0 unknown");
	CHECK(ipfix_ie_lookup(0, 416) == NULL, "untyped 416 skipped");
	CHECK(ipfix_ie_lookup(0, 32767) == NULL, "unassigned 32767");
	CHECK(ipfix_ie_lookup(9, 1) == NULL, "enterprise 9/1 unknown");
	CHECK(ipfix_ie_by_name("noSuchElement") == NULL, "unknown name");
	CHECK(ipfix_ie_by_name("") == NULL, "empty name");
	CHECK(ipfix_ie_by_name(NULL) == NULL, "NULL name");
	CHECK(ipfix_ie_by_name("OctetDeltaCount") == NULL, "case matters");
	CHECK_STR(ipfix_ie_label(0, 2, buf, sizeof(buf)), "packetDeltaCount",
	    "label known");
	CHECK_STR(ipfix_ie_label(0, 30000, buf, sizeof(buf)), "30000",
	    "label unknown IANA");
	CHECK_STR(ipfix_ie_label(4294967295u, 7, buf, sizeof(buf)),
	    "4294967295/7", "label enterprise");
	CHECK_STR(ipfix_ie_label(0, 1, buf, 6), "octet", "label truncated");
}

static void
test_by_name_all(void)
{
	size_t i, ok = 0;
	const struct ipfix_ie *e;

	for (i = 0; i < ipfix_ie_count(); i++) {
		e = ipfix_ie_at(i);
		if (ipfix_ie_by_name(e->name) == e &&
		    ipfix_ie_lookup(e->pen, e->id) == e)
			ok++;
	}
	CHECK_EQ_U(ok, ipfix_ie_count(), "every entry found by name and id");
}

static void
test_names(void)
{
	CHECK_STR(ipfix_type_name(IPFIX_T_UNSIGNED32), "unsigned32", "type");
	CHECK_STR(ipfix_type_name(IPFIX_T_SUBTEMPLATEMULTILIST),
	    "subTemplateMultiList", "type list");
	CHECK_STR(ipfix_type_name(IPFIX_T_COUNT), "unknown", "type range");
	CHECK_STR(ipfix_semantics_name(IPFIX_S_TOTALCOUNTER), "totalCounter",
	    "semantics");
	CHECK_STR(ipfix_semantics_name(IPFIX_S_SNMPGAUGE), "snmpGauge",
	    "semantics last");
	CHECK_EQ_U(ipfix_type_size(IPFIX_T_IPV6ADDRESS), 16, "ipv6 size");
	CHECK_EQ_U(ipfix_type_size(IPFIX_T_MACADDRESS), 6, "mac size");
	CHECK_EQ_U(ipfix_type_size(IPFIX_T_UNSIGNED256), 32, "u256 size");
	CHECK_EQ_U(ipfix_type_size(IPFIX_T_STRING), 0, "string size");
	CHECK_EQ_U(ipfix_type_size(IPFIX_T_BASICLIST), 0, "list size");
}

static void
test_lengths_integers(void)
{
	uint16_t l;
	int ok = 1;

	for (l = 1; l <= 8; l++)
		ok &= ipfix_type_length_ok(IPFIX_T_UNSIGNED64, l) &&
		    ipfix_type_length_ok(IPFIX_T_SIGNED64, l);
	CHECK(ok, "(un)signed64 reducible to 1..8");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED64, 9), "u64 not 9");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED64, 0), "u64 not 0");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED64, IPFIX_VARLEN),
	    "u64 not varlen");
	CHECK(ipfix_type_length_ok(IPFIX_T_UNSIGNED32, 3), "u32 as 3");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED32, 5), "u32 not 5");
	CHECK(ipfix_type_length_ok(IPFIX_T_SIGNED16, 1), "s16 as 1");
	CHECK(!ipfix_type_length_ok(IPFIX_T_SIGNED16, 3), "s16 not 3");
	CHECK(ipfix_type_length_ok(IPFIX_T_UNSIGNED8, 1), "u8 as 1");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED8, 2), "u8 not 2");
	CHECK(!ipfix_type_length_ok(IPFIX_T_SIGNED8, 0), "s8 not 0");
}

static void
test_lengths_fixed(void)
{
	CHECK(ipfix_type_length_ok(IPFIX_T_FLOAT64, 8), "f64 as 8");
	CHECK(ipfix_type_length_ok(IPFIX_T_FLOAT64, 4), "f64 as 4");
	CHECK(!ipfix_type_length_ok(IPFIX_T_FLOAT64, 6), "f64 not 6");
	CHECK(!ipfix_type_length_ok(IPFIX_T_FLOAT32, 2), "f32 not 2");
	CHECK(ipfix_type_length_ok(IPFIX_T_IPV4ADDRESS, 4), "ipv4 as 4");
	CHECK(!ipfix_type_length_ok(IPFIX_T_IPV4ADDRESS, 3), "ipv4 not 3");
	CHECK(!ipfix_type_length_ok(IPFIX_T_IPV6ADDRESS, 8), "ipv6 not 8");
	CHECK(!ipfix_type_length_ok(IPFIX_T_MACADDRESS, 4), "mac not 4");
	CHECK(!ipfix_type_length_ok(IPFIX_T_BOOLEAN, 2), "bool not 2");
	CHECK(!ipfix_type_length_ok(IPFIX_T_DATETIME_SECONDS, 2),
	    "dateTimeSeconds not 2");
	CHECK(!ipfix_type_length_ok(IPFIX_T_DATETIME_MILLISECONDS, 4),
	    "dateTimeMilliseconds not 4");
	CHECK(ipfix_type_length_ok(IPFIX_T_UNSIGNED256, 32), "u256 as 32");
	CHECK(!ipfix_type_length_ok(IPFIX_T_UNSIGNED256, 16), "u256 not 16");
	CHECK(!ipfix_type_length_ok(IPFIX_T_IPV4ADDRESS, IPFIX_VARLEN),
	    "ipv4 not varlen");
	CHECK(!ipfix_type_length_ok(IPFIX_T_COUNT, 4), "bad type");
}

static void
test_lengths_variable(void)
{
	CHECK(ipfix_type_length_ok(IPFIX_T_STRING, IPFIX_VARLEN),
	    "string varlen");
	CHECK(ipfix_type_length_ok(IPFIX_T_STRING, 7), "string fixed 7");
	CHECK(ipfix_type_length_ok(IPFIX_T_OCTETARRAY, 1), "octets 1");
	CHECK(ipfix_type_length_ok(IPFIX_T_OCTETARRAY, IPFIX_VARLEN),
	    "octets varlen");
	CHECK(ipfix_type_length_ok(IPFIX_T_BASICLIST, IPFIX_VARLEN),
	    "basicList varlen");
	CHECK(ipfix_type_length_ok(IPFIX_T_SUBTEMPLATELIST, 12),
	    "subTemplateList fixed");
	CHECK(ipfix_type_length_ok(IPFIX_T_SUBTEMPLATEMULTILIST,
	    IPFIX_VARLEN), "subTemplateMultiList varlen");
}

int
main(void)
{
	test_counts();
	test_known();
	test_not_reversible();
	test_lookup_misses();
	test_by_name_all();
	test_names();
	test_lengths_integers();
	test_lengths_fixed();
	test_lengths_variable();
	TEST_DONE();
}
