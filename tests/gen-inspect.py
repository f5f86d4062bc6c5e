#!/usr/bin/python3
"""Independent reader of ipfix-gen output for the bats tests.

usage: gen-inspect.py [-r] FILE

Parses the raw IPFIX stream itself (fixed-length fields only, which is all
ipfix-gen writes) and prints one fact per line:
  messages N / maxlen N / odids A,B / seqok 0|1 / timeok 0|1 / times T1 T2
  template TID [scope=N] ID[/PEN]:LEN,...
  records TID N
With -r also every data record: "rec TID ID[/PEN]=VALUE ...".
seqok: each header's sequence number equals the data records before it
(RFC 7011 §3.1); timeok: export times never go down (RFC 5655 §7.2).
"""
import signal
import struct
import sys


def fields_of(body, pos, options):
    tid, count = struct.unpack_from("!HH", body, pos)
    pos += 4
    scope = 0
    if options:
        scope = struct.unpack_from("!H", body, pos)[0]
        pos += 2
    fields = []
    for _ in range(count):
        fid, flen = struct.unpack_from("!HH", body, pos)
        pos += 4
        pen = 0
        if fid & 0x8000:
            pen = struct.unpack_from("!I", body, pos)[0]
            pos += 4
            fid &= 0x7fff
        fields.append((fid, pen, flen))
    return tid, scope, fields, pos


def label(f):
    return "%d/%d" % (f[0], f[1]) if f[1] else "%d" % f[0]


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    show = sys.argv[1] == "-r"
    data = open(sys.argv[-1], "rb").read()
    tmpl, counts, odids, times = {}, {}, set(), []
    pos = msgs = maxlen = seen = 0
    seqok = timeok = 1
    while pos + 16 <= len(data):
        ver, mlen, etime, seq, odid = struct.unpack_from("!HHIII", data, pos)
        if ver != 10 or mlen < 16:
            print("bad message at %d" % pos)
            sys.exit(1)
        msgs += 1
        maxlen = max(maxlen, mlen)
        odids.add(odid)
        if seq != seen % 2**32:
            seqok = 0
        if times and etime < times[-1]:
            timeok = 0
        times.append(etime)
        spos = pos + 16
        while spos + 4 <= pos + mlen:
            sid, slen = struct.unpack_from("!HH", data, spos)
            body = data[spos + 4:spos + slen]
            if sid in (2, 3):
                p = 0
                while p + 4 <= len(body):
                    tid, scope, fl, p = fields_of(body, p, sid == 3)
                    tmpl[tid] = (scope, fl)
                    print("template %d%s %s" % (tid, " scope=%d" % scope
                          if sid == 3 else "", ",".join(
                              "%s:%d" % (label(f), f[2]) for f in fl)))
            elif sid >= 256:
                fl = tmpl[sid][1]
                rlen = sum(f[2] for f in fl)
                p = 0
                while p + rlen <= len(body):
                    vals = []
                    for f in fl:
                        v = int.from_bytes(body[p:p + f[2]], "big")
                        vals.append("%s=%d" % (label(f), v))
                        p += f[2]
                    seen += 1
                    counts[sid] = counts.get(sid, 0) + 1
                    if show:
                        print("rec %d %s" % (sid, " ".join(vals)))
            spos += slen
        pos += mlen
    if pos != len(data):
        print("trailing bytes %d" % (len(data) - pos))
    print("messages %d" % msgs)
    print("maxlen %d" % maxlen)
    print("odids %s" % ",".join(str(o) for o in sorted(odids)))
    print("seqok %d" % seqok)
    print("timeok %d" % timeok)
    print("times %s" % " ".join(str(t) for t in times[:1] + times[-1:]))
    for tid in sorted(counts):
        print("records %d %d" % (tid, counts[tid]))


if __name__ == "__main__":
    main()
