#!/usr/bin/env python3
"""A minimal collector for tests/ipfix-send.bats, independent of ipfix-recv.

usage: ipfix-send-sink.py udp|tcp PORT OUT [--ready FILE] [--sizes FILE]
                          [--idle SECONDS] [--max SECONDS]

Writes every IPFIX message received to OUT, back to back (a raw stream that
ipfix-dump reads). Frames of ipfix-send --compress (magic "IZ", see
libipfix/compress.h) are inflated: per datagram on UDP, as one DEFLATE
stream per connection on TCP. --sizes gets one line per datagram or frame:
"<wire bytes> <message bytes>". TCP connections are served one after the
other. Ends after --idle seconds without data (once something arrived) or
--max seconds in all.
"""
import socket
import struct
import sys
import time
import zlib


def inflate(body, d):
    msg = d.decompress(body)
    if len(msg) < 16 or msg[:2] != b"\x00\x0a" or \
            struct.unpack("!H", msg[2:4])[0] != len(msg):
        raise ValueError("frame does not inflate to one message")
    return msg


class Sink:
    def __init__(self, out, sizes):
        self.out = open(out, "wb")
        self.sizes = open(sizes, "w") if sizes else None

    def message(self, wire, msg):
        self.out.write(msg)
        self.out.flush()
        if self.sizes:
            self.sizes.write("%d %d\n" % (wire, len(msg)))
            self.sizes.flush()

    def unit(self, data, d):
        """One datagram or one framed unit of a TCP stream."""
        if data[:2] == b"IZ":
            self.message(len(data), inflate(data[4:], d))
        else:
            self.message(len(data), data)


def serve_udp(port, sink, idle, deadline):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    return s, lambda: udp_loop(s, sink, idle, deadline)


def udp_loop(s, sink, idle, deadline):
    seen = False
    while time.time() < deadline:
        s.settimeout(idle if seen else max(0.1, deadline - time.time()))
        try:
            data = s.recv(65535)
        except socket.timeout:
            if seen:
                return
            continue
        seen = True
        sink.unit(data, zlib.decompressobj(-15))


def split_units(buf):
    """Whole messages or frames at the head of buf (both carry their
    length in bytes 2-3)."""
    units = []
    while len(buf) >= 4:
        n = struct.unpack("!H", buf[2:4])[0]
        if n < 5 or len(buf) < n:
            break
        units.append(buf[:n])
        buf = buf[n:]
    return units, buf


def tcp_conn(c, sink, idle, deadline):
    d = zlib.decompressobj(-15)
    buf = b""
    c.settimeout(idle)
    while time.time() < deadline:
        try:
            data = c.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        units, buf = split_units(buf + data)
        for u in units:
            sink.unit(u, d)
    c.close()


def serve_tcp(port, sink, idle, deadline):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    return s, lambda: tcp_loop(s, sink, idle, deadline)


def tcp_loop(s, sink, idle, deadline):
    seen = False
    while time.time() < deadline:
        s.settimeout(idle if seen else max(0.1, deadline - time.time()))
        try:
            c, _ = s.accept()
        except socket.timeout:
            if seen:
                return
            continue
        seen = True
        tcp_conn(c, sink, idle, deadline)


def main(argv):
    proto, port, out = argv[1], int(argv[2]), argv[3]
    opts = dict(zip(argv[4::2], argv[5::2]))
    idle = float(opts.get("--idle", "2"))
    deadline = time.time() + float(opts.get("--max", "30"))
    sink = Sink(out, opts.get("--sizes"))
    serve = serve_udp if proto == "udp" else serve_tcp
    _, loop = serve(port, sink, idle, deadline)
    if "--ready" in opts:
        open(opts["--ready"], "w").close()
    loop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
