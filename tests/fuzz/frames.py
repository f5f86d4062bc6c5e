#!/usr/bin/env python3
"""Seed inputs for fuzz_packet from pcap files: each seed is one byte naming
the link type (index into fuzz_packet.c's table) followed by one frame.
Usage: frames.py OUTDIR FILE...  (pcapng and unknown link types are skipped;
at most 24 distinct frames per file)."""
import hashlib
import os
import struct
import sys

INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 12: 4, 14: 5, 0: 6, 108: 7, 226: 8,
         228: 9, 229: 10}


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return None, []
    link = struct.unpack(end + "I", data[20:24])[0] & 0xffff
    out, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        pos += 16
        if incl > len(data) - pos:
            break
        out.append(data[pos:pos + incl])
        pos += incl
    return link, out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[2:]:
        link, fr = frames(path)
        if link not in INDEX:
            continue
        seen = set()
        for frame in fr:
            key = frame[:64]
            if key in seen:
                continue
            seen.add(key)
            seed = bytes([INDEX[link]]) + frame
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(seed)
            if len(seen) >= 24:
                break


main()
