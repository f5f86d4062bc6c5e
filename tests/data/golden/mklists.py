#!/usr/bin/env python3
"""Writes lists.ipfix: a small IPFIX file (RFC 5655 layout) whose records
carry RFC 6313 lists in every shape the printers and the validator walk:
basicList, subTemplateList and subTemplateMultiList, nested, repeated
elements, strings with bad UTF-8, bad booleans, malformed and truncated
lists, unknown sub-templates and nesting past the depth bound (C37, C38).
Generated for this project (no third-party bytes); deterministic.

usage: mklists.py OUT
"""
import struct
import sys

ODID = 7
EXPORT = 1764000000


def varlen(b):
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b"\xff" + struct.pack("!H", len(b)) + b


def field(ie, ln, pen=0):
    if pen:
        return struct.pack("!HHI", ie | 0x8000, ln, pen)
    return struct.pack("!HH", ie, ln)


def tmpl(tid, fields):
    return struct.pack("!HH", tid, len(fields)) + b"".join(fields)


def bl(sem, ie, ln, elems, pen=0):
    return bytes([sem]) + field(ie, ln, pen) + b"".join(elems)


def stl(sem, tid, recs):
    return bytes([sem]) + struct.pack("!H", tid) + b"".join(recs)


def block(tid, recs, fake_len=None):
    body = b"".join(recs)
    n = fake_len if fake_len is not None else 4 + len(body)
    return struct.pack("!HH", tid, n) + body


def stml(sem, blocks):
    return bytes([sem]) + b"".join(blocks)


def sset(sid, body):
    return struct.pack("!HH", sid, 4 + len(body)) + body


def msg(n, sets, seq=0):
    """Message n (export time EXPORT + n); seq counts data records."""
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), EXPORT + n, seq,
                       ODID) + body


V = 0xFFFF
templates = sset(2, b"".join([
    # 256: address, basicList, subTemplateList, subTemplateMultiList
    tmpl(256, [field(8, 4), field(291, V), field(292, V), field(293, V)]),
    # 257: protocol, interfaceName (varlen string)
    tmpl(257, [field(4, 1), field(82, V)]),
    # 258: ports with a repeated element (C26)
    tmpl(258, [field(7, 2), field(11, 2), field(7, 2)]),
    # 259: one basicList
    tmpl(259, [field(291, V)]),
    # 260: one subTemplateList (nests itself)
    tmpl(260, [field(292, V)]),
    # 261: enterprise element, boolean
    tmpl(261, [field(7, 4, 12345), field(276, 1)]),
]))

r257a = b"\x06" + varlen(b"eth0")
r257b = b"\x11" + varlen(b"wlan\xff0")          # ill-formed UTF-8 (C34)
r258 = struct.pack("!HHH", 443, 51000, 444)
r261 = struct.pack("!I", 99) + b"\x03"            # boolean 3 (C33)

recs256 = [
    # all well-formed
    bytes([10, 0, 0, 1])
    + varlen(bl(3, 10, 4, [struct.pack("!I", i) for i in (1, 2, 3)]))
    + varlen(stl(3, 257, [r257a, r257a]))
    + varlen(stml(4, [block(257, [r257a]), block(258, [r258])])),
    # strings with bad UTF-8, unknown sub-template, two blocks one unknown
    bytes([10, 0, 0, 2])
    + varlen(bl(2, 82, V, [varlen(b"lo"), varlen(b"bad\xc3")]))
    + varlen(stl(1, 999, [b"\x01\x02\x03"]))
    + varlen(stml(255, [block(258, [r258, r258]), block(998, [b"\xaa"])])),
    # malformed: basicList too short, subTemplateList too short, empty STML
    bytes([10, 0, 0, 3])
    + varlen(b"\x03\x00")
    + varlen(b"\x01")
    + varlen(b"\x03"),
    # elements cut short, record overrunning, block length lie
    bytes([10, 0, 0, 4])
    + varlen(bl(3, 10, 4, [struct.pack("!I", 5), b"\x00\x01"]))
    + varlen(stl(3, 257, [b"\x06\x09ab"]))
    + varlen(stml(3, [block(258, [r258], fake_len=40)])),
    # empty lists, enterprise element list, bad booleans in a list
    bytes([10, 0, 0, 5])
    + varlen(bl(0, 7, 4, [struct.pack("!I", 1234)], pen=12345))
    + varlen(stl(3, 261, [r261]))
    + varlen(stml(1, [block(259, [varlen(bl(3, 276, 1, [b"\x01",
                                                          b"\x02",
                                                          b"\x00"]))])])),
]


def nest(depth):
    """A 260 record whose subTemplateList holds one 260 record, depth deep."""
    inner = varlen(stl(3, 258, [r258]))
    for _ in range(depth):
        inner = varlen(stl(3, 260, [inner]))
    return inner


recs259 = [
    # basicList of basicLists of ports
    varlen(bl(4, 291, V, [varlen(bl(3, 7, 2, [b"\x00\x50", b"\x01\xbb"])),
                          varlen(bl(3, 7, 2, []))])),
    # basicList of subTemplateLists
    varlen(bl(3, 292, V, [varlen(stl(3, 258, [r258]))])),
    # basicList of a reduced-size element (legal) and one not allowed
    varlen(bl(3, 8, 3, [b"\x0a\x00\x00"])),
]
recs260 = [nest(3), nest(12)]

data = (sset(256, b"".join(recs256)) + sset(259, b"".join(recs259))
        + sset(260, b"".join(recs260)))
out = msg(0, [templates]) + msg(1, [data])
# A second message referring to the sub-templates under another ODID:
# sub-templates are per (session, ODID), so they are unknown there.
other = bytearray(msg(2, [sset(2, tmpl(260, [field(292, V)])),
                          sset(260, recs260[0])]))
struct.pack_into("!I", other, 12, ODID + 1)
out += bytes(other)
with open(sys.argv[1], "wb") as f:
    f.write(out)
