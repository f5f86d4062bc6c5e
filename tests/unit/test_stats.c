/* Unit tests of stats (counters, DEFLATE ratio, report) and validate. */
#include <stdlib.h>

#include "stats.h"
#include "testhelp.h"
#include "validate.h"

/* Header, template set (256: sourceTransportPort), data set of 100
 * identical records, so DEFLATE has something to squeeze. */
static size_t
build(uint8_t *b)
{
	static const uint8_t head[] = {
		0, 10, 0, 0, 0x5f, 0x5e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 5,
		0, 2, 0, 12, 1, 0, 0, 1, 0, 7, 0, 2,
		1, 0, 0, 204,
	};
	size_t n = sizeof(head), i;

	memcpy(b, head, n);
	for (i = 0; i < 100; i++) {
		b[n++] = 0;
		b[n++] = 80;
	}
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	return n;
}

static char *
report(const struct ipfix_stats *st, bool json)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	CHECK(ipfix_stats_write(st, f, json) == 0, "report written");
	fclose(f);
	return buf;
}

static void
test_stats(void)
{
	uint8_t msg[512];
	struct ipfix_msg_ctx m = { 0 };
	struct ipfix_tmpl *t = ipfix_tmpl_new(256, 1, 0);
	struct ipfix_problem pr = { IPFIX_SEV_WARN, IPFIX_E_VALUE, "C09", 0, 0,
	    5, "" };
	struct ipfix_stats *st = ipfix_stats_new(true);
	struct ipfix_rec r;
	char *text;
	int i;

	t->fields[0].id = 7;
	t->fields[0].len = 2;
	ipfix_tmpl_finish(t);
	m.msg = msg;
	m.len = build(msg);
	m.hdr.odid = 5;
	CHECK(ipfix_stats_begin(st, "a.ipfix") == 0, "stream begun");
	ipfix_stats_template(st, IPFIX_TADD_NEW);
	for (i = 0; i < 100; i++) {
		r.p = msg + 32 + 2 * i;
		r.len = 2;
		r.offset = 32 + 2 * (uint64_t)i;
		ipfix_stats_record(st, &m, t, &r);
	}
	ipfix_stats_message(st, &m);
	ipfix_stats_problem(st, &pr);
	ipfix_stats_end(st, NULL);
	CHECK_EQ_U(ipfix_stats_records(st), 100, "records");
	CHECK_EQ_U(ipfix_stats_messages(st), 1, "messages");
	CHECK(ipfix_stats_deflate_ratio(st, 0) > 0 &&
	    ipfix_stats_deflate_ratio(st, 0) < 0.25, "repetitive data deflates");
	CHECK(ipfix_stats_deflate_ratio(st, 1) < 0, "no second stream");
	text = report(st, false);
	CHECK(strstr(text, "stats a.ipfix:\n  messages=1 bytes=232 records=100"
	    "\n  template_sets=1 options_template_sets=0 data_sets=1 "
	    "other_sets=0\n  templates_new=1 ") != NULL, "text totals");
	CHECK(strstr(text, "warnings=1 ") != NULL, "problems counted");
	CHECK(strstr(text, "  template session=0 odid=5 template=256 "
	    "records=100 bytes=200\n") != NULL, "per-template line");
	free(text);
	text = report(st, true);
	CHECK(strncmp(text, "{\"type\":\"stats\",\"file\":\"a.ipfix\","
	    "\"messages\":1,", 40) == 0, "json object");
	CHECK(strstr(text, "\"templates\":[{\"session\":0,\"odid\":5,"
	    "\"template\":256,\"records\":100,\"bytes\":200}]}\n") != NULL,
	    "json templates");
	free(text);
	ipfix_stats_free(st);
	ipfix_tmpl_free(t);
}

static unsigned seen;
static const char *last_check;

static void
on_problem(void *arg, const struct ipfix_problem *p)
{
	(void)arg;
	seen++;
	last_check = p->check;
}

static void
test_validate(void)
{
	/* dot1qDEI (boolean), interfaceName (string, 2 bytes) */
	static const uint8_t good[] = { 1, 'o', 'k' }, badb[] = { 0, 'o', 'k' };
	static const uint8_t badu[] = { 2, 0xc3, '(' };
	struct ipfix_tmpl *t = ipfix_tmpl_new(256, 2, 0);
	struct ipfix_msg_ctx m = { 0 };
	struct ipfix_rec r = { good, 3, 100 };

	t->fields[0].id = 388;
	t->fields[0].len = 1;
	t->fields[1].id = 82;
	t->fields[1].len = 2;
	ipfix_tmpl_finish(t);
	CHECK_EQ_U(ipfix_validate_record(NULL, &m, t, &r, 0, on_problem, NULL),
	    0, "clean record: no problem");
	r.p = badb;
	CHECK_EQ_U(ipfix_validate_record(NULL, &m, t, &r, 0, on_problem, NULL),
	    1, "boolean 0 is a problem");
	CHECK_STR(last_check, "C33", "... C33");
	r.p = badu;
	CHECK_EQ_U(ipfix_validate_record(NULL, &m, t, &r, 0, on_problem, NULL),
	    1, "ill-formed UTF-8 is a problem");
	CHECK_STR(last_check, "C34", "... C34");
	CHECK_EQ_U(seen, 2, "callback once per problem");
	ipfix_tmpl_free(t);
}

int
main(void)
{
	test_stats();
	test_validate();
	TEST_DONE();
}
