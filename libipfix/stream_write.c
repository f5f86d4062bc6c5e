/*
 * stream (writer): IPFIX messages back to back to a path or stdout, raw
 * through our own large buffer (messages can be built in place in it) or
 * gzip'd through zlib's gz* layer. Every failed write (EPIPE, ENOSPC, ...)
 * is reported, never ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "msg.h"
#include "stream.h"

#define WRITER_BUF	(256 * 1024)

struct ipfix_writer {
	int fd;			/* raw: written with write(2) */
	uint8_t *buf;		/* raw: WRITER_BUF bytes, len of them held;
				   gzip: one message (ipfix_writer_space) */
	size_t len;
	gzFile gz;		/* gzip */
	bool is_stdout;
	bool dirty;		/* written since the last flush */
	bool append;		/* raw: after what the file holds */
	char name[64];		/* for messages */
};

static int
writer_gz_err(struct ipfix_writer *w, const char *what, struct ipfix_err *err)
{
	int zerr = Z_OK;
	const char *msg = gzerror(w->gz, &zerr);

	if (zerr == Z_ERRNO)
		return ipfix_err_sys(err, IPFIX_E_IO, "%s %s", what, w->name);
	return ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET, NULL,
	    "%s %s: %s", what, w->name, msg);
}

/* Our own descriptor: standard output is duplicated so that closing
 * the writer never closes fd 1 under the caller. */
static int
writer_fd(const struct ipfix_writer *w, const char *path,
    struct ipfix_err *err)
{
	int fd = w->is_stdout ? dup(STDOUT_FILENO) :
	    open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (w->append ? O_APPEND : O_TRUNC), 0666);

	if (fd == -1)
		ipfix_err_sys(err, IPFIX_E_IO, "%s", w->name);
	return fd;
}

static int
writer_open_gz(struct ipfix_writer *w, const char *path, struct ipfix_err *err)
{
	int fd = writer_fd(w, path, err);

	if (fd == -1)
		return -1;
	if ((w->buf = malloc(IPFIX_MSG_MAX)) == NULL ||
	    (w->gz = gzdopen(fd, "wb6")) == NULL) {
		close(fd);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "%s: out of memory", w->name);
	}
	gzbuffer(w->gz, WRITER_BUF);
	return 0;
}

static int
writer_open_raw(struct ipfix_writer *w, const char *path,
    struct ipfix_err *err)
{
	if ((w->buf = malloc(WRITER_BUF)) == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "%s", w->name);
	return (w->fd = writer_fd(w, path, err)) == -1 ? -1 : 0;
}

/* Raw: all of p (a short write is retried). */
static int
writer_put(struct ipfix_writer *w, const uint8_t *p, size_t len,
    struct ipfix_err *err)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(w->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return ipfix_err_sys(err, IPFIX_E_IO, "write %s",
			    w->name);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Raw: everything held goes out. What a failed write left is dropped:
 * a retry would write the head of a message twice. */
static int
writer_drain(struct ipfix_writer *w, struct ipfix_err *err)
{
	int rc = writer_put(w, w->buf, w->len, err);

	w->len = 0;
	return rc;
}

static struct ipfix_writer *
writer_open(const char *path, bool gzip, bool append, struct ipfix_err *err)
{
	struct ipfix_writer *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "writer");
		return NULL;
	}
	w->append = append;
	w->is_stdout = path == NULL || strcmp(path, "-") == 0;
	snprintf(w->name, sizeof(w->name), "%s",
	    w->is_stdout ? "(stdout)" : path);
	w->fd = -1;
	rc = gzip ? writer_open_gz(w, path, err) :
	    writer_open_raw(w, path, err);
	if (rc == -1) {
		free(w->buf);
		free(w);
		return NULL;
	}
	return w;
}

struct ipfix_writer *
ipfix_writer_open(const char *path, bool gzip, struct ipfix_err *err)
{
	return writer_open(path, gzip, false, err);
}

struct ipfix_writer *
ipfix_writer_open_append(const char *path, struct ipfix_err *err)
{
	return writer_open(path, false, true, err);
}

uint8_t *
ipfix_writer_space(struct ipfix_writer *w, struct ipfix_err *err)
{
	if (w->gz != NULL)
		return w->buf;
	if (WRITER_BUF - w->len < IPFIX_MSG_MAX && writer_drain(w, err) == -1)
		return NULL;
	return w->buf + w->len;
}

int
ipfix_writer_commit(struct ipfix_writer *w, size_t len, struct ipfix_err *err)
{
	if (len == 0)
		return 0;
	if (len > IPFIX_MSG_MAX)	/* more than ipfix_writer_space gave */
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "write %s: %zu bytes committed, at most %u", w->name, len,
		    IPFIX_MSG_MAX);
	w->dirty = true;
	if (w->gz != NULL) {
		if (gzwrite(w->gz, w->buf, (unsigned)len) != (int)len)
			return writer_gz_err(w, "write", err);
		return 0;
	}
	w->len += len;
	return 0;
}

int
ipfix_writer_write(struct ipfix_writer *w, const uint8_t *msg, size_t len,
    struct ipfix_err *err)
{
	uint8_t *p;

	if (len <= IPFIX_MSG_MAX) {
		if ((p = ipfix_writer_space(w, err)) == NULL)
			return -1;
		memcpy(p, msg, len);
		return ipfix_writer_commit(w, len, err);
	}
	w->dirty = true;
	if (w->gz != NULL)
		return gzwrite(w->gz, msg, (unsigned)len) == (int)len ? 0 :
		    writer_gz_err(w, "write", err);
	return writer_drain(w, err) == -1 ? -1 : writer_put(w, msg, len, err);
}

/* gzip: Z_SYNC_FLUSH, so a reader on a pipe sees whole messages now.
 * Nothing written since the last flush: nothing to do (cheap when idle). */
int
ipfix_writer_flush(struct ipfix_writer *w, struct ipfix_err *err)
{
	if (!w->dirty)
		return 0;
	if (w->gz != NULL) {
		if (gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
			return writer_gz_err(w, "flush", err);
	} else if (writer_drain(w, err) == -1) {
		return -1;
	}
	w->dirty = false;
	return 0;
}

int
ipfix_writer_close(struct ipfix_writer *w, struct ipfix_err *err)
{
	int rc = 0, zr;

	if (w == NULL)
		return 0;
	if (w->gz != NULL) {
		if ((zr = gzclose(w->gz)) != Z_OK)
			rc = zr == Z_ERRNO ?
			    ipfix_err_sys(err, IPFIX_E_IO, "close %s",
				w->name) :
			    ipfix_err_set(err, IPFIX_E_IO, IPFIX_NO_OFFSET,
				NULL, "close %s: zlib error %d", w->name, zr);
	} else {
		rc = writer_drain(w, err);
		if (close(w->fd) == -1 && rc == 0)
			rc = ipfix_err_sys(err, IPFIX_E_IO, "close %s",
			    w->name);
	}
	free(w->buf);
	free(w);
	return rc;
}
