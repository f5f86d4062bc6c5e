#!/usr/bin/python3
"""A write-only TLS exporter, as libfixbuf's (hence YAF's) is: it connects,
writes an IPFIX stream, never reads, and closes the socket without
close_notify. Unread TLS 1.3 session tickets would turn that close into a
TCP reset, which costs the collector whatever it had not read yet (issue
12). --reset closes with a reset on purpose (SO_LINGER 0) and reads
nothing, as such an exporter's close looked before the fix.
Standard library only.

usage: tlswriteonly.py [--reset] [--tls1.2] HOST PORT FILE CERT KEY CA
"""
import socket
import ssl
import struct
import sys


def main():
    args = sys.argv[1:]
    reset = "--reset" in args
    v12 = "--tls1.2" in args
    host, port, path, cert, key, ca = [a for a in args
                                       if not a.startswith("--")]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.check_hostname = False
    ver = ssl.TLSVersion.TLSv1_2 if v12 else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = ver
    with open(path, "rb") as f:
        data = f.read()
    raw = socket.create_connection((host, int(port)), timeout=20)
    tls = ctx.wrap_socket(raw, server_hostname=host)
    tls.sendall(data)
    if reset:
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                       struct.pack("ii", 1, 0))
    tls.close()     # no unwrap(): no close_notify, nothing read


if __name__ == "__main__":
    main()
