/*
 * decode: the Collecting Process's view of a message sequence (layer 1).
 * Feeds messages of any number of transport sessions through one template
 * store, applies the RFC 7011 §8-9 rules for the session's transport kind,
 * hands templates and data records to callbacks, reports every problem with
 * its checklist item and offset, and keeps per (session, ODID) counters,
 * including sequence-number loss (§3.1, §11.6: C09, C10).
 */
#ifndef IPFIX_DECODE_H
#define IPFIX_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "msg.h"
#include "template.h"

enum ipfix_transport_kind {
	IPFIX_KIND_FILE = 0,	/* RFC 5655 file: union of features (§7.1) */
	IPFIX_KIND_UDP,		/* withdrawals ignored, redefinition normal */
	IPFIX_KIND_TCP,
	IPFIX_KIND_SCTP,
};

enum ipfix_severity {
	IPFIX_SEV_NOTE,		/* worth logging, not a violation (C48) */
	IPFIX_SEV_WARN,		/* violation; the rest was still decoded */
	IPFIX_SEV_MALFORMED,	/* the whole message was discarded (§9.1) */
};

struct ipfix_problem {
	enum ipfix_severity severity;
	enum ipfix_errcode code;
	const char *check;	/* checklist item ("C15"), or NULL */
	uint64_t offset;	/* absolute byte offset in the input */
	uint32_t session;
	uint32_t odid;
	char reason[IPFIX_REASON_MAX];
};

struct ipfix_msg_ctx {
	const uint8_t *msg;
	size_t len;
	struct ipfix_hdr hdr;
	uint64_t offset;	/* absolute offset of the message */
	uint32_t session;
	uint16_t stream;	/* SCTP stream, else 0 (C69) */
	enum ipfix_transport_kind kind;
};

struct ipfix_decoder_ops {
	/* Each may be NULL. Called in wire order for a well-formed message;
	 * a malformed message reaches only on_problem. */
	void (*on_message)(void *arg, const struct ipfix_msg_ctx *m);
	void (*on_template)(void *arg, const struct ipfix_msg_ctx *m,
	    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset);
	void (*on_withdrawal)(void *arg, const struct ipfix_msg_ctx *m,
	    uint16_t set_id, uint16_t tid, int removed, uint64_t offset);
	void (*on_record)(void *arg, const struct ipfix_msg_ctx *m,
	    const struct ipfix_tmpl *t, const struct ipfix_rec *r);
	void (*on_problem)(void *arg, const struct ipfix_problem *p);
	void (*on_message_end)(void *arg, const struct ipfix_msg_ctx *m);
	/* The n records of a data set of a fixed-length template in one
	 * piece (len bytes, padding excluded, starting at offset), offered
	 * before on_record when check_values is off: return true when taken,
	 * and on_record is not called for them. Lets a relay copy whole
	 * runs instead of one record at a time. */
	bool (*on_records)(void *arg, const struct ipfix_msg_ctx *m,
	    const struct ipfix_tmpl *t, const uint8_t *p, size_t len,
	    uint32_t n, uint64_t offset);
};

/* Counters per (session, ODID). */
struct ipfix_domain_stats {
	uint32_t session;
	uint32_t odid;
	uint16_t stream;		/* SCTP stream: numbered separately */
	uint64_t messages;
	uint64_t records;		/* data records decoded */
	uint64_t records_no_template;	/* data sets skipped, counted in sets */
	uint64_t lost;			/* records missing by sequence numbers */
	uint64_t seq_out_of_order;	/* messages behind or far ahead */
	uint64_t malformed;		/* messages discarded (under ODID 0
					   when their ODID was never seen) */
	bool seq_known;
	uint32_t next_seq;		/* expected next sequence number */
};

struct ipfix_decoder_config {
	struct ipfix_tstore_limits limits;
	unsigned max_list_depth;	/* RFC 6313 nesting bound (C38) */
	bool check_values;	/* warn on boolean not 1/2 (C33) and strings
				   that are not UTF-8 (C34) in a record's own
				   fields; costs a walk of every record.
				   validate.h also walks RFC 6313 lists. */
	bool strict;		/* refuse templates with a length their
				   element's type does not allow (C31) or
				   options scope count 0 (C24), and 1-3 zero
				   bytes after the last set (C15), as
				   malformed; otherwise they are decoded by
				   the wire and warned about (templates once
				   per definition) */
};

struct ipfix_decoder;

struct ipfix_decoder *ipfix_decoder_new(const struct ipfix_decoder_config *cfg,
    const struct ipfix_decoder_ops *ops, void *arg);
void ipfix_decoder_free(struct ipfix_decoder *d);

/*
 * Feed one whole message (len as delivered by the transport or stream;
 * a header length other than len is malformed, C03). Returns 0 when it was
 * decoded (possibly with warnings), -1 when it was discarded as malformed
 * (err, which may be NULL, describes why; on_problem was called).
 * Problems reported while decoding (code, check):
 *   MALFORMED  header (C02/C03), set framing (C15), template record (C21,
 *              C22, C24, C25, C44; C31 and scope count 0 only when
 *              strict), varlen record past its set (C28)
 *   WARN       set id 0/1 (E_SET, C13), 4-255 (E_SET, C14), data set
 *              without template (E_NO_TEMPLATE; C40 when the template
 *              follows in the same message, C53 when it expired on UDP),
 *              non-zero padding (E_SET, C18), withdrawal over UDP
 *              (E_TEMPLATE, C50), template redefined on TCP/SCTP
 *              (E_TEMPLATE), a new template's tolerated deviation (E_TEMPLATE:
 *              C31 length, C24 no scope, C20 E bit with PEN 0), zero bytes
 *              after the last set (E_SET, C15)
 *              (E_TEMPLATE), template cap (E_LIMIT), records lost (E_RECORD,
 *              C09), sequence out of order (E_RECORD, C10), bad boolean
 *              (E_VALUE, C33), invalid UTF-8 (E_VALUE, C34)
 *   NOTE       unknown withdrawal (C46), identical re-send on TCP/SCTP
 *              (C48), redefinition in a file (C106), sequence resync after
 *              two messages agreed on a new numbering (C10)
 */
int ipfix_decoder_feed(struct ipfix_decoder *d, const uint8_t *msg,
    size_t len, uint32_t session, enum ipfix_transport_kind kind,
    uint64_t offset, struct ipfix_err *err);
/* The same for a message that came on SCTP stream 'stream': sequence
 * numbers are counted per (session, ODID, stream) (RFC 7011 §3.1, C69);
 * templates stay per (session, ODID). */
int ipfix_decoder_feed_stream(struct ipfix_decoder *d, const uint8_t *msg,
    size_t len, uint32_t session, uint16_t stream,
    enum ipfix_transport_kind kind, uint64_t offset, struct ipfix_err *err);

/*
 * The fast path of a forwarder. m names the message as a feed would
 * (msg, len, offset, session, stream, kind). A message made only of data
 * sets of fixed-length templates the decoder holds, each set exactly
 * filled by its records (no padding), is taken as runs: m->hdr is its
 * header, runs[i] the i-th set's template and records, and the message
 * is counted as ipfix_decoder_feed would count it (sequence numbers,
 * statistics, their problems through on_problem; no other callback: the
 * caller handles the message). Returns the number of runs. Any other
 * message, a decoder that checks values, or more than cap sets: returns
 * 0 and changes nothing but m->hdr (feed the message instead).
 */
struct ipfix_run {
	const struct ipfix_tmpl *t;
	const uint8_t *p;	/* n records of t->min_len bytes */
	uint32_t n;
	uint64_t offset;	/* absolute offset of the first record */
};

size_t ipfix_decoder_runs(struct ipfix_decoder *d, struct ipfix_msg_ctx *m,
    struct ipfix_run *runs, size_t cap);
/* A cap that takes all but unusual messages (about 8 sets in a 1400-byte
 * message of flow records). */
#define IPFIX_RUNS_MAX	64

/* End of a transport session: drop its templates (keeps its stats). */
void ipfix_decoder_end_session(struct ipfix_decoder *d, uint32_t session);

const struct ipfix_tstore *ipfix_decoder_templates(
    const struct ipfix_decoder *d);
void ipfix_decoder_foreach_domain(const struct ipfix_decoder *d,
    void (*fn)(const struct ipfix_domain_stats *, void *), void *arg);

#endif
