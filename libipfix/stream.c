/*
 * stream (reader): sniffs the magic, then reads raw or gzip'd IPFIX
 * messages through a fixed window, resynchronising after corruption as
 * RFC 5655 §10.3 describes; captures go to capture_ipfix. Input is read
 * with read(2): a regular file in 64 KiB blocks, anything else (pipe,
 * terminal, socket) by what one read returns, so live input is never held.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "capture_ipfix.h"
#include "cursor.h"
#include "nfv9.h"
#include "pcap_in.h"
#include "stream.h"

#define MSG_MAX		65535
#define HDR_LEN		16
#define WIN_SIZE	(2 * 65536 + 64)	/* a message + next header */
#define IN_SIZE		65536			/* compressed input */

/* Bytes of the (decompressed) stream, from a file descriptor. */
struct rd_src {
	FILE *f;
	int fd;			/* fileno(f), read with read(2) only */
	bool own;		/* fclose f (not stdin) */
	bool live;		/* not a regular file: reads may wait */
	bool gzip;
	bool zinit;
	bool end;		/* read(2) returned 0 */
	bool eof;		/* the (decompressed) stream ended */
	bool cut;		/* gzip stream ended inside a member */
	z_stream z;
	uint8_t *in;		/* IN_SIZE: peeked bytes, then input */
	size_t in_pos, in_len;
	uint64_t consumed;	/* file bytes taken (for progress) */
};

struct ipfix_reader {
	enum ipfix_input_format fmt;
	struct capture_ipfix *cap;	/* captures */
	struct rd_src src;		/* raw and gzip */
	uint8_t *win;			/* WIN_SIZE */
	size_t start, end;		/* unread bytes: win[start, end) */
	uint64_t base;			/* stream offset of win[start] */
	uint64_t size;
	bool cut_reported;
	struct ipfix_nfv9 *v9;		/* a raw NetFlow v9 file */
};

/* ---- byte source ------------------------------------------------- */

/* Input in memory, or a read(2) that cannot wait. */
static bool
src_ready(const struct rd_src *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	return !s->live || s->in_pos < s->in_len || s->end ||
	    poll(&p, 1, 0) == 1;
}

/*
 * One read(2) of up to cap bytes into dst; without 'wait' only when it
 * cannot block (0 then). A signal (EINTR) is an error that loses
 * nothing: the caller may read again.
 */
static ssize_t
src_read_fd(struct rd_src *s, uint8_t *dst, size_t cap, bool wait,
    struct ipfix_err *err)
{
	ssize_t n;

	if (!wait && !src_ready(s))
		return 0;
	if ((n = read(s->fd, dst, cap)) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "read");
	s->consumed += (uint64_t)n;
	s->end = n == 0;
	return n;
}

/* Refill the empty input buffer. */
static int
src_refill(struct rd_src *s, bool wait, struct ipfix_err *err)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->end)
		return 0;
	if ((n = src_read_fd(s, s->in, IN_SIZE, wait, err)) == -1)
		return -1;
	s->in_pos = 0;
	s->in_len = (size_t)n;
	return 0;
}

/* One inflate over the input buffer; concatenated members are one
 * stream, and whether another follows is decided once input shows it. */
static int
src_inflate_step(struct rd_src *s, struct ipfix_err *err)
{
	int zr;

	s->z.next_in = s->in + s->in_pos;
	s->z.avail_in = (uInt)(s->in_len - s->in_pos);
	zr = inflate(&s->z, Z_NO_FLUSH);
	s->in_pos = s->in_len - s->z.avail_in;
	if (zr == Z_STREAM_END) {
		if (s->in_pos < s->in_len)
			inflateReset(&s->z);
		else if (s->end)
			s->eof = true;
	} else if (zr == Z_BUF_ERROR && s->in_pos == s->in_len && s->end) {
		s->eof = s->cut = true;
	} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
		return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET,
		    "C111", "gzip: %s", s->z.msg != NULL ? s->z.msg :
		    "corrupt data");
	}
	return 0;
}

/* gzip: inflate into dst until something comes out (or, without
 * 'wait', the input has nothing more without a blocking read). */
static ssize_t
src_inflate(struct rd_src *s, uint8_t *dst, size_t n, bool wait,
    struct ipfix_err *err)
{
	s->z.next_out = dst;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out == n && !s->eof) {
		if (src_refill(s, wait, err) == -1)
			return -1;
		if (s->in_pos == s->in_len && !s->end)
			break;		/* nothing without waiting */
		if (src_inflate_step(s, err) == -1)
			return -1;
	}
	return (ssize_t)(n - s->z.avail_out);
}

static ssize_t
src_read(struct rd_src *s, uint8_t *dst, size_t n, bool wait,
    struct ipfix_err *err)
{
	ssize_t got;
	size_t k;

	if (s->gzip)
		return src_inflate(s, dst, n, wait, err);
	/* Nothing peeked: straight into the caller's buffer, one copy. */
	if (s->in_pos == s->in_len && !s->end) {
		got = src_read_fd(s, dst, n, wait, err);
		s->eof = s->end;
		return got;
	}
	if (src_refill(s, wait, err) == -1)
		return -1;
	if (s->in_pos == s->in_len && s->end)
		s->eof = true;
	k = s->in_len - s->in_pos;
	if (k > n)
		k = n;
	memcpy(dst, s->in + s->in_pos, k);
	s->in_pos += k;
	return (ssize_t)k;
}

static void
src_close(struct rd_src *s)
{
	if (s->zinit)
		inflateEnd(&s->z);
	if (s->f != NULL && s->own)
		fclose(s->f);
	free(s->in);
	memset(s, 0, sizeof(*s));
}

/* ---- window ------------------------------------------------------ */

/*
 * Make at least 'need' bytes available from start, unless the stream
 * ends first or, without 'wait', the source has nothing more ready;
 * returns the bytes available or -1 (I/O, gzip error).
 */
static ssize_t
win_read(struct ipfix_reader *r, size_t need, bool wait, struct ipfix_err *err)
{
	ssize_t n;

	while (r->end - r->start < need && !r->src.eof) {
		if (WIN_SIZE - r->start < need) {
			memmove(r->win, r->win + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		n = src_read(&r->src, r->win + r->end, WIN_SIZE - r->end, wait,
		    err);
		if (n < 0)
			return -1;
		r->end += (size_t)n;
		if (n == 0 && !wait && !src_ready(&r->src))
			break;
	}
	return (ssize_t)(r->end - r->start);
}

/* Bytes the caller cannot do without: wait for them. */
static ssize_t
win_fill(struct ipfix_reader *r, size_t need, struct ipfix_err *err)
{
	return win_read(r, need, true, err);
}

/* Look-ahead: a live source gives only what it has now. */
static ssize_t
win_look(struct ipfix_reader *r, size_t need, struct ipfix_err *err)
{
	return win_read(r, need, !r->src.live, err);
}

static void
win_skip(struct ipfix_reader *r, size_t n)
{
	r->start += n;
	r->base += n;
}

/* A message header at win[start + at]: version 10, length >= 16. */
static bool
win_hdr_ok(const struct ipfix_reader *r, size_t at, size_t avail)
{
	const uint8_t *p = r->win + r->start + at;

	return 4 <= avail - at && p[0] == 0 && p[1] == 10 &&
	    ipfix_be16(p + 2) >= HDR_LEN;
}

/*
 * §10.3: is there a header at 'at' whose length leads to another header
 * or to the end? 1, 0, or -1 (error). Reads what the decision needs: the
 * whole message, then the next header's first bytes. On a live source
 * the end of what has arrived counts as the end, so a message is never
 * held back waiting for its successor.
 */
static int
win_confirm(struct ipfix_reader *r, size_t at, struct ipfix_err *err)
{
	ssize_t avail;
	size_t len;

	if ((avail = win_fill(r, at + 4, err)) < 0)
		return -1;
	if (!win_hdr_ok(r, at, (size_t)avail))
		return 0;
	len = ipfix_be16(r->win + r->start + at + 2);
	if ((avail = win_fill(r, at + len, err)) < 0 ||
	    (avail = win_look(r, at + len + 4, err)) < 0)
		return -1;
	/* part of the next header is here: the rest is on its way */
	if ((size_t)avail > at + len &&
	    (avail = win_fill(r, at + len + 4, err)) < 0)
		return -1;
	if ((size_t)avail - at < len)
		return 0;
	if ((size_t)avail - at == len)
		return r->src.eof || r->src.live;
	return win_hdr_ok(r, at + len, (size_t)avail);
}

/*
 * The message at start (mlen bytes, all in the window): 1 when it
 * stands, 0 when its header is garbage that happens to start 00 0A (a
 * confirmed candidate begins inside it), -1 on error. A message followed
 * by garbage stands: the next call resynchronises.
 */
static int
win_check(struct ipfix_reader *r, size_t mlen, struct ipfix_err *err)
{
	size_t q;
	int c;

	if ((c = win_confirm(r, 0, err)) != 0)
		return c;
	for (q = 1; q < mlen; q++)
		if ((c = win_confirm(r, q, err)) != 0)
			return c == 1 ? 0 : -1;
	return 1;
}

/*
 * Skips bytes one at a time (RFC 5655 says two; one also finds messages
 * after garbage of odd length) until a confirmed candidate or EOF, and
 * reports the skipped range. Memory stays the window: skipped bytes are
 * dropped as we go.
 */
static int
raw_resync(struct ipfix_reader *r, const char *check, const char *what,
    struct ipfix_err *err)
{
	uint64_t from = r->base;
	int c;

	do {
		win_skip(r, 1);
		if ((c = win_confirm(r, 0, err)) == -1)
			return -2;
	} while (c == 0 && r->end > r->start);
	return ipfix_err_set(err, IPFIX_E_FORMAT, from, check,
	    "%s at offset %llu: skipped %llu bytes to %s", what,
	    (unsigned long long)from, (unsigned long long)(r->base - from),
	    r->end == r->start ? "the end" : "the next message (resync)");
}

static int
raw_cut(struct ipfix_reader *r, size_t avail, struct ipfix_err *err)
{
	uint64_t at = r->base;
	size_t want = avail >= 4 ? ipfix_be16(r->win + r->start + 2) : HDR_LEN;

	win_skip(r, avail);
	return ipfix_err_set(err, IPFIX_E_TRUNCATED, at, "C03",
	    "final message cut: %zu of %zu bytes at offset %llu", avail, want,
	    (unsigned long long)at);
}

static int
raw_end(struct ipfix_reader *r, struct ipfix_err *err)
{
	if (!r->src.cut || r->cut_reported)
		return 0;
	r->cut_reported = true;
	return ipfix_err_set(err, IPFIX_E_TRUNCATED, r->base, NULL,
	    "gzip stream ends early (cut file)");
}

/* Name what is wrong with the header at start before skipping it: another
 * version (C02), a length below the header's own (C03), or no header at
 * all (C112). */
static int
raw_bad_header(struct ipfix_reader *r, struct ipfix_err *err)
{
	const uint8_t *p = r->win + r->start;
	uint16_t version = ipfix_be16(p), len = ipfix_be16(p + 2);
	char what[64];

	if (version == 10) {
		snprintf(what, sizeof(what), "message length %u < 16", len);
		return raw_resync(r, "C03", what, err);
	}
	if (version >= 1 && version <= 9) {
		snprintf(what, sizeof(what), "message version %u, not 10",
		    version);
		return raw_resync(r, "C02", what, err);
	}
	return raw_resync(r, "C112", "no IPFIX message header", err);
}

static int
raw_next(struct ipfix_reader *r, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	ssize_t avail;
	size_t mlen;
	int c;

	if ((avail = win_fill(r, HDR_LEN, err)) < 0)
		return -2;
	if (avail == 0)
		return raw_end(r, err);
	if (!win_hdr_ok(r, 0, (size_t)avail))
		return avail < 4 ? raw_cut(r, (size_t)avail, err) :
		    raw_bad_header(r, err);
	mlen = ipfix_be16(r->win + r->start + 2);
	if ((avail = win_fill(r, mlen, err)) < 0)
		return -2;
	if ((size_t)avail < mlen)
		return raw_cut(r, (size_t)avail, err);
	if ((c = win_check(r, mlen, err)) == -1)
		return -2;
	if (c == 0)
		return raw_resync(r, "C03", "IPFIX header with a false length",
		    err);
	*msg = r->win + r->start;
	*len = mlen;
	memset(meta, 0, sizeof(*meta));
	meta->offset = r->base;
	win_skip(r, mlen);
	return 1;
}

/* ---- NetFlow v9 files ---------------------------------------------- */

/* Length of the v9 packet at start: its FlowSets up to the next packet's
 * version (9 is no FlowSet id: 2-255 are reserved) or the end of the
 * input (of what has arrived, when live); 0 when a FlowSet length is
 * below 4 or runs past the input, -1 on error. */
static ssize_t
v9_frame(struct ipfix_reader *r, struct ipfix_err *err)
{
	size_t pos = NFV9_HDR_LEN;
	const uint8_t *p;
	ssize_t avail;
	uint16_t len;

	for (;;) {
		if ((avail = win_look(r, pos + 4, err)) < 0)
			return -1;
		if ((size_t)avail < pos + 4)
			return (size_t)avail == pos ? (ssize_t)pos : 0;
		p = r->win + r->start + pos;
		if (ipfix_be16(p) == NFV9_VERSION)
			return (ssize_t)pos;
		if ((len = ipfix_be16(p + 2)) < 4 || pos + len > MSG_MAX)
			return 0;
		if ((avail = win_fill(r, pos + len, err)) < 0)
			return -1;
		if ((size_t)avail < pos + len)
			return 0;
		pos += len;
	}
}

/* Skip to the next 00 09 (or the end) and say so. */
static int
v9_skip(struct ipfix_reader *r, const char *what, struct ipfix_err *err)
{
	uint64_t from = r->base;
	ssize_t avail;

	do {
		win_skip(r, 1);
		if ((avail = win_fill(r, 2, err)) < 0)
			return -2;
	} while (avail >= 2 && ipfix_be16(r->win + r->start) != NFV9_VERSION);
	if (avail < 2)
		win_skip(r, (size_t)avail);
	return ipfix_err_set(err, IPFIX_E_FORMAT, from, NULL,
	    "NetFlow v9 %s at offset %llu: skipped %llu bytes", what,
	    (unsigned long long)from, (unsigned long long)(r->base - from));
}

/* The next packet of a v9 file, as the IPFIX message it converts to. */
static int
v9_next(struct ipfix_reader *r, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	uint64_t at = r->base;
	ssize_t avail, plen;
	int rc;

	if ((avail = win_fill(r, NFV9_HDR_LEN, err)) < 0)
		return -2;
	if (avail == 0)
		return 0;
	if (!ipfix_nfv9_is(r->win + r->start, (size_t)avail))
		return v9_skip(r, "packet header missing", err);
	if ((plen = v9_frame(r, err)) < 0)
		return -2;
	if (plen == 0)
		return v9_skip(r, "FlowSet lengths do not frame a packet", err);
	rc = ipfix_nfv9_convert(r->v9, 0, r->win + r->start, (size_t)plen,
	    at, msg, len, NULL, err);
	win_skip(r, (size_t)plen);
	if (rc == -1)
		return -1;
	memset(meta, 0, sizeof(*meta));
	meta->offset = at;
	return 1;
}

/* ---- open -------------------------------------------------------- */

static int
reader_raw(struct ipfix_reader *r, FILE *f, const uint8_t *peek,
    size_t npeek, bool end, struct ipfix_err *err)
{
	r->src.f = f;
	r->src.fd = fileno(f);
	r->src.own = f != stdin;
	r->src.in = malloc(IN_SIZE);
	r->win = malloc(WIN_SIZE);
	if (r->src.in == NULL || r->win == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "reader");
	memcpy(r->src.in, peek, npeek);
	r->src.in_len = npeek;
	r->src.consumed = npeek;
	r->src.end = end;
	if (r->fmt != IPFIX_IN_GZIP)
		return 0;
	r->src.gzip = true;
	/* 16 + MAX_WBITS: gzip wrapper only */
	if (inflateInit2(&r->src.z, 16 + MAX_WBITS) != Z_OK)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET,
		    NULL, "zlib: inflateInit2 failed");
	r->src.zinit = true;
	return 0;
}


/* Decide the format from the first bytes; -1 for refused ones. */
static int
reader_sniff(struct ipfix_reader *r, const uint8_t *b, size_t n,
    struct ipfix_err *err)
{
	if (n >= 3 && memcmp(b, "BZh", 3) == 0)
		return ipfix_err_set(err, IPFIX_E_FORMAT, 0, "C111",
		    "bzip2-compressed input is not supported: "
		    "decompress it first (bunzip2 -c FILE | ...)");
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		r->fmt = IPFIX_IN_GZIP;
	else if (pcap_in_magic(b, n))
		r->fmt = b[0] == 0x0a ? IPFIX_IN_PCAPNG : IPFIX_IN_PCAP;
	else if (n >= 2 && b[0] == 0 && b[1] == 5)
		return ipfix_err_set(err, IPFIX_E_FORMAT, 0, NULL,
		    "input is a NetFlow v5 export stream, not IPFIX");
	else if (n >= 2 && b[0] == 0 && b[1] == NFV9_VERSION) {
		r->fmt = IPFIX_IN_RAW;	/* v9 packets back to back */
		if ((r->v9 = ipfix_nfv9_new()) == NULL)
			return ipfix_err_sys(err, IPFIX_E_NOMEM, "NetFlow v9");
	} else
		r->fmt = IPFIX_IN_RAW;	/* resync copes with a bad start */
	return 0;
}

/* A regular file has a size (progress) and reads that never wait;
 * anything else is live. */
static void
reader_stat(struct ipfix_reader *r, FILE *f)
{
	struct stat st;

	r->src.live = fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode);
	r->size = r->src.live ? 0 : (uint64_t)st.st_size;
}

/* The magic: up to n bytes by read(2), so that stdio holds nothing back
 * from the readers that follow and a live source is not waited on for
 * more; *end when the input ended first. */
static ssize_t
reader_peek(int fd, uint8_t *b, size_t n, bool *end, struct ipfix_err *err)
{
	size_t got = 0;
	ssize_t k;

	while (got < n && !*end) {
		if ((k = read(fd, b + got, n - got)) == -1)
			return ipfix_err_sys(err, IPFIX_E_IO, "read");
		got += (size_t)k;
		*end = k == 0;
	}
	return (ssize_t)got;
}

static int
reader_start(struct ipfix_reader *r, FILE *f,
    const struct ipfix_reader_options *opt, struct ipfix_err *err)
{
	uint8_t peek[4];
	ssize_t n;
	bool end = false;

	reader_stat(r, f);
	if ((n = reader_peek(fileno(f), peek, sizeof(peek), &end, err)) ==
	    -1 || reader_sniff(r, peek, (size_t)n, err) == -1) {
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (r->fmt == IPFIX_IN_PCAP || r->fmt == IPFIX_IN_PCAPNG) {
		r->cap = capture_ipfix_open(f, peek, (size_t)n,
		    opt != NULL ? opt->port : 0, err);
		return r->cap != NULL ? 0 : -1;
	}
	return reader_raw(r, f, peek, (size_t)n, end, err);
}

struct ipfix_reader *
ipfix_reader_open(const char *path, const struct ipfix_reader_options *opt,
    struct ipfix_err *err)
{
	struct ipfix_reader *r;
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		ipfix_err_sys(err, IPFIX_E_IO, "%s", path);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "reader");
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (reader_start(r, f, opt, err) == -1) {
		ipfix_reader_close(r);
		return NULL;
	}
	return r;
}

void
ipfix_reader_close(struct ipfix_reader *r)
{
	if (r == NULL)
		return;
	capture_ipfix_close(r->cap);
	ipfix_nfv9_free(r->v9);
	src_close(&r->src);
	free(r->win);
	free(r);
}

int
ipfix_reader_next(struct ipfix_reader *r, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	if (r->cap != NULL)
		return capture_ipfix_next(r->cap, msg, len, meta, err);
	if (r->v9 != NULL)
		return v9_next(r, msg, len, meta, err);
	return raw_next(r, msg, len, meta, err);
}

enum ipfix_input_format
ipfix_reader_format(const struct ipfix_reader *r)
{
	return r->fmt;
}

uint64_t
ipfix_reader_position(const struct ipfix_reader *r)
{
	if (r->cap != NULL)
		return capture_ipfix_position(r->cap);
	return r->src.consumed - (r->src.in_len - r->src.in_pos);
}

uint64_t
ipfix_reader_size(const struct ipfix_reader *r)
{
	return r->cap != NULL ? capture_ipfix_size(r->cap) : r->size;
}

const struct ipfix_session_info *
ipfix_reader_session(const struct ipfix_reader *r, uint32_t session)
{
	return r->cap != NULL ? capture_ipfix_session(r->cap, session) : NULL;
}

void
ipfix_reader_capture_counts(const struct ipfix_reader *r,
    uint64_t *not_ipfix, uint64_t *netflow_v5, uint64_t *netflow_v9)
{
	*not_ipfix = *netflow_v5 = *netflow_v9 = 0;
	if (r->cap != NULL)
		capture_ipfix_counts(r->cap, not_ipfix, netflow_v5,
		    netflow_v9);
}

/* Byte i of what is in memory from start: the window, then (raw) the
 * input buffer. */
static unsigned
mem_at(const struct ipfix_reader *r, size_t i)
{
	size_t w = r->end - r->start;

	return i < w ? r->win[r->start + i] :
	    r->src.in[r->src.in_pos + (i - w)];
}

static bool
mem_hdr_ok(const struct ipfix_reader *r, size_t i, size_t have)
{
	return i + 4 <= have && mem_at(r, i) == 0 && mem_at(r, i + 1) == 10 &&
	    (mem_at(r, i + 2) << 8 | mem_at(r, i + 3)) >= HDR_LEN;
}

/* A whole message in memory, and after it the end of what arrived or a
 * whole next header (else ipfix_reader_next would wait for the rest). */
int
ipfix_reader_fd(const struct ipfix_reader *r)
{
	return r->src.live && r->cap == NULL && !r->src.end ? r->src.fd : -1;
}

bool
ipfix_reader_buffered(const struct ipfix_reader *r)
{
	size_t have, len;

	if (!r->src.live || r->src.eof || r->src.end)
		return true;
	if (r->cap != NULL)
		return false;
	have = r->end - r->start +
	    (r->src.gzip ? 0 : r->src.in_len - r->src.in_pos);
	if (!mem_hdr_ok(r, 0, have))
		return false;
	len = mem_at(r, 2) << 8 | mem_at(r, 3);
	return len == have || (len < have && mem_hdr_ok(r, len, have));
}
