#!/usr/bin/python3
"""Write an IPFIX stream of N distinct data records (one template, id 256:
sourceIPv4Address, destinationIPv4Address, packetDeltaCount,
octetDeltaCount; record i has packetDeltaCount i), packed into messages of
at most MSGSIZE bytes, for the bulk and tail-loss tests of the secured
transports. Standard library only.

usage: mkbulk.py N ODID MSGSIZE OUT
"""
import struct
import sys

TMPL = struct.pack("!HHHHHHHHHHHH", 2, 24, 256, 4, 8, 4, 12, 4, 2, 8, 1, 8)
RECLEN = 24


def message(odid, seq, sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), 0x5f000000, seq,
                       odid) + body


def main():
    n, odid, size, out = (int(sys.argv[1]), int(sys.argv[2]),
                          int(sys.argv[3]), sys.argv[4])
    per = (size - 16 - 4) // RECLEN
    seq = 0
    with open(out, "wb") as f:
        f.write(message(odid, seq, [TMPL]))
        for first in range(0, n, per):
            count = min(per, n - first)
            recs = b"".join(struct.pack("!IIQQ", 0x0a000000 | (i & 0xffff),
                                        0x0a010000 | (i >> 16), i, i * 100)
                            for i in range(first, first + count))
            f.write(message(odid, seq, [struct.pack("!HH", 256,
                                                    4 + len(recs)) + recs]))
            seq += count


if __name__ == "__main__":
    main()
