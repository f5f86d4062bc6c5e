#!/usr/bin/env python3
"""Generate libipfix/ie_table.c from the IANA IPFIX registry XML.

Usage: python3 tools/gen_ie.py data/iana/ipfix.xml > libipfix/ie_table.c
(also 'make ie-table'). Standard library only; the output depends on the
input bytes alone, so tests/ie-table.bats can regenerate it and compare.

What is emitted
- ipfix_ie_table[]: one initializer line per element with every attribute
  of struct ipfix_ie (pen, id, type, semantics, name, units), sorted by
  (pen, id) so ipfix_ie_lookup() can binary-search it. IANA elements
  (pen 0) come first, then the RFC 5103 reverse elements (pen 29305).
  Registry records without a dataType (the reserved 0, the NetFlow v9
  compatibility ranges, the unassigned range and two deprecated
  placeholders) describe no element and are skipped.
- ipfix_ie_name_index[]: table indices sorted by name (bytewise, as
  strcmp compares), for ipfix_ie_by_name().

Which elements get a reverse form (RFC 5103 section 6.1)
RFC 5103 assigns, under PEN 29305, a reverse Information Element with the
same element id to every IANA element, except the ones whose value does not
describe one direction of a flow. It names them as:
  1. the "Process Configuration" and "Process Statistics" elements of the
     information model (RFC 5102 sections 5.2 and 5.3). The IANA registry
     keeps that classification in the <group> column: "config" and
     "processCounter". Elements registered after RFC 5102 have no group and
     fall under the general rule (reversible);
  2. by name: flowId (148), templateId (145), observationDomainId (149) and
     commonPropertiesId (137), which identify records or scopes rather than
     measure traffic, and paddingOctets (210), which carries nothing;
  3. biflowDirection (239), defined by RFC 5103 itself: it describes the
     biflow as a whole.
Enterprise-specific elements never have a reverse form (RFC 5103 6.2); the
registry only holds IANA elements, so that needs no code here.
The reverse name is "reverse" + the forward name with its first letter
upper-cased (octetDeltaCount -> reverseOctetDeltaCount).
"""

import hashlib
import sys
import xml.etree.ElementTree as ET

NS = {"i": "http://www.iana.org/assignments"}
PEN_REVERSE = 29305

NOT_REVERSIBLE_GROUPS = {"config", "processCounter"}
NOT_REVERSIBLE_IDS = {
    137,  # commonPropertiesId
    145,  # templateId
    148,  # flowId
    149,  # observationDomainId
    210,  # paddingOctets
    239,  # biflowDirection (RFC 5103 itself)
}

TYPES = {
    "octetArray": "IPFIX_T_OCTETARRAY",
    "unsigned8": "IPFIX_T_UNSIGNED8",
    "unsigned16": "IPFIX_T_UNSIGNED16",
    "unsigned32": "IPFIX_T_UNSIGNED32",
    "unsigned64": "IPFIX_T_UNSIGNED64",
    "signed8": "IPFIX_T_SIGNED8",
    "signed16": "IPFIX_T_SIGNED16",
    "signed32": "IPFIX_T_SIGNED32",
    "signed64": "IPFIX_T_SIGNED64",
    "float32": "IPFIX_T_FLOAT32",
    "float64": "IPFIX_T_FLOAT64",
    "boolean": "IPFIX_T_BOOLEAN",
    "macAddress": "IPFIX_T_MACADDRESS",
    "string": "IPFIX_T_STRING",
    "dateTimeSeconds": "IPFIX_T_DATETIME_SECONDS",
    "dateTimeMilliseconds": "IPFIX_T_DATETIME_MILLISECONDS",
    "dateTimeMicroseconds": "IPFIX_T_DATETIME_MICROSECONDS",
    "dateTimeNanoseconds": "IPFIX_T_DATETIME_NANOSECONDS",
    "ipv4Address": "IPFIX_T_IPV4ADDRESS",
    "ipv6Address": "IPFIX_T_IPV6ADDRESS",
    "basicList": "IPFIX_T_BASICLIST",
    "subTemplateList": "IPFIX_T_SUBTEMPLATELIST",
    "subTemplateMultiList": "IPFIX_T_SUBTEMPLATEMULTILIST",
    "unsigned256": "IPFIX_T_UNSIGNED256",
}

SEMANTICS = {
    "": "IPFIX_S_DEFAULT",
    "default": "IPFIX_S_DEFAULT",
    "quantity": "IPFIX_S_QUANTITY",
    "totalCounter": "IPFIX_S_TOTALCOUNTER",
    "deltaCounter": "IPFIX_S_DELTACOUNTER",
    "identifier": "IPFIX_S_IDENTIFIER",
    "flags": "IPFIX_S_FLAGS",
    "list": "IPFIX_S_LIST",
    "snmpCounter": "IPFIX_S_SNMPCOUNTER",
    "snmpGauge": "IPFIX_S_SNMPGAUGE",
}


def die(msg):
    sys.stderr.write("gen_ie: %s\n" % msg)
    sys.exit(1)


def text(rec, tag):
    return (rec.findtext("i:" + tag, "", NS) or "").strip()


def c_string(s):
    """A C string literal, or NULL for an empty value."""
    if not s:
        return "NULL"
    if any(ord(ch) < 0x20 or ord(ch) > 0x7e for ch in s):
        die("non-printable or non-ASCII text %r" % s)
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def reversible(el):
    return (el["group"] not in NOT_REVERSIBLE_GROUPS and
            el["id"] not in NOT_REVERSIBLE_IDS)


def read_registry(path):
    root = ET.parse(path).getroot()
    reg = root.find("i:registry[@id='ipfix-information-elements']", NS)
    if reg is None:
        die("%s: no ipfix-information-elements registry" % path)
    records = reg.findall("i:record", NS)
    elements = []
    for rec in records:
        dtype = text(rec, "dataType")
        if not dtype:
            continue
        eid = text(rec, "elementId")
        if not eid.isdigit() or not 1 <= int(eid) <= 32767:
            die("typed record with element id %r" % eid)
        if dtype not in TYPES:
            die("element %s: unknown data type %r" % (eid, dtype))
        sem = text(rec, "dataTypeSemantics")
        if sem not in SEMANTICS:
            die("element %s: unknown semantics %r" % (eid, sem))
        elements.append({
            "id": int(eid), "name": text(rec, "name"), "type": dtype,
            "sem": sem, "units": text(rec, "units"),
            "group": text(rec, "group"),
        })
    updated = root.findtext("i:updated", "", NS).strip()
    return elements, len(records), updated


def with_reverse(elements):
    table = [dict(el, pen=0) for el in elements]
    for el in elements:
        if reversible(el):
            name = "reverse" + el["name"][0].upper() + el["name"][1:]
            table.append(dict(el, pen=PEN_REVERSE, name=name))
    table.sort(key=lambda e: (e["pen"], e["id"]))
    for a, b in zip(table, table[1:]):
        if (a["pen"], a["id"]) == (b["pen"], b["id"]):
            die("duplicate element %d/%d" % (a["pen"], a["id"]))
    return table


def name_index(table):
    order = sorted(range(len(table)),
                   key=lambda i: table[i]["name"].encode("ascii"))
    for a, b in zip(order, order[1:]):
        if table[a]["name"] == table[b]["name"]:
            die("duplicate name %s" % table[a]["name"])
    return order


def emit(out, table, order, nrecords, updated, digest):
    nrev = sum(1 for e in table if e["pen"] == PEN_REVERSE)
    w = out.write
    w("/*\n * ie_table: GENERATED by tools/gen_ie.py from data/iana/ipfix.xml"
      "\n * (IANA registry updated %s, sha256 %s).\n" % (updated, digest[:16]))
    w(" * Do not edit: run 'make ie-table'. %d registry records, %d typed"
      "\n * IANA elements, %d RFC 5103 reverse elements.\n */\n"
      % (nrecords, len(table) - nrev, nrev))
    w('#include <stddef.h>\n#include <stdint.h>\n\n#include "ie.h"\n\n')
    w("/* Sorted by (pen, id). */\n"
      "const struct ipfix_ie ipfix_ie_table[] = {\n")
    for e in table:
        w("\t{%u, %u, %s, %s, %s, %s},\n" % (
            e["pen"], e["id"], TYPES[e["type"]], SEMANTICS[e["sem"]],
            c_string(e["name"]), c_string(e["units"])))
    w("};\n\nconst size_t ipfix_ie_table_len =\n"
      "    sizeof(ipfix_ie_table) / sizeof(ipfix_ie_table[0]);\n\n")
    w("/* Indices into ipfix_ie_table, sorted by name as strcmp orders. */\n"
      "const uint16_t ipfix_ie_name_index[] = {\n")
    for i in range(0, len(order), 10):
        w("\t" + " ".join("%u," % j for j in order[i:i + 10]) + "\n")
    w("};\n")


def main(argv):
    if len(argv) != 2:
        die("usage: gen_ie.py ipfix.xml > ie_table.c")
    with open(argv[1], "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    elements, nrecords, updated = read_registry(argv[1])
    table = with_reverse(elements)
    if len(table) > 65535:
        die("table too large for uint16_t indices")
    emit(sys.stdout, table, name_index(table), nrecords, updated, digest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
