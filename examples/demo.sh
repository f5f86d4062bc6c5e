#!/bin/sh
# What 'make demo' shows for now: ipfix-dump on a real Cisco IPFIX capture
# (NetGauze srv6.pcap, tests/data/ipfix): records as text and JSON, a
# validation, and the statistics with DEFLATE compressibility.
# Environment: IPFIX_BIN (tools), set by the Makefile.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${IPFIX_BIN:-$top/build/cc/bin}
cap=$top/tests/data/ipfix/NetGauze__srv6.pcap

bold='' plain=''
if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi

step() {	# show the command (tool path shortened), then run it
	printf '\n%s$ %s%s\n' "$bold" "$(echo "$*" | sed "s|$bin/||; s|$top/||")" \
	    "$plain"
	"$@"
}

echo "ipfix-dump on a real capture: $(basename "$cap")"
echo "(Cisco IPFIX over IPv6/UDP port 9992, SRv6 network)"
step "$bin/ipfix-dump" -q --template 334 -n 2 "$cap"
step "$bin/ipfix-dump" -q --json --template 338 -n 1 "$cap"
step "$bin/ipfix-dump" --validate "$cap"
step "$bin/ipfix-dump" --stats "$cap"
