/*
 * filehelp: what the unit tests of written streams share: a stream file
 * decoded through the test's own callbacks.
 */
#ifndef FILEHELP_H
#define FILEHELP_H

#include "decode.h"
#include "stream.h"

/* Every message of the file at path through a decoder with ops and arg
 * (a file that cannot be opened decodes as empty). */
static inline void
test_decode_file(const char *path, const struct ipfix_decoder_ops *ops,
    void *arg)
{
	struct ipfix_decoder_config dc = { .max_list_depth = 8 };
	struct ipfix_decoder *d = ipfix_decoder_new(&dc, ops, arg);
	struct ipfix_reader *r = ipfix_reader_open(path, NULL, NULL);
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	size_t len;

	while (d != NULL && r != NULL &&
	    ipfix_reader_next(r, &msg, &len, &meta, NULL) == 1)
		(void)ipfix_decoder_feed(d, msg, len, 0, IPFIX_KIND_FILE,
		    meta.offset, NULL);
	ipfix_reader_close(r);
	ipfix_decoder_free(d);
}

#endif
