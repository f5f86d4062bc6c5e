/* Unit tests of print_text/print_json over hand-built templates. */
#include <stdlib.h>

#include "print.h"
#include "testhelp.h"
#include "value.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static struct ipfix_printer *
open_printer(struct out *o, const struct ipfix_print_options *opt,
    const struct ipfix_tstore *ts)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
	return ipfix_printer_new(o->f, opt, ts, NULL, NULL);
}

/* Free the printer and return its output (static, until the next call). */
static const char *
close_printer(struct out *o, struct ipfix_printer *p)
{
	static char text[4096];

	ipfix_printer_free(p);
	fclose(o->f);
	snprintf(text, sizeof(text), "%s", o->buf);
	free(o->buf);
	return text;
}

static struct ipfix_tmpl *
tmpl(uint16_t id, uint16_t n, const uint32_t *spec)
{
	struct ipfix_tmpl *t = ipfix_tmpl_new(id, n, 0);
	uint16_t i;

	for (i = 0; i < n; i++) {
		t->fields[i].pen = spec[3 * i];
		t->fields[i].id = (uint16_t)spec[3 * i + 1];
		t->fields[i].len = (uint16_t)spec[3 * i + 2];
	}
	ipfix_tmpl_finish(t);
	return t;
}

static void
ctx(struct ipfix_msg_ctx *m)
{
	memset(m, 0, sizeof(*m));
	m->hdr.version = 10;
	m->hdr.length = 100;
	m->hdr.export_time = 1662710769;
	m->hdr.seq = 7;
	m->hdr.odid = 5;
}

/* Every scalar type once, plus an unknown enterprise element. */
static const uint32_t scalars[] = {
	0, 8, 4,	/* sourceIPv4Address */
	0, 27, 16,	/* sourceIPv6Address */
	0, 56, 6,	/* sourceMacAddress */
	0, 1, 4,	/* octetDeltaCount, reduced to 4 bytes */
	0, 152, 8,	/* flowStartMilliseconds */
	0, 82, IPFIX_VARLEN,	/* interfaceName */
	0, 244, 1,	/* dot1qPriority */
	9, 7, 2,	/* unknown 9/7 */
	29305, 1, 8,	/* reverseOctetDeltaCount */
};
static const uint8_t scalar_rec[] = {
	192, 0, 2, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0x1b, 0x2c, 0xa0, 0xff, 9,
	0, 0, 0x12, 0x34,
	0, 0, 0x01, 0x83, 0x21, 0x48, 0xe8, 0x68,
	4, 'e', 't', 'h', '"',
	3,
	0xab, 0xcd,
	0, 0, 0, 0, 0, 0, 0, 100,
};

static void
test_text_scalars(void)
{
	struct ipfix_tmpl *t = tmpl(300, 9, scalars);
	struct ipfix_rec r = { scalar_rec, sizeof(scalar_rec), 40 };
	struct ipfix_msg_ctx m;
	struct out o;
	struct ipfix_printer *p = open_printer(&o, NULL, NULL);

	ctx(&m);
	ipfix_print_message(p, &m);
	ipfix_print_template(p, &m, t);
	ipfix_print_record(p, &m, t, &r);
	CHECK_STR(close_printer(&o, p),
	    "message 1: odid=5 seq=7 export=2022-09-09T08:06:09Z length=100\n"
	    "  template 300: sourceIPv4Address(8)[4] sourceIPv6Address(27)[16] "
	    "sourceMacAddress(56)[6] octetDeltaCount(1)[4] "
	    "flowStartMilliseconds(152)[8] interfaceName(82)[v] "
	    "dot1qPriority(244)[1] 9/7[2] reverseOctetDeltaCount(29305/1)[8]\n"
	    "  data 300: sourceIPv4Address=192.0.2.1 sourceIPv6Address=2001:db8::1"
	    " sourceMacAddress=00:1b:2c:a0:ff:09 octetDeltaCount=4660 "
	    "flowStartMilliseconds=2022-09-09T08:06:09.768Z "
	    "interfaceName=\"eth\\\"\" dot1qPriority=3 9/7=0xabcd "
	    "reverseOctetDeltaCount=100\n", "text: every kind of scalar");
	ipfix_tmpl_free(t);
}

static void
test_json_scalars(void)
{
	struct ipfix_print_options opt = { .json = true, .offsets = true };
	struct ipfix_tmpl *t = tmpl(300, 9, scalars);
	struct ipfix_rec r = { scalar_rec, sizeof(scalar_rec), 40 };
	struct ipfix_msg_ctx m;
	struct out o;
	struct ipfix_printer *p = open_printer(&o, &opt, NULL);

	ctx(&m);
	ipfix_print_message(p, &m);
	ipfix_print_template(p, &m, t);
	ipfix_print_record(p, &m, t, &r);
	CHECK_STR(close_printer(&o, p),
	    "{\"type\":\"record\",\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"template\":300,\"offset\":40,"
	    "\"sourceIPv4Address\":\"192.0.2.1\",\"sourceIPv6Address\":"
	    "\"2001:db8::1\",\"sourceMacAddress\":\"00:1b:2c:a0:ff:09\","
	    "\"octetDeltaCount\":4660,\"flowStartMilliseconds\":"
	    "\"2022-09-09T08:06:09.768Z\",\"interfaceName\":\"eth\\\"\","
	    "\"dot1qPriority\":3,\"9/7\":\"abcd\",\"reverseOctetDeltaCount\":100,"
	    "\"field_offsets\":[40,44,60,66,70,79,83,84,86]}\n",
	    "json: records only by default, typed values, offsets");
	ipfix_tmpl_free(t);
}

static void
test_json_repeats_and_objects(void)
{
	static const uint32_t spec[] = { 0, 7, 2, 0, 11, 2, 0, 7, 2, 0, 7, 2 };
	static const uint8_t rec[] = { 0, 1, 0, 2, 0, 3, 0, 4 };
	struct ipfix_print_options opt = { .json = true, .json_messages = true,
	    .json_templates = true };
	struct ipfix_tmpl *t = tmpl(256, 4, spec);
	struct ipfix_rec r = { rec, sizeof(rec), 0 };
	struct ipfix_msg_ctx m;
	struct ipfix_problem pr = { IPFIX_SEV_WARN, IPFIX_E_VALUE, "C33", 12,
	    0, 5, "bad \"boolean\"" };
	struct out o;
	struct ipfix_printer *p = open_printer(&o, &opt, NULL);

	ctx(&m);
	ipfix_print_record(p, &m, t, &r);
	ipfix_print_withdrawal(p, &m, 2, 256);
	ipfix_print_problem(p, "f.ipfix", &pr);
	ipfix_print_note(p, "k", "t");
	CHECK_STR(close_printer(&o, p),
	    "{\"type\":\"record\",\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"template\":256,\"sourceTransportPort\":1,"
	    "\"destinationTransportPort\":2,\"sourceTransportPort#2\":3,"
	    "\"sourceTransportPort#3\":4}\n"
	    "{\"type\":\"withdrawal\",\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"set\":2,\"template\":256}\n"
	    "{\"type\":\"problem\",\"severity\":\"warning\",\"file\":\"f.ipfix\","
	    "\"check\":\"C33\",\"offset\":12,\"session\":0,\"odid\":5,"
	    "\"reason\":\"bad \\\"boolean\\\"\"}\n"
	    "{\"type\":\"note\",\"kind\":\"k\",\"text\":\"t\"}\n",
	    "json: repeated IEs get #N (C26), other object kinds");
	ipfix_tmpl_free(t);
}

static void
test_bad_values(void)
{
	static const uint32_t spec[] = { 0, 244, 1, 0, 245, 2, 0, 82, 2 };
	/* dot1qPriority fine; dot1qCustomerVlanId fine; interfaceName bad
	 * UTF-8 */
	static const uint8_t rec[] = { 1, 0, 2, 0xc3, '(' };
	static const uint32_t bspec[] = { 0, 388, 1 };	/* dot1qDEI, boolean */
	static const uint8_t brec[] = { 3 };
	struct ipfix_tmpl *t = tmpl(256, 3, spec), *b = tmpl(257, 1, bspec);
	struct ipfix_rec r = { rec, sizeof(rec), 0 }, rb = { brec, 1, 0 };
	struct ipfix_msg_ctx m;
	struct out o;
	struct ipfix_printer *p = open_printer(&o, NULL, NULL);

	ctx(&m);
	ipfix_print_record(p, &m, t, &r);
	ipfix_print_record(p, &m, b, &rb);
	CHECK_STR(close_printer(&o, p),
	    "  data 256: dot1qPriority=1 dot1qCustomerVlanId=2 "
	    "interfaceName=\"\\xc3(\"\n  data 257: dot1qDEI=<invalid 0x03>\n",
	    "text: ill-formed UTF-8 escaped (C34), bad boolean marked (C33)");
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(b);
}

/* 257 = [subTemplateList], 258 = [sourceTransportPort], 259 = basicList */
static void
test_lists(void)
{
	static const uint32_t s257[] = { 0, 292, IPFIX_VARLEN };
	static const uint32_t s258[] = { 0, 7, 2 };
	static const uint32_t s259[] = { 0, 291, IPFIX_VARLEN };
	static const uint8_t rec[] = { 0x0d, 3, 1, 1, 9, 3, 1, 1, 5, 3, 1, 2,
	    0, 80 };
	static const uint8_t brec[] = { 9, 3, 0, 7, 0, 2, 0, 80, 1, 0xbb };
	struct ipfix_tstore *ts = ipfix_tstore_new(NULL);
	struct ipfix_tmpl *t = tmpl(257, 1, s257), *b = tmpl(259, 1, s259);
	struct ipfix_rec r = { rec, sizeof(rec), 0 }, rb = { brec, 10, 0 };
	struct ipfix_print_options opt = { .max_depth = 2 };
	struct ipfix_msg_ctx m;
	struct ipfix_err err;
	struct out o;
	struct ipfix_printer *p;

	ctx(&m);
	ipfix_tstore_add(ts, 0, 5, tmpl(257, 1, s257), &err);
	ipfix_tstore_add(ts, 0, 5, tmpl(258, 1, s258), &err);
	p = open_printer(&o, NULL, ts);
	ipfix_print_record(p, &m, t, &r);
	ipfix_print_record(p, &m, b, &rb);
	CHECK_STR(close_printer(&o, p),
	    "  data 257: subTemplateList=[allOf 257: {subTemplateList=[allOf "
	    "257: {subTemplateList=[allOf 258: {sourceTransportPort=80}]}]}]\n"
	    "  data 259: basicList=[allOf sourceTransportPort: 80 443]\n",
	    "text: nested lists resolved through the store");
	p = open_printer(&o, &opt, ts);
	ipfix_print_record(p, &m, t, &r);
	CHECK_STR(close_printer(&o, p),
	    "  data 257: subTemplateList=[allOf 257: {subTemplateList=[allOf "
	    "257: {subTemplateList=[depth limit: 0x0301020050]}]}]\n",
	    "text: depth bound (C38)");
	opt.json = true;
	opt.max_depth = 0;
	p = open_printer(&o, &opt, ts);
	ipfix_print_record(p, &m, b, &rb);
	CHECK_STR(close_printer(&o, p),
	    "{\"type\":\"record\",\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"template\":259,\"basicList\":"
	    "{\"semantic\":\"allOf\",\"element\":\"sourceTransportPort\","
	    "\"values\":[80,443]}}\n", "json: basicList");
	m.hdr.odid = 6;		/* sub-templates are per (session, ODID) */
	p = open_printer(&o, NULL, ts);
	ipfix_print_record(p, &m, t, &r);
	CHECK_STR(close_printer(&o, p),
	    "  data 257: subTemplateList=[allOf 257 unknown: 0x0903010105030102"
	    "0050]\n", "text: unknown sub-template shown as hex");
	ipfix_tmpl_free(t);
	ipfix_tmpl_free(b);
	ipfix_tstore_free(ts);
}

static const char *
name_of(void *arg, uint32_t session)
{
	(void)arg;
	return session == 3 ? "udp 192.0.2.1:5000 -> 192.0.2.2:4739" : NULL;
}

static void
test_session_names(void)
{
	struct ipfix_print_options opt = { .json = true, .json_messages = true };
	struct ipfix_msg_ctx m;
	struct out o;
	struct ipfix_printer *p;

	o.f = open_memstream(&o.buf, &o.len);
	p = ipfix_printer_new(o.f, &opt, NULL, name_of, NULL);
	ctx(&m);
	m.session = 3;
	ipfix_print_message(p, &m);
	CHECK_EQ_U(ipfix_printer_messages(p), 1, "messages counted");
	CHECK_STR(close_printer(&o, p),
	    "{\"type\":\"message\",\"message\":1,\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"session\":3,\"peer\":\"udp 192.0.2.1:5000"
	    " -> 192.0.2.2:4739\",\"seq\":7,\"length\":100,\"offset\":0}\n",
	    "json: message object with the session's name");
}

/* A long name, with bytes JSON escapes: too long for the context cache. */
static const char *
long_name_of(void *arg, uint32_t session)
{
	static char name[160];

	(void)arg;
	memset(name, '\n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	return session == 4 ? name : NULL;
}

/* The JSON context is cached per (session, odid, export time): each change
 * must show, and a name too long for the cache still comes out whole. */
static void
test_json_context_cache(void)
{
	static const uint32_t spec[] = { 0, 7, 2 };
	static const uint8_t rec[] = { 0, 9 };
	struct ipfix_print_options opt = { .json = true };
	struct ipfix_tmpl *t = tmpl(256, 1, spec);
	struct ipfix_rec r = { rec, sizeof(rec), 0 };
	struct ipfix_msg_ctx m;
	struct out o;
	struct ipfix_printer *p;
	const char *out, *q;
	size_t n;

	o.f = open_memstream(&o.buf, &o.len);
	p = ipfix_printer_new(o.f, &opt, NULL, name_of, NULL);
	ctx(&m);
	ipfix_print_record(p, &m, t, &r);
	m.hdr.odid = 6;
	ipfix_print_record(p, &m, t, &r);
	m.hdr.export_time++;
	ipfix_print_record(p, &m, t, &r);
	m.session = 3;
	ipfix_print_record(p, &m, t, &r);
	ipfix_print_record(p, &m, t, &r);
	CHECK_STR(close_printer(&o, p),
	    "{\"type\":\"record\",\"odid\":5,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"template\":256,\"sourceTransportPort\":9}\n"
	    "{\"type\":\"record\",\"odid\":6,\"export_time\":"
	    "\"2022-09-09T08:06:09Z\",\"template\":256,\"sourceTransportPort\":9}\n"
	    "{\"type\":\"record\",\"odid\":6,\"export_time\":"
	    "\"2022-09-09T08:06:10Z\",\"template\":256,\"sourceTransportPort\":9}\n"
	    "{\"type\":\"record\",\"odid\":6,\"export_time\":"
	    "\"2022-09-09T08:06:10Z\",\"session\":3,\"peer\":\"udp 192.0.2.1:5000"
	    " -> 192.0.2.2:4739\",\"template\":256,\"sourceTransportPort\":9}\n"
	    "{\"type\":\"record\",\"odid\":6,\"export_time\":"
	    "\"2022-09-09T08:06:10Z\",\"session\":3,\"peer\":\"udp 192.0.2.1:5000"
	    " -> 192.0.2.2:4739\",\"template\":256,\"sourceTransportPort\":9}\n",
	    "json: context follows odid, export time and session");
	o.f = open_memstream(&o.buf, &o.len);
	p = ipfix_printer_new(o.f, &opt, NULL, long_name_of, NULL);
	m.session = 4;
	ipfix_print_record(p, &m, t, &r);
	ipfix_print_record(p, &m, t, &r);
	out = close_printer(&o, p);
	q = strstr(out, "\"peer\":\"");
	for (n = 0; q != NULL && strncmp(q + 8 + 2 * n, "\\n", 2) == 0; n++)
		;
	CHECK(n == 159 && strstr(q, "}\n{") != NULL &&
	    strstr(strstr(q, "}\n{"), "\"peer\":\"\\n\\n") != NULL,
	    "json: a long escaped peer name, twice");
	ipfix_tmpl_free(t);
}

int
main(void)
{
	test_text_scalars();
	test_json_scalars();
	test_json_repeats_and_objects();
	test_bad_values();
	test_lists();
	test_session_names();
	test_json_context_cache();
	TEST_DONE();
}
