#!/usr/bin/python3
"""A deliberately simple exporter for the e2e tests: sends the IPFIX
messages of a stream file unchanged (so what arrives can be compared byte
for byte), or misbehaves on request. Standard library only.

rawsend.py [options] udp|tcp HOST PORT FILE
  --raw           send FILE's bytes as they are, not split into messages
                  (garbage); UDP: one datagram per 1400 bytes
  --stall N:SECS  send only the first N bytes, then keep the connection
                  open for SECS seconds without sending more
  --gap MS        pause between messages
  --repeat N      send the file N times
  --hold SECS     TCP: keep the connection open SECS after the last byte
  --sport PORT    send from this source port (a known session tuple)
  --expect-close SECS
                  TCP: after the last byte, wait at most SECS for the
                  peer to close the connection; exit 3 if it does not
Exit status 0 when everything was handed to the kernel; 1 on a socket
error (the peer closed: printed on stderr).
"""
import argparse
import socket
import struct
import sys
import time


def messages(data):
    i = 0
    while len(data) - i >= 4:
        n = struct.unpack("!H", data[i + 2:i + 4])[0]
        if n < 16 or n > len(data) - i:
            sys.exit("rawsend: bad message length at offset %d" % i)
        yield data[i:i + n]
        i += n


def connect(proto, host, port, sport=0):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(fam, kind)
    s.settimeout(10)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((host, port))
    return s


def chunks(a, data):
    if a.raw:
        step = 1400 if a.proto == "udp" else 65536
        return [data[i:i + step] for i in range(0, len(data), step)]
    return list(messages(data))


def wait_close(s, secs):
    """Return when the peer closes (EOF or reset); exit 3 on timeout."""
    s.settimeout(secs)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        sys.exit(3)
    except OSError:
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--raw", action="store_true")
    p.add_argument("--stall")
    p.add_argument("--gap", type=float, default=0)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--hold", type=float, default=0)
    p.add_argument("--expect-close", type=float, default=0)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("proto", choices=("udp", "tcp"))
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("file")
    a = p.parse_args()
    with open(a.file, "rb") as f:
        data = f.read()
    s = connect(a.proto, a.host, a.port, a.sport)
    try:
        if a.stall:
            n, secs = a.stall.split(":")
            s.send(data[:int(n)])
            time.sleep(float(secs))
            return
        for _ in range(a.repeat):
            for m in chunks(a, data):
                if a.proto == "udp":
                    s.send(m)
                else:
                    s.sendall(m)
                if a.gap:
                    time.sleep(a.gap / 1000.0)
        if a.hold:
            time.sleep(a.hold)
        if a.expect_close:
            wait_close(s, a.expect_close)
    except OSError as e:
        if a.expect_close:
            return		# closed by the peer while we sent: expected
        sys.exit("rawsend: %s" % e)
    finally:
        s.close()


if __name__ == "__main__":
    main()
