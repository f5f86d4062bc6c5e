/*
 * synth: a deterministic synthetic capture for the ipfix-gen benchmark.
 * usage: synth PACKETS FLOWS OUT.pcap
 * Ethernet, snaplen 128, microsecond pcap. Flow i is IPv6 when i % 4 == 0
 * (else IPv4), TCP for 60 % of flows, UDP 30 %, ICMP 10 %, and carries an
 * 802.1Q tag when i % 100 < 15. Packets pick their flow from a fixed LCG,
 * 10 us apart, wire sizes 96-1514. Same arguments, same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAPLEN 128

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
next_rand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t
l2(uint8_t *p, uint32_t flow, int v6)
{
	size_t n = 12;

	memset(p, 0, 12);
	p[0] = 0x02;
	p[5] = 1;
	p[6] = 0x02;
	p[11] = 2;
	if (flow % 100 < 15) {
		put16(p + n, 0x8100);
		put16(p + n + 2, 1 + flow % 4000);
		n += 4;
	}
	put16(p + n, v6 ? 0x86dd : 0x0800);
	return n + 2;
}

static uint8_t
proto_of(uint32_t flow)
{
	uint32_t k = (flow / 4) % 10;

	return k < 6 ? 6 : k < 9 ? 17 : 1;
}

static size_t
l3(uint8_t *p, uint32_t flow, int v6, uint8_t proto, uint32_t iplen)
{
	if (v6) {
		memset(p, 0, 40);
		p[0] = 0x60;
		put16(p + 4, iplen - 40);
		p[6] = proto == 1 ? 58 : proto;
		p[7] = 64;
		p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8;
		memcpy(p + 20, &flow, 4);
		p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8;
		p[39] = 1;
		return 40;
	}
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, iplen);
	p[8] = 64;
	p[9] = proto;
	p[12] = 10;
	p[13] = (uint8_t)(flow >> 16);
	p[14] = (uint8_t)(flow >> 8);
	p[15] = (uint8_t)flow;
	p[16] = 192; p[17] = 168; p[19] = 1;
	return 20;
}

static size_t
l4(uint8_t *p, uint32_t flow, uint8_t proto, int first)
{
	if (proto == 1) {
		memset(p, 0, 8);
		p[0] = 8;
		return 8;
	}
	put16(p, 1024 + flow % 60000);
	put16(p + 2, proto == 6 ? 443 : 53);
	if (proto == 17) {
		memset(p + 4, 0, 4);
		return 8;
	}
	memset(p + 4, 0, 16);
	p[12] = 0x50;
	p[13] = first ? 0x02 : 0x18;
	return 20;
}

int
main(int argc, char **argv)
{
	uint8_t hdr[24], rec[16 + SNAPLEN], *seen;
	uint32_t npkt, nflow, i, flow, wire, ip, cap;
	uint64_t us = 1700000000ULL * 1000000;
	FILE *f;
	size_t n;
	int v6;

	if (argc != 4 || (npkt = (uint32_t)strtoul(argv[1], NULL, 10)) == 0 ||
	    (nflow = (uint32_t)strtoul(argv[2], NULL, 10)) == 0 ||
	    (f = fopen(argv[3], "wb")) == NULL ||
	    (seen = calloc(nflow, 1)) == NULL) {
		fprintf(stderr, "usage: synth PACKETS FLOWS OUT.pcap\n");
		return 2;
	}
	put32le(hdr, 0xa1b2c3d4);
	put16(hdr + 4, 0x0200);		/* version 2.4, little-endian */
	put16(hdr + 6, 0x0400);
	memset(hdr + 8, 0, 8);
	put32le(hdr + 16, SNAPLEN);
	put32le(hdr + 20, 1);
	fwrite(hdr, 1, sizeof(hdr), f);
	for (i = 0; i < npkt; i++, us += 10) {
		flow = next_rand() % nflow;
		v6 = flow % 4 == 0;
		n = l2(rec + 16, flow, v6);
		wire = 96 + next_rand() % 1419;
		ip = wire - (uint32_t)n;
		n += l3(rec + 16 + n, flow, v6, proto_of(flow), ip);
		n += l4(rec + 16 + n, flow, proto_of(flow), !seen[flow]);
		seen[flow] = 1;
		cap = wire < SNAPLEN ? wire : SNAPLEN;
		memset(rec + 16 + n, 0xab, cap > n ? cap - n : 0);
		put32le(rec, (uint32_t)(us / 1000000));
		put32le(rec + 4, (uint32_t)(us % 1000000));
		put32le(rec + 8, cap);
		put32le(rec + 12, wire);
		fwrite(rec, 1, 16 + cap, f);
	}
	free(seen);
	return fclose(f) == 0 ? 0 : 1;
}
