/*
 * fuzz_packet: pkt_parse on one frame for each supported link type, chosen
 * by the first byte; the rest is the frame. Checks the packet.h contract:
 * the payload lies inside the captured bytes, a failure names its header,
 * and levels agree with what was filled.
 *   byte 0 bits 0-3  link type (table below)
 *          bit 4     meter tunnels by the inner header
 *          bits 5-7  wire length: caplen, caplen + k*100, or caplen / 2
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "fuzz.h"

static const int dlts[16] = {
	1,	/* Ethernet */
	113,	/* Linux SLL */
	276,	/* Linux SLL2 */
	101,	/* LINKTYPE_RAW */
	12,	/* DLT_RAW (most systems) */
	14,	/* DLT_RAW (OpenBSD) */
	0,	/* NULL */
	108,	/* LOOP */
	226,	/* IPNET */
	228,	/* LINKTYPE_IPV4 */
	229,	/* LINKTYPE_IPV6 */
	1, 1, 113, 101,
	147,	/* user 0: not supported */
};

static void
check(const struct pkt_info *pi, enum pkt_status st, const uint8_t *frame,
    size_t caplen)
{
	FUZZ_ASSERT(st == pi->status);
	FUZZ_ASSERT(pi->level <= PKT_TRANSPORT);
	if (st == PKT_TRUNCATED || st == PKT_MALFORMED)
		FUZZ_ASSERT(pi->why != NULL);
	if (pi->level >= PKT_NET)
		FUZZ_ASSERT(pi->ip_version == 4 || pi->ip_version == 6);
	if (pi->payload != NULL) {
		FUZZ_ASSERT(pi->payload >= frame);
		FUZZ_ASSERT(pi->payload <= frame + caplen);
		FUZZ_ASSERT(pi->payload_len <=
		    (size_t)(frame + caplen - pi->payload));
		/* Touch it: ASan catches a pointer outside the frame. */
		if (pi->payload_len > 0)
			FUZZ_ASSERT(memchr(pi->payload, 0x5a,
			    pi->payload_len) != pi->payload + pi->payload_len);
	} else
		FUZZ_ASSERT(pi->payload_len == 0);
}

static size_t
wire_len(uint8_t sel, size_t caplen)
{
	unsigned k = sel >> 5;

	if (k == 7)
		return caplen / 2;
	return caplen + k * 100u;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_options opt;
	struct pkt_info pi;
	enum pkt_status st;
	int dlt;

	if (size < 1)
		return 0;
	dlt = dlts[data[0] & 15];
	opt.inner_tunnel = (data[0] & 0x10) != 0;
	(void)pkt_dlt_supported(dlt);
	memset(&pi, 0, sizeof(pi));
	st = pkt_parse(dlt, data + 1, size - 1, wire_len(data[0], size - 1),
	    &opt, &pi);
	check(&pi, st, data + 1, size - 1);
	return 0;
}
