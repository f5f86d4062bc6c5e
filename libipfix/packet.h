/*
 * packet: link, network and transport header parsing of one captured frame
 * (layer 2, the meter's and the capture reader's common ground). Link types
 * Ethernet (802.1Q, 802.1ad QinQ, MPLS), Linux SLL and SLL2, RAW, NULL/LOOP,
 * IPNET; IPv4 (options, fragments) and IPv6 (extension headers, fragment
 * header); 6in4/4in6 seen from the outer header unless inner is asked for;
 * TCP, UDP, SCTP, ICMP, ICMPv6. Parses as far as the captured bytes allow
 * and says how far it got; never reads outside the frame.
 */
#ifndef IPFIX_PACKET_H
#define IPFIX_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far parsing got; each later value implies the earlier ones. */
enum pkt_level {
	PKT_NONE = 0,		/* not even the link header */
	PKT_LINK,		/* link header only (non-IP, or cut) */
	PKT_NET,		/* IP header parsed: addresses, proto, lengths */
	PKT_TRANSPORT,		/* ports / ICMP type+code / TCP flags */
};

enum pkt_status {
	PKT_OK = 0,
	PKT_NOT_IP,		/* ARP, LLDP, ...: ignored by the meter */
	PKT_TRUNCATED,		/* capture ends inside a header */
	PKT_MALFORMED,		/* header lies (IHL < 5, bad lengths, ext.
				   header loop, unknown link type) */
};

struct pkt_info {
	enum pkt_level level;
	enum pkt_status status;
	const char *why;	/* for TRUNCATED/MALFORMED: which header */

	/* link */
	uint16_t vlan;		/* outer 802.1Q/ad VLAN id, 0 if none */
	uint16_t inner_vlan;	/* QinQ customer VLAN id, 0 if none */
	uint8_t mpls_labels;	/* number of MPLS labels skipped */
	uint32_t mpls_top;	/* top label stack entry, 0 if none */
	uint8_t src_mac[6], dst_mac[6];
	bool has_mac;

	/* network (level >= PKT_NET) */
	uint8_t ip_version;	/* 4 or 6 */
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
	uint8_t proto;		/* transport protocol after ext. headers */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;		/* TTL / hop limit */
	uint32_t flow_label;	/* IPv6 */
	uint32_t ip_len;	/* IP total length from the header (octets
				   the meter counts), incl. IP header */
	bool tunnelled;		/* IP in IP (6in4, 4in6, 4in4, 6in6) seen:
				   the fields above describe the inner
				   header with opt->inner_tunnel, else the
				   outer one (proto 4 or 41) */

	/* fragments */
	bool fragment;		/* any fragment (MF set or offset != 0) */
	bool first_fragment;	/* offset 0: carries the ports */
	uint32_t frag_id;	/* IPv4 id (16 bit) / IPv6 id (32 bit) */

	/* transport (level == PKT_TRANSPORT) */
	uint16_t sport, dport;	/* 0 for ICMP and unknown protocols */
	uint8_t icmp_type, icmp_code;
	uint8_t tcp_flags;	/* FIN 0x01 SYN 0x02 RST 0x04 ... (8 bit) */
	uint32_t tcp_seq;	/* TCP sequence number (for reassembly) */

	/* payload after the transport header, within the capture */
	const uint8_t *payload;
	size_t payload_len;
	size_t payload_wire_len;	/* from IP lengths, may exceed the
					   captured payload_len */
};

struct pkt_options {
	bool inner_tunnel;	/* meter 6in4/4in6 by the inner header */
};

/*
 * Parse frame (caplen bytes captured of wirelen on the wire) of pcap link
 * type dlt. Always fills *pi as far as possible and returns pi->status.
 */
enum pkt_status pkt_parse(int dlt, const uint8_t *frame, size_t caplen,
    size_t wirelen, const struct pkt_options *opt, struct pkt_info *pi);

/* True when pkt_parse knows link type dlt. */
bool pkt_dlt_supported(int dlt);

#endif
