/*
 * packet: one captured frame -> link, IP and transport fields.
 * Every read goes through a cursor over the captured bytes; IP lengths
 * bound what a header may claim, the capture bounds what we may read.
 */
#include <string.h>

#include "cursor.h"
#include "packet.h"

/* pcap link types (LINKTYPE_* values as stored in files) */
#define DLT_NULL_	0
#define DLT_EN10MB_	1
#define DLT_RAW_A	12	/* DLT_RAW on most BSDs */
#define DLT_RAW_B	101	/* LINKTYPE_RAW */
#define DLT_LOOP_	108
#define DLT_SLL_	113
#define DLT_IPNET_	226
#define DLT_IPV4_	228
#define DLT_IPV6_	229
#define DLT_SLL2_	276

#define ETH_IPV4	0x0800
#define ETH_IPV6	0x86dd
#define ETH_8021Q	0x8100
#define ETH_8021AD	0x88a8
#define ETH_QINQ_OLD	0x9100
#define ETH_MPLS_UC	0x8847
#define ETH_MPLS_MC	0x8848

#define PROTO_HOPOPT	0
#define PROTO_ICMP	1
#define PROTO_IPIP	4
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_IPV6	41
#define PROTO_ROUTING	43
#define PROTO_FRAGMENT	44
#define PROTO_ESP	50
#define PROTO_AH	51
#define PROTO_ICMPV6	58
#define PROTO_NONXT	59
#define PROTO_DSTOPTS	60
#define PROTO_SCTP	132

/*
 * RFC 8200 §4.1 allows each extension header once (destination options
 * twice): six in a sane packet. Eight leaves room for mobility/HIP/shim6
 * and still stops a crafted chain after a bounded amount of work.
 */
#define PKT_MAX_EXT_HDRS 8

/* One level of decapsulation: IP in IP in IP is metered by the middle. */
#define PKT_MAX_TUNNEL_DEPTH 1

struct pkt_ctx {
	const struct pkt_options *opt;
	struct pkt_info *pi;
	size_t wire_left;	/* wire bytes from the IP header on */
	int depth;
};

/* Where an IP header starts and what the link layer says it is. */
struct pkt_net {
	const uint8_t *p;
	size_t caplen;		/* captured bytes from p */
	int version;		/* 4, 6, or 0 = guess by the first nibble */
};

static enum pkt_status
pkt_stop(struct pkt_info *pi, enum pkt_status st, const char *why)
{
	pi->status = st;
	pi->why = why;
	return st;
}

/* Truncated when the capture is short, malformed when the header itself
 * (wire length 'avail') has no room for 'need' bytes. */
static enum pkt_status
pkt_short(struct pkt_info *pi, size_t need, size_t avail, const char *why)
{
	return pkt_stop(pi, need > avail ? PKT_MALFORMED : PKT_TRUNCATED,
	    why);
}

bool
pkt_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL_: case DLT_EN10MB_: case DLT_RAW_A: case DLT_RAW_B:
	case DLT_LOOP_: case DLT_SLL_: case DLT_IPNET_: case DLT_IPV4_:
	case DLT_IPV6_: case DLT_SLL2_:
		return true;
	default:
		return false;
	}
}

/* ---- transport --------------------------------------------------- */

static void
pkt_set_payload(struct pkt_info *pi, const struct ipfix_cursor *c,
    size_t hdr, size_t wire)
{
	pi->payload = c->p + hdr;
	pi->payload_len = c->len - hdr;
	pi->payload_wire_len = wire - hdr;
	pi->level = PKT_TRANSPORT;
}

static enum pkt_status
pkt_tcp(struct pkt_info *pi, struct ipfix_cursor *c, size_t wire)
{
	size_t hlen;

	if (ipfix_cursor_left(c) < 20)
		return pkt_short(pi, 20, wire, "TCP header");
	pi->sport = ipfix_get_u16(c);
	pi->dport = ipfix_get_u16(c);
	pi->tcp_seq = ipfix_get_u32(c);
	(void)ipfix_get_u32(c);			/* ack */
	hlen = (size_t)(ipfix_get_u8(c) >> 4) * 4;
	pi->tcp_flags = ipfix_get_u8(c);
	if (hlen < 20)
		return pkt_stop(pi, PKT_MALFORMED, "TCP data offset < 5");
	if (hlen > c->len)
		return pkt_short(pi, hlen, wire, "TCP options");
	pkt_set_payload(pi, c, hlen, wire);
	return PKT_OK;
}

static enum pkt_status
pkt_ports(struct pkt_info *pi, struct ipfix_cursor *c, size_t wire,
    size_t hlen, const char *why)
{
	if (ipfix_cursor_left(c) < hlen)
		return pkt_short(pi, hlen, wire, why);
	pi->sport = ipfix_get_u16(c);
	pi->dport = ipfix_get_u16(c);
	pkt_set_payload(pi, c, hlen, wire);
	return PKT_OK;
}

static enum pkt_status
pkt_icmp(struct pkt_info *pi, struct ipfix_cursor *c, size_t wire)
{
	if (ipfix_cursor_left(c) < 4)
		return pkt_short(pi, 4, wire, "ICMP header");
	pi->icmp_type = ipfix_get_u8(c);
	pi->icmp_code = ipfix_get_u8(c);
	pkt_set_payload(pi, c, 4, wire);
	return PKT_OK;
}

/*
 * p/caplen: captured bytes after the IP headers; wire: the IP payload
 * length the header claims. Unknown protocols stay at PKT_NET with the
 * payload set, so a caller can still look at it.
 */
static enum pkt_status
pkt_transport(struct pkt_info *pi, const uint8_t *p, size_t caplen,
    size_t wire)
{
	struct ipfix_cursor c;

	/* bytes after the IP length are link padding, not ours */
	ipfix_cursor_init(&c, p, caplen < wire ? caplen : wire, 0);
	switch (pi->proto) {
	case PROTO_TCP:
		return pkt_tcp(pi, &c, wire);
	case PROTO_UDP:
		return pkt_ports(pi, &c, wire, 8, "UDP header");
	case PROTO_SCTP:
		return pkt_ports(pi, &c, wire, 12, "SCTP common header");
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return pkt_icmp(pi, &c, wire);
	default:
		pi->payload = p;
		pi->payload_len = c.len;
		pi->payload_wire_len = wire;
		return PKT_OK;
	}
}

/* ---- network ----------------------------------------------------- */

static enum pkt_status pkt_ip(struct pkt_ctx *x, const struct pkt_net *n);

/* After the IP header(s): tunnel, non-first fragment, or transport. */
static enum pkt_status
pkt_after_ip(struct pkt_ctx *x, const uint8_t *p, size_t caplen, size_t wire)
{
	struct pkt_info *pi = x->pi;
	struct pkt_net inner;

	if (pi->fragment && !pi->first_fragment)
		return PKT_OK;		/* no transport header in here */
	if (pi->proto == PROTO_IPIP || pi->proto == PROTO_IPV6)
		pi->tunnelled = true;
	if (!pi->tunnelled || !x->opt->inner_tunnel || pi->fragment ||
	    x->depth >= PKT_MAX_TUNNEL_DEPTH)
		return pkt_transport(pi, p, caplen, wire);
	inner.p = p;
	inner.caplen = caplen < wire ? caplen : wire;
	inner.version = pi->proto == PROTO_IPIP ? 4 : 6;
	x->wire_left = wire;
	x->depth++;
	/* the inner header replaces what the outer one said */
	pi->fragment = pi->first_fragment = false;
	pi->frag_id = 0;
	return pkt_ip(x, &inner);
}

static void
pkt_ipv4_frag(struct pkt_info *pi, uint16_t id, uint16_t fl)
{
	uint16_t off = fl & 0x1fff;

	pi->frag_id = id;
	pi->fragment = (fl & 0x2000) != 0 || off != 0;
	pi->first_fragment = off == 0;
}

static enum pkt_status
pkt_ipv4(struct pkt_ctx *x, const struct pkt_net *n)
{
	struct pkt_info *pi = x->pi;
	struct ipfix_cursor c;
	size_t ihl, tot;
	uint16_t id, fl;

	ipfix_cursor_init(&c, n->p, n->caplen, 0);
	if (n->caplen < 20)
		return pkt_stop(pi, PKT_TRUNCATED, "IPv4 header");
	ihl = (size_t)(ipfix_get_u8(&c) & 0x0f) * 4;
	pi->ip_version = 4;
	pi->tos = ipfix_get_u8(&c);
	tot = ipfix_get_u16(&c);
	id = ipfix_get_u16(&c);
	fl = ipfix_get_u16(&c);
	pi->ttl = ipfix_get_u8(&c);
	pi->proto = ipfix_get_u8(&c);
	(void)ipfix_get_u16(&c);		/* checksum */
	memcpy(pi->src, ipfix_get_bytes(&c, 4), 4);
	memcpy(pi->dst, ipfix_get_bytes(&c, 4), 4);
	if (ihl < 20)
		return pkt_stop(pi, PKT_MALFORMED, "IPv4 IHL < 5");
	if (tot < ihl)
		return pkt_stop(pi, PKT_MALFORMED,
		    "IPv4 total length < header length");
	if (ihl > n->caplen)
		return pkt_stop(pi, PKT_TRUNCATED, "IPv4 options");
	pi->ip_len = (uint32_t)tot;
	pkt_ipv4_frag(pi, id, fl);
	pi->level = PKT_NET;
	return pkt_after_ip(x, n->p + ihl, n->caplen - ihl, tot - ihl);
}

struct pkt_ext {
	size_t off;		/* of the current header in the IPv6 packet */
	size_t end;		/* 40 + payload length */
	uint8_t nh;
};

/* Fragment header: the fragment fields; 1 when nothing follows here. */
static int
pkt_ipv6_frag(struct pkt_info *pi, struct ipfix_cursor *c)
{
	uint16_t fl;

	(void)ipfix_get_u16(c);			/* next header, reserved */
	fl = ipfix_get_u16(c);
	pi->frag_id = ipfix_get_u32(c);
	pi->fragment = true;
	pi->first_fragment = (fl & 0xfff8) == 0;
	return pi->first_fragment ? 0 : 1;
}

static bool
pkt_is_ext(uint8_t nh)
{
	return nh == PROTO_HOPOPT || nh == PROTO_ROUTING ||
	    nh == PROTO_FRAGMENT || nh == PROTO_DSTOPTS || nh == PROTO_AH ||
	    nh == 135 || nh == 139 || nh == 140;	/* MIPv6, HIP, shim6 */
}

/* One extension header at e->off: advance e; *stop when nothing of the
 * transport header can follow (non-first fragment). */
static enum pkt_status
pkt_ipv6_ext(struct pkt_info *pi, const struct pkt_net *n, struct pkt_ext *e,
    bool *stop)
{
	struct ipfix_cursor c;
	size_t len;
	uint8_t cur = e->nh;

	if (8 > e->end - e->off)
		return pkt_stop(pi, PKT_MALFORMED,
		    "IPv6 extension header beyond payload length");
	if (8 > n->caplen - e->off)
		return pkt_stop(pi, PKT_TRUNCATED, "IPv6 extension header");
	ipfix_cursor_init(&c, n->p + e->off, n->caplen - e->off, 0);
	len = cur == PROTO_AH ? ((size_t)c.p[1] + 2) * 4 :
	    cur == PROTO_FRAGMENT ? 8 : ((size_t)c.p[1] + 1) * 8;
	if (len > e->end - e->off)
		return pkt_stop(pi, PKT_MALFORMED,
		    "IPv6 extension header beyond payload length");
	if (len > n->caplen - e->off)
		return pkt_stop(pi, PKT_TRUNCATED, "IPv6 extension header");
	e->nh = c.p[0];
	e->off += len;
	if (cur == PROTO_FRAGMENT)
		*stop = pkt_ipv6_frag(pi, &c) != 0;
	return PKT_OK;
}

/* Walks the extension header chain, at most PKT_MAX_EXT_HDRS long. */
static enum pkt_status
pkt_ipv6_chain(struct pkt_info *pi, const struct pkt_net *n,
    struct pkt_ext *e)
{
	enum pkt_status st;
	bool stop = false;
	int i;

	for (i = 0; pkt_is_ext(e->nh) && !stop; i++) {
		if (i == PKT_MAX_EXT_HDRS)
			return pkt_stop(pi, PKT_MALFORMED,
			    "more than 8 IPv6 extension headers");
		if ((st = pkt_ipv6_ext(pi, n, e, &stop)) != PKT_OK)
			return st;
	}
	pi->proto = e->nh;
	return PKT_OK;
}

/* Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675):
 * the wire length is then the best length we have. */
static size_t
pkt_ipv6_len(const struct pkt_ctx *x, uint16_t plen, uint8_t nh)
{
	if (plen == 0 && nh == PROTO_HOPOPT && x->wire_left > 40)
		return x->wire_left;
	return 40 + (size_t)plen;
}

static enum pkt_status
pkt_ipv6(struct pkt_ctx *x, const struct pkt_net *n)
{
	struct pkt_info *pi = x->pi;
	struct ipfix_cursor c;
	struct pkt_ext e;
	enum pkt_status st;
	uint32_t w;
	uint16_t plen;

	if (n->caplen < 40)
		return pkt_stop(pi, PKT_TRUNCATED, "IPv6 header");
	ipfix_cursor_init(&c, n->p, n->caplen, 0);
	w = ipfix_get_u32(&c);
	pi->ip_version = 6;
	pi->tos = (uint8_t)(w >> 20);
	pi->flow_label = w & 0xfffff;
	plen = ipfix_get_u16(&c);
	e.nh = ipfix_get_u8(&c);
	pi->ttl = ipfix_get_u8(&c);
	memcpy(pi->src, ipfix_get_bytes(&c, 16), 16);
	memcpy(pi->dst, ipfix_get_bytes(&c, 16), 16);
	e.off = 40;
	e.end = pkt_ipv6_len(x, plen, e.nh);
	pi->ip_len = e.end > UINT32_MAX ? UINT32_MAX : (uint32_t)e.end;
	pi->proto = e.nh;
	pi->level = PKT_NET;
	if ((st = pkt_ipv6_chain(pi, n, &e)) != PKT_OK)
		return st;
	return pkt_after_ip(x, n->p + e.off, n->caplen - e.off,
	    e.end - e.off);
}

static enum pkt_status
pkt_ip(struct pkt_ctx *x, const struct pkt_net *n)
{
	int v = n->version;
	int nibble;

	if (n->caplen < 1)
		return pkt_stop(x->pi, PKT_TRUNCATED, "IP header");
	nibble = n->p[0] >> 4;
	if (v == 0 && nibble != 4 && nibble != 6)
		return pkt_stop(x->pi, PKT_NOT_IP, NULL);
	if (v != 0 && nibble != v)
		return pkt_stop(x->pi, PKT_MALFORMED,
		    "IP version differs from the link layer's");
	return nibble == 4 ? pkt_ipv4(x, n) : pkt_ipv6(x, n);
}

/* ---- link -------------------------------------------------------- */

/* MPLS label stack up to the bottom-of-stack bit; IP guessed after it. */
static enum pkt_status
pkt_mpls(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	uint32_t lse;

	do {
		if (ipfix_cursor_left(c) < 4)
			return pkt_stop(pi, PKT_TRUNCATED, "MPLS label stack");
		lse = ipfix_get_u32(c);
		if (pi->mpls_labels == 0)
			pi->mpls_top = lse;
		if (pi->mpls_labels < UINT8_MAX)
			pi->mpls_labels++;
	} while ((lse & 0x100) == 0);
	n->version = 0;
	return PKT_OK;
}

/* From an EtherType on: VLAN tags (any number), MPLS, then IP. */
static enum pkt_status
pkt_ethertype(struct pkt_info *pi, struct ipfix_cursor *c, uint16_t type,
    struct pkt_net *n)
{
	enum pkt_status st;
	int tags = 0;

	while (type == ETH_8021Q || type == ETH_8021AD ||
	    type == ETH_QINQ_OLD) {
		if (ipfix_cursor_left(c) < 4)
			return pkt_stop(pi, PKT_TRUNCATED, "VLAN tag");
		if (tags == 0)
			pi->vlan = ipfix_get_u16(c) & 0x0fff;
		else if (tags == 1)
			pi->inner_vlan = ipfix_get_u16(c) & 0x0fff;
		else
			(void)ipfix_get_u16(c);
		tags++;
		type = ipfix_get_u16(c);
	}
	if (type == ETH_MPLS_UC || type == ETH_MPLS_MC) {
		if ((st = pkt_mpls(pi, c, n)) != PKT_OK)
			return st;
	} else if (type == ETH_IPV4 || type == ETH_IPV6)
		n->version = type == ETH_IPV4 ? 4 : 6;
	else
		return pkt_stop(pi, PKT_NOT_IP, NULL);
	n->p = c->p + c->pos;
	n->caplen = ipfix_cursor_left(c);
	return PKT_OK;
}

static enum pkt_status
pkt_ether(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	if (ipfix_cursor_left(c) < 14)
		return pkt_stop(pi, PKT_TRUNCATED, "Ethernet header");
	memcpy(pi->dst_mac, ipfix_get_bytes(c, 6), 6);
	memcpy(pi->src_mac, ipfix_get_bytes(c, 6), 6);
	pi->has_mac = true;
	pi->level = PKT_LINK;
	return pkt_ethertype(pi, c, ipfix_get_u16(c), n);
}

/* Linux cooked v1: type, ARPHRD, address length, 8 address bytes, proto */
static enum pkt_status
pkt_sll(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	if (ipfix_cursor_left(c) < 16)
		return pkt_stop(pi, PKT_TRUNCATED, "Linux SLL header");
	(void)ipfix_get_bytes(c, 14);
	pi->level = PKT_LINK;
	return pkt_ethertype(pi, c, ipfix_get_u16(c), n);
}

/* Linux cooked v2: proto first, then 18 bytes of interface/address */
static enum pkt_status
pkt_sll2(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	uint16_t type;

	if (ipfix_cursor_left(c) < 20)
		return pkt_stop(pi, PKT_TRUNCATED, "Linux SLL2 header");
	type = ipfix_get_u16(c);
	(void)ipfix_get_bytes(c, 18);
	pi->level = PKT_LINK;
	return pkt_ethertype(pi, c, type, n);
}

/*
 * NULL/LOOP: a 4-byte address family, in the capturing host's order for
 * NULL and (nominally) network order for LOOP; both appear in the wild,
 * so the order is guessed: families are small numbers.
 */
static enum pkt_status
pkt_null(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	uint32_t af;

	if (ipfix_cursor_left(c) < 4)
		return pkt_stop(pi, PKT_TRUNCATED, "loopback header");
	af = ipfix_get_u32(c);
	if (af > 0xffff)
		af = (af >> 24) | (af >> 8 & 0xff00);
	pi->level = PKT_LINK;
	if (af == 2)
		n->version = 4;
	else if (af == 24 || af == 28 || af == 30 || af == 10)
		n->version = 6;		/* BSDs' AF_INET6 values, Linux 10 */
	else
		return pkt_stop(pi, PKT_NOT_IP, NULL);
	n->p = c->p + c->pos;
	n->caplen = ipfix_cursor_left(c);
	return PKT_OK;
}

/* Solaris ipnet: version, family (2 / 26), then 22 more header bytes */
static enum pkt_status
pkt_ipnet(struct pkt_info *pi, struct ipfix_cursor *c, struct pkt_net *n)
{
	uint8_t fam;

	if (ipfix_cursor_left(c) < 24)
		return pkt_stop(pi, PKT_TRUNCATED, "IPNET header");
	(void)ipfix_get_u8(c);
	fam = ipfix_get_u8(c);
	(void)ipfix_get_bytes(c, 22);
	pi->level = PKT_LINK;
	if (fam != 2 && fam != 26)
		return pkt_stop(pi, PKT_NOT_IP, NULL);
	n->version = fam == 2 ? 4 : 6;
	n->p = c->p + c->pos;
	n->caplen = ipfix_cursor_left(c);
	return PKT_OK;
}

static enum pkt_status
pkt_link(int dlt, struct pkt_info *pi, struct ipfix_cursor *c,
    struct pkt_net *n)
{
	n->p = c->p;
	n->caplen = c->len;
	n->version = 0;
	switch (dlt) {
	case DLT_EN10MB_:
		return pkt_ether(pi, c, n);
	case DLT_SLL_:
		return pkt_sll(pi, c, n);
	case DLT_SLL2_:
		return pkt_sll2(pi, c, n);
	case DLT_NULL_:
	case DLT_LOOP_:
		return pkt_null(pi, c, n);
	case DLT_IPNET_:
		return pkt_ipnet(pi, c, n);
	case DLT_IPV4_:
	case DLT_IPV6_:
		n->version = dlt == DLT_IPV4_ ? 4 : 6;
		/* FALLTHROUGH */
	case DLT_RAW_A:
	case DLT_RAW_B:
		pi->level = PKT_LINK;
		return PKT_OK;
	default:
		return pkt_stop(pi, PKT_MALFORMED, "unknown link type");
	}
}

enum pkt_status
pkt_parse(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
    const struct pkt_options *opt, struct pkt_info *pi)
{
	static const struct pkt_options defaults;
	static const uint8_t empty[1];
	struct ipfix_cursor c;
	struct pkt_ctx x;
	struct pkt_net n;
	enum pkt_status st;

	memset(pi, 0, sizeof(*pi));
	if (frame == NULL) {
		frame = empty;
		caplen = 0;
	}
	ipfix_cursor_init(&c, frame, caplen, 0);
	if ((st = pkt_link(dlt, pi, &c, &n)) != PKT_OK)
		return st;
	x.opt = opt != NULL ? opt : &defaults;
	x.pi = pi;
	x.depth = 0;
	/* a wire length below the capture is a lie of the capturer */
	x.wire_left = (wirelen > caplen ? wirelen : caplen) -
	    (size_t)(n.p - frame);
	st = pkt_ip(&x, &n);
	pi->status = st;
	return st;
}
