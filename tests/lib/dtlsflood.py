#!/usr/bin/python3
"""Send COUNT spoofed-source DTLS 1.2 ClientHellos (no cookie) to HOST:PORT
from many addresses of 127.1.0.0/16 and many ports, as raw IPv4/UDP
datagrams (IPPROTO_RAW, so root and a network namespace of the test's
own: the packets stay on its loopback). A collector must answer each with
a stateless HelloVerifyRequest and keep no state for the peer. Paced at
about 10,000 datagrams a second. Prints the number sent. Standard
library only.

usage: dtlsflood.py HOST PORT COUNT
"""
import os
import socket
import struct
import sys
import time


def client_hello(seq):
    suites = struct.pack("!HHHH", 0xc02b, 0xc02f, 0xc02c, 0xc030)
    groups = struct.pack("!HHHH", 10, 6, 4, 23) + struct.pack("!H", 24)
    sigalgs = struct.pack("!HHHHH", 13, 6, 4, 0x0403, 0x0804)
    points = struct.pack("!HHBB", 11, 2, 1, 0)
    ext = groups + sigalgs + points
    body = (struct.pack("!H", 0xfefd) + os.urandom(32) + b"\x00" +
            b"\x00" + struct.pack("!H", len(suites)) + suites + b"\x01\x00" +
            struct.pack("!H", len(ext)) + ext)
    n = len(body)
    hs = (struct.pack("!B", 1) + n.to_bytes(3, "big") +
          struct.pack("!H", 0) + (0).to_bytes(3, "big") + n.to_bytes(3, "big")
          + body)
    return (struct.pack("!BHH", 22, 0xfeff, 0) + seq.to_bytes(6, "big") +
            struct.pack("!H", len(hs)) + hs)


def datagram(src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    return ip + udp


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = 0
    t0 = time.monotonic()
    for i in range(count):
        src = "127.1.%d.%d" % ((i >> 8) & 0xff, (i & 0xff) or 1)
        sport = 1024 + (i * 7919) % 60000
        s.sendto(datagram(src, sport, host, port, client_hello(i)),
                 (host, 0))
        sent += 1
        if i % 100 == 99:
            lag = t0 + (i + 1) / 10000.0 - time.monotonic()
            if lag > 0:
                time.sleep(lag)
    print(sent)


if __name__ == "__main__":
    main()
