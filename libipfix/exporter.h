/*
 * exporter: the Exporting Process (layer 5, over chan, decode, msg,
 * template, stream, compress): own template state per ODID, re-packing,
 * RFC 7011 §3.1 numbering, pacing, reconnects, soft hand-off, §4.3 reports.
 */
#ifndef IPFIX_EXPORTER_H
#define IPFIX_EXPORTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "endpoint.h"
#include "err.h"
#include "stream.h"
#include "transport.h"

/* UDP template refresh defaults (C51); see ipfix-send(1) for why. */
#define IPFIX_EXP_REFRESH_MS	60000
#define IPFIX_EXP_REFRESH_MSGS	20
/* Reconnect backoff defaults: TCP/TLS start at a minute (C66). */
#define IPFIX_EXP_RETRY_MIN_MS		1000
#define IPFIX_EXP_RETRY_MIN_TCP_MS	60000
#define IPFIX_EXP_RETRY_MAX_MS		300000
#define IPFIX_EXP_CONNECT_MS		10000	/* connect + handshake bound */
#define IPFIX_EXP_LINGER_MS		5000	/* orderly close bound */
#define IPFIX_EXP_SPOOL_BYTES		(4u << 20)	/* --spool default */

enum ipfix_pace {
	IPFIX_PACE_FAST,	/* as fast as flow control allows */
	IPFIX_PACE_MSGS,	/* rate messages per second */
	IPFIX_PACE_RECORDS,	/* rate data records per second */
	IPFIX_PACE_REALTIME,	/* the input's times, divided by speed */
};

/* What the exporter tells its caller about (the library never prints). */
enum ipfix_exp_event {
	IPFIX_EXP_CONNECTING,	/* opening a Transport Session */
	IPFIX_EXP_UP,		/* the session is up (detail: peer) */
	IPFIX_EXP_LOST,		/* the session failed (err) */
	IPFIX_EXP_CONNECT_FAILED, /* one attempt failed (err) */
	IPFIX_EXP_RETRY,	/* next attempt in detail ms */
	IPFIX_EXP_HANDOFF,	/* data switched to a new session */
	IPFIX_EXP_GAVE_UP,	/* max_retries reached (err) */
	IPFIX_EXP_DROPPED,	/* a message could not be sent (err) */
	IPFIX_EXP_INPUT,	/* an input problem stepped over (err) */
	IPFIX_EXP_UNACKED,	/* a TCP/TLS session ended with messages its
				   peer did not acknowledge, or refused them
				   (detail: the counts; err: why it ended) */
	IPFIX_EXP_PROBE_OFF,	/* liveness probe switched off (detail: why) */
	IPFIX_EXP_UNCONFIRMED,	/* a lost UDP session had taken detail
				   records not confirmed by a probe */
};

/* Test seam: a sink instead of a Transport Session (unit tests). */
struct ipfix_exp_sink {
	size_t max_msg;
	bool reliable;		/* TCP/SCTP rules (withdrawals, no refresh) */
	bool stream;		/* compression as a stream */
	/* One message of session number session (1, 2, ... in the order
	 * they were opened): IPFIX_T_OK or IPFIX_T_ERR (with err). */
	int (*send)(void *arg, uint64_t session, const uint8_t *msg,
	    size_t len, uint16_t stream, struct ipfix_err *err);
	void *arg;
};

struct ipfix_exporter_stats {
	uint64_t in_messages, in_records, in_templates, in_withdrawals;
	uint64_t in_malformed;		/* input messages discarded */
	uint64_t in_no_template;	/* data sets without a template */
	uint64_t out_messages, out_records, out_bytes;
	uint64_t out_templates, out_withdrawals, out_stats_records;
	uint64_t out_wire_bytes;	/* after compression */
	uint64_t not_sent_messages, not_sent_records, not_sent_bytes;
	uint64_t sessions, failures, connect_failures, handoffs;
	uint64_t attempts;		/* sessions we tried to open */
	uint64_t resumed;		/* sessions up with a resumed handshake */
	uint64_t probes_sent, probes_answered;
	uint64_t sent_unconfirmed;	/* records sent on UDP/DTLS sessions that
					   were then lost, after the last
					   answered probe (all without one) */
	uint64_t rekeys;		/* hand-offs --rekey started */
	uint64_t spooled_messages;	/* kept for a later session */
	uint64_t spool_dropped_records;	/* dropped from a full spool (in
					   not_sent_records too) */
	uint64_t first_drop_ms, last_drop_ms;	/* wall clock, 0: none */
	/* Delivery (exp_acct.c): of out_records, those the collector's
	 * kernel acknowledged (TCP, TLS) and those no transport can confirm
	 * (UDP, DTLS, SCTP); records handed to a TCP/TLS session that ended
	 * before they were acknowledged are moved from out_* to not_sent_*,
	 * uncertain_records of them because the kernel could not tell. */
	uint64_t acked_records, unconfirmed_records, uncertain_records;
};

struct ipfix_exporter;

struct ipfix_exporter_config {
	struct ipfix_endpoint ep;
	struct ipfix_topts topts;
	struct ipfix_sec_ctx *sec;	/* secured schemes; not owned */
	const struct ipfix_exp_sink *sink;	/* tests: replaces ep */
	size_t max_msg;		/* message cap on any transport, 0: none */
	unsigned mtu;		/* UDP/DTLS path MTU to assume, 0: learn */
	unsigned refresh_ms;	/* UDP template refresh by time; 0: off */
	unsigned refresh_msgs;	/* ... by data messages; 0: off */
	bool export_time_now;	/* else kept from the input */
	bool flush_each_input;	/* send at the end of each input message */
	enum ipfix_pace pace;
	double rate;		/* units per second (MSGS, RECORDS) */
	double speed;		/* REALTIME: 2 = twice as fast */
	unsigned retry_min_ms, retry_max_ms;	/* 0: defaults above */
	int max_retries;	/* consecutive failed attempts; -1: forever */
	unsigned connect_ms, linger_ms;		/* 0: defaults above */
	unsigned rekey_ms;	/* soft hand-off period, 0: none */
	uint64_t rekey_msgs;	/* ... or after this many messages, 0: none */
	uint64_t rekey_bytes;	/* ... or after this many bytes, 0: none */
	unsigned probe_ms;	/* DTLS/UDP liveness probe period, 0: none */
	size_t spool_bytes;	/* data messages kept for the next session
				   when one is lost (oldest dropped); 0:
				   none (config_init: the default) */
	uint16_t data_streams;	/* SCTP: data on streams 1..n, 0: stream 0 */
	int pr_rtx;		/* SCTP data: PR-SCTP RTX limit, -1: none */
	bool compress;		/* compress.h framing */
	uint32_t process_id;	/* exportingProcessId of §4.3 records */
	bool no_own_stats;	/* send no §4.3/§4.1 records of our own
				   (some collectors reject their
				   templates: nfacctd) */
	volatile sig_atomic_t *stop;	/* set: flush, close in order */
	volatile sig_atomic_t *report;	/* set: on_report, then cleared */
	void (*on_event)(void *arg, enum ipfix_exp_event ev,
	    const char *detail, const struct ipfix_err *err);
	void (*on_report)(void *arg, const struct ipfix_exporter_stats *st);
	/* ipfix_exporter_run: after each input message, when not NULL
	 * (progress displays; cheap callers only, it runs per message). */
	void (*on_progress)(void *arg, const struct ipfix_exporter *x);
	void *arg;
};

/* Defaults for everything but ep. */
void ipfix_exporter_config_init(struct ipfix_exporter_config *cfg);

/* A new exporter (no session yet); NULL with err (bad combination of
 * options: IPFIX_E_USAGE; memory). cfg is copied. */
struct ipfix_exporter *ipfix_exporter_new(
    const struct ipfix_exporter_config *cfg, struct ipfix_err *err);
void ipfix_exporter_free(struct ipfix_exporter *x);

/*
 * Export every message of r, then close in order. Returns 0 at the end of
 * the input or when *stop was set, -1 with err when the input failed, the
 * collector could not be reached max_retries times in a row, or a record
 * cannot fit any message. Records that could not be sent are counted in
 * the stats, never silently lost.
 */
int ipfix_exporter_run(struct ipfix_exporter *x, struct ipfix_reader *r,
    struct ipfix_err *err);

/* The same in pieces: one input message (meta may be NULL), then the end
 * (flush, statistics records when records were dropped, orderly close). */
int ipfix_exporter_feed(struct ipfix_exporter *x, const uint8_t *msg,
    size_t len, const struct ipfix_msg_meta *meta, struct ipfix_err *err);
int ipfix_exporter_finish(struct ipfix_exporter *x, struct ipfix_err *err);

void ipfix_exporter_stats(const struct ipfix_exporter *x,
    struct ipfix_exporter_stats *st);

/* Pure arithmetic, exposed for tests ----------------------------------- */

/* Delay before reconnect attempt n (0-based): min * 2^n, capped at max. */
uint64_t ipfix_exp_backoff_ms(unsigned n, unsigned min_ms, unsigned max_ms);
/* Monotonic time at which unit number 'done' (0-based) may leave when
 * sending rate units per second from t0. */
uint64_t ipfix_exp_pace_due(uint64_t t0_ms, uint64_t done, double rate);
/* Realtime: when input time in_ms may leave, given the first input time
 * in0_ms seen at monotonic wall0_ms; never before wall0_ms. */
uint64_t ipfix_exp_realtime_due(uint64_t wall0_ms, uint64_t in0_ms,
    uint64_t in_ms, double speed);

#endif
