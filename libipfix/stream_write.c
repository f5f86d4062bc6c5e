/*
 * stream (writer): IPFIX messages back to back to a path or stdout, raw
 * through a large stdio buffer or gzip'd through zlib's gz* layer. Every
 * failed write (EPIPE, ENOSPC, ...) is reported, never ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "stream.h"

#define WRITER_BUF	(256 * 1024)

struct ipfix_writer {
	FILE *f;		/* raw */
	char *fbuf;		/* its buffer: glibc ignores setvbuf's size
				   without one (it would use 4 KB) */
	gzFile gz;		/* gzip */
	bool is_stdout;
	bool dirty;		/* written since the last flush */
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
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

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
	if ((w->gz = gzdopen(fd, "wb6")) == NULL) {
		close(fd);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "%s: gzdopen failed", w->name);
	}
	gzbuffer(w->gz, WRITER_BUF);
	return 0;
}

static int
writer_open_raw(struct ipfix_writer *w, const char *path,
    struct ipfix_err *err)
{
	int fd = writer_fd(w, path, err);

	if (fd == -1)
		return -1;
	if ((w->f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "%s", w->name);
	}
	if ((w->fbuf = malloc(WRITER_BUF)) != NULL)
		setvbuf(w->f, w->fbuf, _IOFBF, WRITER_BUF);
	return 0;
}

struct ipfix_writer *
ipfix_writer_open(const char *path, bool gzip, struct ipfix_err *err)
{
	struct ipfix_writer *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "writer");
		return NULL;
	}
	w->is_stdout = path == NULL || strcmp(path, "-") == 0;
	snprintf(w->name, sizeof(w->name), "%s",
	    w->is_stdout ? "(stdout)" : path);
	rc = gzip ? writer_open_gz(w, path, err) :
	    writer_open_raw(w, path, err);
	if (rc == -1) {
		free(w);
		return NULL;
	}
	return w;
}

int
ipfix_writer_write(struct ipfix_writer *w, const uint8_t *msg, size_t len,
    struct ipfix_err *err)
{
	if (len == 0)
		return 0;
	w->dirty = true;
	if (w->gz != NULL) {
		if (gzwrite(w->gz, msg, (unsigned)len) != (int)len)
			return writer_gz_err(w, "write", err);
		return 0;
	}
	if (fwrite(msg, 1, len, w->f) != len)
		return ipfix_err_sys(err, IPFIX_E_IO, "write %s", w->name);
	return 0;
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
	} else if (fflush(w->f) == EOF) {
		return ipfix_err_sys(err, IPFIX_E_IO, "write %s", w->name);
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
	} else if (fclose(w->f) == EOF) {
		rc = ipfix_err_sys(err, IPFIX_E_IO, "close %s", w->name);
	}
	free(w->fbuf);
	free(w);
	return rc;
}
