#!/usr/bin/python3
"""Write a small IPFIX file showing one exporter quirk (issue 12), for
tests/quirks.bats. Each file holds three messages: a template (re-sent in
every message, as UDP exporters do) and one data record per message.
Standard library only.

usage: mkquirks.py QUIRK OUT
QUIRK: sampler   samplerId (unsigned8) declared with length 4 (C31)
       ms4       flowStartMilliseconds in 4 octets (C31, kept as octets)
       noscope   options template with scope field count 0 (C24)
       pen0      field with the enterprise bit and enterprise number 0 (C20)
       msgpad    2 zero bytes after the last set of each message (C15)
       clean     the same as sampler with samplerId in 1 octet
"""
import struct
import sys

TID = 300


def fields(quirk):
    """(template record body after id/count, record bytes, set id)."""
    if quirk in ("sampler", "clean", "msgpad"):
        n = 4 if quirk == "sampler" else 1
        spec = struct.pack("!HHHH", 48, n, 4, 1)	# samplerId, protocol
        return spec, (5).to_bytes(n, "big") + bytes([17]), 2
    if quirk == "ms4":
        spec = struct.pack("!HHHH", 152, 4, 4, 1)
        return spec, struct.pack("!IB", 0x01020304, 6), 2
    if quirk == "noscope":
        spec = struct.pack("!HHH", 0, 7, 2)		# scope 0, srcPort
        return spec, struct.pack("!H", 4739), 3
    if quirk == "pen0":
        spec = struct.pack("!HHI", 0x8000 | 7, 2, 0)	# srcPort, E, PEN 0
        return spec, struct.pack("!H", 4739), 2
    raise SystemExit("unknown quirk " + quirk)


def message(seq, quirk):
    spec, rec, set_id = fields(quirk)
    count = 1 if quirk in ("noscope", "pen0") else 2
    trec = struct.pack("!HH", TID, count) + spec
    tset = struct.pack("!HH", set_id, 4 + len(trec)) + trec
    dset = struct.pack("!HH", TID, 4 + len(rec)) + rec
    body = tset + dset + (b"\0\0" if quirk == "msgpad" else b"")
    return struct.pack("!HHIII", 10, 16 + len(body), 1700000000 + seq, seq,
                       42) + body


def main():
    quirk, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        for seq in range(3):
            f.write(message(seq, quirk))


if __name__ == "__main__":
    main()
