/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput on each file named on
 * the command line, without libFuzzer, so tests/fuzz-regress.bats can
 * replay reproducers against the normal (or sanitizer) build. A crash or a
 * sanitizer report is the failure; "ok FILE" per input otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file into an exactly sized buffer (caller frees), so an
 * over-read by one byte is caught by ASan. */
static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f;
	uint8_t *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		*size = (size_t)n;
		buf = malloc(*size ? *size : 1);
		if (buf != NULL && fread(buf, 1, *size, f) != *size) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	uint8_t *buf;
	size_t size;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if ((buf = slurp(argv[i], &size)) == NULL) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			rc = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(buf, size);
		free(buf);
		printf("ok %s\n", argv[i]);
	}
	return rc;
}
