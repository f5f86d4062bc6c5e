#!/usr/bin/python3
"""Canonical records from `ipfix-dump --json` (stdin) for the e2e tests.

canon     sorted records, one JSON object per line, without what transport
          legitimately changes: the export time and template id of the
          message, and the RFC 5655 session/message details records that
          ipfix-recv adds to keep transport-session identity.
count     the number of such records.
sessions  records grouped by the transport session that carried them (the
          exporter/collector fields of the last details record before
          them): one line per session, "COUNT SHA256" of its canon lines,
          sorted, so groups can be compared without knowing source ports.
sums      "FLOWS PACKETS OCTETS": flow records (those with a
          packetDeltaCount) and their packet and octet totals, to compare
          with what other collectors count.
Standard library only.
"""
import hashlib
import json
import sys

# pcap input adds the capture session and peer, ipfix-recv output the
# exporter of each record: metadata, not record data
DROP = ("export_time", "template", "session", "peer", "exporter")
DETAIL_KEYS = ("sessionScope", "messageScope")


def is_detail(rec):
    return any(k in rec for k in DETAIL_KEYS)


def session_key(rec):
    """The identity fields of a details record (time stamps excluded)."""
    return tuple(sorted((k, json.dumps(v)) for k, v in rec.items()
                        if k.startswith(("exporter", "collector"))
                        and "Time" not in k))


def line(rec):
    rec = {k: v for k, v in rec.items() if k not in DROP}
    return json.dumps(rec, sort_keys=True, separators=(",", ":"))


def records(stream):
    for raw in stream:
        raw = raw.strip()
        if not raw:
            continue
        rec = json.loads(raw)
        if rec.get("type") == "record":
            yield rec


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "canon"
    groups = {}
    key = ()
    out = []
    for rec in records(sys.stdin):
        if is_detail(rec):
            k = session_key(rec)
            if k:
                key = k
            continue
        out.append(line(rec))
        groups.setdefault(key, []).append(out[-1])
    if what == "canon":
        sys.stdout.write("".join(s + "\n" for s in sorted(out)))
    elif what == "count":
        print(len(out))
    elif what == "sums":
        flows = [json.loads(s) for s in out]
        flows = [r for r in flows if "packetDeltaCount" in r]
        print(len(flows), sum(r["packetDeltaCount"] for r in flows),
              sum(r.get("octetDeltaCount", 0) for r in flows))
    elif what == "sessions":
        res = []
        for recs in groups.values():
            h = hashlib.sha256("".join(s + "\n" for s in sorted(recs))
                               .encode()).hexdigest()
            res.append("%d %s" % (len(recs), h))
        sys.stdout.write("".join(s + "\n" for s in sorted(res)))
    else:
        sys.exit("usage: records.py canon|count|sessions|sums < json")


if __name__ == "__main__":
    main()
