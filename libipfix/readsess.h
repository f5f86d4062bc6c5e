/*
 * readsess: what a tool says about the transport sessions a stream reader
 * found in its input (layer 2, over stream and decode): a label such as
 * "udp 10.0.0.1:5000 -> [2001:db8::1]:4739" for output, and the transport
 * kind the decoder is to assume for a session's messages.
 */
#ifndef IPFIX_READSESS_H
#define IPFIX_READSESS_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "stream.h"

/* "PROTO SRC:PORT -> DST:PORT" (IPv6 in brackets) into buf (size bytes);
 * returns buf, or NULL when an address cannot be formatted. */
const char *ipfix_readsess_format(const struct ipfix_session_info *si,
    char *buf, size_t size);

/* The label of session in rd (NULL rd allowed), or NULL when the input
 * has no such session (raw streams have none). */
const char *ipfix_readsess_name(const struct ipfix_reader *rd,
    uint32_t session, char *buf, size_t size);

/* FILE for raw and gzip'd streams (RFC 5655 §7.1); for captures TCP when
 * the session is a TCP connection, else UDP. */
enum ipfix_transport_kind ipfix_readsess_kind(const struct ipfix_reader *rd,
    uint32_t session);

#endif
