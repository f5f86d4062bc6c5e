/* Unit tests of outbuf: number, address, time and string formatting. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "outbuf.h"
#include "value.h"
#include "testhelp.h"

struct mem {
	FILE *f;
	char *buf;
	size_t len;
	struct ipfix_ob ob;
};

static void
mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (m->f == NULL || ipfix_ob_init(&m->ob, m->f) == -1)
		abort();
}

/* Flush and return what was written since the last call. */
static const char *
mem_take(struct mem *m)
{
	static char out[4096];

	ipfix_ob_flush(&m->ob);
	snprintf(out, sizeof(out), "%.*s", (int)m->len, m->buf);
	rewind(m->f);
	m->len = 0;
	return out;
}

static void
mem_close(struct mem *m)
{
	ipfix_ob_fini(&m->ob);
	fclose(m->f);
	free(m->buf);
}

static void
test_integers(struct mem *m)
{
	ipfix_ob_u64(&m->ob, 0);
	CHECK_STR(mem_take(m), "0", "u64 0");
	ipfix_ob_u64(&m->ob, 9);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_u64(&m->ob, 10);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_u64(&m->ob, 100);
	CHECK_STR(mem_take(m), "9 10 100", "u64 digit boundaries");
	ipfix_ob_u64(&m->ob, UINT64_MAX);
	CHECK_STR(mem_take(m), "18446744073709551615", "u64 max");
	ipfix_ob_i64(&m->ob, INT64_MIN);
	CHECK_STR(mem_take(m), "-9223372036854775808", "i64 min");
	ipfix_ob_i64(&m->ob, -42);
	CHECK_STR(mem_take(m), "-42", "i64 negative");
	ipfix_ob_u64w(&m->ob, 7, 3);
	CHECK_STR(mem_take(m), "007", "u64w pads");
	ipfix_ob_u64w(&m->ob, 12345, 3);
	CHECK_STR(mem_take(m), "12345", "u64w never cuts");
	ipfix_ob_double(&m->ob, 0.1, false);
	CHECK_STR(mem_take(m), "0.1", "double shortest form");
	ipfix_ob_double(&m->ob, (float)0.1, true);
	CHECK_STR(mem_take(m), "0.1", "float32 shortest form");
	ipfix_ob_double(&m->ob, 1.0 / 0.0, false);
	CHECK_STR(mem_take(m), "Infinity", "infinity");
}

static void
v6(struct mem *m, const char *in)
{
	uint8_t a[16];
	char want[64];

	if (inet_pton(AF_INET6, in, a) != 1)
		abort();
	inet_ntop(AF_INET6, a, want, sizeof(want));
	ipfix_ob_ipv6(&m->ob, a);
	CHECK_STR(mem_take(m), want, "ipv6 %s like inet_ntop", in);
}

static void
test_addresses(struct mem *m)
{
	const uint8_t v4[4] = { 192, 0, 2, 10 }, z4[4] = { 0 };
	const uint8_t mac[6] = { 0, 0x1b, 0x2c, 0xa0, 0xff, 9 };
	uint8_t r[16];
	char want[64];
	int i, j, same = 0;

	ipfix_ob_ipv4(&m->ob, v4);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_ipv4(&m->ob, z4);
	CHECK_STR(mem_take(m), "192.0.2.10 0.0.0.0", "ipv4");
	ipfix_ob_mac(&m->ob, mac);
	CHECK_STR(mem_take(m), "00:1b:2c:a0:ff:09", "mac");
	v6(m, "::");
	v6(m, "::1");
	v6(m, "2001:db8::1");
	v6(m, "fe80::");
	v6(m, "1:0:0:1:0:0:0:1");
	v6(m, "1:0:0:1:1:0:0:1");
	v6(m, "1:0:1:0:1:0:1:0");
	v6(m, "::ffff:192.0.2.1");
	v6(m, "::192.0.2.1");
	v6(m, "2001:db8:0:0:1::");
	/* Random addresses with many zero words against glibc. */
	srand(7);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < 16; j += 2)
			r[j] = r[j + 1] = rand() % 3 == 0 ? 0 :
			    (uint8_t)rand();
		inet_ntop(AF_INET6, r, want, sizeof(want));
		ipfix_ob_ipv6(&m->ob, r);
		same += strcmp(mem_take(m), want) == 0;
	}
	CHECK_EQ_U(same, 2000, "2000 random ipv6 equal inet_ntop");
}

static void
test_times(struct mem *m)
{
	ipfix_ob_time(&m->ob, 0, 0, 0);
	CHECK_STR(mem_take(m), "1970-01-01T00:00:00Z", "epoch");
	ipfix_ob_time(&m->ob, 951782400, 0, 0);
	CHECK_STR(mem_take(m), "2000-02-29T00:00:00Z", "leap day");
	ipfix_ob_time(&m->ob, -1, 0, 0);
	CHECK_STR(mem_take(m), "1969-12-31T23:59:59Z", "before 1970");
	ipfix_ob_time(&m->ob, 4294967295, 0, 0);
	CHECK_STR(mem_take(m), "2106-02-07T06:28:15Z", "u32 export time max");
	ipfix_ob_time(&m->ob, 1662710769, 768000000, 3);
	CHECK_STR(mem_take(m), "2022-09-09T08:06:09.768Z", "milliseconds");
	ipfix_ob_time(&m->ob, 1662710769, 5000, 6);
	CHECK_STR(mem_take(m), "2022-09-09T08:06:09.000005Z", "micro");
	ipfix_ob_time(&m->ob, 1662710769, 123456789, 9);
	CHECK_STR(mem_take(m), "2022-09-09T08:06:09.123456789Z", "nano");
}

/* ipfix_ob_u64 sizes its output from the bit length: every power of ten
 * and its neighbours, against printf. */
static void
test_u64_lengths(struct mem *m)
{
	char want[32];
	uint64_t p = 1, v[3];
	unsigned i, j, same = 0;

	for (i = 0; i < 20; i++, p *= 10) {
		v[0] = p - 1;
		v[1] = p;
		v[2] = i < 19 ? p + 1 : UINT64_MAX;
		for (j = 0; j < 3; j++) {
			snprintf(want, sizeof(want), "%llu",
			    (unsigned long long)v[j]);
			ipfix_ob_u64(&m->ob, v[j]);
			same += strcmp(mem_take(m), want) == 0;
		}
	}
	CHECK_EQ_U(same, 60, "u64 around every power of ten");
}

/* The last day's date is cached in the outbuf: changing days back and
 * forth, and a fraction too large for its digits (printed in full). */
static void
test_time_cache(struct mem *m)
{
	ipfix_ob_time(&m->ob, 86399, 0, 0);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_time(&m->ob, 86400, 0, 0);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_time(&m->ob, 86399, 0, 0);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_time(&m->ob, -86400, 0, 0);
	CHECK_STR(mem_take(m), "1970-01-01T23:59:59Z 1970-01-02T00:00:00Z "
	    "1970-01-01T23:59:59Z 1969-12-31T00:00:00Z", "day changes");
	ipfix_ob_time(&m->ob, 0, 1500000000u, 3);
	CHECK_STR(mem_take(m), "1970-01-01T00:00:00.1500Z",
	    "out-of-range fraction in full");
	ipfix_ob_time(&m->ob, 0, 7, 1);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_time(&m->ob, 0, 70000000, 2);
	CHECK_STR(mem_take(m), "1970-01-01T00:00:00.0Z "
	    "1970-01-01T00:00:00.07Z", "1 and 2 fraction digits");
	ipfix_ob_time(&m->ob, -62135596800, 0, 0);
	ipfix_ob_putc(&m->ob, ' ');
	ipfix_ob_time(&m->ob, -62135596801, 0, 0);
	CHECK_STR(mem_take(m), "0001-01-01T00:00:00Z 0000-12-31T23:59:59Z",
	    "year 1 and year 0");
}

static void
test_strings(struct mem *m)
{
	const uint8_t s1[] = "a\"b\\c\n\t\x01";
	const uint8_t utf[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	const uint8_t bad[] = { 'x', 0xc3, '(', 0xc0, 0x80, 0xed, 0xa0, 0x80,
	    0xf4, 0x90, 0x80, 0x80, 0xff };

	ipfix_ob_str_text(&m->ob, s1, sizeof(s1) - 1);
	CHECK_STR(mem_take(m), "a\\\"b\\\\c\\n\\t\\x01", "text escapes");
	ipfix_ob_str_json(&m->ob, s1, sizeof(s1) - 1);
	CHECK_STR(mem_take(m), "a\\\"b\\\\c\\n\\t\\u0001", "json escapes");
	ipfix_ob_str_text(&m->ob, utf, sizeof(utf) - 1);
	CHECK_STR(mem_take(m), (const char *)utf, "valid UTF-8 kept");
	ipfix_ob_str_text(&m->ob, bad, sizeof(bad));
	CHECK_STR(mem_take(m), "x\\xc3(\\xc0\\x80\\xed\\xa0\\x80\\xf4\\x90"
	    "\\x80\\x80\\xff", "ill-formed UTF-8 escaped per byte (C34)");
	ipfix_ob_str_json(&m->ob, bad, 3);
	CHECK_STR(mem_take(m), "x\\\\xc3(", "JSON keeps \\xNN as text");
	CHECK(ipfix_utf8_valid(utf, sizeof(utf) - 1), "utf8 valid");
	CHECK(!ipfix_utf8_valid(bad + 3, 2), "overlong refused");
	CHECK(!ipfix_utf8_valid(bad + 5, 3), "surrogate refused");
	CHECK(!ipfix_utf8_valid(bad + 8, 4), "above U+10FFFF refused");
	CHECK(!ipfix_utf8_valid(utf, 4), "cut sequence refused");
	ipfix_ob_json_lit(&m->ob, "a\"b");
	CHECK_STR(mem_take(m), "\"a\\\"b\"", "json literal");
	ipfix_ob_hex(&m->ob, bad, 3);
	CHECK_STR(mem_take(m), "78c328", "hex");
}

static void
test_big_and_errors(void)
{
	struct mem m;
	struct ipfix_ob ob;
	char *big = malloc(3 * IPFIX_OB_SIZE + 7);
	FILE *full;
	size_t i;

	for (i = 0; i < 3 * IPFIX_OB_SIZE + 7; i++)
		big[i] = (char)('a' + i % 26);
	mem_open(&m);
	ipfix_ob_puts(&m.ob, "<");
	ipfix_ob_write(&m.ob, big, 3 * IPFIX_OB_SIZE + 7);
	ipfix_ob_hex(&m.ob, (const uint8_t *)big, IPFIX_OB_SIZE);
	ipfix_ob_flush(&m.ob);
	CHECK_EQ_U(m.len, 1 + 3 * IPFIX_OB_SIZE + 7 + 2 * IPFIX_OB_SIZE,
	    "writes larger than the buffer are complete");
	CHECK(memcmp(m.buf + 1, big, 3 * IPFIX_OB_SIZE + 7) == 0,
	    "and in order");
	mem_close(&m);
	free(big);
	if ((full = fopen("/dev/full", "w")) == NULL) {
		CHECK(1, "no /dev/full: write error test skipped");
		return;
	}
	ipfix_ob_init(&ob, full);
	for (i = 0; i < 3 * IPFIX_OB_SIZE; i++)
		ipfix_ob_putc(&ob, 'x');
	errno = 0;
	CHECK(ipfix_ob_fini(&ob) == -1 && errno == ENOSPC,
	    "write error is sticky and reported at the end");
	fclose(full);
}

int
main(void)
{
	struct mem m;

	mem_open(&m);
	test_integers(&m);
	test_addresses(&m);
	test_times(&m);
	test_u64_lengths(&m);
	test_time_cache(&m);
	test_strings(&m);
	mem_close(&m);
	test_big_and_errors();
	TEST_DONE();
}
