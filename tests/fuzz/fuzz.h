/*
 * fuzz.h: helpers shared by the libFuzzer targets in tests/fuzz/: a memfd
 * holding the input so that path-based readers can open it, and a hard
 * invariant check that crashes loudly (libFuzzer and the replay driver both
 * report an abort). Each target includes this once; everything is static.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken library contract is a finding, like a crash. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: contract broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

struct fuzz_file {
	int fd;
	char path[64];
};

/* Put data in an anonymous memory file reachable as /proc/self/fd/N, so
 * readers that take a path see exactly these bytes. 0 or -1. */
static inline int
fuzz_file_open(struct fuzz_file *ff, const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;
	int len;

	ff->fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (ff->fd == -1)
		return -1;
	while (done < size) {
		n = write(ff->fd, data + done, size - done);
		if (n <= 0) {
			close(ff->fd);
			return -1;
		}
		done += (size_t)n;
	}
	len = snprintf(ff->path, sizeof(ff->path), "/proc/self/fd/%d",
	    ff->fd);
	FUZZ_ASSERT(len > 0 && (size_t)len < sizeof(ff->path));
	return 0;
}

static inline void
fuzz_file_close(struct fuzz_file *ff)
{
	close(ff->fd);
}

#endif
