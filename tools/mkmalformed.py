#!/usr/bin/env python3
"""Write the malformed-IPFIX corpus: tests/data/malformed/*.ipfix + EXPECTED.

Usage: python3 tools/mkmalformed.py [OUTDIR]   (default tests/data/malformed)
Standard library only, deterministic: tests/malformed-corpus.bats runs it
into a temporary directory and compares every byte with the committed files.

Every file is a raw IPFIX stream (RFC 5655 layout, one transport session,
ODID 1) built the same way:
  1. a valid prologue message: Template 256 (sourceIPv4Address,
     destinationIPv4Address, octetDeltaCount, packetDeltaCount reduced to 4
     bytes; 20-byte records) and a Data Set of 2 records;
  2. the defect message, holding exactly ONE defect;
  3. unless the defect is the end of the file, a valid epilogue message with
     3 records of Template 256.
Sequence numbers count the data records a decoder can deliver before each
message, so the only thing a correct decoder reports is the defect.
No byte pair 00 0A occurs anywhere but at the start of a version-10
message (checked below), so an RFC 5655 §10.3 resynchronising reader finds
exactly the intended message boundaries.

EXPECTED: one line per file, tab-separated:
  <file> <check id or "-"> <severity: malformed|warn|note> <records>
severity is what libipfix/decode.h reports (malformed: the whole message is
discarded; warn: violation, the rest decoded; note: worth logging only) and
records is the number of data records the decoder delivers (on_record) for
the whole file. Records of a discarded message are not counted; a value
that its type does not allow (boolean 3, bad UTF-8) does not stop its record
from being delivered.

Decisions documented here (the RFC text does not spell them out):
- Zero-length records (zero-length-varlen): a Template whose only field is
  variable-length makes every record at least 1 byte (the length prefix),
  so RFC 7011 §3.3.1 ("padding shorter than any allowable record") leaves no
  room for padding: a Data Set body of three 00 bytes is three records whose
  value is empty, not padding (§7, §9: only trailing bytes shorter than a
  record are padding). The decoder delivers them and notes (C18) that a
  set ends in an all-zero record, which may be padding the exporter meant.
- Padding lie (padding-lie): 20 zero bytes after a 20-byte record are as
  long as a record, so they ARE a record (all fields zero) and are
  delivered; the decoder notes it under C18 because an exporter may have
  meant them as padding, which §3.3.1 forbids at that length. Same rule as
  above: the last record of a set is all zero bytes -> note C18.
- A field of fixed length 0 (zero-length-fixed: paddingOctets, length 0,
  the only field) gives 0-byte records. The template is legal (octetArray
  takes any length), but no record can be delimited; the decoder delivers
  none and warns (C18) that the set's bytes are "padding" not shorter than
  the smallest record.
- Set IDs 0 and 1 (NetFlow v9 template sets) are skipped with a warning
  under C13, the item they violate; 4-255 under C14.
- Template problems (id < 256, scope count, overrun, illegal reduced size,
  enterprise element id 0) make the message malformed (RFC 5471 §3.6.4-5).
- A data set before its template in the same message (C40) is not decoded
  (one pass); the template is learnt and later sets decode.
- Stream-level defects (cut header, cut set, length > file, length < 16,
  version 9 / 5) are reported against C03 / C02 whether the stream reader
  or the decoder notices them first.
"""

import os
import struct
import sys

EXPORT_TIME = 1700000000
ODID = 1
VARLEN = 65535

# Template 256: the base template of every file.
T256 = [(8, 4), (12, 4), (1, 8), (2, 4)]


def u16(v):
    return struct.pack(">H", v)


def header(length, seq, version=10, index=0):
    return struct.pack(">HHIII", version, length, EXPORT_TIME + index, seq,
                       ODID)


def message(sets, seq, version=10, length=None, index=1):
    body = b"".join(sets)
    n = 16 + len(body) if length is None else length
    return header(n, seq, version, index) + body


def set_(sid, body, length=None):
    return struct.pack(">HH", sid, 4 + len(body) if length is None
                       else length) + body


def field(eid, flen, pen=None):
    if pen is None:
        return struct.pack(">HH", eid, flen)
    return struct.pack(">HHI", eid | 0x8000, flen, pen)


def tmpl(tid, fields, count=None):
    n = len(fields) if count is None else count
    return struct.pack(">HH", tid, n) + b"".join(field(*f) for f in fields)


def opt_tmpl(tid, fields, scope):
    return (struct.pack(">HHH", tid, len(fields), scope) +
            b"".join(field(*f) for f in fields))


def rec256(i):
    return (bytes([192, 0, 2, 1 + i, 198, 51, 100, 1 + i]) +
            struct.pack(">QI", 1500 * (i + 1) + 40, 3 * (i + 1)))


def ip(i):
    return bytes([203, 0, 113, 1 + i])


PROLOGUE = message([set_(2, tmpl(256, T256)),
                    set_(256, rec256(0) + rec256(1))], seq=0, index=0)


def epilogue(seq):
    return message([set_(256, rec256(2) + rec256(3) + rec256(4))], seq,
                   index=2)


# Each case: (file stem, check, severity, records decoded in the defect
# message, the file ends with the defect, description, defect builder).
# A builder takes the defect message's sequence number (2) and returns
# (bytes, [offsets of version-10 message starts inside those bytes]).

def d_trunc_header(seq):
    return header(16, seq)[:10], [0]


def d_trunc_set(seq):
    m = message([set_(256, rec256(2) + rec256(3))], seq)
    return m[:16 + 4 + 20 + 7], [0]


def d_length_gt_file(seq):
    body = set_(256, rec256(2))
    return message([body], seq, length=16 + len(body) + 100), [0]


def d_length_lt_16(seq):
    return message([set_(256, rec256(2))], seq, length=12), [0]


def d_version(v):
    def build(seq):
        return message([set_(256, rec256(2))], seq, version=v), []
    return build


def d_set_short(seq):
    return message([set_(256, rec256(2)), struct.pack(">HH", 256, 2)],
                   seq), [0]


def d_set_overrun(seq):
    return message([set_(256, rec256(2)),
                    set_(256, rec256(3), length=4 + 20 + 40)], seq), [0]


def d_set_id(sid):
    def build(seq):
        return message([set_(sid, b"\x01\x02\x03\x04"),
                        set_(256, rec256(2))], seq), [0]
    return build


def d_no_template(seq):
    return message([set_(300, rec256(5)), set_(256, rec256(2))], seq), [0]


T257 = [(8, 4), (1, 4)]


def d_data_before_template(seq):
    return message([set_(257, ip(0) + struct.pack(">I", 77)),
                    set_(2, tmpl(257, T257)),
                    set_(257, ip(1) + struct.pack(">I", 88))], seq), [0]


def d_template_id_low(seq):
    return message([set_(2, tmpl(255, T256)), set_(256, rec256(2))],
                   seq), [0]


def d_scope(scope):
    def build(seq):
        ot = opt_tmpl(258, [(149, 4), (41, 8)], scope)
        return message([set_(3, ot), set_(256, rec256(2))], seq), [0]
    return build


def d_template_overrun(seq):
    return message([set_(2, tmpl(259, [(8, 4), (12, 4)], count=5)),
                    set_(256, rec256(2))], seq), [0]


def d_reduced_ipv4(seq):
    rec = bytes([203, 0, 113]) + struct.pack(">Q", 99)
    return message([set_(2, tmpl(260, [(8, 3), (1, 8)])),
                    set_(260, rec)], seq), [0]


T261 = [(8, 4), (82, VARLEN)]


def d_varlen_overrun(long_form):
    def build(seq):
        good = ip(0) + b"\x04eth0"
        if long_form:
            bad = ip(1) + b"\xff\x01\x00" + b"ab"
        else:
            bad = ip(1) + b"\x32" + b"eth1/"
        return message([set_(2, tmpl(261, T261)), set_(261, good + bad)],
                       seq), [0]
    return build


def d_zero_varlen(seq):
    return message([set_(2, tmpl(262, [(82, VARLEN)])),
                    set_(262, b"\x00\x00\x00")], seq), [0]


def d_zero_fixed(seq):
    return message([set_(2, tmpl(263, [(210, 0)])),
                    set_(263, b"\x00\x00\x00\x00")], seq), [0]


def d_padding(pad):
    def build(seq):
        return message([set_(256, rec256(2) + pad)], seq), [0]
    return build


def d_withdraw_unknown(seq):
    return message([set_(2, struct.pack(">HH", 999, 0)),
                    set_(256, rec256(2))], seq), [0]


def d_boolean(seq):
    return message([set_(2, tmpl(264, [(8, 4), (388, 1)])),
                    set_(264, ip(0) + b"\x01" + ip(1) + b"\x03")], seq), [0]


def d_utf8(seq):
    return message([set_(2, tmpl(265, [(82, VARLEN)])),
                    set_(265, b"\x04eth0" + b"\x02\xc3\x28")], seq), [0]


def d_enterprise_zero(seq):
    return message([set_(2, tmpl(266, [(8, 4), (0, 4, 9)])),
                    set_(266, ip(0) + b"\x00\x00\x00\x07")], seq), [0]


CASES = [
    ("trunc-header", "C03", "malformed", 0, True,
     "file ends 10 bytes into a message header", d_trunc_header),
    ("trunc-set", "C03", "malformed", 0, True,
     "file ends inside a data set; the header length is right",
     d_trunc_set),
    ("length-gt-file", "C03", "malformed", 0, True,
     "header length 100 bytes beyond the end of the file",
     d_length_gt_file),
    ("length-lt-16", "C03", "malformed", 0, True,
     "header length 12, shorter than a header", d_length_lt_16),
    ("version-9", "C02", "malformed", 0, False,
     "message with version 9 (NetFlow v9) in an IPFIX stream",
     d_version(9)),
    ("version-5", "C02", "malformed", 0, False,
     "message with version 5", d_version(5)),
    ("set-length-lt-4", "C15", "malformed", 0, False,
     "second set has length 2", d_set_short),
    ("set-overrun", "C15", "malformed", 0, False,
     "second set's length runs 40 bytes past the message",
     d_set_overrun),
    ("set-id-0", "C13", "warn", 1, False,
     "set id 0 (NetFlow v9 template) skipped; data set decoded",
     d_set_id(0)),
    ("set-id-1", "C13", "warn", 1, False,
     "set id 1 (NetFlow v9 options template) skipped", d_set_id(1)),
    ("set-id-4", "C14", "warn", 1, False,
     "reserved set id 4 skipped", d_set_id(4)),
    ("set-id-255", "C14", "warn", 1, False,
     "reserved set id 255 skipped", d_set_id(255)),
    ("no-template", "-", "warn", 1, False,
     "data set 300 whose template never appears", d_no_template),
    ("data-before-template", "C40", "warn", 1, False,
     "data set 257 precedes template 257 in the same message; a second "
     "set after the template decodes", d_data_before_template),
    ("template-id-lt-256", "C22", "malformed", 0, False,
     "template id 255", d_template_id_low),
    ("scope-count-0", "C24", "warn", 1, False,
     "options template with scope field count 0 (taken as a template; "
     "--strict: malformed)", d_scope(0)),
    ("scope-count-gt-fields", "C24", "malformed", 0, False,
     "options template with scope count 3 and 2 fields", d_scope(3)),
    ("template-overrun", "C25", "malformed", 0, False,
     "template field count 5 with 2 field specifiers in the set",
     d_template_overrun),
    ("reduced-ipv4", "C31", "warn", 1, False,
     "sourceIPv4Address with field length 3 (its value octets; --strict: "
     "malformed)", d_reduced_ipv4),
    ("varlen-overrun", "C28", "malformed", 0, False,
     "varlen length 50 (1-byte form) with 5 bytes left in the set",
     d_varlen_overrun(False)),
    ("varlen-overrun-long", "C28", "malformed", 0, False,
     "varlen length 256 (0xFF + 2-byte form) with 2 bytes left",
     d_varlen_overrun(True)),
    ("zero-length-varlen", "C18", "note", 3, False,
     "template of one varlen field; set body 00 00 00 = 3 empty records, "
     "not padding", d_zero_varlen),
    ("zero-length-fixed", "C18", "warn", 0, False,
     "template of one 0-length field; 4 set bytes cannot be records",
     d_zero_fixed),
    ("padding-nonzero", "C18", "warn", 1, False,
     "record followed by padding 01 02 03", d_padding(b"\x01\x02\x03")),
    ("padding-lie", "C18", "note", 2, False,
     "record followed by 20 zero bytes: a record, not padding",
     d_padding(b"\x00" * 20)),
    ("withdraw-unknown", "C46", "note", 1, False,
     "withdrawal of template 999, never defined", d_withdraw_unknown),
    ("boolean-3", "C33", "warn", 2, False,
     "dot1qDEI (boolean) values 1 and 3", d_boolean),
    ("utf8-invalid", "C34", "warn", 2, False,
     "interfaceName values \"eth0\" and C3 28 (ill-formed UTF-8)", d_utf8),
    ("enterprise-id-0", "C21", "malformed", 0, False,
     "enterprise field specifier with element id 0 (PEN 9)",
     d_enterprise_zero),
]


def check_boundaries(name, data, starts):
    """Every 00 0A pair must start a version-10 message we built."""
    i = data.find(b"\x00\x0a")
    while i >= 0:
        if i not in starts:
            sys.exit("mkmalformed: %s: stray 00 0A at offset %d" % (name, i))
        i = data.find(b"\x00\x0a", i + 1)


def build(case):
    name, check, sev, decoded, at_end, _, fn = case
    seq = 2
    defect, rel = fn(seq)
    data = PROLOGUE + defect
    starts = {0} | {len(PROLOGUE) + r for r in rel}
    if not at_end:
        starts.add(len(data))
        data += epilogue(seq + decoded)
    check_boundaries(name, data, starts)
    records = 2 + decoded + (0 if at_end else 3)
    return data, "%s.ipfix\t%s\t%s\t%d\n" % (name, check, sev, records)


def cases_md(rows):
    out = ["# Malformed IPFIX corpus (generated by tools/mkmalformed.py)\n\n",
           "Each file: a valid message (template 256 + 2 records), the one\n",
           "defect below, then (unless the defect ends the file) a valid\n",
           "message with 3 records. Columns as in EXPECTED. See the\n",
           "generator's docstring for the decisions behind each case.\n\n",
           "| File | Check | Severity | Records | Defect |\n",
           "|---|---|---|---|---|\n"]
    for case, line in rows:
        f, check, sev, records = line.rstrip("\n").split("\t")
        out.append("| %s | %s | %s | %s | %s |\n" %
                   (f, check, sev, records, case[5]))
    return "".join(out)


def main(argv):
    outdir = argv[1] if len(argv) > 1 else "tests/data/malformed"
    os.makedirs(outdir, exist_ok=True)
    rows = []
    for case in CASES:
        data, line = build(case)
        with open(os.path.join(outdir, case[0] + ".ipfix"), "wb") as f:
            f.write(data)
        rows.append((case, line))
    with open(os.path.join(outdir, "EXPECTED"), "w") as f:
        f.write("".join(line for _, line in rows))
    with open(os.path.join(outdir, "CASES.md"), "w") as f:
        f.write(cases_md(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
