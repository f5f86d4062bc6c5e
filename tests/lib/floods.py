#!/usr/bin/python3
"""Hostile and careless peers of a collector, over real loopback sockets
(no root needed), for the admission tests of ipfix-recv (issue 13).
Standard library only. Every mode ends by itself after SECS at most.

floods.py junk-udp HOST PORT N [--src ADDR]
    one non-IPFIX datagram from each of N source ports (N sockets)
floods.py silent-tcp HOST PORT N SECS [--renew S] [--src ADDR]
    N TCP connections that never send a byte, held SECS seconds; every S
    seconds the ones the collector closed are opened again
floods.py dtls-halfopen HOST PORT N SECS [--src ADDR]
    N DTLS 1.2 clients that complete the cookie exchange (a second
    ClientHello with the HelloVerifyRequest's cookie), then fall silent
Prints "ready" once the flood is in place (connections made, handshakes
half-open), and what it did as one line: "<mode> <count-that-worked>".
"""
import argparse
import os
import select
import socket
import struct
import sys
import time


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def junk_udp(a):
    socks, sent = [], 0
    for i in range(a.n):
        s = socket.socket(fam(a.host), socket.SOCK_DGRAM)
        if a.src:
            s.bind((a.src, 0))
        s.sendto(b"junk %06d not IPFIX" % i, (a.host, a.port))
        socks.append(s)
        sent += 1
        if len(socks) >= 500:	# distinct ports: keep a batch open
            for x in socks:
                x.close()
            socks = []
    for x in socks:
        x.close()
    return sent


def tcp_open(a):
    s = socket.socket(fam(a.host), socket.SOCK_STREAM)
    s.setblocking(False)
    if a.src:
        s.bind((a.src, 0))
    try:
        s.connect((a.host, a.port))
    except BlockingIOError:
        pass
    return s


def alive(s):
    """False once the peer closed (EOF, reset)."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return True
    try:
        return s.recv(4096) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def ready():
    """The flood is in place: tests wait for this line."""
    print("ready")
    sys.stdout.flush()


def silent_tcp(a):
    end = time.monotonic() + a.secs
    conns = [tcp_open(a) for _ in range(a.n)]
    opened = len(conns)
    ready()
    while time.monotonic() < end:
        time.sleep(min(a.renew, max(0.0, end - time.monotonic())))
        for i, s in enumerate(conns):
            if not alive(s):
                s.close()
                conns[i] = tcp_open(a)
                opened += 1
    for s in conns:
        s.close()
    return opened


def client_hello(seq, rnd, cookie):
    suites = struct.pack("!HHHHHHH", 0xc02b, 0xc02f, 0xc02c, 0xc030,
                         0x00a8, 0xc0a4, 0x00ff)
    groups = struct.pack("!HHHH", 10, 6, 4, 23) + struct.pack("!H", 24)
    sigalgs = struct.pack("!HHHHH", 13, 6, 4, 0x0403, 0x0804)
    points = struct.pack("!HHBB", 11, 2, 1, 0)
    ext = groups + sigalgs + points
    body = (struct.pack("!H", 0xfefd) + rnd + b"\x00" +
            bytes([len(cookie)]) + cookie +
            struct.pack("!H", len(suites)) + suites + b"\x01\x00" +
            struct.pack("!H", len(ext)) + ext)
    n = len(body)
    hs = (struct.pack("!B", 1) + n.to_bytes(3, "big") +
          struct.pack("!H", seq) + (0).to_bytes(3, "big") +
          n.to_bytes(3, "big") + body)
    return (struct.pack("!BHH", 22, 0xfeff, 0) + seq.to_bytes(6, "big") +
            struct.pack("!H", len(hs)) + hs)


def hvr_cookie(d):
    """The cookie of a HelloVerifyRequest datagram, or None."""
    if len(d) < 28 or d[0] != 22 or d[13] != 3:
        return None
    n = d[27]
    return d[28:28 + n] if len(d) >= 28 + n else None


def dtls_halfopen(a):
    """All first ClientHellos at once, then each answer's second one: a
    listener that refuses some (limits) costs no waiting per client."""
    end = time.monotonic() + a.secs
    socks, rnds, done = [], {}, 0
    for _ in range(a.n):
        s = socket.socket(fam(a.host), socket.SOCK_DGRAM)
        if a.src:
            s.bind((a.src, 0))
        s.connect((a.host, a.port))
        s.setblocking(False)
        rnds[s] = os.urandom(32)
        s.send(client_hello(0, rnds[s], b""))
        socks.append(s)
    waiting = {s: 0 for s in socks}	# 0: HVR awaited, 1: server flight
    limit = min(end, time.monotonic() + 3)
    while waiting and time.monotonic() < limit:
        r, _, _ = select.select(list(waiting), [], [], 0.1)
        for s in r:
            try:
                d = s.recv(4096)
            except OSError:
                del waiting[s]
                continue
            if waiting[s] == 0 and hvr_cookie(d) is not None:
                s.send(client_hello(1, rnds[s], hvr_cookie(d)))
                waiting[s] = 1
            elif waiting[s] == 1 and d[:1] == b"\x16":
                done += 1		# the server's flight: state exists
                del waiting[s]
    ready()
    time.sleep(max(0.0, end - time.monotonic()))
    for s in socks:
        s.close()
    return done


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["junk-udp", "silent-tcp",
                                    "dtls-halfopen"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.add_argument("secs", type=float, nargs="?", default=10.0)
    p.add_argument("--renew", type=float, default=1.0)
    p.add_argument("--src")
    a = p.parse_args()
    fn = {"junk-udp": junk_udp, "silent-tcp": silent_tcp,
          "dtls-halfopen": dtls_halfopen}[a.mode]
    print(a.mode, fn(a))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
