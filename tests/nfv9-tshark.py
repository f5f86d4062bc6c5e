#!/usr/bin/python3
"""Compare the NetFlow v9 records of captures (or of IPFIX streams made
from them) as ipfix-dump and tshark decode them.

usage: nfv9-tshark.py --dump PATH V9CAPTURE [IPFIX_FILE]

tshark reads V9CAPTURE's NetFlow v9 (cflow dissector, -d for the UDP
ports ipfix-dump names); ipfix-dump reads IPFIX_FILE if given (ipfix-recv's
output of the same packets), else V9CAPTURE. Per record: octets, packets
and the flow's start and end as absolute milliseconds (tshark gives them
relative to sysUpTime: unix_secs * 1000 - sysUpTime + FIRST_SWITCHED).
Prints "FILE: N records (tshark M), octets A (tshark B), ..." and exits 1
when the record count, the octet or packet sums, or the sorted list of
(octets, packets, start, end) differ. Python 3 standard library only.
"""
import datetime
import json
import re
import subprocess
import sys

TIMEOUT = 300


def iso_ms(s):
    t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return round(t.timestamp() * 1000)


def dump_records(dump, path):
    out = subprocess.run([dump, "--json", "-q", path], capture_output=True,
                         text=True, timeout=TIMEOUT).stdout
    recs, ports = [], set()
    for line in out.splitlines():
        o = json.loads(line)
        if o.get("type") != "record" or "octetDeltaCount" not in o:
            continue
        m = re.search(r":(\d+)$", o.get("peer", ""))
        if m:
            ports.add(m.group(1))
        recs.append((o["octetDeltaCount"], o.get("packetDeltaCount"),
                     iso_ms(o["flowStartMilliseconds"]),
                     iso_ms(o["flowEndMilliseconds"])))
    return recs, ports


def split(v):
    return [x for x in v.split(",") if x != ""]


def tshark_records(path, ports):
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "occurrence=a",
           "-Y", "cflow.version == 9"]
    for p in sorted(ports):
        cmd += ["-d", "udp.port==%s,cflow" % p]
    for f in ("cflow.unix_secs", "cflow.sysuptime", "cflow.octets",
              "cflow.packets", "cflow.timestart", "cflow.timeend"):
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=TIMEOUT).stdout
    recs = []
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < 6 or not cols[2]:
            continue
        base = int(cols[0]) * 1000 - round(float(cols[1]) * 1000)
        octs, pkts, starts, ends = (split(c) for c in cols[2:6])
        if len(starts) != len(octs):	# absolute times (152/153): no
            starts = ends = [None] * len(octs)	# relative ones to check
        for o, p, s, e in zip(octs, pkts, starts, ends):
            recs.append((int(o), int(p),
                         None if s is None else base + round(float(s) * 1000),
                         None if e is None else base + round(float(e) * 1000)))
    return recs


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--dump":
        sys.exit(__doc__)
    dump, cap = args[1], args[2]
    mine, ports = dump_records(dump, args[3] if len(args) > 3 else cap)
    if not ports:
        ports = {"2055", "9991", "2057"}
    theirs = tshark_records(cap, ports)
    if any(r[2] is None for r in theirs):	# compare what tshark has
        mine = [(o, p, None, None) for o, p, _, _ in mine]
        theirs = [(o, p, None, None) for o, p, _, _ in theirs]
    so = (sum(r[0] for r in mine), sum(r[0] for r in theirs))
    sp = (sum(r[1] for r in mine), sum(r[1] for r in theirs))
    same = sorted(mine, key=str) == sorted(theirs, key=str)
    print("%s: %d records (tshark %d), octets %d (tshark %d), packets %d "
          "(tshark %d), records %s" % (cap.rsplit("/", 1)[-1], len(mine),
                                       len(theirs), so[0], so[1], sp[0],
                                       sp[1], "equal" if same else
                                       "DIFFER"))
    if not same:
        for a, b in zip(sorted(mine, key=str), sorted(theirs, key=str)):
            if a != b:
                print("  first difference: ipfix-dump %s, tshark %s" %
                      (a, b))
                break
    sys.exit(0 if same and len(mine) == len(theirs) else 1)


if __name__ == "__main__":
    main()
