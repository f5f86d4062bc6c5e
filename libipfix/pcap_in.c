/*
 * pcap_in: libpcap behind a small interface. Files are read through a
 * glibc cookie FILE that first replays the caller's peeked bytes, counts
 * what was read (progress) and remembers the magic (pcap or pcapng).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcap_in.h"

#define PCAPNG_MAGIC	0x0a0d0d0au

/* The cookie's state; lives inside struct pcap_in. */
struct pcap_src {
	FILE *under;		/* the real file, NULL once closed */
	bool own_under;		/* fclose it (not stdin) */
	bool live;		/* not a regular file: one read(2) at a time */
	uint8_t *peek;		/* owned copy of the caller's bytes */
	size_t npeek, peekpos;
	uint64_t nread;		/* bytes handed to libpcap */
	uint8_t head[4];	/* first bytes: the magic */
	size_t nhead;
};

#define LIVE_TIMEOUT_MS 100

struct pcap_in {
	pcap_t *p;
	struct pcap_src src;
	uint64_t size;
	uint64_t number;
	bool nsec;		/* timestamps already in nanoseconds */
	bool live;
	int fd;			/* live: the descriptor to poll */
	char errbuf[PCAP_ERRBUF_SIZE];
};

static void
pcap_src_note(struct pcap_src *s, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->nhead < sizeof(s->head); i++)
		s->head[s->nhead++] = (uint8_t)buf[i];
	s->nread += n;
}

/* A pipe: what one read(2) gives (stdio would wait for 'size' bytes);
 * the caller's peek came by read(2) too, so stdio holds nothing. */
static ssize_t
pcap_src_read_live(struct pcap_src *s, char *buf, size_t size)
{
	ssize_t n = read(fileno(s->under), buf, size);

	if (n > 0)
		pcap_src_note(s, buf, (size_t)n);
	return n;
}

static ssize_t
pcap_src_read(void *cookie, char *buf, size_t size)
{
	struct pcap_src *s = cookie;
	size_t n = 0, got;

	if (s->peekpos < s->npeek) {
		n = s->npeek - s->peekpos;
		if (n > size)
			n = size;
		memcpy(buf, s->peek + s->peekpos, n);
		s->peekpos += n;
	}
	if (n == 0 && s->live && s->under != NULL)
		return pcap_src_read_live(s, buf, size);
	if (n < size && !s->live && s->under != NULL) {
		got = fread(buf + n, 1, size - n, s->under);
		if (got == 0 && n == 0 && ferror(s->under))
			return -1;
		n += got;
	}
	pcap_src_note(s, buf, n);
	return (ssize_t)n;
}

static int
pcap_src_close(void *cookie)
{
	struct pcap_src *s = cookie;
	int rc = 0;

	if (s->under != NULL && s->own_under)
		rc = fclose(s->under);
	s->under = NULL;
	free(s->peek);
	s->peek = NULL;
	return rc;
}

bool
pcap_in_magic(const uint8_t *b, size_t n)
{
	uint32_t m;

	if (n < 4)
		return false;
	m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	switch (m) {
	case 0xa1b2c3d4: case 0xd4c3b2a1:	/* microseconds */
	case 0xa1b23c4d: case 0x4d3cb2a1:	/* nanoseconds */
	case 0xa1b2cd34: case 0x34cdb2a1:	/* Kuznetzov's patched */
	case PCAPNG_MAGIC:			/* palindrome */
		return true;
	default:
		return false;
	}
}

static uint64_t
pcap_file_size(FILE *f)
{
	struct stat st;
	int fd = fileno(f);

	if (fd < 0 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

static bool
pcap_is_regular(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
}

/* Takes f over: on failure too, it is closed (unless stdin). */
static struct pcap_in *
pcap_in_wrap(FILE *f, const uint8_t *peek, size_t npeek, struct ipfix_err *err)
{
	struct pcap_in *in;

	if ((in = calloc(1, sizeof(*in))) == NULL) {
		if (f != stdin)
			fclose(f);
		ipfix_err_sys(err, IPFIX_E_NOMEM, "pcap_in");
		return NULL;
	}
	in->src.under = f;
	in->src.own_under = f != stdin;
	in->size = pcap_file_size(f);
	in->src.live = !pcap_is_regular(f);
	if (npeek > 0 && (in->src.peek = malloc(npeek)) == NULL) {
		pcap_src_close(&in->src);
		free(in);
		ipfix_err_sys(err, IPFIX_E_NOMEM, "pcap_in");
		return NULL;
	}
	if (npeek > 0)
		memcpy(in->src.peek, peek, npeek);
	in->src.npeek = npeek;
	return in;
}

static struct pcap_in *
pcap_in_start(struct pcap_in *in, struct ipfix_err *err)
{
	static const cookie_io_functions_t io = {
		.read = pcap_src_read,
		.close = pcap_src_close,
	};
	FILE *cf;

	if ((cf = fopencookie(&in->src, "r", io)) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "fopencookie");
		pcap_src_close(&in->src);
		free(in);
		return NULL;
	}
	in->p = pcap_fopen_offline_with_tstamp_precision(cf,
	    PCAP_TSTAMP_PRECISION_NANO, in->errbuf);
	if (in->p == NULL) {
		ipfix_err_set(err, IPFIX_E_FORMAT, 0, NULL,
		    "not a pcap or pcapng capture: %s", in->errbuf);
		fclose(cf);		/* closes the source too */
		free(in);
		return NULL;
	}
	in->nsec = pcap_get_tstamp_precision(in->p) ==
	    PCAP_TSTAMP_PRECISION_NANO;
	return in;
}

struct pcap_in *
pcap_in_open_stream(FILE *f, const uint8_t *peek, size_t npeek,
    struct ipfix_err *err)
{
	struct pcap_in *in;

	if (f == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "pcap_in_open_stream: no file");
		return NULL;
	}
	if ((in = pcap_in_wrap(f, peek, npeek, err)) == NULL)
		return NULL;
	return pcap_in_start(in, err);
}

/*
 * A regular file is reopened from its start, so the peeked bytes are
 * skipped there before being replayed; a pipe or FIFO has lost them
 * to the caller and continues where the caller stopped.
 */
struct pcap_in *
pcap_in_open_file(const char *path, const uint8_t *peek, size_t npeek,
    struct ipfix_err *err)
{
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return pcap_in_open_stream(stdin, peek, npeek, err);
	if ((f = fopen(path, "rb")) == NULL) {
		ipfix_err_sys(err, IPFIX_E_IO, "%s", path);
		return NULL;
	}
	if (npeek > 0 && pcap_file_size(f) > 0 &&
	    fseeko(f, (off_t)npeek, SEEK_SET) == -1) {
		ipfix_err_sys(err, IPFIX_E_IO, "%s", path);
		fclose(f);
		return NULL;
	}
	return pcap_in_open_stream(f, peek, npeek, err);
}

static int
pcap_in_activate(pcap_t *p, const char *ifname, int snaplen,
    struct ipfix_err *err)
{
	int rc;

	pcap_set_snaplen(p, snaplen > 0 ? snaplen : 262144);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	/* nanoseconds where the kernel offers them; else converted */
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0)
		return ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET, NULL,
		    "%s: %s", ifname, *pcap_geterr(p) != '\0' ?
		    pcap_geterr(p) : pcap_statustostr(rc));
	return 0;
}

struct pcap_in *
pcap_in_open_live(const char *ifname, const char *filter, int snaplen,
    struct ipfix_err *err)
{
	struct pcap_in *in;

	if ((in = calloc(1, sizeof(*in))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "pcap_in");
		return NULL;
	}
	in->live = true;
	if ((in->p = pcap_create(ifname, in->errbuf)) == NULL) {
		ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET, NULL,
		    "%s: %s", ifname, in->errbuf);
		free(in);
		return NULL;
	}
	if (pcap_in_activate(in->p, ifname, snaplen, err) == -1 ||
	    (filter != NULL && pcap_in_set_filter(in, filter, err) == -1)) {
		pcap_in_close(in);
		return NULL;
	}
	in->nsec = pcap_get_tstamp_precision(in->p) ==
	    PCAP_TSTAMP_PRECISION_NANO;
	/* With TPACKET_V3 the kernel retires only non-empty blocks, so a
	 * blocking read on a quiet interface never returns: we poll
	 * ourselves, with the read timeout, on a non-blocking handle. */
	if (pcap_setnonblock(in->p, 1, in->errbuf) == -1 ||
	    (in->fd = pcap_get_selectable_fd(in->p)) < 0) {
		ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET, NULL,
		    "%s: cannot poll the capture: %s", ifname, in->errbuf);
		pcap_in_close(in);
		return NULL;
	}
	return in;
}

int
pcap_in_set_filter(struct pcap_in *in, const char *filter,
    struct ipfix_err *err)
{
	struct bpf_program prog;
	int rc;

	if (pcap_compile(in->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "filter \"%s\": %s", filter, pcap_geterr(in->p));
	rc = pcap_setfilter(in->p, &prog);
	pcap_freecode(&prog);
	if (rc == -1)
		return ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET, NULL,
		    "filter \"%s\": %s", filter, pcap_geterr(in->p));
	return 0;
}

void
pcap_in_close(struct pcap_in *in)
{
	if (in == NULL)
		return;
	if (in->p != NULL)
		pcap_close(in->p);	/* fcloses the cookie, then the file */
	free(in);
}

/*
 * Live captures wake every 100 ms (the read timeout) with nothing; that is
 * not the end: PCAP_IN_IDLE lets the caller look at its stop flag, so a
 * signal ends a quiet capture within the timeout.
 */
static void
live_wait(const struct pcap_in *in)
{
	struct pollfd pfd = { .fd = in->fd, .events = POLLIN };

	(void)poll(&pfd, 1, LIVE_TIMEOUT_MS);
}

int
pcap_in_next(struct pcap_in *in, struct pcap_frame *f, struct ipfix_err *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if ((rc = pcap_next_ex(in->p, &h, &data)) == 0) {
		if (in->live)
			live_wait(in);
		if ((rc = pcap_next_ex(in->p, &h, &data)) == 0)
			return PCAP_IN_IDLE;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc < 0)
		return ipfix_err_set(err, IPFIX_E_TRUNCATED,
		    pcap_in_position(in), NULL, "frame %llu: %s",
		    (unsigned long long)in->number + 1, pcap_geterr(in->p));
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts_sec = (int64_t)h->ts.tv_sec;
	f->ts_nsec = (uint32_t)h->ts.tv_usec * (in->nsec ? 1 : 1000);
	f->number = ++in->number;
	return 1;
}

int
pcap_in_dlt(const struct pcap_in *in)
{
	return pcap_datalink(in->p);
}

bool
pcap_in_is_pcapng(const struct pcap_in *in)
{
	const uint8_t *h = in->src.head;

	return in->src.nhead == 4 && h[0] == 0x0a && h[1] == 0x0d &&
	    h[2] == 0x0d && h[3] == 0x0a;
}

/* libpcap reads ahead through stdio, so this leads the frame being
 * handed out by up to a buffer: good enough for a progress line. */
uint64_t
pcap_in_position(const struct pcap_in *in)
{
	return in->src.nread;
}

uint64_t
pcap_in_size(const struct pcap_in *in)
{
	return in->size;
}
