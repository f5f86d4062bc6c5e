/*
 * flowexport: flow records of flowcache.h into IPFIX Messages (layer 2, at
 * the boundary to the Exporting Process): IPv4 and IPv6 (bi)flow templates
 * or a --fields list, the standard statistics options of RFC 7011 §4.1-4.3
 * at start and end, export time from packet time, RFC 7011 sequence numbers
 * and a message size limit. Uses flowcache.h, msg.h, template.h and ie.h;
 * messages go to a caller-supplied write function.
 */
#ifndef IPFIX_FLOWEXPORT_H
#define IPFIX_FLOWEXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "flowcache.h"

/* Template ids; the options templates follow the flow templates. */
#define FLOWEXPORT_TID_V4 256
#define FLOWEXPORT_TID_V6 257
#define FLOWEXPORT_TID_MSTATS 258	/* §4.1 Metering Process Statistics */
#define FLOWEXPORT_TID_MREL 259		/* §4.2 Metering Process Reliability */
#define FLOWEXPORT_TID_EREL 260		/* §4.3 Exporting Process Reliability */

enum flowexport_precision {
	FLOWEXPORT_MILLI = 0,
	FLOWEXPORT_MICRO,
	FLOWEXPORT_NANO,
};

struct flowexport_config {
	uint32_t odid;
	size_t msg_size;		/* message size limit; 0: 65535 */
	enum flowexport_precision precision;
	bool biflow;			/* RFC 5103 templates */
	bool ifindex;			/* add ingressInterface (10) */
	const char *fields;		/* comma-separated IE names, NULL: default */
	uint32_t process_id;		/* metering/exportingProcessId */
};

/* What the Metering Process saw, for the §4.2 options record. */
struct flowexport_meter {
	uint64_t packets_read;
	uint64_t ignored_packets;	/* read but in no flow */
	uint64_t ignored_octets;	/* their captured lengths */
	int64_t first_ignored_ns, last_ignored_ns;	/* 0 if none */
};

struct flowexport_stats {
	uint64_t messages;
	uint64_t flow_records;
	uint64_t options_records;
	uint64_t octets;		/* bytes of messages written */
};

/* Receives every finished message, in order; non-zero return = failure
 * (err filled by the callee). */
typedef int (*flowexport_write_fn)(const uint8_t *msg, size_t len,
    void *arg, struct ipfix_err *err);

struct flowexport;

/*
 * New exporter. Fails (NULL, err set, IPFIX_E_USAGE) for a --fields list
 * naming an unknown element, one ipfix-gen cannot fill, a reverse element
 * without biflow, or a list without any flow key. msg_size below what the
 * largest template needs fails too.
 */
struct flowexport *flowexport_new(const struct flowexport_config *cfg,
    flowexport_write_fn fn, void *arg, struct ipfix_err *err);
void flowexport_free(struct flowexport *fx);

/* First message: every template and the options records (counts 0).
 * now_ns is the time of the first packet (the export time). */
int flowexport_start(struct flowexport *fx, int64_t now_ns,
    const struct flowexport_meter *m, struct ipfix_err *err);
/* One expired flow; now_ns is the packet time of its expiry. */
int flowexport_flow(struct flowexport *fx, const struct flowcache_flow *f,
    int64_t now_ns, struct ipfix_err *err);
/* Closing options records, then flush the last message. */
int flowexport_finish(struct flowexport *fx, int64_t now_ns,
    const struct flowexport_meter *m, struct ipfix_err *err);

void flowexport_get_stats(const struct flowexport *fx,
    struct flowexport_stats *st);

/* Names --fields accepts, one per call (i from 0 until NULL), for --help. */
const char *flowexport_field_name(size_t i);

#endif
