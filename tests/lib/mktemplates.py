#!/usr/bin/python3
"""Write an IPFIX stream of N distinct templates (IDs 256..256+N-1, one
field each: sourceIPv4Address), packed into messages of at most 1400
bytes, for the "too many templates from one peer" test. Standard
library only.

usage: mktemplates.py N ODID OUT
"""
import struct
import sys


def main():
    n, odid, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    per = (1400 - 16 - 4) // 8
    seq = 0
    with open(out, "wb") as f:
        for first in range(0, n, per):
            ids = range(256 + first, 256 + min(n, first + per))
            body = b"".join(struct.pack("!HHHH", t, 1, 8, 4) for t in ids)
            tset = struct.pack("!HH", 2, 4 + len(body)) + body
            hdr = struct.pack("!HHIII", 10, 16 + len(tset), 1700000000,
                              seq, odid)
            f.write(hdr + tset)


if __name__ == "__main__":
    main()
