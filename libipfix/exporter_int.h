/*
 * exporter_int: what the pieces of the Exporting Process share (layer 5,
 * private to exporter.c, exp_sess.c and exp_stats.c): the exporter's
 * structures and the functions one piece calls in another. exporter.c holds
 * template state, the builder and the public API; exp_sess.c the Transport
 * Sessions; exp_stats.c the RFC 7011 §4.3 and §4.1 statistics records.
 */
#ifndef IPFIX_EXPORTER_INT_H
#define IPFIX_EXPORTER_INT_H

#include "exporter.h"
#include "msg.h"

/* Our own options templates (exp_tmpl.own). */
enum { OWN_NONE, OWN_RELIABILITY, OWN_METERING };

struct exp_tmpl {
	struct ipfix_tmpl *t;	/* owned */
	uint16_t id;		/* t->id, searched without a dereference */
	uint64_t sent_gen;	/* the session that has it, 0: none */
	uint8_t own;		/* OWN_*: our statistics template */
};

struct exp_dom {
	uint32_t odid;
	struct exp_tmpl *tm;	/* sorted by template id */
	size_t n, cap;
	size_t hint[2];		/* the last two exp_tm_find hits: data sets
				   come in runs of a few templates */
	uint64_t seq_gen;	/* session the sequence numbers belong to */
	uint32_t seq[2];	/* per SIDX (RFC 7011 §3.1: per stream) */
	uint64_t refresh_ms;	/* UDP: last full template send */
	unsigned msgs;		/* UDP: data messages since then */
	uint64_t tot_msgs, tot_recs, tot_octets;	/* sent, all sessions */
};

struct exp_sess {
	struct ipfix_chan *c;	/* NULL for the test sink */
	uint64_t gen;
	uint64_t opened_ms;
	uint64_t close_by_ms;	/* while closing */
	struct ipfix_z *z;	/* --compress */
	size_t max_msg;		/* IPFIX message limit */
	size_t frame_cap;	/* what one send may carry */
	bool lost;
	struct ipfix_err err;	/* why it was lost */
};

struct ipfix_exporter {
	struct ipfix_exporter_config cfg;
	struct ipfix_decoder *dec;
	struct exp_dom *dom;
	size_t ndom, domcap;
	size_t dom_hint;	/* last exp_dom_get result */
	struct exp_sess *cur, *next, *old;
	struct exp_sess *conn;	/* being connected by exp_ensure_session */
	uint64_t gen;
	bool reliable;		/* TCP/SCTP template rules */
	bool datagram;
	bool zstream;
	bool need_all;		/* a new session waits for every template */
	bool need_meter;	/* a hand-off: §4.1 counts on the new one */
	uint64_t stats_sent;	/* not_sent_records last reported */
	uint64_t stats_gen;	/* the session that report went on */

	struct ipfix_builder b;
	uint8_t *buf, *zbuf;
	bool open;
	uint32_t b_odid, b_time;
	int b_sidx;
	bool b_ctl;		/* holds templates or withdrawals (C70) */
	uint32_t b_own;		/* our statistics records in it */

	unsigned attempts;	/* consecutive failed connects */
	uint64_t last_attempt_ms;
	uint64_t rekey_at_ms;
	uint64_t pace_t0, pace_done;
	bool rt_started;
	uint64_t rt_wall0, rt_in0;
	uint32_t in_time;
	uint64_t feed_ms;	/* while an input message is decoded: its
				   time, for the refresh clock (a clock read
				   per record run cost 5 % over DTLS) */
	unsigned since_service;
	bool more_input;	/* the next input message is already read:
				   the transport may hold what we send */

	bool failed;		/* fatal; fail says why */
	bool stopping;
	struct ipfix_err fail;
	struct ipfix_exporter_stats st;
};

/* exporter.c: plumbing */
/* Tell the caller through cfg.on_event (when set). */
void exp_event(struct ipfix_exporter *x, enum ipfix_exp_event ev,
    const char *detail, const struct ipfix_err *err);
/* Record the first fatal error; returns -1. */
int exp_fatal(struct ipfix_exporter *x, const struct ipfix_err *err);
/* Call cfg.on_report when the caller raised *cfg.report. */
void exp_check_report(struct ipfix_exporter *x);
/* The caller raised *cfg.stop. */
bool exp_stop_asked(const struct ipfix_exporter *x);

/* exporter.c: template state and the builder */
/* The domain of odid, created when new; NULL without memory. */
struct exp_dom *exp_dom_get(struct ipfix_exporter *x, uint32_t odid);
/* The template of id in d, or NULL. */
struct exp_tmpl *exp_tm_find(struct exp_dom *d, uint16_t id);
/* Store t (owned) in d, replacing a template of the same id. */
struct exp_tmpl *exp_tm_put(struct exp_dom *d, struct ipfix_tmpl *t);
/* One record of e into a message of d, templates first; -1 fatal. */
int exp_add_record(struct ipfix_exporter *x, struct exp_dom *d,
    struct exp_tmpl *e, const uint8_t *p, size_t len);
/* Send the open message, if any; -1 when the exporter failed. */
int exp_flush_msg(struct ipfix_exporter *x);
/* The current session is gone: count what the builder held, free it. */
void exp_lose_cur(struct ipfix_exporter *x);

/* exp_sess.c: Transport Sessions */
/* The current session's gen, 0 without one. */
uint64_t exp_cur_gen(const struct ipfix_exporter *x);
/* Free s (NULL accepted) and its channel. */
void exp_sess_free(struct exp_sess *s);
/* Service s and drain what its peer sent; marks it lost on failure. */
void exp_sess_service(struct exp_sess *s);
/* Drop lost sessions and an old one that is closed or out of time. */
void exp_reap(struct ipfix_exporter *x);
/* Wait for I/O until deadline (monotonic ms) or one event; service all. */
void exp_wait_io(struct ipfix_exporter *x, uint64_t deadline);
/* Sleep until t serving the sessions; false when a stop came first. */
bool exp_sleep_until(struct ipfix_exporter *x, uint64_t t, bool stoppable);
/* A session to send on, reconnecting with backoff; -1 stop or give up. */
int exp_ensure_session(struct ipfix_exporter *x);
/* Open the next session when --rekey is due. */
void exp_start_rekey(struct ipfix_exporter *x);
/* Move to the next session once it is up; -1 when a flush failed. */
int exp_handoff(struct ipfix_exporter *x);
/* Close the current session in order (bounded by linger_ms). */
void exp_close_session(struct ipfix_exporter *x);

/* exp_stats.c: RFC 7011 §4.3 and §4.1 statistics records */
/* The not-sent count when it changed (or again: on a new session). */
int exp_emit_stats(struct ipfix_exporter *x, bool again);
/* Each domain's cumulative counts, after a hand-off. */
int exp_emit_metering(struct ipfix_exporter *x);

#endif
