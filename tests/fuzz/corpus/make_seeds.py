#!/usr/bin/env python3
"""Writes the small committed fuzz seeds under tests/fuzz/corpus/<target>/.
Written for this project (no third-party bytes); rerun after changing it:
    python3 tests/fuzz/corpus/make_seeds.py
The seeds cover what the real captures in tests/data do not: RFC 6313 lists,
options templates, withdrawals, several sessions, gzip, TCP and SLL frames."""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
VARLEN = 65535


def hdr(body, seq=0, odid=1, t=1700000000):
    return struct.pack(">HHIII", 10, 16 + len(body), t, seq, odid) + body


def ipfix_set(sid, body):
    return struct.pack(">HH", sid, 4 + len(body)) + body


def tmpl(tid, fields, scope=None):
    out = struct.pack(">HH", tid, len(fields))
    if scope is not None:
        out += struct.pack(">H", scope)
    for f in fields:
        ie, ln = f[0], f[1]
        if len(f) > 2:
            out += struct.pack(">HHI", ie | 0x8000, ln, f[2])
        else:
            out += struct.pack(">HH", ie, ln)
    return out


def varlen(b):
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b"\xff" + struct.pack(">H", len(b)) + b


FLOW = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (1, 8), (2, 4),
        (152, 8), (153, 8), (82, VARLEN), (6, 1), (210, 3)]


def flow_rec(i):
    src = bytes.fromhex("20010db8000000000000000000000000")[:15] + bytes([i])
    dst = bytes.fromhex("20010db800000000000000000000ff01")
    return (src + dst + struct.pack(">HHBQI", 40000 + i, 443, 6, 1500 * i, i)
            + struct.pack(">QQ", 1700000000000 + i, 1700000001000 + i)
            + varlen(b"eth%d" % i) + b"\x1b" + b"\0\0\0")


def v4_rec(i):
    return struct.pack(">4s4sHHB", bytes([10, 0, 0, i]), bytes([192, 0, 2, 1]),
                       1000 + i, 53, 17)


V4 = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1)]


def lists_msg():
    """Template 258 with a basicList, a subTemplateList of 257 and a
    subTemplateMultiList, plus one record using all three."""
    bl = b"\x03" + struct.pack(">HH", 8, 4) + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    stl = b"\x04" + struct.pack(">H", 257) + v4_rec(1) + v4_rec(2)
    blk = struct.pack(">HH", 257, 4 + len(v4_rec(3))) + v4_rec(3)
    stml = b"\x01" + blk
    # enterprise element, reduced-size counter, string
    t258 = tmpl(258, [(291, VARLEN), (292, VARLEN), (293, VARLEN),
                      (1, 4), (96, VARLEN), (1, 2, 9999)])
    rec = (varlen(bl) + varlen(stl) + varlen(stml) + struct.pack(">I", 7)
           + varlen("ünïcode\xff".encode("utf-8", "surrogateescape"))
           + b"\x12\x34")
    return hdr(ipfix_set(2, tmpl(257, V4) + t258) + ipfix_set(258, rec),
               seq=0, odid=7)


def options_msg():
    t = tmpl(259, [(149, 4), (41, 8), (42, 8), (160, 8)], scope=1)
    rec = struct.pack(">IQQQ", 1, 100, 5000, 1700000000000)
    return hdr(ipfix_set(3, t) + ipfix_set(259, rec), seq=3)


def stream_msgs():
    m1 = hdr(ipfix_set(2, tmpl(256, FLOW)), seq=0)
    recs = b"".join(flow_rec(i) for i in range(1, 4))
    m2 = hdr(ipfix_set(256, recs + b"\0\0"), seq=0)
    m3 = hdr(ipfix_set(2, struct.pack(">HH", 256, 0)), seq=3)
    return [m1, m2, options_msg(), lists_msg(), m3]


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def eth_ipv4_udp(payload, sport=40000, dport=4739):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip


def eth_vlan_ipv6_tcp(payload, seq=1, flags=0x18):
    tcp = struct.pack(">HHIIBBHHH", 40001, 4739, seq, 0, 0x50, flags,
                      65535, 0, 0) + payload
    ip6 = (struct.pack(">IHBB", 0x60000000, len(tcp), 6, 64)
           + bytes.fromhex("20010db8" + "00" * 11 + "01")
           + bytes.fromhex("20010db8" + "00" * 11 + "02")) + tcp
    return (b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x2a\x86\xdd") + ip6


def sll_ipv4_udp(payload):
    return struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800) + \
        eth_ipv4_udp(payload)[14:]


def pcap(frames, link=1):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, link)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


def main():
    msgs = stream_msgs()
    raw = b"".join(msgs)
    write("decode", "flows-tcp", b"\x00\x55" + raw)
    write("decode", "flows-udp-2sess", b"\x01\x05" + raw)
    write("decode", "lists", b"\x80\x00" + lists_msg())
    chunks = b"".join(bytes([i % 2]) + struct.pack(">H", len(m)) + m
                      for i, m in enumerate(msgs))
    write("decode", "chunks", b"\x05\x04" + chunks)
    write("stream", "flows.ipfix", raw)
    write("stream", "flows.ipfix.gz", gzip.compress(raw, mtime=0))
    write("stream", "corrupt-middle.ipfix", msgs[0] + b"\x00\x0a\xff" + raw)
    write("capture", "udp.pcap", pcap([eth_ipv4_udp(m) for m in msgs]))
    seq, frames = 1, []
    for m in msgs:
        frames.append(eth_vlan_ipv6_tcp(m, seq))
        seq += len(m)
    write("capture", "tcp-vlan-ipv6.pcap", pcap(frames))
    write("capture", "sll.pcap", pcap([sll_ipv4_udp(msgs[1])], link=113))
    write("packet", "eth-udp", b"\x00" + eth_ipv4_udp(msgs[1]))
    write("packet", "eth-vlan-ipv6-tcp", b"\x00" + eth_vlan_ipv6_tcp(b"x"))
    write("packet", "sll-udp", b"\x01" + sll_ipv4_udp(b"abc"))
    write("packet", "raw-ipv4", b"\x03" + eth_ipv4_udp(b"")[14:])
    for i, url in enumerate(["udp://127.0.0.1:4739", "dtls://[::1]",
                             "tls://collector.example.net:4740",
                             "dtls-sctp://[fe80::1%lo]:5000", "tcp://:9995",
                             "sctp://[2001:db8::2]:4739"]):
        write("endpoint", "url%d" % i, url.encode())
    # ClientHello extension bodies: supported_versions, supported_groups,
    # server_name (byte 0: the parser, see fuzz_hello.c)
    write("hello", "versions", b"\x00\x04\xfe\xfd\x03\x04")
    write("hello", "groups", b"\x01\x00\x06\x00\x1d\x00\x17\x00\x18")
    write("hello", "sni", b"\xff\x00\x0d\x00\x00\x0aprobe.test")
    write("hello", "sni-short", b"\x03\x00\x0d\x00\x00\x0aprobe.test")


main()
