/*
 * assoc: association of the collector's Transport Sessions (layer 5, used
 * by collector): one exporter is one authenticated identity (certificate
 * or PSK identity, or none) at one address over one transport (the
 * collector's key); its sessions form one chain
 * per Observation Domain across hand-offs and restarts (design.md,
 * association). A session that carries the exporter's RFC 7011 §4.1
 * statistics (exportedFlowRecordTotalCount, which ipfix-send sends on
 * each new session after a hand-off) continues its predecessor's count: a
 * hand-off. A successor without them starts a new count: a restart (or an
 * exporter that sends no statistics). Records lost between sessions are
 * what the cumulative count says was exported less what arrived, beyond
 * the sequence gaps already seen inside the sessions. A count on a
 * chain's first session is compared with nothing (the collector started
 * after the exporter); a collector continuing its output file (resume.h)
 * gives its sessions back first, so the chain goes on.
 */
#ifndef IPFIX_ASSOC_H
#define IPFIX_ASSOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"

struct ipfix_assoc;

/* What association adds to an exporter's counts. */
struct ipfix_assoc_exp {
	char key[300];			/* the collector's: identity, address,
					   transport */
	uint32_t sessions;
	uint32_t handoffs;		/* successors that continued a count */
	uint32_t restarts;		/* successors that started a new one */
	uint32_t resumed;		/* sessions that resumed (D)TLS */
	uint64_t lost_between;		/* exported, not received, beyond the
					   sequence gaps inside sessions */
	uint64_t duplicated;		/* received beyond what was exported */
};

/* The exporter key of a session: "[identity at ]address over scheme"
 * (address without port: a restarted exporter's new source port is the
 * same exporter). */
void ipfix_assoc_key(char *buf, size_t cap, const char *identity,
    const char *addr, const char *scheme);

struct ipfix_assoc *ipfix_assoc_new(void);
void ipfix_assoc_free(struct ipfix_assoc *a);

/* Session id (ids are given in increasing order) of the exporter named
 * key; returns the exporter's index, UINT32_MAX when out of memory. */
uint32_t ipfix_assoc_session(struct ipfix_assoc *a, uint32_t id,
    const char *key, bool resumed);
/* True when session id was given (ipfix_assoc_session). */
bool ipfix_assoc_has(const struct ipfix_assoc *a, uint32_t id);
/* A message of session id in odid: returns the session it follows in
 * that chain (the exporter's latest earlier one there), 0 for none; *fresh
 * tells whether this was the session's first message in odid. */
uint32_t ipfix_assoc_domain(struct ipfix_assoc *a, uint32_t id,
    uint32_t odid, bool *fresh);
/* n records of template t in session id's odid (p: len bytes holding
 * them when t has fixed-length records, else one record). Every record
 * counts; the exporter's §4.1 counts (an options template scoped by
 * observationDomainId with exportedFlowRecordTotalCount) are read here,
 * each against the records before it: ipfix-send counts the same way. */
void ipfix_assoc_records(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    const struct ipfix_tmpl *t, const uint8_t *p, uint64_t len, uint64_t n);
/* Sequence gaps (records) of session id in odid, from the decoder:
 * cleared, then added up per stream before ipfix_assoc_exporter. */
void ipfix_assoc_gaps_clear(struct ipfix_assoc *a);
void ipfix_assoc_gaps_add(struct ipfix_assoc *a, uint32_t id, uint32_t odid,
    uint64_t lost);
uint32_t ipfix_assoc_nexporters(const struct ipfix_assoc *a);
void ipfix_assoc_exporter(const struct ipfix_assoc *a, uint32_t index,
    struct ipfix_assoc_exp *out);

#endif
