#!/usr/bin/python3
"""Copy an IPFIX stream keeping only Template Sets and the Data Sets of
flow templates: options templates and their data are removed (template
IDs given on the command line are the options ones to drop). pmacct's
nfacctd 1.7.7 loses the flow records of a message that also carries
options data records (ipfix-gen's first message), so the nfacctd count
test feeds it flow records only. Standard library only.

usage: flowsonly.py IN OUT [OPTIONS-TEMPLATE-ID...]
"""
import struct
import sys


def strip(msg, drop):
    sets = b""
    j = 16
    while len(msg) - j >= 4:
        sid, slen = struct.unpack("!HH", msg[j:j + 4])
        if slen < 4 or slen > len(msg) - j:
            break
        if sid != 3 and sid not in drop:
            sets += msg[j:j + slen]
        j += slen
    if not sets:
        return b""
    return msg[:2] + struct.pack("!H", 16 + len(sets)) + msg[4:16] + sets


def main():
    drop = {int(x) for x in sys.argv[3:]}
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = b""
    i = 0
    while len(data) - i >= 16:
        n = struct.unpack("!H", data[i + 2:i + 4])[0]
        if n < 16 or n > len(data) - i:
            sys.exit("flowsonly.py: bad message length at %d" % i)
        out += strip(data[i:i + n], drop)
        i += n
    with open(sys.argv[2], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
