#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"
#include "value.h"

static const char hexdig[] = "0123456789abcdef";

/* Two decimal digits per table lookup halves the divisions. */
static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

int
ipfix_ob_init(struct ipfix_ob *ob, FILE *f)
{
	ob->f = f;
	ob->len = 0;
	ob->error = 0;
	ob->day = INT64_MIN;
	memset(ob->date, 0, sizeof(ob->date));
	ob->date_len = 0;
	ob->buf = malloc(IPFIX_OB_SIZE);
	return ob->buf == NULL ? -1 : 0;
}

void
ipfix_ob_drain(struct ipfix_ob *ob)
{
	if (ob->len > 0 && ob->error == 0 &&
	    fwrite(ob->buf, 1, ob->len, ob->f) != ob->len)
		ob->error = errno != 0 ? errno : EIO;
	ob->len = 0;
}

int
ipfix_ob_flush(struct ipfix_ob *ob)
{
	ipfix_ob_drain(ob);
	if (ob->error == 0 && fflush(ob->f) != 0)
		ob->error = errno != 0 ? errno : EIO;
	if (ob->error != 0) {
		errno = ob->error;
		return -1;
	}
	return 0;
}

int
ipfix_ob_fini(struct ipfix_ob *ob)
{
	int rc = 0;

	if (ob->buf == NULL)
		return 0;
	rc = ipfix_ob_flush(ob);
	free(ob->buf);
	ob->buf = NULL;
	return rc;
}

void
ipfix_ob_write_slow(struct ipfix_ob *ob, const void *p, size_t n)
{
	const char *s = p;
	size_t chunk;

	while (n > 0) {
		chunk = n < IPFIX_OB_SIZE ? n : IPFIX_OB_SIZE;
		memcpy(ipfix_ob_room(ob, chunk), s, chunk);
		ob->len += chunk;
		s += chunk;
		n -= chunk;
	}
}

/* Writes v right-aligned ending at 'end'; returns the first digit. */
static char *
fmt_u64(char *end, uint64_t v)
{
	char *q = end;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100) * 2;

		v /= 100;
		q -= 2;
		q[0] = digits2[r];
		q[1] = digits2[r + 1];
	}
	if (v >= 10) {
		q -= 2;
		q[0] = digits2[v * 2];
		q[1] = digits2[v * 2 + 1];
	} else
		*--q = (char)('0' + v);
	return q;
}

static const uint64_t dec_pow[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

/* Number of decimal digits of v (1..20): log10 from the bit length
 * (1233 / 4096 ~ log10(2)), corrected by one comparison. v | 1 has as
 * many digits as v (powers of ten above 1 are even) and is never 0. */
static size_t
dec_len(uint64_t v)
{
	uint64_t w = v | 1;
	unsigned t = (unsigned)(64 - __builtin_clzll(w)) * 1233 >> 12;

	return t - (w < dec_pow[t]) + 1;
}

/* Formatted in place: no scratch buffer and no variable-length copy. */
void
ipfix_ob_u64(struct ipfix_ob *ob, uint64_t v)
{
	size_t n = dec_len(v);

	fmt_u64(ipfix_ob_room(ob, 20) + n, v);
	ob->len += n;
}

void
ipfix_ob_i64(struct ipfix_ob *ob, int64_t v)
{
	if (v < 0) {
		ipfix_ob_putc(ob, '-');
		/* Negate in unsigned arithmetic: INT64_MIN has no positive. */
		ipfix_ob_u64(ob, (uint64_t)0 - (uint64_t)v);
	} else
		ipfix_ob_u64(ob, (uint64_t)v);
}

void
ipfix_ob_u64w(struct ipfix_ob *ob, uint64_t v, unsigned width)
{
	char tmp[24], *q;
	size_t n;

	q = fmt_u64(tmp + sizeof(tmp), v);
	if (width > 20)
		width = 20;
	while ((size_t)(tmp + sizeof(tmp) - q) < width)
		*--q = '0';
	n = (size_t)(tmp + sizeof(tmp) - q);
	memcpy(ipfix_ob_room(ob, n), q, n);
	ob->len += n;
}

/* Shortest of %.{6,9}g / %.{15,17}g that reads back to the same value. */
void
ipfix_ob_double(struct ipfix_ob *ob, double v, bool single)
{
	char tmp[40];
	int n;

	if (isnan(v)) {
		ipfix_ob_puts(ob, "NaN");
		return;
	}
	if (isinf(v)) {
		ipfix_ob_puts(ob, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (single) {
		n = snprintf(tmp, sizeof(tmp), "%.6g", v);
		if (strtof(tmp, NULL) != (float)v)
			n = snprintf(tmp, sizeof(tmp), "%.9g", v);
	} else {
		n = snprintf(tmp, sizeof(tmp), "%.15g", v);
		if (strtod(tmp, NULL) != v)
			n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	}
	if (n > 0 && (size_t)n < sizeof(tmp))
		ipfix_ob_write(ob, tmp, (size_t)n);
}

void
ipfix_ob_ipv4(struct ipfix_ob *ob, const uint8_t a[4])
{
	char *q = ipfix_ob_room(ob, 16), *s = q;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned b = a[i];

		if (b >= 100) {
			*q++ = (char)('0' + b / 100);
			b %= 100;
			*q++ = (char)('0' + b / 10);
		} else if (b >= 10)
			*q++ = (char)('0' + b / 10);
		*q++ = (char)('0' + b % 10);
		if (i < 3)
			*q++ = '.';
	}
	ob->len += (size_t)(q - s);
}

static char *
put_hex16(char *q, unsigned w)
{
	int shift, started = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (w >> shift) & 0xf;

		if (d != 0 || started || shift == 0) {
			*q++ = hexdig[d];
			started = 1;
		}
	}
	return q;
}

/* Longest run of zero words (length >= 2, first on a tie): *base, *len. */
static void
zero_run(const unsigned w[8], int *base, int *len)
{
	int i, cur = -1, clen = 0;

	*base = -1;
	*len = 0;
	for (i = 0; i <= 8; i++) {
		if (i < 8 && w[i] == 0) {
			if (cur < 0)
				cur = i;
			clen++;
			continue;
		}
		if (cur >= 0 && clen > *len && clen >= 2) {
			*base = cur;
			*len = clen;
		}
		cur = -1;
		clen = 0;
	}
}

/*
 * Mirrors glibc inet_ntop, which tshark and most tools use: an IPv4 tail
 * for ::ffff:a.b.c.d and for the deprecated ::a.b.c.d.
 */
void
ipfix_ob_ipv6(struct ipfix_ob *ob, const uint8_t a[16])
{
	unsigned w[8];
	int i, base, len;
	char *q = ipfix_ob_room(ob, 48), *s = q;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	zero_run(w, &base, &len);
	for (i = 0; i < 8; i++) {
		if (i == base) {
			*q++ = ':';
			if (i + len == 8)
				*q++ = ':';
			i += len - 1;
			continue;
		}
		if (i != 0)
			*q++ = ':';
		if (i == 6 && base == 0 && (len == 6 ||
		    (len == 5 && w[5] == 0xffff))) {
			ob->len += (size_t)(q - s);
			ipfix_ob_ipv4(ob, a + 12);
			return;
		}
		q = put_hex16(q, w[i]);
	}
	ob->len += (size_t)(q - s);
}

void
ipfix_ob_mac(struct ipfix_ob *ob, const uint8_t a[6])
{
	char *q = ipfix_ob_room(ob, 17);
	int i;

	for (i = 0; i < 6; i++) {
		q[3 * i] = hexdig[a[i] >> 4];
		q[3 * i + 1] = hexdig[a[i] & 0xf];
		if (i < 5)
			q[3 * i + 2] = ':';
	}
	ob->len += 17;
}

void
ipfix_ob_hex(struct ipfix_ob *ob, const uint8_t *p, size_t n)
{
	size_t i, chunk;
	char *q;

	while (n > 0) {
		chunk = n < IPFIX_OB_SIZE / 2 ? n : IPFIX_OB_SIZE / 2;
		q = ipfix_ob_room(ob, chunk * 2);
		for (i = 0; i < chunk; i++) {
			q[2 * i] = hexdig[p[i] >> 4];
			q[2 * i + 1] = hexdig[p[i] & 0xf];
		}
		ob->len += chunk * 2;
		p += chunk;
		n -= chunk;
	}
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days), valid for the whole int64 range we pass. */
static void
civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DDT" (year zero padded to 4, '-' before a negative one). */
static size_t
put_date(char *q, int64_t days)
{
	char tmp[24], *s;
	int64_t y;
	unsigned m, d;
	size_t n = 0;

	civil(days, &y, &m, &d);
	if (y < 0) {
		q[n++] = '-';
		y = -y;
	}
	s = fmt_u64(tmp + sizeof(tmp), (uint64_t)y);
	while (tmp + sizeof(tmp) - s < 4)
		*--s = '0';
	memcpy(q + n, s, (size_t)(tmp + sizeof(tmp) - s));
	n += (size_t)(tmp + sizeof(tmp) - s);
	q[n++] = '-';
	memcpy(q + n, digits2 + m * 2, 2);
	q[n + 2] = '-';
	memcpy(q + n + 3, digits2 + d * 2, 2);
	q[n + 5] = 'T';
	return n + 6;
}

/* v (< 100) as two digits and a separator; returns the next position. */
static char *
put2(char *q, unsigned v, char after)
{
	q[0] = digits2[v * 2];
	q[1] = digits2[v * 2 + 1];
	q[2] = after;
	return q + 3;
}

/* '.' and nsec in 'digits' (1..9) digits, as ipfix_ob_u64w would (more
 * digits only when nsec is out of range). */
static char *
put_frac(char *q, uint32_t nsec, unsigned digits)
{
	uint64_t x = nsec / dec_pow[9 - digits];
	size_t n = digits, z;

	*q++ = '.';
	if (x >= dec_pow[digits])
		n = dec_len(x);
	fmt_u64(q + n, x);
	for (z = n - dec_len(x); z > 0; z--)
		q[z - 1] = '0';
	return q + n;
}

void
ipfix_ob_time(struct ipfix_ob *ob, int64_t sec, uint32_t nsec,
    unsigned digits)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	char *q, *s;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	if (days != ob->day) {
		ob->date_len = put_date(ob->date, days);
		ob->day = days;
	}
	/* The date is copied as its whole buffer (<= 20 used): with the
	 * time (9), fraction (<= 11) and 'Z' this fits one reservation. */
	s = q = ipfix_ob_room(ob, 64);
	memcpy(q, ob->date, sizeof(ob->date));
	q += ob->date_len;
	q = put2(q, (unsigned)(rem / 3600), ':');
	q = put2(q, (unsigned)(rem / 60 % 60), ':');
	/* The separator after the seconds is overwritten: by the fraction's
	 * '.' or by the final 'Z'. */
	q = put2(q, (unsigned)(rem % 60), 'Z') - 1;
	if (digits > 0 && digits <= 9)
		q = put_frac(q, nsec, digits);
	*q++ = 'Z';
	ob->len += (size_t)(q - s);
}

static void
put_xnn(struct ipfix_ob *ob, uint8_t c, bool json)
{
	char *q = ipfix_ob_room(ob, 5);
	size_t n = 0;

	q[n++] = '\\';
	if (json)
		q[n++] = '\\';
	q[n++] = 'x';
	q[n++] = hexdig[c >> 4];
	q[n++] = hexdig[c & 0xf];
	ob->len += n;
}

/* The escape for an ASCII byte, or NULL when it is written as is. */
static const char *
ascii_escape(uint8_t c, bool json, char tmp[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	if (c >= 0x20 && c != 0x7f)
		return NULL;
	if (json) {
		memcpy(tmp, "\\u00", 4);
		tmp[4] = hexdig[c >> 4];
	} else {
		memcpy(tmp, "\\x", 2);
		tmp[2] = hexdig[c >> 4];
		tmp[3] = hexdig[c & 0xf];
		tmp[4] = '\0';
		return tmp;
	}
	tmp[5] = hexdig[c & 0xf];
	tmp[6] = '\0';
	return tmp;
}

static void
put_str(struct ipfix_ob *ob, const uint8_t *p, size_t n, bool json)
{
	size_t i = 0, run, k;
	const char *esc;
	char tmp[8];

	while (i < n) {
		/* Copy the longest run of plain bytes in one go. */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		ipfix_ob_write(ob, p + i, run - i);
		if ((i = run) >= n)
			break;
		if (p[i] < 0x80) {
			esc = ascii_escape(p[i], json, tmp);
			ipfix_ob_puts(ob, esc);
			i++;
		} else if ((k = ipfix_utf8_seq(p + i, n - i)) != 0) {
			ipfix_ob_write(ob, p + i, k);
			i += k;
		} else
			put_xnn(ob, p[i++], json);
	}
}

void
ipfix_ob_str_text(struct ipfix_ob *ob, const uint8_t *p, size_t n)
{
	put_str(ob, p, n, false);
}

void
ipfix_ob_str_json(struct ipfix_ob *ob, const uint8_t *p, size_t n)
{
	put_str(ob, p, n, true);
}

void
ipfix_ob_json_lit(struct ipfix_ob *ob, const char *s)
{
	ipfix_ob_putc(ob, '"');
	put_str(ob, (const uint8_t *)s, strlen(s), true);
	ipfix_ob_putc(ob, '"');
}
