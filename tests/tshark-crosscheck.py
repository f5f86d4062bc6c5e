#!/usr/bin/python3
"""Cross-check ipfix-dump --json against tshark's IPFIX (cflow) dissector.

usage: tshark-crosscheck.py [--dump PATH] [--quiet] [--verbose] FILE...

For every FILE (raw IPFIX stream or pcap/pcapng capture) both decoders
run: `ipfix-dump -v --json=all FILE` (records carry "offset" and
"field_offsets") and `tshark -r FILE -T pdml` (every field carries its
frame position "pos" and "size"). Records are paired in file order, and
each tshark leaf field is paired with the ipfix-dump field whose value
starts at the same position inside the record; when the sizes also agree
the two values are compared after the normalisation below. Fields tshark
splits into parts (MPLS label, exp, bottom-of-stack) or that it does not
place on a value are counted as "not compared", never as matches.

Captures whose IPFIX uses a port other than 4739/2055 get
`-d udp.port==PORT,cflow` for each port ipfix-dump saw. A capture holding
only NetFlow v5 must be rejected by ipfix-dump with a message naming the
NetFlow version: that counts as a pass ("rejected"). NetFlow v9, which
ipfix-dump converts to IPFIX (times made absolute, so field positions
move), is compared by tests/nfv9-tshark.py instead ("NetFlow v9: see
nfv9-tshark.py", a pass when ipfix-dump decoded it without failing).

Prints one line per file, "FILE: N matches, M mismatches, K not compared"
(plus each mismatch), and exits 1 when any file has a mismatch or a
decoder failed. Python 3 standard library only.
"""

import datetime
import ipaddress
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

TIMEOUT = 300
VERBOSE = False
# tshark fields that describe the encoding, not a value.
IGNORED = {"cflow.string_len_short", "cflow.string_len_long",
           "cflow.template_frame", "cflow.padding"}

# Normalisation table: how tshark's "show" text and ipfix-dump's JSON value
# are brought to one form per abstract data type. Keep it small.
#  - integers: tshark shows some in hex ("0xb8", tos, tcpflags): parsed
#    as numbers; relative times (flowStartSysUpTime) appear as seconds
#    with a fraction: compared as milliseconds.
#  - addresses: compared as ipaddress objects (RFC 5952 forms differ).
#  - macAddress, octetArray: lower-case hex, separators removed.
#  - booleans: tshark shows the wire value (1 true, 2 false) or a word.
#  - dateTime*: tshark "Feb 28, 2023 09:46:01.088000000 UTC", ipfix-dump
#    ISO 8601; compared as integer nanoseconds. dateTimeMicroseconds are
#    rounded to microseconds first: tshark truncates the NTP fraction
#    (".492059999"), ipfix-dump gives the microsecond the exporter meant
#    (".492060"); RFC 7011 §6.1.9 ignores the low fraction bits.
#  - strings: NUL padding removed on both sides (ipfix-dump trims it).
#  - bit-fields (MPLS label, forwardingStatus parts): tshark shows the part
#    but also gives the whole field as "unmaskedvalue": that is compared.
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
TS_RE = re.compile(r"^(\w{3})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)"
                   r"(?:\.(\d+))? UTC$")
ISO_RE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)"
                    r"(?:\.(\d+))?Z$")
EPOCH = datetime.datetime(1970, 1, 1)


def ns_of(y, mo, d, h, mi, s, frac):
    secs = (datetime.datetime(y, mo, d, h, mi, s) - EPOCH)
    secs = secs.days * 86400 + secs.seconds
    frac = (frac or "").ljust(9, "0")[:9]
    return secs * 10**9 + int(frac)


def tshark_time(show):
    m = TS_RE.match(show.strip())
    if not m:
        return None
    g = m.groups()
    return ns_of(int(g[2]), MONTHS[g[0]], int(g[1]), int(g[3]), int(g[4]),
                 int(g[5]), g[6])


def iso_time(s):
    m = ISO_RE.match(s)
    if not m:
        return None
    g = m.groups()
    return ns_of(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]),
                 int(g[5]), g[6])


def as_int(show):
    show = show.strip()
    try:
        return int(show, 16) if show.lower().startswith("0x") else int(show)
    except ValueError:
        return None


def norm_hex(s):
    s = s.strip().lower()
    return re.sub(r"[^0-9a-f]", "", s[2:] if s.startswith("0x") else s)


def same(typ, mine, show):
    """True when tshark's text 'show' means the JSON value 'mine'."""
    if isinstance(mine, (dict, list)):
        return None                     # lists, invalid values: no peer
    if typ.startswith(("unsigned", "signed")):
        v = as_int(show)
        if v is None and re.match(r"^-?\d+\.\d+$", show.strip()):
            v = round(float(show) * 1000)      # relative time, seconds
        return v == mine
    if typ.startswith("float"):
        try:
            t = float(show)
        except ValueError:
            return False
        return abs(t - float(mine)) <= 1e-6 * max(1.0, abs(t))
    if typ == "boolean":
        t = {"1": True, "2": False, "true": True, "false": False}.get(
            show.strip().lower())
        return t == mine
    if typ in ("ipv4Address", "ipv6Address"):
        try:
            return ipaddress.ip_address(show) == ipaddress.ip_address(mine)
        except ValueError:
            return False
    if typ in ("macAddress", "octetArray", "unsigned256"):
        return norm_hex(show) == norm_hex(str(mine))
    if typ.startswith("dateTime"):
        a, b = tshark_time(show), iso_time(str(mine))
        if a is None or b is None:
            return False
        if typ == "dateTimeMicroseconds":
            a, b = (a + 500) // 1000, (b + 500) // 1000
        return a == b
    if typ == "string":
        return show.rstrip("\0") == str(mine).rstrip("\0")
    return norm_hex(show) == norm_hex(str(mine))


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT)


def dump_records(dump, path):
    """ipfix-dump's records: (template fields, record) in file order."""
    p = run([dump, "-v", "--json=all", path])
    templates, recs, ports = {}, [], set()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        o = json.loads(line)
        key = (o.get("session", 0), o.get("odid"), o.get("template"))
        if o["type"] in ("template", "options-template"):
            templates[key] = o["fields"]
        elif o["type"] == "record":
            recs.append((templates.get(key, []), o))
            m = re.search(r":(\d+)$", o.get("peer", ""))
            if m:
                ports.add(int(m.group(1)))
    return p.returncode, p.stderr.decode("utf-8", "replace"), recs, ports


def leaves(flow, base):
    """tshark leaf fields of one Flow: (relative pos, size, name, show)."""
    out = []
    for f in flow.iter("field"):
        name = f.get("name", "")
        if not name.startswith("cflow.") or name in IGNORED:
            continue
        if f.get("pos") is None or f.get("size") in (None, "0"):
            continue
        show = f.get("show", "")
        if f.get("unmaskedvalue") is not None:
            show = "0x" + f.get("unmaskedvalue")
        out.append((int(f.get("pos")) - base, int(f.get("size")), name,
                    show))
    return out


def tshark_records(path, ports):
    cmd = ["tshark", "-r", path, "-T", "pdml"]
    for port in sorted(ports - {4739, 2055}):
        cmd += ["-d", "udp.port==%d,cflow" % port]
    p = run(cmd)
    recs = []
    root = ET.fromstring(p.stdout) if p.stdout else ET.Element("x")
    for proto in root.iter("proto"):
        if proto.get("name") != "cflow":
            continue
        ver = proto.find("field[@name='cflow.version']")
        if ver is not None and ver.get("show") == "9":
            return p.returncode, None
        for s in proto.findall("field"):
            if not s.get("show", "").startswith("Set "):
                continue
            sid = s.find("field[@name='cflow.flowset_id']")
            if sid is None or int(sid.get("show", "0")) < 256:
                continue
            for flow in s.findall("field"):
                if flow.get("show", "").startswith("Flow "):
                    recs.append(leaves(flow, int(flow.get("pos"))))
    return p.returncode, recs


SKIPPED = {}


def compare_record(fields, rec, tleaves, log):
    """Returns (matches, mismatches, not compared) for one record pair."""
    keys = [k for k in rec if k not in ("type", "odid", "export_time",
            "session", "peer", "template", "offset", "field_offsets")]
    offs = rec.get("field_offsets", [])
    at = {}
    for i, k in enumerate(keys):
        if i < len(offs) and i < len(fields):
            at[offs[i] - rec["offset"]] = (k, fields[i])
    ok = bad = skip = 0
    for rel, size, name, show in tleaves:
        hit = at.get(rel)
        k, f = hit if hit is not None else (None, None)
        # Not on a value, or a part of one (MPLS exp/bos bits, ...).
        if hit is None or (f["length"] != "variable" and
                           f["length"] != size):
            r = None
        else:
            r = same(f["type"], rec[k], show)
        if r is None:
            skip += 1
            SKIPPED[name] = SKIPPED.get(name, 0) + 1
        elif r:
            ok += 1
        else:
            bad += 1
            log.append("  template %s %s: ipfix-dump %r, tshark %s=%r" % (
                rec["template"], k, rec[k], name, show))
    return ok, bad, skip


def check(dump, path, quiet):
    rc, err, mine, ports = dump_records(dump, path)
    base = os.path.basename(path)
    if not mine and re.search(r"NetFlow v(5|9)", err):
        print("%s: rejected by ipfix-dump as NetFlow (%s)" % (
            base, re.search(r"NetFlow v\d", err).group(0)))
        return True
    trc, theirs = tshark_records(path, ports)
    if not mine and not theirs and rc == 0:
        print("%s: no record decodable by either" % base)
        return True
    if theirs is None:
        print("%s: NetFlow v9: see nfv9-tshark.py (ipfix-dump exit %d)" %
              (base, rc))
        return rc == 0
    log, ok, bad, skip = [], 0, 0, 0
    if trc != 0:
        log.append("  tshark exited with %d" % trc)
        bad += 1
    if len(mine) != len(theirs):
        log.append("  record count: ipfix-dump %d, tshark %d" % (
            len(mine), len(theirs)))
        bad += 1
    for (fields, rec), tl in zip(mine, theirs):
        o, b, s = compare_record(fields, rec, tl, log)
        ok, bad, skip = ok + o, bad + b, skip + s
    print("%s: %d records, %d matches, %d mismatches, %d not compared" % (
        base, len(mine), ok, bad, skip))
    for line in log[:50] if not quiet else []:
        print(line)
    if VERBOSE and SKIPPED:
        print("  not compared: " + ", ".join("%s %d" % kv for kv in
                                             sorted(SKIPPED.items())))
    SKIPPED.clear()
    return bad == 0 and ok > 0


def main(argv):
    dump = os.path.join(os.environ.get("IPFIX_BIN", "build/cc/bin"),
                        "ipfix-dump")
    files, quiet = [], False
    it = iter(argv)
    for a in it:
        if a == "--dump":
            dump = next(it)
        elif a == "--quiet":
            quiet = True
        elif a == "--verbose":
            global VERBOSE
            VERBOSE = True
        else:
            files.append(a)
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    good = True
    for f in files:
        good &= check(dump, f, quiet)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
