/*
 * test_exp_tmpl: the exporter's count of forwarded statistics records
 * (exp_tmpl.c). Records of the input's own Exporting Process statistics
 * (an options template with IE 42 or IE 166) that ipfix-send forwards
 * are not flow records: its exportedFlowRecordTotalCount leaves them out,
 * as the collector's association does (assoc.c), or every hand-off
 * showed them as lost between sessions. Ours are never counted here.
 */
#include <stdlib.h>
#include <string.h>

#include "exporter_int.h"
#include "testhelp.h"

/* A template of one field (id, 8 bytes) after an observationDomainId
 * scope when options. */
static struct ipfix_tmpl *
tmpl(uint16_t tid, bool options, uint16_t ie)
{
	struct ipfix_tmpl *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->fields = calloc(2, sizeof(*t->fields))) == NULL) {
		free(t);
		return NULL;
	}
	t->id = tid;
	t->options = options;
	t->scope_count = options ? 1 : 0;
	t->nfields = 2;
	t->fields[0] = (struct ipfix_field){ .id = 149, .len = 4 };
	t->fields[1] = (struct ipfix_field){ .id = ie, .len = 8 };
	ipfix_tmpl_finish(t);
	return t;
}

static size_t
put_set(uint8_t *p, uint16_t sid, unsigned nrec)
{
	size_t len = 4 + 12 * (size_t)nrec;

	memset(p, 0, len);
	p[0] = (uint8_t)(sid >> 8);
	p[1] = (uint8_t)sid;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return len;
}

static void
test_fwd_stats(void)
{
	struct exp_dom d;
	struct exp_tmpl *own;
	uint8_t msg[512];
	size_t len = IPFIX_HDR_LEN;
	struct ipfix_tmpl *t[4] = { tmpl(256, false, 1), tmpl(257, true, 42),
	    tmpl(258, true, 166), tmpl(259, true, 42) };

	memset(&d, 0, sizeof(d));
	for (int i = 0; i < 4; i++)
		if (t[i] == NULL || exp_tm_put(&d, t[i]) == NULL) {
			CHECK(0, "out of memory");
			return;
		}
	CHECK(!ipfix_tmpl_exp_stats(t[0]) && ipfix_tmpl_exp_stats(t[1]) &&
	    ipfix_tmpl_exp_stats(t[2]), "statistics templates: IE 42 or 166 "
	    "in an options template");
	own = exp_tm_find(&d, 259);
	own->own = 1;		/* our metering template */
	memset(msg, 0, IPFIX_HDR_LEN);
	len += put_set(msg + len, 256, 5);	/* flow records */
	len += put_set(msg + len, 257, 2);	/* forwarded §4.1 */
	len += put_set(msg + len, 258, 1);	/* forwarded §4.3 */
	len += put_set(msg + len, 259, 3);	/* ours */
	len += put_set(msg + len, 300, 4);	/* unknown template */
	CHECK(exp_tm_fwd_stats(&d, msg, len) == 3, "3 forwarded statistics "
	    "records of 15 (%u)", exp_tm_fwd_stats(&d, msg, len));
	msg[IPFIX_HDR_LEN + 3] = 0xff;		/* a set past the end */
	CHECK(exp_tm_fwd_stats(&d, msg, len) == 0, "a bad set length ends "
	    "the count");
	while (d.n > 0)
		exp_tm_del(&d, d.n - 1);
	free(d.tm);
}

int
main(void)
{
	test_fwd_stats();
	TEST_DONE();
}
