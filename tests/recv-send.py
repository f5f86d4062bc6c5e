#!/usr/bin/env python3
"""Minimal IPFIX exporters for tests/ipfix-recv.bats (plain sockets only).

usage: recv-send.py MODE HOST PORT [FILE] [N]
  udp FILE        every message of FILE (split by the Length field), one
                  datagram each, from one source port
  tcp FILE        the same over one TCP connection, closed in order
  udpz FILE       each message as a compressed frame (compress.h: "IZ",
                  u16 frame length, raw DEFLATE of one message)
  garbage-udp     a datagram of junk, then one of version 9
  garbage-tcp     junk bytes on a TCP connection (the collector closes it)
  half-tcp N      half an IPFIX message, then a stall of N seconds
  templates N     N template records (ids 256...) in UDP messages
Each sender ends by itself; every wait is bounded.
"""
import socket
import struct
import sys
import time
import zlib


def messages(path):
    data = open(path, "rb").read()
    i = 0
    while i + 4 <= len(data):
        n = struct.unpack(">H", data[i + 2:i + 4])[0]
        if n < 16:
            break
        yield data[i:i + n]
        i += n


def frame(msg):
    # a datagram frame is a whole raw DEFLATE stream (Z_FINISH)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = c.compress(msg) + c.flush()
    return b"IZ" + struct.pack(">H", len(body) + 4) + body


def udp(host, port, payloads):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_DGRAM)
    for p in payloads:
        s.sendto(p, (host, port))
        time.sleep(0.0005)      # no loss on loopback buffers
    s.close()


def tcp(host, port, data, stall=0.0):
    t = socket.create_connection((host, port), timeout=5)
    t.sendall(data)
    time.sleep(stall)
    t.shutdown(socket.SHUT_WR)
    t.settimeout(5)
    try:
        while t.recv(4096):
            pass
    except OSError:
        pass
    t.close()


def template_msgs(n):
    seq, tid, out = 0, 256, []
    while tid < 256 + n:
        recs = b""
        while tid < 256 + n and len(recs) < 1300:
            recs += struct.pack(">HHHH", tid, 1, 8, 4)
            tid += 1
        body = struct.pack(">HH", 2, len(recs) + 4) + recs
        out.append(struct.pack(">HHIII", 10, len(body) + 16, 1700000000,
                               seq, 99) + body)
    return out


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    if mode == "udp":
        udp(host, port, messages(arg))
    elif mode == "udpz":
        udp(host, port, [frame(m) for m in messages(arg)])
    elif mode == "tcp":
        tcp(host, port, b"".join(messages(arg)))
    elif mode == "garbage-udp":
        udp(host, port, [b"\xde\xad\xbe\xef" * 10,
                         struct.pack(">HHIII", 9, 20, 0, 0, 0) + b"\0" * 4])
    elif mode == "garbage-tcp":
        tcp(host, port, b"GET / HTTP/1.0\r\n\r\n" * 4)
    elif mode == "half-tcp":
        msg = struct.pack(">HHIII", 10, 100, 0, 0, 1)
        tcp(host, port, msg, float(arg))
    elif mode == "templates":
        udp(host, port, template_msgs(int(arg)))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
