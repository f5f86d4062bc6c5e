#!/usr/bin/python3
"""IPFIX message headers of the UDP packets in an NFLOG capture (tcpdump
-i nflog:N -w FILE): one line "ODID SEQ SPORT" per packet (SPORT: the UDP
source port, which tells the exporter's Transport Sessions apart). The e2e loss test
logs exactly the datagrams its nftables rule drops, so these are the
messages that never reached the collector. Standard library only.

usage: nflog.py FILE.pcap
"""
import struct
import sys

DLT_NFLOG = 239
NFULA_PAYLOAD = 9


def packets(data):
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != DLT_NFLOG:
        sys.exit("nflog.py: not an NFLOG capture")
    i = 24
    while len(data) - i >= 16:
        incl = struct.unpack(end + "I", data[i + 8:i + 12])[0]
        yield data[i + 16:i + 16 + incl]
        i += 16 + incl


def payload(frame):
    """The IP packet inside an NFLOG frame (TLVs after a 4-byte header)."""
    i = 4
    while len(frame) - i >= 4:
        tlen, ttype = struct.unpack("<HH", frame[i:i + 4])
        if tlen < 4:
            return None
        if ttype == NFULA_PAYLOAD:
            return frame[i + 4:i + tlen]
        i += (tlen + 3) & ~3
    return None


def ipfix_header(ip):
    if ip[0] >> 4 == 4:
        udp = (ip[0] & 15) * 4
    else:
        udp = 40	# no extension headers on our veth
    msg = ip[udp + 8:]
    if len(msg) < 16:
        return None
    return struct.unpack("!HHIII", msg[:16]) + \
        struct.unpack("!H", ip[udp:udp + 2])


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    for frame in packets(data):
        ip = payload(frame)
        hdr = ipfix_header(ip) if ip else None
        if hdr and hdr[0] == 10:
            print(hdr[4], hdr[3], hdr[5])


if __name__ == "__main__":
    main()
