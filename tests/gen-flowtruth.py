#!/usr/bin/python3
"""Compare ipfix-gen's flows with tshark's own view of a capture.

usage: gen-flowtruth.py CAPTURE IPFIX READ IGNORED

Decodes IPFIX (an ipfix-gen stream, uniflow, default fields) with
python3-ipfix and sums packets and octets per directional 5-tuple. Reads
CAPTURE with tshark (IP defragmentation off, so each fragment is a packet)
and sums the same per 5-tuple, giving non-first fragments the ports of
their first fragment by (addresses, protocol, fragment id), as a meter
does. Octets are IP total lengths (IPv4 ip.len, IPv6 payload length + 40)
of the outermost IP header. Flows that disagree are printed; exit 1 then.
READ and IGNORED are ipfix-gen's counts (--stats) of packets read and
ignored. The flows must hold exactly READ - IGNORED packets, READ must be
tshark's frame count, and at most IGNORED minus the frames tshark sees as
non-IP may be missing from flows (IP that ipfix-gen counted as malformed
or could not reach, e.g. PPPoE).
"""
import subprocess
import sys
from collections import defaultdict

import ipfix.ie
import ipfix.reader

FIELDS = ["frame.protocols", "ip.src", "ip.dst", "ip.proto", "ip.len",
          "ip.id", "ip.flags.mf", "ip.frag_offset", "ipv6.src", "ipv6.dst",
          "ipv6.nxt", "ipv6.plen", "ipv6.fraghdr.ident",
          "ipv6.fraghdr.offset", "ipv6.fraghdr.nxt", "tcp.srcport",
          "tcp.dstport", "udp.srcport", "udp.dstport", "sctp.srcport",
          "sctp.dstport"]
TRANSPORT = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}
PORTS = {6: "tcp", 17: "udp", 132: "sctp"}


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE", "-T", "fields",
           "-E", "occurrence=f", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        yield dict(zip(FIELDS, line.split("\t")))


def num(s, default=0):
    try:
        return int(s, 0)
    except ValueError:
        return default


def first_ip(protos):
    """The outermost IP layer and the transport right after it."""
    layers = protos.split(":")
    for i, layer in enumerate(layers):
        if layer in ("ip", "ipv6"):
            rest = [x for x in layers[i + 1:] if not x.startswith("ipv6.")]
            nxt = rest[0] if rest else ""
            return layer, TRANSPORT.get(nxt)
    return None, None


def packet_key(r, frags):
    """(key, octets) of one tshark row, or None for non-IP."""
    layer, proto = first_ip(r["frame.protocols"])
    if layer == "ip":
        src, dst = r["ip.src"], r["ip.dst"]
        octets = num(r["ip.len"])
        proto = num(r["ip.proto"]) if proto is None else proto
        fid, off = num(r["ip.id"]), num(r["ip.frag_offset"])
        frag = off != 0 or r["ip.flags.mf"] in ("1", "True")
    elif layer == "ipv6":
        src, dst = r["ipv6.src"], r["ipv6.dst"]
        octets = num(r["ipv6.plen"]) + 40
        fid, off = num(r["ipv6.fraghdr.ident"]), num(r["ipv6.fraghdr.offset"])
        frag = r["ipv6.fraghdr.ident"] != ""
        if proto is None:
            proto = num(r["ipv6.fraghdr.nxt"] if frag else r["ipv6.nxt"])
    else:
        return None
    sport = dport = 0
    fkey = (src, dst, proto, fid)
    if frag and off != 0:
        sport, dport = frags.get(fkey, (0, 0))
    elif proto in PORTS:
        name = PORTS[proto]
        sport = num(r[name + ".srcport"])
        dport = num(r[name + ".dstport"])
        if frag:
            frags[fkey] = (sport, dport)
    return (src, dst, proto, sport, dport), octets


def tshark_flows(path):
    flows = defaultdict(lambda: [0, 0])
    frags = {}
    frames = nonip = 0
    for r in tshark_rows(path):
        frames += 1
        kv = packet_key(r, frags)
        if kv is None:
            nonip += 1
            continue
        flows[kv[0]][0] += 1
        flows[kv[0]][1] += kv[1]
    return flows, frames, nonip


def ipfix_flows(path):
    ipfix.ie.use_iana_default()
    ipfix.ie.use_5103_default()
    flows = defaultdict(lambda: [0, 0])
    records = 0
    with open(path, "rb") as f:
        for rec in ipfix.reader.from_stream(f).namedict_iterator():
            if "packetDeltaCount" not in rec:
                continue
            src = rec.get("sourceIPv4Address", rec.get("sourceIPv6Address"))
            dst = rec.get("destinationIPv4Address",
                          rec.get("destinationIPv6Address"))
            key = (str(src), str(dst), rec["protocolIdentifier"],
                   rec.get("sourceTransportPort", 0),
                   rec.get("destinationTransportPort", 0))
            flows[key][0] += rec["packetDeltaCount"]
            flows[key][1] += rec["octetDeltaCount"]
            records += 1
    return flows, records


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    read, ignored = int(sys.argv[3]), int(sys.argv[4])
    truth, frames, nonip = tshark_flows(sys.argv[1])
    allowed = ignored - nonip
    got, records = ipfix_flows(sys.argv[2])
    bad = 0
    missing = 0
    for key in sorted(set(truth) | set(got), key=str):
        t, g = truth.get(key, [0, 0]), got.get(key, [0, 0])
        if t == g:
            continue
        if g[0] <= t[0] and g[1] <= t[1]:
            missing += t[0] - g[0]
            if missing <= allowed:
                continue
        bad += 1
        print("flow %s: tshark %d pkts %d octets, ipfix-gen %d pkts %d "
              "octets" % (key, t[0], t[1], g[0], g[1]))
    tp = sum(v[0] for v in truth.values())
    gp = sum(v[0] for v in got.values())
    print("%s: %d flows (tshark) / %d keys in %d records (ipfix-gen), "
          "%d / %d packets, %d mismatches"
          % (sys.argv[1], len(truth), len(got), records, tp, gp, bad))
    if frames != read or gp != read - ignored:
        print("totals: tshark %d frames, ipfix-gen read %d, ignored %d, "
              "%d packets in flows" % (frames, read, ignored, gp))
        bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
