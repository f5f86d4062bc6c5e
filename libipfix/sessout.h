/*
 * sessout: the Collecting Process's output writer (layer 5, used by
 * collector; uses msg, template, stream). Merges the messages of many
 * Transport Sessions into ONE self-contained RFC 5655 stream that keeps
 * each session's identity, or writes one byte-exact file per session.
 */
#ifndef IPFIX_SESSOUT_H
#define IPFIX_SESSOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"
#include "template.h"

/*
 * Merged stream layout. Messages keep their ODID and Export Time; the
 * sequence numbers are the output's own (one Transport Session per file).
 * Each output message carries, first, a Message Details record (RFC 5655
 * §8.1.4: messageScope, collectionTimeMilliseconds, the session's 5-tuple
 * as exporter/collector address and port, exportTransportProtocol and
 * exportSctpStreamId) naming the Transport Session its records came from,
 * and a session's first message in an ODID also an Export Session Details
 * record (§8.1.3) with exportProtocolVersion and exporterCertificate. The
 * four options templates use the reserved ids below in every ODID; each
 * session's templates get an output id that is its own when free in the
 * ODID and the lowest free one otherwise. A session's templates are
 * withdrawn (one by one, never "all") when it ends or withdraws them, so
 * their ids can serve other sessions. After a reopen every template a
 * session still uses is written again before its next records.
 *
 * The Export Session Details record ends with two enterprise-specific
 * fields of PEN IPFIX_SESSOUT_PEN: the session's id (IE 1) and the id of
 * the session it follows in this ODID (IE 2, 0 for none), the chain of
 * one exporter across hand-offs and restarts (collector, association).
 * No IANA element names a Transport Session or its predecessor; 32473 is
 * the PEN RFC 5612 reserves for documentation, so these never clash with
 * a vendor's elements (a registered PEN would be better).
 *
 * exporterCertificate carries the exporter's certificate in DER when the
 * session gives one (RFC 5655); otherwise the authenticated identity as
 * UTF-8 text ("psk=ID" for PSK sessions: no IE names a PSK identity);
 * empty when the session was not authenticated.
 */
#define IPFIX_SESSOUT_DER_MAX	4096	/* longest exporterCertificate kept */
#define IPFIX_SESSOUT_TID_SESS4	65532	/* Export Session Details, IPv4 */
#define IPFIX_SESSOUT_TID_SESS6	65533	/* Export Session Details, IPv6 */
#define IPFIX_SESSOUT_TID_MSG4	65534	/* Message Details, IPv4 */
#define IPFIX_SESSOUT_TID_MSG6	65535	/* Message Details, IPv6 */
#define IPFIX_SESSOUT_PEN	32473	/* RFC 5612 documentation PEN */
#define IPFIX_SESSOUT_IE_SESSION 1	/* ipfix-recv's session id */
#define IPFIX_SESSOUT_IE_FOLLOWS 2	/* the session it follows, or 0 */

/* What identifies a Transport Session in the output. */
struct ipfix_sessout_session {
	uint32_t id;			/* caller's session id, unique */
	struct sockaddr_storage exporter;	/* peer address and port */
	struct sockaddr_storage collector;	/* local address and port */
	uint8_t proto;			/* IPPROTO_UDP, _TCP or _SCTP */
	const char *identity;		/* authenticated identity or NULL */
	const uint8_t *der;		/* exporter certificate (DER) or NULL */
	size_t der_len;			/* at most IPFIX_SESSOUT_DER_MAX */
	int64_t start_ms;		/* wall clock, for --split names */
};

struct ipfix_sessout_config {
	const char *path;	/* merged output: file or "-" */
	const char *split_dir;	/* non-NULL: one file per session here */
	bool gzip;		/* gzip'd output files */
	bool append;		/* merged, raw: the first file continues
				   what path holds (resume.h reads it) */
	size_t max_domains;	/* output ODIDs tracked (0: 4096) */
};

struct ipfix_sessout;

/* Open the output (merged: the file now; split: the directory must
 * exist). NULL with err (IPFIX_E_IO naming the path). */
struct ipfix_sessout *ipfix_sessout_open(const struct ipfix_sessout_config *c,
    struct ipfix_err *err);
/* Flush, write nothing more, close every file; 0 or -1 (freed anyway). */
int ipfix_sessout_close(struct ipfix_sessout *o, struct ipfix_err *err);

/* A session starts (s is copied, identity too). -1: duplicate id, no
 * memory, or (split) its file cannot be created. */
int ipfix_sessout_begin(struct ipfix_sessout *o,
    const struct ipfix_sessout_session *s, struct ipfix_err *err);
/* The protocol session id speaks, for its Export Session Details
 * (exportProtocolVersion, 10 unless set): 9 for NetFlow v9 converted to
 * IPFIX. Set it before the first message; unknown ids are ignored. */
void ipfix_sessout_set_version(struct ipfix_sessout *o, uint32_t id,
    uint8_t version);
/* A session ended: its output ids are withdrawn and freed (merged), its
 * file closed (split). Unknown ids are ignored. */
int ipfix_sessout_end(struct ipfix_sessout *o, uint32_t id,
    struct ipfix_err *err);

/*
 * One received message of session id, in pieces, between msg_begin and
 * msg_end (merged mode; in split mode only ipfix_sessout_raw writes).
 * The events are what the decoder accepted: templates stored (how), ids
 * withdrawn, records with the template they were decoded with. Output
 * messages are cut at 65535 bytes, each with its Message Details record.
 */
int ipfix_sessout_msg_begin(struct ipfix_sessout *o, uint32_t id,
    uint32_t odid, uint32_t export_time, uint16_t sctp_stream,
    int64_t recv_ms, struct ipfix_err *err);
int ipfix_sessout_template(struct ipfix_sessout *o,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, struct ipfix_err *err);
/* tid 2 or 3 withdraws every template of that kind of this session and
 * ODID (written as individual withdrawals). */
int ipfix_sessout_withdraw(struct ipfix_sessout *o, uint16_t set_id,
    uint16_t tid, struct ipfix_err *err);
/* n records of t's fixed length (len bytes in all) in one call. */
int ipfix_sessout_records(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    const uint8_t *recs, size_t len, uint32_t n, struct ipfix_err *err);
int ipfix_sessout_record(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    const uint8_t *rec, size_t len, struct ipfix_err *err);
int ipfix_sessout_msg_end(struct ipfix_sessout *o, struct ipfix_err *err);

/* Session id follows session prev in odid: its Export Session Details
 * record there says so (call before its first message in odid). */
int ipfix_sessout_follows(struct ipfix_sessout *o, uint32_t id,
    uint32_t odid, uint32_t prev, struct ipfix_err *err);

/* Appending to a file written before (resume.h): odid's next output
 * sequence number, and the template ids (bits of used, 65536 of them)
 * that file left defined, which no session gets. */
int ipfix_sessout_continue(struct ipfix_sessout *o, uint32_t odid,
    uint32_t next_seq, const uint8_t used[65536 / 8], struct ipfix_err *err);

/* Split mode: append the session's message exactly as received. */
int ipfix_sessout_raw(struct ipfix_sessout *o, uint32_t id,
    const uint8_t *msg, size_t len, struct ipfix_err *err);

/* True in split mode. */
bool ipfix_sessout_split(const struct ipfix_sessout *o);

/* Rotation / SIGHUP: close the output and open it again (merged: the same
 * path, or new_path when not NULL; split: each session continues in a
 * new file "<name>.N"). Merged output stays self-contained. Reopening the
 * same path while it still names the open file (nothing moved it) only
 * flushes: it never truncates what was written. After a failure the
 * merged output is closed and later messages fail. */
int ipfix_sessout_reopen(struct ipfix_sessout *o, const char *new_path,
    struct ipfix_err *err);
/* Write out what the files hold; at once when nothing was written since
 * the last flush (it is called whenever the collector goes idle). */
int ipfix_sessout_flush(struct ipfix_sessout *o, struct ipfix_err *err);

/* Counters: messages and records written, records dropped (no room). */
struct ipfix_sessout_stats {
	uint64_t messages, records, dropped, files;
};
void ipfix_sessout_stats(const struct ipfix_sessout *o,
    struct ipfix_sessout_stats *st);

#endif
