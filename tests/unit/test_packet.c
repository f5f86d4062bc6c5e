/*
 * Unit tests of packet: hand-built frames for every link type, IPv4/IPv6
 * header variants, tunnels, transports, and hostile frames.
 */
#include <stdint.h>
#include <string.h>

#include "packet.h"
#include "testhelp.h"

/* A frame under construction. */
struct fb {
	uint8_t b[512];
	size_t n;
};

static void
put(struct fb *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put8(struct fb *f, unsigned v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void
put16(struct fb *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void
put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
eth(struct fb *f, unsigned type)
{
	static const uint8_t dst[6] = { 0, 1, 2, 3, 4, 5 };
	static const uint8_t src[6] = { 6, 7, 8, 9, 10, 11 };

	put(f, dst, 6);
	put(f, src, 6);
	put16(f, type);
}

/* IPv4 header of 'ihl' words, total length tot, 10.0.0.1 -> 10.0.0.2 */
static void
ipv4(struct fb *f, unsigned ihl, unsigned tot, unsigned proto, unsigned frag)
{
	unsigned i;

	put8(f, 0x40 | ihl);
	put8(f, 0x2e);		/* tos */
	put16(f, tot);
	put16(f, 0x1234);	/* id */
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0x0a000001);
	put32(f, 0x0a000002);
	for (i = 5; i < ihl; i++)
		put32(f, 0x01010101);	/* NOP options */
}

/* IPv6 header: 2001:db8::1 -> 2001:db8::2 */
static void
ipv6(struct fb *f, unsigned plen, unsigned nh)
{
	put32(f, 0x6a012345);	/* tc 0xa0, flow label 0x12345 */
	put16(f, plen);
	put8(f, nh);
	put8(f, 255);
	put32(f, 0x20010db8); put32(f, 0); put32(f, 0); put32(f, 1);
	put32(f, 0x20010db8); put32(f, 0); put32(f, 0); put32(f, 2);
}

static void
udp(struct fb *f, unsigned sp, unsigned dp, unsigned plen)
{
	unsigned i;

	put16(f, sp);
	put16(f, dp);
	put16(f, 8 + plen);
	put16(f, 0);
	for (i = 0; i < plen; i++)
		put8(f, 'a' + i % 26);
}

static void
tcp(struct fb *f, unsigned sp, unsigned dp, unsigned flags, unsigned doff)
{
	unsigned i;

	put16(f, sp);
	put16(f, dp);
	put32(f, 1);
	put32(f, 0);
	put8(f, doff << 4);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
	for (i = 5; i < doff; i++)
		put32(f, 0x01010101);
}

static enum pkt_status
parse(int dlt, const struct fb *f, struct pkt_info *pi)
{
	return pkt_parse(dlt, f->b, f->n, f->n, NULL, pi);
}

static void
test_ether_ipv4_udp(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 8 + 10, 17, 0);
	udp(&f, 4739, 9991, 10);
	put(&f, "\0\0\0\0", 4);		/* Ethernet padding */
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "eth/ipv4/udp: ok");
	CHECK_EQ_U(pi.level, PKT_TRANSPORT, "eth/ipv4/udp: transport level");
	CHECK(pi.has_mac && pi.src_mac[0] == 6 && pi.dst_mac[5] == 5,
	    "eth/ipv4/udp: MACs");
	CHECK_EQ_U(pi.ip_version, 4, "eth/ipv4/udp: version 4");
	CHECK(pi.src[0] == 10 && pi.src[3] == 1 && pi.dst[3] == 2,
	    "eth/ipv4/udp: addresses");
	CHECK_EQ_U(pi.proto, 17, "eth/ipv4/udp: proto");
	CHECK_EQ_U(pi.tos, 0x2e, "eth/ipv4/udp: tos");
	CHECK_EQ_U(pi.ttl, 64, "eth/ipv4/udp: ttl");
	CHECK_EQ_U(pi.ip_len, 38, "eth/ipv4/udp: ip_len from header");
	CHECK_EQ_U(pi.sport, 4739, "eth/ipv4/udp: sport");
	CHECK_EQ_U(pi.dport, 9991, "eth/ipv4/udp: dport");
	CHECK_EQ_U(pi.payload_len, 10, "eth/ipv4/udp: padding not payload");
	CHECK(pi.payload != NULL && pi.payload[0] == 'a',
	    "eth/ipv4/udp: payload pointer");
	CHECK(!pi.fragment && pi.vlan == 0, "eth/ipv4/udp: no frag, no vlan");
}

static void
test_ipv4_options_tcp(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	eth(&f, 0x0800);
	ipv4(&f, 7, 28 + 24 + 5, 6, 0);
	tcp(&f, 1234, 80, 0x12, 6);
	put(&f, "hello", 5);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "ipv4 options/tcp: ok");
	CHECK_EQ_U(pi.sport, 1234, "ipv4 options: ports after IHL 7");
	CHECK_EQ_U(pi.tcp_flags, 0x12, "tcp: SYN+ACK flags");
	CHECK_EQ_U(pi.payload_len, 5, "tcp: payload after data offset 6");
	CHECK_EQ_U(pi.payload_wire_len, 5, "tcp: wire payload");
	CHECK(memcmp(pi.payload, "hello", 5) == 0, "tcp: payload bytes");
}

static void
test_ipv4_fragments(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 8 + 4, 17, 0x2000);	/* MF, offset 0 */
	udp(&f, 53, 5353, 4);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "first fragment: ok");
	CHECK(pi.fragment && pi.first_fragment, "first fragment: flags");
	CHECK_EQ_U(pi.frag_id, 0x1234, "first fragment: id");
	CHECK_EQ_U(pi.dport, 5353, "first fragment: ports");

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 16, 17, 185);		/* offset 1480, last */
	udp(&f, 1, 2, 8);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "later fragment: ok");
	CHECK(pi.fragment && !pi.first_fragment, "later fragment: flags");
	CHECK_EQ_U(pi.level, PKT_NET, "later fragment: no transport");
	CHECK_EQ_U(pi.sport, 0, "later fragment: no ports");
	CHECK_EQ_U(pi.ip_len, 36, "later fragment: ip_len");
}

static void
test_vlan_qinq(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	eth(&f, 0x88a8);
	put16(&f, 0x2000 | 200);
	put16(&f, 0x8100);
	put16(&f, 0xa000 | 2001);
	put16(&f, 0x0800);
	ipv4(&f, 5, 20 + 8, 17, 0);
	udp(&f, 7, 9, 0);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "QinQ: ok");
	CHECK_EQ_U(pi.vlan, 200, "QinQ: outer VLAN (PCP masked)");
	CHECK_EQ_U(pi.inner_vlan, 2001, "QinQ: inner VLAN");
	CHECK_EQ_U(pi.dport, 9, "QinQ: transport reached");

	f.n = 0;
	eth(&f, 0x8100);
	put16(&f, 77);
	put16(&f, 0x8100);
	put16(&f, 78);
	put16(&f, 0x8100);
	put16(&f, 79);
	put16(&f, 0x0806);		/* ARP */
	put(&f, "arp arp arp arp arp arp arp", 28);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_NOT_IP, "3 tags + ARP: not IP");
	CHECK(pi.vlan == 77 && pi.inner_vlan == 78, "3 tags: first two kept");
	CHECK_EQ_U(pi.level, PKT_LINK, "ARP: link level");

	f.n = 0;
	eth(&f, 0x8100);
	put16(&f, 5);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_TRUNCATED, "cut VLAN tag: truncated");
}

static void
test_mpls(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	eth(&f, 0x8847);
	put32(&f, 16000u << 12 | 0x40);		/* label 16000, not BoS */
	put32(&f, 17u << 12 | 0x100 | 0x40);	/* BoS */
	ipv6(&f, 8, 17);
	udp(&f, 10, 20, 0);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "MPLS/IPv6: ok");
	CHECK_EQ_U(pi.mpls_labels, 2, "MPLS: 2 labels");
	CHECK_EQ_U(pi.mpls_top >> 12, 16000, "MPLS: top label");
	CHECK_EQ_U(pi.ip_version, 6, "MPLS: IPv6 guessed by nibble");
	CHECK_EQ_U(pi.dport, 20, "MPLS/IPv6: ports");

	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 3u << 12 | 0x100);
	ipv4(&f, 5, 28, 17, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "MPLS/IPv4: ok");
	CHECK_EQ_U(pi.ip_version, 4, "MPLS: IPv4 guessed by nibble");

	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 3u << 12);
	put32(&f, 4u << 12);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_TRUNCATED,
	    "MPLS stack without BoS: truncated");
	CHECK_EQ_U(pi.mpls_labels, 2, "MPLS: counted what was there");

	f.n = 0;
	eth(&f, 0x8847);
	put32(&f, 3u << 12 | 0x100);
	put32(&f, 0);		/* pseudowire control word: nibble 0 */
	CHECK_EQ_U(parse(1, &f, &pi), PKT_NOT_IP, "MPLS/PW: not IP");
}

static void
test_sll(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	put16(&f, 0);		/* to us */
	put16(&f, 1);		/* ARPHRD_ETHER */
	put16(&f, 6);
	put(&f, "\1\2\3\4\5\6\0\0", 8);
	put16(&f, 0x0800);
	ipv4(&f, 5, 40, 6, 0);
	tcp(&f, 22, 4000, 0x18, 5);
	CHECK_EQ_U(parse(113, &f, &pi), PKT_OK, "SLL/ipv4/tcp: ok");
	CHECK_EQ_U(pi.sport, 22, "SLL: ports");
	CHECK(!pi.has_mac, "SLL: no MAC pair");

	f.n = 0;
	put16(&f, 0x86dd);
	put16(&f, 0);
	put32(&f, 3);		/* ifindex */
	put16(&f, 1);
	put8(&f, 4);		/* outgoing */
	put8(&f, 6);
	put(&f, "\1\2\3\4\5\6\0\0", 8);
	ipv6(&f, 8, 17);
	udp(&f, 123, 123, 0);
	CHECK_EQ_U(parse(276, &f, &pi), PKT_OK, "SLL2/ipv6/udp: ok");
	CHECK_EQ_U(pi.dport, 123, "SLL2: ports");
	CHECK_EQ_U(pi.flow_label, 0x12345, "SLL2/ipv6: flow label");
	CHECK_EQ_U(pi.tos, 0xa0, "ipv6: traffic class");
	CHECK_EQ_U(pi.ttl, 255, "ipv6: hop limit");
	CHECK_EQ_U(pi.ip_len, 48, "ipv6: ip_len = 40 + payload length");

	f.n = 10;
	CHECK_EQ_U(parse(276, &f, &pi), PKT_TRUNCATED, "SLL2 cut: truncated");
	CHECK_EQ_U(parse(113, &f, &pi), PKT_TRUNCATED, "SLL cut: truncated");
}

static void
test_raw(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	ipv4(&f, 5, 28, 17, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "RAW 101 ipv4: ok");
	CHECK_EQ_U(parse(12, &f, &pi), PKT_OK, "RAW 12 ipv4: ok");
	CHECK_EQ_U(parse(228, &f, &pi), PKT_OK, "IPV4 228: ok");
	CHECK_EQ_U(parse(229, &f, &pi), PKT_MALFORMED,
	    "IPV6 229 with IPv4 inside: malformed");
	CHECK(!pi.has_mac, "RAW: no MACs");

	f.n = 0;
	ipv6(&f, 8, 17);
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "RAW 101 ipv6: ok");
	CHECK_EQ_U(pi.ip_version, 6, "RAW: IPv6 by nibble");
	CHECK_EQ_U(parse(229, &f, &pi), PKT_OK, "IPV6 229: ok");

	f.n = 0;
	put32(&f, 0x12345678);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_NOT_IP, "RAW nibble 1: not IP");
	f.n = 0;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_TRUNCATED, "RAW empty: truncated");
}

static void
test_null_loop(void)
{
	static const uint8_t af_le2[4] = { 2, 0, 0, 0 };
	static const uint8_t af_be2[4] = { 0, 0, 0, 2 };
	static const unsigned v6af[4] = { 24, 28, 30, 10 };
	struct fb f = { .n = 0 };
	struct pkt_info pi;
	unsigned i;

	put(&f, af_le2, 4);
	ipv4(&f, 5, 28, 17, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(0, &f, &pi), PKT_OK, "NULL little-endian AF_INET");
	memcpy(f.b, af_be2, 4);
	CHECK_EQ_U(parse(0, &f, &pi), PKT_OK, "NULL big-endian AF_INET");
	CHECK_EQ_U(parse(108, &f, &pi), PKT_OK, "LOOP AF_INET");
	for (i = 0; i < 4; i++) {
		f.n = 0;
		put8(&f, v6af[i]); put8(&f, 0); put16(&f, 0);
		ipv6(&f, 8, 17);
		udp(&f, 1, 2, 0);
		CHECK_EQ_U(parse(0, &f, &pi), PKT_OK, "NULL LE AF %u", v6af[i]);
		CHECK_EQ_U(pi.ip_version, 6, "NULL AF %u: IPv6", v6af[i]);
		memset(f.b, 0, 4);
		f.b[3] = (uint8_t)v6af[i];
		CHECK_EQ_U(parse(108, &f, &pi), PKT_OK, "LOOP BE AF %u",
		    v6af[i]);
	}
	f.b[3] = 7;
	CHECK_EQ_U(parse(0, &f, &pi), PKT_NOT_IP, "NULL AF 7: not IP");
	f.n = 3;
	CHECK_EQ_U(parse(0, &f, &pi), PKT_TRUNCATED, "NULL cut: truncated");
}

static void
test_ipnet(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;
	unsigned i;

	put8(&f, 2);
	put8(&f, 2);
	for (i = 0; i < 22; i++)
		put8(&f, 0);
	ipv4(&f, 5, 28, 1, 0);
	put8(&f, 8); put8(&f, 0); put16(&f, 0); put32(&f, 1);
	CHECK_EQ_U(parse(226, &f, &pi), PKT_OK, "IPNET/ICMP: ok");
	CHECK_EQ_U(pi.icmp_type, 8, "ICMP echo type");
	CHECK_EQ_U(pi.sport, 0, "ICMP: no ports");
	f.b[1] = 26;
	CHECK_EQ_U(parse(226, &f, &pi), PKT_MALFORMED,
	    "IPNET says IPv6, IPv4 inside: malformed");
	f.b[1] = 9;
	CHECK_EQ_U(parse(226, &f, &pi), PKT_NOT_IP, "IPNET family 9: not IP");
	CHECK(!pkt_dlt_supported(105) && pkt_dlt_supported(226) &&
	    pkt_dlt_supported(276), "pkt_dlt_supported");
	CHECK_EQ_U(parse(105, &f, &pi), PKT_MALFORMED, "unknown DLT");
}

static void
test_ipv6_ext(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	/* hop-by-hop (8) -> routing (24) -> dest opts (8) -> AH (16) -> tcp */
	ipv6(&f, 8 + 24 + 8 + 16 + 20, 0);
	put8(&f, 43); put8(&f, 0); put16(&f, 0); put32(&f, 0);
	put8(&f, 60); put8(&f, 2); put16(&f, 0x0401); put32(&f, 0);
	put32(&f, 0); put32(&f, 0); put32(&f, 0); put32(&f, 0);
	put8(&f, 51); put8(&f, 0); put16(&f, 0); put32(&f, 0);
	put8(&f, 6); put8(&f, 2); put16(&f, 0); put32(&f, 1);
	put32(&f, 2); put32(&f, 3);
	tcp(&f, 443, 5555, 0x11, 5);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "IPv6 ext chain: ok");
	CHECK_EQ_U(pi.proto, 6, "IPv6 ext chain: proto after headers");
	CHECK_EQ_U(pi.sport, 443, "IPv6 ext chain: ports");
	CHECK_EQ_U(pi.tcp_flags, 0x11, "IPv6 ext chain: FIN+ACK");
	CHECK_EQ_U(pi.ip_len, 40 + 76, "IPv6 ext chain: ip_len");

	f.n = 0;
	ipv6(&f, 8 + 8 + 4, 44);
	put8(&f, 17); put8(&f, 0); put16(&f, 0x0001); put32(&f, 0xdeadbeef);
	udp(&f, 53, 53, 4);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "IPv6 first fragment: ok");
	CHECK(pi.fragment && pi.first_fragment, "IPv6 first fragment flags");
	CHECK_EQ_U(pi.frag_id, 0xdeadbeef, "IPv6 fragment id");
	CHECK_EQ_U(pi.dport, 53, "IPv6 first fragment: ports");

	f.b[40 + 2] = 0x05;
	f.b[40 + 3] = 0xa8;		/* offset 181*8, no M */
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "IPv6 later fragment: ok");
	CHECK(pi.fragment && !pi.first_fragment, "IPv6 later fragment");
	CHECK_EQ_U(pi.level, PKT_NET, "IPv6 later fragment: net level");
	CHECK_EQ_U(pi.proto, 17, "IPv6 later fragment: proto");

	f.n = 0;
	ipv6(&f, 8, 58);
	put8(&f, 135); put8(&f, 0); put16(&f, 0); put32(&f, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "ICMPv6 NS: ok");
	CHECK_EQ_U(pi.icmp_type, 135, "ICMPv6 type");
	CHECK_EQ_U(pi.proto, 58, "ICMPv6 proto");

	f.n = 0;
	ipv6(&f, 0, 59);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "no next header: ok");
	CHECK_EQ_U(pi.level, PKT_NET, "no next header: net level");
}

static void
test_sctp(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;

	ipv4(&f, 5, 20 + 12 + 16, 132, 0);
	put16(&f, 4739); put16(&f, 4740); put32(&f, 7); put32(&f, 0);
	put32(&f, 0); put32(&f, 0); put32(&f, 0); put32(&f, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "SCTP: ok");
	CHECK(pi.sport == 4739 && pi.dport == 4740, "SCTP: ports");
	CHECK_EQ_U(pi.payload_len, 16, "SCTP: chunks are the payload");
	f.n = 20 + 6;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_TRUNCATED, "SCTP cut: truncated");
	CHECK_EQ_U(pi.level, PKT_NET, "SCTP cut: net level kept");
}

static void
test_tunnels(void)
{
	struct fb f = { .n = 0 };
	struct pkt_options in = { .inner_tunnel = true };
	struct pkt_info pi;

	eth(&f, 0x0800);
	ipv4(&f, 5, 20 + 40 + 8, 41, 0);
	ipv6(&f, 8, 17);
	udp(&f, 1000, 2000, 0);
	CHECK_EQ_U(parse(1, &f, &pi), PKT_OK, "6in4 outer: ok");
	CHECK(pi.tunnelled && pi.ip_version == 4 && pi.proto == 41,
	    "6in4 outer: IPv4 proto 41");
	CHECK_EQ_U(pi.sport, 0, "6in4 outer: no ports");
	CHECK_EQ_U(pi.ip_len, 68, "6in4 outer: outer length");
	CHECK_EQ_U(pkt_parse(1, f.b, f.n, f.n, &in, &pi), PKT_OK,
	    "6in4 inner: ok");
	CHECK(pi.tunnelled && pi.ip_version == 6 && pi.proto == 17,
	    "6in4 inner: IPv6 UDP");
	CHECK(pi.sport == 1000 && pi.dport == 2000, "6in4 inner: ports");
	CHECK_EQ_U(pi.ip_len, 48, "6in4 inner: inner length");

	f.n = 0;
	ipv6(&f, 20 + 8, 4);
	ipv4(&f, 5, 28, 17, 0);
	udp(&f, 3, 4, 0);
	CHECK_EQ_U(pkt_parse(101, f.b, f.n, f.n, &in, &pi), PKT_OK,
	    "4in6 inner: ok");
	CHECK(pi.ip_version == 4 && pi.dport == 4, "4in6 inner: IPv4 UDP");
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK, "4in6 outer: ok");
	CHECK(pi.ip_version == 6 && pi.proto == 4, "4in6 outer: proto 4");

	f.n = 0;
	ipv4(&f, 5, 20 + 20 + 20 + 8, 4, 0);
	ipv4(&f, 5, 20 + 20 + 8, 4, 0);
	ipv4(&f, 5, 20 + 8, 17, 0);
	udp(&f, 5, 6, 0);
	CHECK_EQ_U(pkt_parse(101, f.b, f.n, f.n, &in, &pi), PKT_OK,
	    "4in4in4: ok");
	CHECK(pi.proto == 4 && pi.ip_len == 48,
	    "4in4in4: one level decapsulated only");
}

static void
test_hostile(void)
{
	struct fb f = { .n = 0 };
	struct pkt_info pi;
	unsigned i;

	ipv4(&f, 0, 28, 17, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED, "IHL 0: malformed");
	CHECK(pi.why != NULL && strstr(pi.why, "IHL") != NULL,
	    "IHL 0: reason names IHL");
	f.b[0] = 0x44;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED, "IHL 4: malformed");
	f.b[0] = 0x4f;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "IHL 15 > total length 28: malformed");
	f.b[0] = 0x45;
	f.b[2] = 0; f.b[3] = 10;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "total length < header: malformed");
	f.b[3] = 24;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "UDP header beyond IP total length: malformed");
	f.b[2] = 0xff; f.b[3] = 0xff;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_OK,
	    "total length > caplen: still parsed");
	CHECK_EQ_U(pi.payload_wire_len, 65535 - 28, "wire payload from IP");
	CHECK_EQ_U(pi.payload_len, 0, "captured payload 0");
	CHECK_EQ_U(pkt_parse(101, f.b, 24, 65535, NULL, &pi), PKT_TRUNCATED,
	    "UDP cut by snaplen: truncated");
	CHECK_EQ_U(pkt_parse(101, f.b, 12, 65535, NULL, &pi), PKT_TRUNCATED,
	    "IPv4 header cut: truncated");
	CHECK_EQ_U(pi.level, PKT_LINK, "cut IPv4: link level");

	f.n = 0;
	ipv4(&f, 6, 40, 6, 0);
	CHECK_EQ_U(pkt_parse(101, f.b, 22, 40, NULL, &pi), PKT_TRUNCATED,
	    "options cut: truncated");

	f.n = 0;
	ipv4(&f, 5, 40, 6, 0);
	tcp(&f, 1, 2, 2, 5);
	f.b[32] = 0x20;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED, "TCP doff 2: malformed");
	f.b[32] = 0xf0;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "TCP doff 15 beyond IP length: malformed");
	CHECK_EQ_U(pkt_parse(101, f.b, 30, 1500, NULL, &pi), PKT_TRUNCATED,
	    "TCP cut: truncated");

	/* 9 destination-options headers: the chain bound */
	f.n = 0;
	ipv6(&f, 9 * 8 + 8, 60);
	for (i = 0; i < 9; i++) {
		put8(&f, i < 8 ? 60 : 17); put8(&f, 0);
		put16(&f, 0); put32(&f, 0);
	}
	udp(&f, 1, 2, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "9 extension headers: malformed");
	CHECK(pi.why != NULL && strstr(pi.why, "extension") != NULL,
	    "ext loop: reason");

	f.n = 0;
	ipv6(&f, 8, 0);
	put8(&f, 17); put8(&f, 4); put16(&f, 0); put32(&f, 0);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "ext header beyond payload length: malformed");
	CHECK_EQ_U(pi.level, PKT_NET, "ext lie: net level");
	CHECK_EQ_U(pkt_parse(101, f.b, 44, 48, NULL, &pi), PKT_TRUNCATED,
	    "ext header cut: truncated");
	f.b[41] = 0;
	f.b[4] = 0; f.b[5] = 4;
	CHECK_EQ_U(parse(101, &f, &pi), PKT_MALFORMED,
	    "payload length 4 < ext header: malformed");

	f.n = 0;
	ipv6(&f, 8, 17);
	CHECK_EQ_U(parse(101, &f, &pi), PKT_TRUNCATED,
	    "IPv6 UDP missing: truncated");
	CHECK_EQ_U(pkt_parse(101, f.b, 39, 48, NULL, &pi), PKT_TRUNCATED,
	    "IPv6 header cut: truncated");
	CHECK_EQ_U(pkt_parse(1, NULL, 0, 0, NULL, &pi), PKT_TRUNCATED,
	    "NULL frame: truncated");
	CHECK_EQ_U(pi.level, PKT_NONE, "NULL frame: level none");
}

int
main(void)
{
	test_ether_ipv4_udp();
	test_ipv4_options_tcp();
	test_ipv4_fragments();
	test_vlan_qinq();
	test_mpls();
	test_sll();
	test_raw();
	test_null_loop();
	test_ipnet();
	test_ipv6_ext();
	test_sctp();
	test_tunnels();
	test_hostile();
	TEST_DONE();
}
