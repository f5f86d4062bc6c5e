/* Unit tests of problems (rate limiting per checklist id, reader errors)
 * and readsess (session labels). */
#include <netinet/in.h>
#include <sys/socket.h>

#include "problems.h"
#include "readsess.h"
#include "testhelp.h"

struct held {
	char text[256];
	size_t len;
};

static void
collect(void *arg, const char *check, uint64_t hidden)
{
	struct held *h = arg;
	int n = snprintf(h->text + h->len, sizeof(h->text) - h->len, "%s:%llu ",
	    check, (unsigned long long)hidden);

	if (n > 0 && (size_t)n < sizeof(h->text) - h->len)
		h->len += (size_t)n;
}

static unsigned
show_n(struct ipfix_problems *ps, const char *check, unsigned n)
{
	struct ipfix_problem p = { .check = check };
	unsigned shown = 0;

	while (n-- > 0)
		shown += ipfix_problems_show(ps, &p);
	return shown;
}

static void
test_limit(void)
{
	struct ipfix_problems ps;
	struct held h = { "", 0 };
	char id[8];
	unsigned i;

	ipfix_problems_init(&ps, 3);
	CHECK_EQ_U(show_n(&ps, "C09", 5), 3, "first 3 of an id shown");
	CHECK_EQ_U(show_n(&ps, NULL, 4), 3, "problems without an id: '-'");
	CHECK_EQ_U(show_n(&ps, "C10", 2), 2, "another id counts apart");
	ipfix_problems_flush(&ps, collect, &h);
	CHECK_STR(h.text, "C09:2 -:1 ", "held back, in first-seen order");
	h.len = 0;
	h.text[0] = '\0';
	CHECK_EQ_U(show_n(&ps, "C09", 3), 3, "flush forgets the counts");
	ipfix_problems_flush(&ps, collect, &h);
	CHECK_STR(h.text, "", "nothing held back");
	for (i = 0; i < IPFIX_PROBLEMS_IDS; i++) {
		snprintf(id, sizeof(id), "C%u", i);
		show_n(&ps, id, 1);
	}
	CHECK_EQ_U(show_n(&ps, "C999", 10), 10, "ids past the table: shown");
	ipfix_problems_init(&ps, 0);
	CHECK_EQ_U(show_n(&ps, "C09", 500), 500, "limit 0: all shown");
	ipfix_problems_flush(&ps, collect, &h);
	CHECK_STR(h.text, "", "limit 0: nothing held back");
}

static void
test_reader(void)
{
	struct ipfix_problem p;
	struct ipfix_err err;

	ipfix_err_clear(&err);
	err.code = IPFIX_E_TRUNCATED;
	err.offset = 42;
	ipfix_problem_from_reader(&p, &err);
	CHECK(p.severity == IPFIX_SEV_MALFORMED, "reader: malformed input");
	CHECK_STR(p.check, "C03", "reader: cut message is C03");
	CHECK_EQ_U(p.offset, 42, "reader: offset kept");
	CHECK(p.reason[0] != '\0', "reader: code's text as reason");
	err.check = "C02";
	snprintf(err.reason, sizeof(err.reason), "bad version");
	ipfix_problem_from_reader(&p, &err);
	CHECK_STR(p.check, "C02", "reader: the error's own check");
	CHECK_STR(p.reason, "bad version", "reader: the error's reason");
}

static void
test_names(void)
{
	struct ipfix_session_info si = { 1, IPPROTO_UDP, AF_INET,
	    { 10, 0, 0, 1 }, { 10, 0, 0, 2 }, 5000, 4739 };
	char buf[128];

	CHECK_STR(ipfix_readsess_format(&si, buf, sizeof(buf)),
	    "udp 10.0.0.1:5000 -> 10.0.0.2:4739", "IPv4 UDP label");
	si.proto = IPPROTO_TCP;
	si.family = AF_INET6;
	memset(si.src, 0, 16);
	si.src[15] = 1;
	CHECK_STR(ipfix_readsess_format(&si, buf, sizeof(buf)),
	    "tcp [::1]:5000 -> [a00:2::]:4739", "IPv6 TCP label, brackets");
	si.family = 12345;
	CHECK(ipfix_readsess_format(&si, buf, sizeof(buf)) == NULL,
	    "unknown family: no label");
	CHECK(ipfix_readsess_name(NULL, 1, buf, sizeof(buf)) == NULL,
	    "no reader: no label");
}

/* Labels and kinds from a real reader (tests/data, run from the top). */
static void
test_reader_sessions(void)
{
	const char *dir = "tests/data/ipfix/NetGauze__100-IPFIXv10-CISCO__"
	    "traffic-00";
	struct ipfix_reader_options ro = { .port = 0 };
	struct ipfix_msg_meta meta;
	struct ipfix_reader *rd;
	struct ipfix_err err;
	const uint8_t *msg;
	char path[160], buf[128];
	size_t len;

	snprintf(path, sizeof(path), "%s.pcap", dir);
	rd = ipfix_reader_open(path, &ro, &err);
	CHECK(rd != NULL, "capture opened");
	if (rd == NULL)
		return;
	CHECK(ipfix_reader_next(rd, &msg, &len, &meta, &err) == 1,
	    "capture: a message");
	CHECK_STR(ipfix_readsess_name(rd, meta.session, buf, sizeof(buf)),
	    "udp 138.187.0.13:50109 -> 138.187.58.1:9991",
	    "capture: session label");
	CHECK(ipfix_readsess_kind(rd, meta.session) == IPFIX_KIND_UDP,
	    "capture: UDP session");
	CHECK(ipfix_readsess_name(rd, 999, buf, sizeof(buf)) == NULL,
	    "capture: no label for an unknown session");
	ipfix_reader_close(rd);
	snprintf(path, sizeof(path), "%s.udp-payloads.ipfix", dir);
	rd = ipfix_reader_open(path, &ro, &err);
	CHECK(rd != NULL, "raw stream opened");
	if (rd == NULL)
		return;
	CHECK(ipfix_reader_next(rd, &msg, &len, &meta, &err) == 1,
	    "raw: a message");
	CHECK(ipfix_readsess_kind(rd, meta.session) == IPFIX_KIND_FILE,
	    "raw: an RFC 5655 file");
	CHECK(ipfix_readsess_name(rd, meta.session, buf, sizeof(buf)) == NULL,
	    "raw: no label");
	ipfix_reader_close(rd);
}

int
main(void)
{
	test_limit();
	test_reader();
	test_names();
	test_reader_sessions();
	TEST_DONE();
}
