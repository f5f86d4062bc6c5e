/*
 * flowcache: the Metering Process's flow table (layer 2). Packets parsed by
 * packet.h are classified into flows keyed by addresses, ports, protocol,
 * VLAN and optionally the ingress interface; flows expire on idle/active
 * timeout, TCP FIN/RST, lack of resources or end of input (RFC 5470 §5.1,
 * flowEndReason) in packet-time order. Uses only err.h and packet.h.
 */
#ifndef IPFIX_FLOWCACHE_H
#define IPFIX_FLOWCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "packet.h"

/* flowEndReason values (IE 136, RFC 5102 §5.11.3). */
enum flowcache_reason {
	FLOWCACHE_IDLE = 1,
	FLOWCACHE_ACTIVE = 2,
	FLOWCACHE_END = 3,		/* TCP FIN/RST */
	FLOWCACHE_FORCED = 4,		/* end of input */
	FLOWCACHE_RESOURCES = 5,	/* --max-flows reached */
};

struct flowcache_key {
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint16_t vlan;
	uint8_t proto;
	uint8_t ipver;			/* 4 or 6 */
	uint32_t ifindex;		/* 0 unless keyed by interface */
};

/* Counters of one direction. Times are packet times in nanoseconds. */
struct flowcache_dir {
	uint64_t octets;		/* sum of IP total lengths */
	int64_t start_ns, end_ns;
	uint32_t packets;
	uint8_t tcp_flags;		/* union of the flags seen */
	uint8_t tos;			/* of the first packet */
	uint8_t ttl_min, ttl_max;
};

/*
 * One flow as handed to the expiry callback. dir[0] is the initiator (the
 * direction of the first packet); dir[1] is used only for biflows and has
 * packets == 0 when the reverse direction was never seen.
 */
struct flowcache_flow {
	struct flowcache_key key;
	uint32_t qtime;			/* private: idle list position, ms */
	struct flowcache_dir dir[2];
	uint32_t hnext, lprev, lnext;	/* private: hash chain, idle list */
	uint8_t icmp_type, icmp_code;	/* of the first packet */
	uint8_t reason;			/* enum flowcache_reason */
	uint8_t fin;			/* private: FIN seen, bit per dir */
};

struct flowcache_config {
	int64_t idle_ns;		/* 0: one record per packet */
	int64_t active_ns;		/* 0: no active timeout */
	uint32_t max_flows;		/* 0: unlimited */
	bool biflow;			/* RFC 5103 pairing */
	bool key_ifindex;		/* ingress interface is part of the key */
	uint32_t frag_slots;		/* fragment-id memory; 0: 4096 */
};

/* Called for every expired flow in expiry order; a non-zero return stops
 * the cache call that expired it, which then returns -1 (err left to the
 * callback). The flow is only valid during the call. */
typedef int (*flowcache_expire_fn)(const struct flowcache_flow *f,
    void *arg, struct ipfix_err *err);

struct flowcache_stats {
	uint64_t packets;		/* metered into flows */
	uint64_t octets;
	uint64_t flows;			/* created */
	uint64_t expired[6];		/* by reason, index = reason */
	uint64_t frag_joined;		/* non-first fragments given ports */
	uint64_t frag_orphans;		/* ... whose first fragment was unseen */
	uint32_t active, peak;
	size_t mem_bytes;		/* heap held by the cache now */
	size_t mem_peak;
};

struct flowcache;

/* New cache; fn(flow, arg) receives expired flows. NULL on ENOMEM. */
struct flowcache *flowcache_new(const struct flowcache_config *cfg,
    flowcache_expire_fn fn, void *arg, struct ipfix_err *err);
/* Frees without expiring anything (call flowcache_flush first). NULL ok. */
void flowcache_free(struct flowcache *fc);

/*
 * Meter one packet seen at ts_ns on interface ifindex. pi must be at level
 * PKT_NET or above (the caller counts the others as ignored). Runs the
 * timeouts due at ts_ns first. 0 on success, -1 when the callback failed
 * or memory ran out (err set).
 */
int flowcache_add(struct flowcache *fc, const struct pkt_info *pi,
    int64_t ts_ns, uint32_t ifindex, struct ipfix_err *err);

/*
 * Optional, for speed: a caller that has the next packets at hand calls
 * flowcache_prefetch for each (starts loading its hash bucket, returns the
 * hash), later flowcache_prefetch_flow with that hash (starts loading the
 * flow), and only then flowcache_add_hashed with the hash (which saves
 * computing it again), so cache misses overlap.
 */
uint32_t flowcache_prefetch(const struct flowcache *fc,
    const struct pkt_info *pi, uint32_t ifindex);
void flowcache_prefetch_flow(const struct flowcache *fc, uint32_t hash);
int flowcache_add_hashed(struct flowcache *fc, const struct pkt_info *pi,
    int64_t ts_ns, uint32_t ifindex, uint32_t hash, struct ipfix_err *err);

/* Expire what is due at now_ns (for live capture without packets). An
 * idle flow is reported at most one idle timeout after it went idle; a
 * packet that finds its flow idle always ends it first. */
int flowcache_tick(struct flowcache *fc, int64_t now_ns,
    struct ipfix_err *err);

/* Expire every flow in queue order (oldest first, roughly) with reason
 * (normally FLOWCACHE_FORCED at end of input). */
int flowcache_flush(struct flowcache *fc, enum flowcache_reason reason,
    struct ipfix_err *err);

void flowcache_get_stats(const struct flowcache *fc,
    struct flowcache_stats *st);

#endif
