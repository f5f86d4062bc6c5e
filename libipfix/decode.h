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
};

/* Counters per (session, ODID). */
struct ipfix_domain_stats {
	uint32_t session;
	uint32_t odid;
	uint64_t messages;
	uint64_t records;		/* data records decoded */
	uint64_t records_no_template;	/* data sets skipped, counted in sets */
	uint64_t lost;			/* records missing by sequence numbers */
	uint64_t seq_out_of_order;	/* messages behind or far ahead */
	uint64_t malformed;		/* messages discarded */
	bool seq_known;
	uint32_t next_seq;		/* expected next sequence number */
};

struct ipfix_decoder_config {
	struct ipfix_tstore_limits limits;
	unsigned max_list_depth;	/* RFC 6313 nesting bound (C38) */
};

struct ipfix_decoder;

struct ipfix_decoder *ipfix_decoder_new(const struct ipfix_decoder_config *cfg,
    const struct ipfix_decoder_ops *ops, void *arg);
void ipfix_decoder_free(struct ipfix_decoder *d);

/* Feed one whole message (len as delivered by the transport or stream).
 * Returns 0 when it was decoded (possibly with warnings), -1 when it was
 * discarded as malformed (err describes why, on_problem was called). */
int ipfix_decoder_feed(struct ipfix_decoder *d, const uint8_t *msg,
    size_t len, uint32_t session, enum ipfix_transport_kind kind,
    uint64_t offset, struct ipfix_err *err);

/* End of a transport session: drop its templates (keeps its stats). */
void ipfix_decoder_end_session(struct ipfix_decoder *d, uint32_t session);

const struct ipfix_tstore *ipfix_decoder_templates(
    const struct ipfix_decoder *d);
void ipfix_decoder_foreach_domain(const struct ipfix_decoder *d,
    void (*fn)(const struct ipfix_domain_stats *, void *), void *arg);

#endif
