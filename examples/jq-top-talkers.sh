#!/bin/sh
# jq-top-talkers.sh: who sent the most octets? A capture or a collected
# file becomes NDJSON (ipfix-dump --json, one object per record), and jq
# sums octetDeltaCount (or octetTotalCount) per source address, per
# destination, or per pair, and prints the top N.
#
# Input may be an IPFIX stream (raw or gzip'd, as ipfix-recv writes it),
# a pcap of IPFIX export, or a capture of any other traffic, which is
# metered into flows with ipfix-gen first. Several inputs are summed
# together. Biflow records count their forward direction only.
#
# Needs jq. Tools from IPFIX_BIN when set, else from PATH.
#   examples/jq-top-talkers.sh -n 5 collected.ipfix.gz
#   examples/jq-top-talkers.sh --by pair --ndjson all.ndjson trace.pcap
set -eu
me=jq-top-talkers.sh
usage="usage: $me [-n N] [--by src|dst|pair] [--tsv] [--ndjson FILE] INPUT...
Top talkers by octets of IPFIX records (a stream, a pcap of IPFIX, or a
packet capture metered with ipfix-gen).
  -n N           how many to show (default 10)
  --by WHAT      src (default), dst, or pair (source -> destination)
  --tsv          tab-separated octets, flows, talker; no header
  --ndjson FILE  also keep the NDJSON the sums were made from
  -h, --help     this text"
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"

top=10 by=src tsv=0 keep=''
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	-n) need_arg "$1" $#; top=$2; shift 2 ;;
	--by) need_arg "$1" $#; by=$2; shift 2 ;;
	--tsv) tsv=1; shift ;;
	--ndjson) need_arg "$1" $#; keep=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage_error "expected at least one INPUT"
case $top in ''|*[!0-9]*|0) usage_error "-n: '$top' is not a count" ;; esac
case $by in src|dst|pair) ;; *) usage_error "--by: '$by' is not src, dst or pair" ;; esac
need jq
dump=$(tool ipfix-dump)
work=$(mktemp -d "${TMPDIR:-/tmp}/talkers.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# 1. every input as NDJSON records (metered first when it is no IPFIX)
n=0
for f in "$@"; do
	n=$((n + 1))
	mkdir "$work/$n"
	in=$(as_ipfix "$f" "$work/$n")
	"$dump" --json -q "$in" >> "$work/records.ndjson" ||
	    die "ipfix-dump could not read all of $f"
done
[ -z "$keep" ] || cp "$work/records.ndjson" "$keep"

# 2. jq: one pass (no slurping, so large files fit), summing per talker;
# IPv4 and IPv6 addresses alike, records without an address or an octet
# count (options records: statistics, session details) skipped.
jq -rn --arg by "$by" --argjson top "$top" --argjson tsv "$tsv" '
  def src: .sourceIPv4Address // .sourceIPv6Address;
  def dst: .destinationIPv4Address // .destinationIPv6Address;
  reduce (inputs | select(.type == "record")
      | (.octetDeltaCount // .octetTotalCount) as $o
      | select($o != null and src != null)
      | { k: (if $by == "src" then src elif $by == "dst" then dst
              else "\(src) -> \(dst)" end), o: $o }) as $r
    ({}; .[$r.k].octets += $r.o | .[$r.k].flows += 1)
  | to_entries | sort_by(-.value.octets, .key) | .[:$top]
  | (if $tsv == 1 then empty else "OCTETS\tFLOWS\tTALKER" end),
    (.[] | "\(.value.octets)\t\(.value.flows)\t\(.key)")
' < "$work/records.ndjson"
