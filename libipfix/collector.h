/*
 * collector: the Collecting Process (layer 5; uses chan, decode, compress,
 * sessout): listeners, the Transport Session table, RFC 7011 §8-10 rules
 * through one decoder, loss accounting, the RFC 7011 §9-10 reactions to
 * malformed input, association of one exporter's sessions, and output.
 */
#ifndef IPFIX_COLLECTOR_H
#define IPFIX_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "chan.h"
#include "decode.h"
#include "err.h"
#include "evloop.h"
#include "resume.h"
#include "sessout.h"

struct ipfix_collector_config {
	struct ipfix_sessout_config out;
	size_t max_templates;		/* per (session, ODID); 0: 4096 */
	uint32_t udp_template_lifetime;	/* seconds of Export Time (C53);
					   0: templates live as long as
					   their UDP session */
	struct ipfix_listen_limits limits;	/* per listener */
	struct ipfix_topts topts;	/* transport options */
	bool strict;			/* decoder's strict (decode.h) */
};

/* Events the tool may log. Each may be NULL; arg is the config's. */
struct ipfix_collector_hooks {
	void (*on_session)(void *arg, uint32_t id, const char *desc,
	    bool open, const struct ipfix_err *why);
	void (*on_problem)(void *arg, uint32_t id, const struct ipfix_problem *p);
	void (*on_refused)(void *arg, const char *peer,
	    const struct ipfix_err *err);
	void *arg;
};

struct ipfix_collector;

/* Opens the output; NULL with err. hooks may be NULL. */
struct ipfix_collector *ipfix_collector_new(
    const struct ipfix_collector_config *cfg,
    const struct ipfix_collector_hooks *hooks, struct ipfix_err *err);
/* With cfg->out.append the merged output file is read back first
 * (resume.h): its exporters' chains go on, new session ids follow its
 * highest, a cut last message is cut off. What it held: */
void ipfix_collector_resumed(const struct ipfix_collector *col,
    struct ipfix_resume_info *info);
/* Closes listeners and sessions (their output withdrawn and flushed), then
 * the output. 0, or -1 with err from the last close (freed anyway). */
int ipfix_collector_free(struct ipfix_collector *col, struct ipfix_err *err);

/*
 * Listen on ep through chan (sec NULL for plain schemes; owned by the
 * caller, kept until ipfix_collector_free). Any number of listeners.
 */
int ipfix_collector_listen(struct ipfix_collector *col,
    const struct ipfix_endpoint *ep, struct ipfix_sec_ctx *sec,
    struct ev_loop *ev, struct ipfix_err *err);

/* Sessions without a listener (tests, replays) ------------------------- */

/* Description of a session opened by hand. */
struct ipfix_collector_peer {
	struct sockaddr_storage exporter, collector;
	uint8_t proto;			/* IPPROTO_UDP, _TCP, _SCTP */
	const char *scheme;		/* "dtls"... for the description,
					   NULL: the protocol's name */
	const char *identity;		/* authenticated identity or NULL */
	const uint8_t *der;		/* its certificate (DER) or NULL */
	size_t der_len;
	bool resumed;			/* (D)TLS session resumption used */
	bool stream_z;			/* compressed frames: one DEFLATE
					   stream (TCP/SCTP), not per frame */
};

/* Returns the new session's id (> 0), or 0 with err. */
uint32_t ipfix_collector_open(struct ipfix_collector *col,
    const struct ipfix_collector_peer *p, struct ipfix_err *err);
/*
 * One message (or compressed frame) of session id. 0: decoded (maybe with
 * warnings); -1: dropped as malformed (counted, err says why); -2: the
 * session broke the rules of a reliable transport and must be closed
 * (RFC 7011 §10.4.1.2: close the TCP connection / SCTP association).
 */
int ipfix_collector_feed(struct ipfix_collector *col, uint32_t id,
    const uint8_t *data, size_t len, uint16_t sctp_stream,
    struct ipfix_err *err);
/* The session ended (why NULL: orderly). Its templates are dropped. */
void ipfix_collector_close(struct ipfix_collector *col, uint32_t id,
    const struct ipfix_err *why);

/* Output ------------------------------------------------------------------ */

int ipfix_collector_reopen(struct ipfix_collector *col, const char *new_path,
    struct ipfix_err *err);
/* Flush the output files; -1 with err also when writing or translating
 * something failed since the last call (the output is then incomplete:
 * records too big for a message with its details, disk full...). */
int ipfix_collector_flush(struct ipfix_collector *col, struct ipfix_err *err);
/* The event loop is about to sleep (ev_set_before_block): write out what
 * the output holds, so a quiet feed is never held back; while busy the
 * buffers fill and go out in large writes. A failure is kept for the next
 * ipfix_collector_flush to report. */
void ipfix_collector_idle(struct ipfix_collector *col);

/* Statistics ------------------------------------------------------------ */

struct ipfix_collector_counts {
	uint64_t messages, records, lost, malformed, bytes;
	uint64_t compressed;		/* frames inflated */
	uint64_t no_template;		/* data sets without template */
	uint64_t loss_unknown;		/* sessions of a reliable transport
					   ended by a reset or a cut inside
					   a message: what was in flight is
					   gone and no number says how much */
};

/* One session, with the exporter it is associated with. */
struct ipfix_collector_sess_stats {
	uint32_t id;
	uint32_t exporter;		/* index of its exporter */
	uint32_t prev;			/* the session this one follows:
					   the same exporter's latest
					   earlier one with the ODID of
					   its first message; 0 if none */
	char desc[160];			/* "tcp 192.0.2.1:5000 -> :4739" */
	char identity[256];		/* "" when not authenticated */
	bool resumed;			/* (D)TLS session resumed */
	bool open;
	struct ipfix_collector_counts c;
};

/* One exporter: the same authenticated identity (certificate or PSK
 * identity, or none) at the same address over the same transport
 * (assoc.h). c.lost counts the
 * sequence gaps inside its sessions plus the records its cumulative
 * RFC 7011 §4.1 counts say were exported but never arrived between them
 * (lost_between of those). */
struct ipfix_collector_exp_stats {
	uint32_t index;
	char key[300];			/* "[identity at ]address over scheme" */
	uint32_t sessions;
	uint32_t handoffs;		/* successors continuing the count */
	uint32_t restarts;		/* successors starting a new count */
	uint32_t resumed;		/* sessions that resumed (D)TLS */
	uint64_t lost_between, duplicated;
	struct ipfix_collector_counts c;
};

struct ipfix_collector_totals {
	uint64_t sessions_opened, sessions_open, refused, dropped_sessions;
	uint64_t resumed;		/* sessions that resumed (D)TLS */
	/* Summed over the listeners (struct ipfix_listen_stats). */
	uint64_t handshakes_pending, cookies_sent, cookies_bad;
	uint64_t evicted, timed_out, not_ipfix;
	struct ipfix_collector_counts c;
	struct ipfix_sessout_stats out;
};

void ipfix_collector_totals(const struct ipfix_collector *col,
    struct ipfix_collector_totals *t);
/* Visit exporters, then each session (ended ones too, most recent last). */
void ipfix_collector_foreach_exporter(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_collector_exp_stats *, void *), void *arg);
void ipfix_collector_foreach_session(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_collector_sess_stats *, void *), void *arg);
/* Each (session, ODID) the decoder counted: messages, records, loss by
 * sequence numbers, out-of-order and malformed messages. */
void ipfix_collector_foreach_domain(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_domain_stats *, void *), void *arg);

#endif
