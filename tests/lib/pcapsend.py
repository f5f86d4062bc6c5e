#!/usr/bin/python3
"""Send the UDP payloads of a capture, one datagram each and in capture
order, to HOST PORT: replays a NetFlow v9 (or IPFIX) exporter whose bytes
are in a committed capture. Classic pcap, Ethernet (with 802.1Q tags) or
Linux cooked, IPv4 or IPv6, unfragmented UDP. Standard library only.

usage: pcapsend.py [--gap MS] PCAP HOST PORT
       pcapsend.py --chunks FILE PCAP | --cat FILE PCAP
  --gap MS       pause between datagrams (default 2)
  --chunks FILE  send nothing: write the NetFlow v9 payloads to FILE as
                 fuzz_nfv9 takes them ([u8 session 1][u16 length][bytes]
                 each); no file when there are none
  --cat FILE     send nothing: write the NetFlow v9 payloads back to back
                 (a raw v9 file, as ipfix-dump reads it)
Prints the number of datagrams sent (or written).
"""
import argparse
import socket
import struct
import sys
import time


def frames(data):
    if len(data) < 24:
        sys.exit("pcapsend: not a pcap file")
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    if struct.unpack(end + "I", data[:4])[0] not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit("pcapsend: not a classic pcap file")
    link = struct.unpack(end + "I", data[20:24])[0]
    i = 24
    while i + 16 <= len(data):
        incl = struct.unpack(end + "I", data[i + 8:i + 12])[0]
        yield link, data[i + 16:i + 16 + incl]
        i += 16 + incl


def udp_payload(link, f):
    if link == 1:
        et, i = struct.unpack("!H", f[12:14])[0], 14
        while et == 0x8100 and len(f) >= i + 4:
            et, i = struct.unpack("!H", f[i + 2:i + 4])[0], i + 4
    elif link == 113:
        et, i = struct.unpack("!H", f[14:16])[0], 16
    else:
        return None
    if et == 0x0800 and len(f) >= i + 20 and f[i + 9] == 17:
        i += (f[i] & 15) * 4
    elif et == 0x86dd and len(f) >= i + 40 and f[i + 6] == 17:
        i += 40
    else:
        return None
    n = struct.unpack("!H", f[i + 4:i + 6])[0] if len(f) >= i + 8 else 0
    return f[i + 8:i + n] if n >= 8 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gap", type=float, default=2)
    ap.add_argument("--chunks")
    ap.add_argument("--cat")
    ap.add_argument("pcap")
    ap.add_argument("host", nargs="?")
    ap.add_argument("port", type=int, nargs="?")
    a = ap.parse_args()
    with open(a.pcap, "rb") as f:
        pays = [p for p in (udp_payload(k, fr) for k, fr in frames(f.read()))
                if p]
    if a.chunks or a.cat:
        pays = [p for p in pays if p[:2] == b"\x00\x09"]
        if pays:
            with open(a.chunks or a.cat, "wb") as f:
                for p in pays:
                    f.write(struct.pack("!BH", 1, len(p)) * bool(a.chunks)
                            + p)
        print(len(pays))
        return
    if a.host is None or a.port is None:
        ap.error("HOST and PORT are needed to send")
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for p in pays:
        s.sendto(p, (a.host, a.port))
        time.sleep(a.gap / 1000)
    print(len(pays))


if __name__ == "__main__":
    main()
