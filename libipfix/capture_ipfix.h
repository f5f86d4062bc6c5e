/*
 * capture_ipfix: IPFIX messages carried in a pcap/pcapng capture (layer 2,
 * internal to stream.c, over pcap_in and packet): UDP payloads split into
 * messages, TCP reassembled in order per connection, one session per
 * UDP 5-tuple or TCP connection, NetFlow and other payloads counted.
 */
#ifndef IPFIX_CAPTURE_IPFIX_H
#define IPFIX_CAPTURE_IPFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "stream.h"

/* Bounds that keep memory constant whatever the capture holds. */
#define CAPTURE_MAX_SESSIONS	65536	/* UDP 5-tuples + TCP connections */
#define CAPTURE_MAX_TCP		64	/* TCP connections buffered at once */
#define CAPTURE_TCP_BUF		(2 * 65536)	/* bytes per connection */

struct capture_ipfix;

/* Takes f over (closed by capture_ipfix_close, unless stdin); peek/npeek
 * are bytes already read from f's start. port 0 = any. */
struct capture_ipfix *capture_ipfix_open(FILE *f, const uint8_t *peek,
    size_t npeek, uint16_t port, struct ipfix_err *err);
void capture_ipfix_close(struct capture_ipfix *c);
/* Same contract as ipfix_reader_next. */
int capture_ipfix_next(struct capture_ipfix *c, const uint8_t **msg,
    size_t *len, struct ipfix_msg_meta *meta, struct ipfix_err *err);
bool capture_ipfix_is_pcapng(const struct capture_ipfix *c);
uint64_t capture_ipfix_position(const struct capture_ipfix *c);
uint64_t capture_ipfix_size(const struct capture_ipfix *c);
const struct ipfix_session_info *capture_ipfix_session(
    const struct capture_ipfix *c, uint32_t session);
void capture_ipfix_counts(const struct capture_ipfix *c,
    uint64_t *not_ipfix, uint64_t *netflow_v5, uint64_t *netflow_v9);

#endif
