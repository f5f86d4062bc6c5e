/*
 * nfv9: NetFlow version 9 (RFC 3954) export packets turned into IPFIX
 * messages (layer 1), so that every reader of IPFIX takes them: header to
 * version 10 (Export Time = unix_secs, ODID = Source ID, Sequence Number =
 * data records converted so far in that domain), template FlowSets (id 0)
 * to Template Sets, options template FlowSets (id 1) to Options Template
 * Sets (v9 scope types mapped to IANA elements; no scope: a Template Set),
 * field types 1-32767 kept (the IANA numbering starts from v9's), vendor
 * types 32768-65535 as enterprise elements of PEN 9 (Cisco, the vendor
 * range's owner), and the sysUpTime-relative times FIRST_SWITCHED (22) and
 * LAST_SWITCHED (21) rewritten as absolute flowStartMilliseconds (152) and
 * flowEndMilliseconds (153). Data FlowSets of a template not (yet) seen go
 * through unchanged: the IPFIX decoder reports them as without template.
 * The converter keeps the v9 templates per (session, Source ID), bounded.
 */
#ifndef IPFIX_NFV9_H
#define IPFIX_NFV9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NFV9_VERSION	9
#define NFV9_HDR_LEN	20
#define NFV9_PEN_VENDOR	9u	/* types 32768-65535: ciscoSystems */
#define NFV9_MAX_DOMAINS 4096	/* (session, Source ID) pairs held */
#define NFV9_MAX_TEMPLATES 4096	/* per domain */

struct ipfix_nfv9;

struct ipfix_nfv9 *ipfix_nfv9_new(void);
void ipfix_nfv9_free(struct ipfix_nfv9 *nf);

/* True when p starts like a v9 packet (version 9, room for its header). */
bool ipfix_nfv9_is(const uint8_t *p, size_t len);
/* True when p[0..len) is one whole v9 packet: its header, then FlowSets
 * (each at least 4 bytes) that end exactly at len. A collector admits
 * such a datagram; a bare header or junk starting 00 09 is not one. */
bool ipfix_nfv9_frames(const uint8_t *p, size_t len);

/*
 * Convert the v9 packet p[0..len) of session into one IPFIX message held
 * by nf (valid until the next call): 0 with *msg and *mlen set, -1 with err
 * (IPFIX_E_VERSION, _LENGTH, _SET, _TEMPLATE or _LIMIT and the offset,
 * base + position, of the problem) when the packet is malformed (a
 * header without a FlowSet included) or its
 * IPFIX form would exceed 65535 bytes; nothing of it is kept then.
 * Reserved FlowSet ids 2-255 are left out; *skipped counts them.
 */
int ipfix_nfv9_convert(struct ipfix_nfv9 *nf, uint32_t session,
    const uint8_t *p, size_t len, uint64_t base, const uint8_t **msg,
    size_t *mlen, unsigned *skipped, struct ipfix_err *err);

/* Forget the templates and numbering of a session (its end). */
void ipfix_nfv9_end_session(struct ipfix_nfv9 *nf, uint32_t session);

#endif
