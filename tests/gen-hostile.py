#!/usr/bin/python3
"""Write a pcap of hostile Ethernet frames for the ipfix-gen tests.

usage: gen-hostile.py OUT.pcap

Frames (in this order): a valid UDP/IPv4 packet; IPv4 with IHL 0; IPv4
with IHL 15 in a 40-byte packet; IPv4 total length below its header;
IPv4 total length far above the frame (cut by snaplen: truncated, still
metered); TCP with data offset 0; IPv6 with 200 chained empty
destination-options headers (the "loop"); IPv6 extension header whose
length runs past the frame; 60 nested 802.1Q tags; a 10-byte frame; an
ARP frame. Deterministic: same bytes every run.
"""
import struct
import sys

MAC = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"


def ipv4(payload, proto=17, ihl=5, total=None, opts=b""):
    total = 20 + len(opts) + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total & 0xffff, 1, 0,
                      64, proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return hdr + opts + payload


def udp(sport=1000, dport=2000, data=b"hello"):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def eth(ethertype, body):
    return MAC + struct.pack("!H", ethertype) + body


def ipv6(nxt, payload):
    src = bytes(15) + b"\x01"
    dst = bytes(15) + b"\x02"
    return struct.pack("!IHBB", 0x60000000, len(payload), nxt, 64) + \
        src + dst + payload


def frames():
    yield eth(0x0800, ipv4(udp()))
    yield eth(0x0800, ipv4(udp(), ihl=0))
    yield eth(0x0800, ipv4(udp(), ihl=15))
    yield eth(0x0800, ipv4(udp(), total=12))
    big = eth(0x0800, ipv4(udp(data=bytes(1400))))
    yield big[:80], len(big)
    tcp = struct.pack("!HHIIBBHHH", 1, 2, 0, 0, 0x00, 0x02, 100, 0, 0)
    yield eth(0x0800, ipv4(tcp, proto=6))
    chain = b"".join(struct.pack("!BB6x", 60, 0) for _ in range(199))
    chain += struct.pack("!BB6x", 17, 0) + udp()
    yield eth(0x86dd, ipv6(60, chain))
    yield eth(0x86dd, ipv6(60, struct.pack("!BB6x", 17, 255)))
    tags = b"".join(struct.pack("!HH", 1, 0x8100) for _ in range(60))
    yield MAC + b"\x81\x00" + tags[:-2] + b"\x08\x00" + ipv4(udp())
    yield MAC[:10]
    yield eth(0x0806, bytes(28))


def main():
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for i, f in enumerate(frames()):
        data, wire = (f, len(f)) if isinstance(f, bytes) else f
        out.append(struct.pack("<IIII", 1000 + i, 0, len(data), wire) + data)
    with open(sys.argv[1], "wb") as fh:
        fh.write(b"".join(out))


if __name__ == "__main__":
    main()
