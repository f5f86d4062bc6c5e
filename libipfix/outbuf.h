/*
 * outbuf: buffered output with hand-written formatting of integers,
 * addresses, times, hex and escaped strings (layer 1, used by the printers
 * and stats). Formatting dominates a dump's cost, so nothing here calls
 * printf except for floating-point values. Includes only libc.
 */
#ifndef IPFIX_OUTBUF_H
#define IPFIX_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IPFIX_OB_SIZE 65536	/* buffer size; scalars need < 128 bytes */

/*
 * Output to a caller-owned FILE. The buffer is owned by the outbuf. A failed
 * write is sticky: 'error' keeps the first errno and later output is
 * dropped, so callers check once at flush time.
 */
struct ipfix_ob {
	FILE *f;
	char *buf;
	size_t len;
	int error;
	/* ipfix_ob_time's last date: timestamps of a stream rarely change
	 * day, and the civil-date conversion is most of their cost. */
	int64_t day;		/* days since 1970 of 'date'; INT64_MIN: none */
	char date[24];		/* "YYYY-MM-DDT" */
	size_t date_len;
};

/* Returns 0, or -1 when the buffer cannot be allocated (errno set). */
int ipfix_ob_init(struct ipfix_ob *ob, FILE *f);
/* Flushes, then frees the buffer; returns what the flush returned. */
int ipfix_ob_fini(struct ipfix_ob *ob);
/* Writes what is buffered and fflush()es the FILE; 0 or -1 (errno set). */
int ipfix_ob_flush(struct ipfix_ob *ob);

/* Writes the buffered bytes out (keeps the FILE's own buffer). */
void ipfix_ob_drain(struct ipfix_ob *ob);

/* Make room for n (<= IPFIX_OB_SIZE) bytes; returns where to write them. */
static inline char *
ipfix_ob_room(struct ipfix_ob *ob, size_t n)
{
	if (n > IPFIX_OB_SIZE - ob->len)
		ipfix_ob_drain(ob);
	return ob->buf + ob->len;
}

static inline void
ipfix_ob_putc(struct ipfix_ob *ob, char ch)
{
	*ipfix_ob_room(ob, 1) = ch;
	ob->len++;
}

void ipfix_ob_write_slow(struct ipfix_ob *ob, const void *p, size_t n);

static inline void
ipfix_ob_write(struct ipfix_ob *ob, const void *p, size_t n)
{
	if (n <= IPFIX_OB_SIZE - ob->len) {
		memcpy(ob->buf + ob->len, p, n);
		ob->len += n;
	} else
		ipfix_ob_write_slow(ob, p, n);
}

/* A NUL-terminated string; one pass, since most are short names. */
static inline void
ipfix_ob_puts(struct ipfix_ob *ob, const char *s)
{
	char *q;
	size_t i;

	while (*s != '\0') {
		q = ipfix_ob_room(ob, 64);
		for (i = 0; i < 64 && s[i] != '\0'; i++)
			q[i] = s[i];
		ob->len += i;
		s += i;
	}
}

void ipfix_ob_u64(struct ipfix_ob *ob, uint64_t v);
void ipfix_ob_i64(struct ipfix_ob *ob, int64_t v);
/* Fixed width, zero padded (width <= 20). */
void ipfix_ob_u64w(struct ipfix_ob *ob, uint64_t v, unsigned width);
void ipfix_ob_double(struct ipfix_ob *ob, double v, bool single);
void ipfix_ob_ipv4(struct ipfix_ob *ob, const uint8_t a[4]);
/* RFC 5952 text form: lower case, longest zero run (>= 2) compressed. */
void ipfix_ob_ipv6(struct ipfix_ob *ob, const uint8_t a[16]);
void ipfix_ob_mac(struct ipfix_ob *ob, const uint8_t a[6]);
/* Lower-case hex, no separator. */
void ipfix_ob_hex(struct ipfix_ob *ob, const uint8_t *p, size_t n);
/*
 * UTC time as ISO 8601 "2024-01-31T12:00:00Z", with 'digits' (0, 3, 6 or 9)
 * fractional digits taken from nsec.
 */
void ipfix_ob_time(struct ipfix_ob *ob, int64_t sec, uint32_t nsec,
    unsigned digits);

/*
 * Strings: valid UTF-8 passes through; every byte of an ill-formed sequence
 * is written as \xNN (C34). Text escapes '"', '\\' and control characters
 * C-style; JSON escapes them as JSON requires and writes the \xNN marker as
 * a literal backslash, so the decoded string shows "\xNN".
 */
void ipfix_ob_str_text(struct ipfix_ob *ob, const uint8_t *p, size_t n);
void ipfix_ob_str_json(struct ipfix_ob *ob, const uint8_t *p, size_t n);
/* A NUL-terminated trusted string as a JSON string literal, quotes added. */
void ipfix_ob_json_lit(struct ipfix_ob *ob, const char *s);


#endif
