/*
 * meter: the whole of ipfix-gen behind one call (layer 2): read a capture
 * (pcap_in), parse each frame (packet), meter it into flows (flowcache) and
 * write the expired flows as an IPFIX stream (flowexport, stream). All
 * timing comes from packet timestamps, so the output is deterministic.
 */
#ifndef IPFIX_METER_H
#define IPFIX_METER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "flowcache.h"
#include "flowexport.h"
#include "packet.h"

struct meter_progress {
	uint64_t packets;
	uint32_t flows;			/* active now */
	uint64_t position, size;	/* bytes of the file; size 0: unknown */
};

struct meter_config {
	const char *input;		/* capture path or "-"; NULL with iface */
	const char *iface;		/* live capture */
	const char *filter;		/* BPF, NULL: none */
	int snaplen;			/* live capture; 0: 65535 */
	const char *output;		/* stream path or "-" */
	bool gzip;
	uint32_t ifindex;		/* ingressInterface of every packet */
	struct pkt_options pkt;
	struct flowcache_config cache;
	struct flowexport_config exp;
	/* Called about every 64 k packets and at the end; NULL: none. */
	void (*progress)(const struct meter_progress *p, void *arg);
	void *progress_arg;
	volatile sig_atomic_t *stop;	/* set by a signal: finish cleanly */
};

struct meter_stats {
	uint64_t packets_read;
	uint64_t metered;		/* packets in flows */
	uint64_t ignored;		/* read but not in a flow */
	uint64_t ignored_octets;	/* their wire lengths */
	uint64_t not_ip;
	uint64_t truncated;		/* cut by snaplen or the file; those
					   with an IP header are metered */
	uint64_t malformed;		/* skipped */
	struct flowcache_stats cache;
	struct flowexport_stats exp;
};

/* Run the meter to the end of the input (or *stop). 0, or -1 with err set
 * (input or output failure, bad --fields, out of memory); *st is filled
 * either way. */
int meter_run(const struct meter_config *cfg, struct meter_stats *st,
    struct ipfix_err *err);

#endif
