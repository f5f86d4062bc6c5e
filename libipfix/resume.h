/*
 * resume: a collector's merged output read back when the collector starts
 * again on it (layer 5, used by collector; uses stream, decode, origin,
 * assoc, sessout). The file is a raw stream the collector wrote: its
 * Export Session Details records name each session (id, predecessor,
 * identity, address, transport) and its Message Details records the
 * session of every message's records. From them the exporters' chains
 * and their record counts (assoc.h) are rebuilt, so that an exporter's
 * next session continues its chain: the RFC 7011 §4.1 cumulative count it
 * carries, less what the file holds, is what was lost, including what the
 * previous collector held in memory and never wrote. A last message cut
 * short (the previous collector was killed while writing) is cut off the
 * file; the sessout goes on with each ODID's sequence numbers and leaves
 * the file's template ids alone.
 */
#ifndef IPFIX_RESUME_H
#define IPFIX_RESUME_H

#include <stdint.h>

#include "assoc.h"
#include "err.h"
#include "origin.h"
#include "sessout.h"

/* What the file held. */
struct ipfix_resume_info {
	uint64_t size;			/* bytes found */
	uint64_t kept;			/* bytes of whole messages: the file
					   now ends there */
	uint64_t messages;
	uint64_t records;		/* data records, the metadata ones
					   not counted */
	uint32_t sessions;		/* sessions named by details */
	uint32_t last_id;		/* their highest id: new sessions
					   take ids above it */
};

/*
 * Reads path into a (sessions under their ids in the file) and o (each
 * ODID's state), cutting a partial last message off the file. A missing
 * or empty file is nothing to resume (0, info all zero). -1 with err:
 * IPFIX_E_FORMAT when the file is not a raw IPFIX stream written by the
 * collector (gzip'd, a capture, bytes that are no IPFIX message, data
 * records no Message Details record attributes, a malformed message,
 * session ids above 2^24;
 * err->offset says where), IPFIX_E_IO when it cannot be read or cut.
 * namer names DER certificates as the collector's identities do.
 */
int ipfix_resume_read(const char *path, struct ipfix_assoc *a,
    struct ipfix_sessout *o, ipfix_der_namer namer,
    struct ipfix_resume_info *info, struct ipfix_err *err);

#endif
