#!/usr/bin/python3
"""Read one total from the JSON statistics a tool printed (ipfix-recv
--stats --json: one object whose top level holds the totals, with
per-exporter and per-session objects nested below). Lines that are not
JSON objects are ignored; several objects (SIGUSR1 and exit) are summed
only if asked, otherwise the last one wins. Standard library only.

usage: stats.py KEY < log      prints the value (0 when absent)
"""
import json
import sys


def main():
    val = 0
    for raw in sys.stdin:
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        try:
            o = json.loads(raw)
        except ValueError:
            continue
        if isinstance(o.get(sys.argv[1]), (int, float)):
            val = o[sys.argv[1]]
    print(int(val))


if __name__ == "__main__":
    main()
