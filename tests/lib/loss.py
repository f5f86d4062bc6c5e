#!/usr/bin/python3
"""Records in dropped messages, for the e2e loss test.

usage: loss.py SENT.json DROPPED.txt
SENT.json is `ipfix-dump --json=all` of everything the exporter sent (a
capture on its side), DROPPED.txt the "ODID SEQ SPORT" lines of nflog.py.
Prints two numbers: the records in dropped messages, and those of them
that a collector can detect from sequence numbers (a dropped message after
the last one that arrived in its Transport Session and ODID cannot be
seen). Sessions are told apart by the exporter's source port, so hand-offs
(sequence numbers from 0 on each session) are counted right. Standard
library only.
"""
import json
import sys


def main():
    msgs = []		# [(sport, odid), seq, records]
    with open(sys.argv[1]) as f:
        for raw in f:
            o = json.loads(raw)
            if o.get("type") == "message":
                port = int(o.get("peer", ":0 ->").split(" -> ")[0]
                           .rsplit(":", 1)[1])
                msgs.append([(port, o["odid"]), o["seq"], 0])
            elif o.get("type") == "record" and msgs:
                msgs[-1][2] += 1
    dropped = set()
    with open(sys.argv[2]) as f:
        for ln in f:
            odid, seq, port = ln.split()
            dropped.add(((int(port), int(odid)), int(seq)))
    last = {}
    for odid, seq, n in msgs:
        if (odid, seq) not in dropped:
            last[odid] = max(last.get(odid, -1), seq)
    total = visible = 0
    for odid, seq, n in msgs:
        if (odid, seq) in dropped:
            total += n
            if seq < last.get(odid, -1):
                visible += n
    print(total, visible)


if __name__ == "__main__":
    main()
