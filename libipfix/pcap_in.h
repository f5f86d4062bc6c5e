/*
 * pcap_in: packets from capture files (pcap, pcapng; micro- and nanosecond;
 * either byte order), stdin, or a live interface with a BPF filter, through
 * libpcap (layer 2). Timestamps always come out in nanoseconds.
 */
#ifndef IPFIX_PCAP_IN_H
#define IPFIX_PCAP_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct pcap_in;

struct pcap_frame {
	const uint8_t *data;
	size_t caplen;
	size_t wirelen;
	int64_t ts_sec;
	uint32_t ts_nsec;
	uint64_t number;	/* 1-based frame number */
};

/* Open a capture file or "-" (stdin). 'peek'/'npeek' are bytes already
 * read from the start of the file (by a caller that sniffed its magic); they
 * are put back in front of the rest. NULL with err set on failure. */
struct pcap_in *pcap_in_open_file(const char *path, const uint8_t *peek,
    size_t npeek, struct ipfix_err *err);
/* Same over an open FILE (taken over: closed by pcap_in_close). A FILE
 * that is not a regular file is read with read(2), as it arrives: stdio
 * must not have buffered any of it (sniff the magic with read(2)). */
struct pcap_in *pcap_in_open_stream(FILE *f, const uint8_t *peek,
    size_t npeek, struct ipfix_err *err);
/* Live capture on ifname with an optional BPF filter (NULL = none). */
struct pcap_in *pcap_in_open_live(const char *ifname, const char *filter,
    int snaplen, struct ipfix_err *err);
/* Apply a BPF filter to an open capture. */
int pcap_in_set_filter(struct pcap_in *in, const char *filter,
    struct ipfix_err *err);
void pcap_in_close(struct pcap_in *in);

#define PCAP_IN_IDLE 2	/* live capture: no packet within the read timeout */

/* 1 with *f filled (valid until the next call), 0 at the end, -1 on a read
 * error (err set; for a cut final frame, the caller may continue to get 0),
 * PCAP_IN_IDLE when a live capture saw nothing for 100 ms (call again). */
int pcap_in_next(struct pcap_in *in, struct pcap_frame *f,
    struct ipfix_err *err);
int pcap_in_dlt(const struct pcap_in *in);
bool pcap_in_is_pcapng(const struct pcap_in *in);
/* Bytes read so far and the file size (0 if unknown), for progress. */
uint64_t pcap_in_position(const struct pcap_in *in);
uint64_t pcap_in_size(const struct pcap_in *in);

/* True when the first 4 bytes are a pcap or pcapng magic. */
bool pcap_in_magic(const uint8_t *b, size_t n);

#endif
