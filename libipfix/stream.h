/*
 * stream: IPFIX message streams in and out (layer 2). A reader takes a path
 * or "-" and detects by magic: raw IPFIX (00 0A), gzip (1F 8B), bzip2 (BZh,
 * reported as unsupported), pcap/pcapng captures (IPFIX carried in UDP
 * payloads on any port, each UDP 5-tuple its own transport session, TCP in
 * order per connection), all in constant memory. After corruption a raw
 * stream is resynchronised as RFC 5655 §10.3 describes (C112) and the skipped
 * byte range is reported. NetFlow v9 (nfv9.h) is read as the IPFIX it
 * converts to: in captures (UDP payloads) and as a raw file of v9 packets
 * back to back (framed by their FlowSets: the next packet's version 9 is
 * no FlowSet id). Live input (pipes) is never held for more bytes
 * than a message needs. A writer writes raw or gzip'd messages.
 */
#ifndef IPFIX_STREAM_H
#define IPFIX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum ipfix_input_format {
	IPFIX_IN_RAW,
	IPFIX_IN_GZIP,		/* gzip'd raw stream */
	IPFIX_IN_PCAP,
	IPFIX_IN_PCAPNG,
};

struct ipfix_reader_options {
	uint16_t port;		/* captures: only this UDP/TCP port, 0 = any */
};

/* What the reader knows about the message it returned. */
struct ipfix_msg_meta {
	uint64_t offset;	/* raw: byte offset in the (decompressed)
				   stream; capture: offset of the packet */
	uint32_t session;	/* 0 for a raw stream (one session); captures:
				   1, 2, ... per UDP 5-tuple / TCP connection */
	uint64_t packet;	/* capture: 1-based frame number, else 0 */
	int64_t ts_sec;		/* capture: packet time, else 0 */
	uint32_t ts_nsec;
};

/* Description of a capture session, for output. */
struct ipfix_session_info {
	uint32_t session;
	int proto;		/* IPPROTO_UDP / IPPROTO_TCP */
	int family;		/* AF_INET / AF_INET6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

struct ipfix_reader;

/* Open path ("-" for stdin). NULL with err set when the file cannot be
 * opened or is of a refused format (IPFIX_E_FORMAT names what was seen:
 * bzip2, a raw NetFlow v5 stream, a capture of an unknown link type).
 * Other unknown bytes are read as a raw stream: resync reports them.
 * A capture with NetFlow v5 but no IPFIX or v9 is reported by
 * ipfix_reader_next at its end: -1, IPFIX_E_FORMAT "capture contains
 * NetFlow v5 (N packets), not IPFIX" (or "no IPFIX message found in the
 * capture"). */
struct ipfix_reader *ipfix_reader_open(const char *path,
    const struct ipfix_reader_options *opt, struct ipfix_err *err);
void ipfix_reader_close(struct ipfix_reader *r);

/*
 * Next message: 1 with *msg and *len pointing into the reader's buffer (valid
 * until the next call) and *meta filled; 0 at the end; -1 with err set for
 * a problem the reader stepped over (corruption skipped by resync, with
 * err->offset the start of the skipped range and the size in the reason;
 * a cut final message; a capture message cut by the snaplen, a TCP gap):
 * the caller reports it and calls again. Capture payloads that are not
 * IPFIX are only counted (ipfix_reader_capture_counts). -2: fatal (I/O
 * error, corrupt gzip data); stop.
 * Memory is constant: a 128 KiB window (raw), and for captures at most
 * 64 TCP connections of 128 KiB being reassembled (the least recently
 * seen gives way) and 65536 sessions.
 * Input that is not a regular file (pipe, terminal, socket) is taken as
 * it arrives: a message is returned once its bytes are in, without
 * waiting for more input (the §10.3 look at the next header uses what has
 * arrived; the end of that counts as the end). A read interrupted by a
 * signal is -2 with errno EINTR; nothing is lost and the caller may call
 * again.
 */
int ipfix_reader_next(struct ipfix_reader *r, const uint8_t **msg,
    size_t *len, struct ipfix_msg_meta *meta, struct ipfix_err *err);
/* True when the next ipfix_reader_next can return without waiting for
 * input: a regular file (its reads never wait), the end reached, or a
 * whole message in memory. Live captures: false. For batching: push what
 * is queued when this is false, before the read that may block. */
bool ipfix_reader_buffered(const struct ipfix_reader *r);
/* The descriptor a raw stream that is not a regular file (pipe, socket,
 * terminal) waits on, for a caller that polls it; -1 for regular files,
 * captures and an input at its end. */
int ipfix_reader_fd(const struct ipfix_reader *r);

enum ipfix_input_format ipfix_reader_format(const struct ipfix_reader *r);
/* Bytes consumed so far and total size if known (0), for progress. */
uint64_t ipfix_reader_position(const struct ipfix_reader *r);
uint64_t ipfix_reader_size(const struct ipfix_reader *r);
/* Capture sessions: description of session id, or NULL. */
const struct ipfix_session_info *ipfix_reader_session(
    const struct ipfix_reader *r, uint32_t session);
/* Captures: count of non-IPFIX payloads seen, and NetFlow v5/v9 ones. */
void ipfix_reader_capture_counts(const struct ipfix_reader *r,
    uint64_t *not_ipfix, uint64_t *netflow_v5, uint64_t *netflow_v9);

struct ipfix_writer;

/* path "-" for stdout; gzip compresses (zlib, level 6). */
struct ipfix_writer *ipfix_writer_open(const char *path, bool gzip,
    struct ipfix_err *err);
/* Raw messages after what path holds (created when absent). */
struct ipfix_writer *ipfix_writer_open_append(const char *path,
    struct ipfix_err *err);
int ipfix_writer_write(struct ipfix_writer *w, const uint8_t *msg, size_t len,
    struct ipfix_err *err);
/* A message built in place: ipfix_writer_space gives room for one
 * (IPFIX_MSG_MAX bytes; NULL when making room failed), and
 * ipfix_writer_commit appends the len bytes written there. Any other call
 * on w in between makes the room invalid. Saves a copy per message. */
uint8_t *ipfix_writer_space(struct ipfix_writer *w, struct ipfix_err *err);
int ipfix_writer_commit(struct ipfix_writer *w, size_t len,
    struct ipfix_err *err);
int ipfix_writer_flush(struct ipfix_writer *w, struct ipfix_err *err);
/* Flushes and closes; returns 0 or -1 (the writer is freed either way). */
int ipfix_writer_close(struct ipfix_writer *w, struct ipfix_err *err);

#endif
