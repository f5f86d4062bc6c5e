/*
 * test_origin: who sent each record of a merged collector output. Two
 * sessions written by sessout (IPv4 UDP without identity, IPv6 SCTP with
 * "psk=alpha") into one file, interleaved, and read back: every record is
 * named by its own session, the details records too; a message without
 * Message Details names none; ipfix_origin_match by address,
 * address:port, PSK identity, CN and whole identity, and nothing else.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filehelp.h"
#include "testhelp.h"
#include "decode.h"
#include "origin.h"
#include "sessout.h"

struct seen {
	struct ipfix_origins *o;
	unsigned recs, named, wrong, details;
};

static void
on_rec(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct seen *s = arg;
	const struct ipfix_origin *x;
	const char *want;

	s->details += ipfix_origins_record(s->o, m, t, r);
	x = ipfix_origins_current(s->o, m);
	s->recs++;
	if (x == NULL)
		return;
	s->named++;
	/* ODID 1 is the UDP session's, ODID 2 the SCTP one's */
	want = m->hdr.odid == 1 ? "udp 192.0.2.7:5000" :
	    "dtls-sctp [2001:db8::1]:1234 psk=alpha";
	if (strcmp(x->label, want) != 0) {
		s->wrong++;
		printf("#   odid %u named '%s'\n", m->hdr.odid, x->label);
	}
}

static void
sess(struct ipfix_sessout_session *s, uint32_t id, bool v6)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&s->exporter;
	struct sockaddr_in *c4 = (struct sockaddr_in *)&s->collector;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&s->exporter;
	struct sockaddr_in6 *c6 = (struct sockaddr_in6 *)&s->collector;

	memset(s, 0, sizeof(*s));
	s->id = id;
	if (v6) {
		a6->sin6_family = c6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::1", &a6->sin6_addr);
		inet_pton(AF_INET6, "2001:db8::2", &c6->sin6_addr);
		a6->sin6_port = htons(1234);
		c6->sin6_port = htons(4739);
		s->proto = IPPROTO_SCTP;
		s->identity = "psk=alpha";
	} else {
		a4->sin_family = c4->sin_family = AF_INET;
		inet_pton(AF_INET, "192.0.2.7", &a4->sin_addr);
		inet_pton(AF_INET, "192.0.2.9", &c4->sin_addr);
		a4->sin_port = htons(5000);
		c4->sin_port = htons(4739);
		s->proto = IPPROTO_UDP;
	}
}

static int
write_two(const char *path, struct ipfix_tmpl *t)
{
	struct ipfix_sessout_config cfg = { 0 };
	struct ipfix_sessout_session s;
	struct ipfix_sessout *o;
	uint8_t rec[8] = { 0, 0, 0, 0, 0, 0, 0, 42 };
	int rc = 0;

	cfg.path = path;
	if ((o = ipfix_sessout_open(&cfg, NULL)) == NULL)
		return -1;
	sess(&s, 1, false);
	rc |= ipfix_sessout_begin(o, &s, NULL);
	sess(&s, 2, true);
	rc |= ipfix_sessout_begin(o, &s, NULL);
	for (int i = 0; i < 6 && rc == 0; i++) {
		uint32_t id = (uint32_t)(i % 2) + 1;

		rc |= ipfix_sessout_msg_begin(o, id, id, 100, 0, i, NULL);
		if (i < 2)
			rc |= ipfix_sessout_template(o, t, IPFIX_TADD_NEW,
			    NULL);
		rc |= ipfix_sessout_record(o, t, rec, 8, NULL);
		rc |= ipfix_sessout_record(o, t, rec, 8, NULL);
		rc |= ipfix_sessout_msg_end(o, NULL);
	}
	rc |= ipfix_sessout_close(o, NULL);
	return rc;
}

static void
test_merged(void)
{
	static const struct ipfix_decoder_ops ops = { .on_record = on_rec };
	char path[] = "/tmp/test_origin.XXXXXX";
	struct ipfix_tmpl *t = ipfix_tmpl_new(300, 1, 0);
	struct seen s = { 0 };
	int fd = mkstemp(path);

	t->fields[0].id = 1;
	t->fields[0].len = 8;
	ipfix_tmpl_finish(t);
	CHECK(fd != -1 && write_two(path, t) == 0,
	    "two sessions written interleaved");
	s.o = ipfix_origins_new(NULL);
	test_decode_file(path, &ops, &s);
	CHECK_EQ_U(s.recs, 6 * 2 + 6 + 2, "12 records, 6 Message and 2 "
	    "Session Details");
	CHECK_EQ_U(s.details, 8, "the details records are taken in");
	CHECK_EQ_U(s.named, s.recs, "every record is named");
	CHECK_EQ_U(s.wrong, 0, "each by its own session");
	ipfix_origins_free(s.o);
	ipfix_tmpl_free(t);
	remove(path);
}

static void
test_unnamed(void)
{
	struct ipfix_origins *o = ipfix_origins_new(NULL);
	struct ipfix_msg_ctx m = { .offset = 0 };

	CHECK(ipfix_origins_current(o, &m) == NULL,
	    "no details seen: no exporter");
	ipfix_origins_free(o);
}

static void
test_match(void)
{
	struct ipfix_origin x = { .addr = "192.0.2.7", .port = 5000,
	    .identity = "subject=CN=exporter-1.test,O=ipfix-dtls test" };
	struct ipfix_origin p = { .addr = "2001:db8::1", .port = 1234,
	    .identity = "psk=alpha" };

	CHECK(ipfix_origin_match(&x, "192.0.2.7"), "match: address");
	CHECK(ipfix_origin_match(&x, "192.0.2.7:5000"), "match: address:port");
	CHECK(!ipfix_origin_match(&x, "192.0.2.7:5001"), "no match: other port");
	CHECK(!ipfix_origin_match(&x, "192.0.2.77"), "no match: other address");
	CHECK(ipfix_origin_match(&x, "exporter-1.test"), "match: CN");
	CHECK(!ipfix_origin_match(&x, "exporter-1"), "no match: CN prefix");
	CHECK(ipfix_origin_match(&x, x.identity), "match: whole identity");
	CHECK(ipfix_origin_match(&p, "alpha"), "match: PSK identity");
	CHECK(ipfix_origin_match(&p, "psk=alpha"), "match: psk=ID");
	CHECK(!ipfix_origin_match(&p, "alp"), "no match: PSK prefix");
	CHECK(ipfix_origin_match(&p, "[2001:db8::1]:1234"),
	    "match: [IPv6 address]:port");
}

int
main(void)
{
	test_merged();
	test_unnamed();
	test_match();
	TEST_DONE();
}
