/*
 * origin: who sent each record of a collector's merged output (layer 1).
 * ipfix-recv writes, before each message's records, a Message Details
 * record naming the Transport Session (exporter and collector address and
 * port, transport protocol), and a session's first message in an ODID
 * also carries an Export Session Details record with the exporter's
 * certificate or "psk=ID" (sessout.h, RFC 5655 §8.1). Fed every record, a
 * tracker keeps the sessions' identities and names the exporter of the
 * current message's records.
 */
#ifndef IPFIX_ORIGIN_H
#define IPFIX_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "endpoint.h"
#include "msg.h"
#include "template.h"

#define IPFIX_ORIGIN_ID_MAX	320
#define IPFIX_ORIGIN_TID_FIRST	65532	/* sessout.h: the details templates */
#define IPFIX_ORIGIN_PEN	32473	/* sessout.h: its session ids */

/* One exporter as the details records name it. */
struct ipfix_origin {
	char addr[IPFIX_ADDRSTR_MAX];	/* "192.0.2.1" or "2001:db8::1" */
	uint16_t port;
	uint8_t proto;			/* IPPROTO_UDP, _TCP, _SCTP */
	const char *transport;		/* "udp", "dtls", "tcp", "tls",
					   "sctp", "dtls-sctp": secured
					   when an identity is known */
	char identity[IPFIX_ORIGIN_ID_MAX];	/* "subject=..." (from
					   the DER certificate), "psk=ID",
					   or "" */
	char label[IPFIX_ORIGIN_ID_MAX + 96];	/* "dtls 192.0.2.1:4739
					   psk=ID" */
	uint32_t session;		/* the collector's session id, 0 when
					   the details did not say */
	uint32_t follows;		/* the session it follows in the
					   ODID of its details, or 0 */
};

/* Names a DER certificate ("subject=..."): the caller's, as this layer
 * does not parse certificates (chan.h's ipfix_cert_subject does). Writes
 * "" when it cannot. */
typedef void (*ipfix_der_namer)(const uint8_t *der, size_t len, char *out,
    size_t cap);

struct ipfix_origins;

/* NULL when out of memory; namer may be NULL (certificates are then named
 * by their length). */
struct ipfix_origins *ipfix_origins_new(ipfix_der_namer namer);
void ipfix_origins_free(struct ipfix_origins *o);
/* Every record of the stream, in order: true when it was a details record
 * (it is taken in; other records leave the tracker alone). */
bool ipfix_origins_record(struct ipfix_origins *o,
    const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r);
/* The exporter of message m's records: named by m's Message Details
 * record, or NULL (not a collector's output, or not named yet). */
const struct ipfix_origin *ipfix_origins_current(
    const struct ipfix_origins *o, const struct ipfix_msg_ctx *m);
/* x is what the user named: its address, "address:port" ("[v6]:port"
 * too), its identity
 * ("psk=ID", "subject=..."), the PSK identity alone, or a CN. */
bool ipfix_origin_match(const struct ipfix_origin *x, const char *what);

#endif
