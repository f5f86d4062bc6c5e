#!/bin/sh
# What 'make demo' shows: the whole pipeline on a real capture, secured.
#   ipfix-gen  : a bundled pcap (nDPI bot.pcap, 802.1Q VLAN, HTTP) -> flows
#   ipfix-recv : a collector on DTLS/UDP loopback, mutual certificates
#   ipfix-send : the flows -> the collector over DTLS 1.2
#   ipfix-dump : what the collector wrote, records and statistics
# plus ipfix-dump on a real Cisco export (NetGauze srv6.pcap).
# Environment: IPFIX_BIN (tools), set by the Makefile; DEMO_PORT (47400).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${IPFIX_BIN:-$top/build/cc/bin}
port=${DEMO_PORT:-47400}
work=$(mktemp -d "${TMPDIR:-/tmp}/ipfix-demo.XXXXXX")
recv_pid=
cleanup() {
	[ -z "$recv_pid" ] || kill "$recv_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

bold='' plain=''
if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show() {	# print the command (paths shortened), then run it
	printf '%s$ %s%s\n' "$bold" "$(echo "$*" | sed "s|$bin/||g; s|$top/||g;
	    s|$work/||g")" "$plain"
	"$@"
}

pcap=$top/tests/data/pcap/nDPI__bot.pcap
say "1. ipfix-gen: meter a capture into IPFIX flow records"
show "$bin/ipfix-gen" --stats -o "$work/flows.ipfix" "$pcap"
show "$bin/ipfix-dump" -q -n 2 "$work/flows.ipfix"

say "2. a CA and certificates for both ends (examples/mkcerts.sh)"
show sh "$top/examples/mkcerts.sh" "$work/pki" > /dev/null
pki=$work/pki

say "3. ipfix-recv on dtls://127.0.0.1:$port, ipfix-send over DTLS 1.2"
"$bin/ipfix-recv" --cert "$pki/collector.pem" --key "$pki/collector.key" \
    --ca "$pki/ca.pem" --stats -o "$work/collected.ipfix" \
    "dtls://127.0.0.1:$port" 2> "$work/recv.log" &
recv_pid=$!
sleep 0.5
show "$bin/ipfix-send" --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
    --ca "$pki/ca.pem" --peer-name localhost --stats \
    "dtls://127.0.0.1:$port" "$work/flows.ipfix"
sleep 0.5
kill -INT "$recv_pid"
wait "$recv_pid" || true
recv_pid=
echo "ipfix-recv said:"
sed 's/^/  /' "$work/recv.log"

say "4. ipfix-dump: what the collector wrote (session details, then flows)"
show "$bin/ipfix-dump" -q -n 3 "$work/collected.ipfix"
show "$bin/ipfix-dump" --validate "$work/collected.ipfix"
printf 'flow records sent: %s, collected: %s\n' \
    "$("$bin/ipfix-dump" -q --json --template 256 "$work/flows.ipfix" | wc -l)" \
    "$("$bin/ipfix-dump" -q --json "$work/collected.ipfix" |
    grep -c '"sourceIPv4Address"')"

cap=$top/tests/data/ipfix/NetGauze__srv6.pcap
say "5. ipfix-dump on a real Cisco export: $(basename "$cap")"
show "$bin/ipfix-dump" -q --json --template 338 -n 1 "$cap"
show "$bin/ipfix-dump" --stats "$cap"
