/*
 * test_sessout_der: exporterCertificate of the Export Session Details
 * record carries the DER certificate when the session gives one (RFC
 * 5655), in the long variable-length form past 254 bytes, and falls back
 * to the text identity without one or when it is too large to keep.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filehelp.h"
#include "testhelp.h"
#include "decode.h"
#include "sessout.h"
#include "stream.h"

struct seen {
	unsigned details;
	uint8_t cert[IPFIX_SESSOUT_DER_MAX];
	size_t cert_len;
};

/* exporterCertificate is the record's last field: after the scope, two
 * IPv6 addresses and ports, protocol and version (39 bytes). */
static void
on_rec(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct seen *s = arg;
	size_t off = 39, n;

	(void)m;
	if (t->id != IPFIX_SESSOUT_TID_SESS6 || r->len <= off)
		return;
	s->details++;
	n = r->p[off++];
	if (n == 255 && r->len >= off + 2) {
		n = (size_t)r->p[off] << 8 | r->p[off + 1];
		off += 2;
	}
	if (n <= r->len - off && n <= sizeof(s->cert)) {
		memcpy(s->cert, r->p + off, n);
		s->cert_len = n;
	}
}

static void
read_back(const char *path, struct seen *s)
{
	static const struct ipfix_decoder_ops ops = { .on_record = on_rec };

	memset(s, 0, sizeof(*s));
	test_decode_file(path, &ops, s);
}

static void
sess6(struct ipfix_sessout_session *s)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->exporter;
	struct sockaddr_in6 *c = (struct sockaddr_in6 *)&s->collector;

	memset(s, 0, sizeof(*s));
	s->id = 1;
	a->sin6_family = c->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &a->sin6_addr);
	inet_pton(AF_INET6, "2001:db8::2", &c->sin6_addr);
	a->sin6_port = htons(1234);
	c->sin6_port = htons(4739);
	s->proto = IPPROTO_UDP;
	s->identity = "subject=CN=x";
}

/* One session with one record, written to path; read back into seen. */
static int
write_one(const char *path, const struct ipfix_sessout_session *s,
    struct seen *seen)
{
	struct ipfix_sessout_config cfg = { .path = path };
	struct ipfix_tmpl *t = ipfix_tmpl_new(300, 1, 0);
	uint8_t rec[4] = { 0, 0, 0, 7 };
	struct ipfix_sessout *o;
	int rc = 0;

	t->fields[0].id = 2;		/* packetDeltaCount */
	t->fields[0].len = 4;
	ipfix_tmpl_finish(t);
	if ((o = ipfix_sessout_open(&cfg, NULL)) == NULL) {
		ipfix_tmpl_free(t);
		return -1;
	}
	rc |= ipfix_sessout_begin(o, s, NULL);
	rc |= ipfix_sessout_msg_begin(o, 1, 9, 100, 1, 1, NULL);
	rc |= ipfix_sessout_template(o, t, IPFIX_TADD_NEW, NULL);
	rc |= ipfix_sessout_record(o, t, rec, 4, NULL);
	rc |= ipfix_sessout_msg_end(o, NULL);
	rc |= ipfix_sessout_end(o, 1, NULL);
	rc |= ipfix_sessout_close(o, NULL);
	ipfix_tmpl_free(t);
	read_back(path, seen);
	return rc;
}

static void
test_der(const char *dir)
{
	struct ipfix_sessout_session s;
	static uint8_t der[IPFIX_SESSOUT_DER_MAX + 1];
	char path[512];
	struct seen seen;

	for (size_t i = 0; i < sizeof(der); i++)
		der[i] = (uint8_t)(i * 7 + 0x30);
	snprintf(path, sizeof(path), "%s/der.ipfix", dir);
	sess6(&s);
	s.der = der;
	s.der_len = 600;
	CHECK(write_one(path, &s, &seen) == 0, "a session with a DER cert");
	CHECK_EQ_U(seen.details, 1, "one Export Session Details record");
	CHECK_EQ_U(seen.cert_len, 600, "exporterCertificate is the DER");
	CHECK(memcmp(seen.cert, der, 600) == 0, "byte for byte");

	s.der_len = 0;
	CHECK(write_one(path, &s, &seen) == 0, "a session without DER");
	CHECK_EQ_U(seen.cert_len, 12, "text identity instead");
	CHECK(memcmp(seen.cert, "subject=CN=x", 12) == 0, "its text");

	s.der_len = sizeof(der);
	CHECK(write_one(path, &s, &seen) == 0, "an oversized certificate");
	CHECK_EQ_U(seen.cert_len, 12, "too large: text identity kept");
}

int
main(void)
{
	char dir[] = "/tmp/test_sessout_der.XXXXXX";
	char path[600];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_der(dir);
	snprintf(path, sizeof(path), "%s/der.ipfix", dir);
	remove(path);
	rmdir(dir);
	TEST_DONE();
}
