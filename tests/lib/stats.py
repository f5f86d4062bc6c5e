#!/usr/bin/python3
"""Sum one counter over the JSON statistics a tool printed (ipfix-recv
--stats --json, ipfix-send --stats --json): every JSON object on a line of
stdin, searched recursively. Objects that hold a list of per-session
objects are aggregates and are skipped, so nothing is counted twice.

usage: stats.py KEY < log      prints the sum (0 when absent)
"""
import json
import sys


def walk(o, key, acc):
    if isinstance(o, dict):
        has_children = any(isinstance(v, list) and v and
                           isinstance(v[0], dict) for v in o.values())
        if key in o and isinstance(o[key], (int, float)) and \
                not has_children:
            acc.append(o[key])
        for v in o.values():
            walk(v, key, acc)
    elif isinstance(o, list):
        for v in o:
            walk(v, key, acc)


def main():
    acc = []
    for raw in sys.stdin:
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        try:
            walk(json.loads(raw), sys.argv[1], acc)
        except ValueError:
            pass
    print(int(sum(acc)))


if __name__ == "__main__":
    main()
