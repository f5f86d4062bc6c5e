/*
 * test_probe: the probe's pure parts: the ClientHello extension body
 * parsers (bounds, lengths, the name cut to its buffer), the session file
 * calls without a session, and the report's JSON escaping and exit texts.
 * The handshakes themselves are tested against real peers in
 * tests/dtls-probe.bats.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "testhelp.h"

static void
test_u16_list(void)
{
	static const uint8_t versions[] = { 4, 0xfe, 0xfd, 0x03, 0x04 };
	static const uint8_t groups[] = { 0, 6, 0, 0x1d, 0, 0x17, 0, 0x18 };
	static const uint8_t odd[] = { 3, 0xfe, 0xfd, 0x03 };
	static const uint8_t longer[] = { 0, 8, 0, 0x1d, 0, 0x17 };
	uint16_t v[4] = { 0 };

	CHECK_EQ_U(ipfix_hello_u16_list(versions, sizeof(versions), 1, v, 4),
	    2, "supported_versions: two");
	CHECK(v[0] == 0xfefd && v[1] == 0x0304, "... DTLS 1.2, TLS 1.3");
	CHECK_EQ_U(ipfix_hello_u16_list(groups, sizeof(groups), 2, v, 2), 3,
	    "supported_groups: three counted");
	CHECK(v[0] == 0x1d && v[1] == 0x17, "... two kept (max 2)");
	CHECK(ipfix_hello_u16_list(odd, sizeof(odd), 1, v, 4) == -1,
	    "odd length: malformed");
	CHECK(ipfix_hello_u16_list(longer, sizeof(longer), 2, v, 4) == -1,
	    "length past the body: malformed");
	CHECK(ipfix_hello_u16_list(groups, 1, 2, v, 4) == -1,
	    "shorter than its prefix: malformed");
	CHECK(ipfix_hello_u16_list(groups, sizeof(groups), 3, v, 4) == -1,
	    "prefix 3: refused");
	CHECK_EQ_U(ipfix_hello_u16_list((const uint8_t *)"\0", 1, 1, v, 4), 0,
	    "empty list");
}

static void
test_sni(void)
{
	static const uint8_t ok[] = { 0, 13, 0, 0, 10, 'p', 'r', 'o', 'b',
	    'e', '.', 't', 'e', 's', 't' };
	static const uint8_t past[] = { 0, 13, 0, 0, 11, 'p', 'r', 'o', 'b',
	    'e', '.', 't', 'e', 's', 't' };
	static const uint8_t other[] = { 0, 5, 1, 0, 2, 'a', 'b' };
	static const uint8_t nul[] = { 0, 5, 0, 0, 2, 'a', 0 };
	char out[32];

	CHECK(ipfix_hello_sni(ok, sizeof(ok), out, sizeof(out)) == 0,
	    "server_name parsed");
	CHECK_STR(out, "probe.test", "... the host name");
	CHECK(ipfix_hello_sni(ok, sizeof(ok), out, 6) == 0 &&
	    strcmp(out, "probe") == 0, "cut to the buffer, NUL-ended");
	CHECK(ipfix_hello_sni(past, sizeof(past), out, sizeof(out)) == -1,
	    "name length past the body: malformed");
	CHECK(ipfix_hello_sni(other, sizeof(other), out, sizeof(out)) == -1,
	    "no host_name entry: -1");
	CHECK(ipfix_hello_sni(nul, sizeof(nul), out, sizeof(out)) == -1,
	    "a NUL inside the name: -1");
	CHECK(ipfix_hello_sni(ok, 1, out, sizeof(out)) == -1,
	    "one byte: malformed");
}

static void
test_session_file(void)
{
	struct ipfix_sec_config cfg = { .insecure = true };
	struct ipfix_sec_ctx *s;
	struct ipfix_err err;
	char path[] = "/tmp/test_probe.XXXXXX";
	FILE *f;
	int fd;

	s = ipfix_sec_ctx_new(&cfg, false, IPFIX_SCHEME_DTLS, &err);
	CHECK(s != NULL, "client context");
	if (s == NULL)
		return;
	CHECK(ipfix_sec_ctx_session_load(s, "/nonexistent/s.pem", NULL,
	    &err) == 0, "no file: nothing loaded, no error");
	CHECK(!ipfix_sec_ctx_has_session(s), "... no session");
	CHECK(ipfix_sec_ctx_session_save(s, "/tmp/never", &err) == -1 &&
	    strstr(err.reason, "no session") != NULL,
	    "save without a session: says so");
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f != NULL) {
		fputs("not a session\n", f);
		fclose(f);
	}
	CHECK(ipfix_sec_ctx_session_load(s, path, NULL, &err) == -1 &&
	    strstr(err.reason, "not a PEM SSL session") != NULL,
	    "garbage file: a clear error");
	unlink(path);
	ipfix_sec_ctx_free(s);
}

static char *
render(const struct ipfix_probe_result *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	(void)ipfix_probe_report(f, r, json);
	fclose(f);
	return buf;
}

static void
test_report(void)
{
	struct ipfix_probe_result *r = calloc(1, sizeof(*r));
	char *out;

	if (r == NULL)
		return;
	snprintf(r->target, sizeof(r->target), "dtls://x:1");
	snprintf(r->reach, sizeof(r->reach), "no");
	snprintf(r->first.reason, sizeof(r->first.reason), "a \"q\"\nb");
	r->exit = PROBE_EXIT_UNREACH;
	out = render(r, true);
	CHECK(out != NULL && strstr(out, "\"error\":\"a \\\"q\\\"\\nb\"") !=
	    NULL, "JSON escapes the reason");
	CHECK(out != NULL && strstr(out, "\"exit\":4") != NULL &&
	    strstr(out, "\"reachable\":false") != NULL, "JSON exit, reachable");
	CHECK(out != NULL && strstr(out, "\"resume\":{\"result\":\"not asked\"}")
	    != NULL, "a check not asked is a field too");
	free(out);
	out = render(r, false);
	CHECK(out != NULL && strstr(out, "result:         exit 4 (unreachable "
	    "or timed out)\n") != NULL, "text: the exit line");
	free(out);
	free(r);
}

int
main(void)
{
	test_u16_list();
	test_sni();
	test_session_file();
	test_report();
	TEST_DONE();
}
