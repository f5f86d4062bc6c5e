#!/bin/sh
# How much the private DEFLATE framing (ipfix-send --compress) saves on the
# wire, per message over UDP and as one stream over TCP, on the committed
# real IPFIX captures and on ipfix-gen output of real pcaps; gzip -6 of the
# whole file is the reference for what a stream compressor can reach.
# Appends a dated section to tests/bench/RESULTS.md.
# Environment: IPFIX_BIN (tools), set by the Makefile (make bench BENCH=compress).
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${IPFIX_BIN:-$top/build/cc/bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-compress.XXXXXX")
port=$((30000 + $$ % 20000))
recv_pid=
trap '[ -z "$recv_pid" ] || kill "$recv_pid" 2>/dev/null; rm -rf "$work"' EXIT

inputs=""
for f in "$top"/tests/data/ipfix/*.udp-payloads.ipfix; do
	inputs="$inputs $f"
done
for p in nDPI__wechat.pcap nDPI__KakaoTalk_talk.pcap nDPI__iphone.pcap \
    nDPI__bot.pcap; do
	"$bin/ipfix-gen" -o "$work/$p.ipfix" "$top/tests/data/pcap/$p"
	inputs="$inputs $work/$p.ipfix"
done

"$bin/ipfix-recv" -q -o /dev/null "udp://127.0.0.1:$port" \
    "tcp://127.0.0.1:$port" &
recv_pid=$!
sleep 0.5

# ratio SCHEME FILE: wire bytes / message bytes ipfix-send reported
ratio() {
	"$bin/ipfix-send" --compress --stats --linger 0.001 \
	    "$1://127.0.0.1:$port" "$2" 2>&1 |
	    sed -n 's/.* \([0-9]*\) bytes (\([0-9]*\) on the wire).*/\2 \1/p' |
	    awk '{ printf "%.3f", $1 / $2 }'
}

rows=""
for f in $inputs; do
	raw=$(wc -c < "$f")
	gz=$(gzip -6 -c "$f" | wc -c)
	rows="$rows
| $(basename "$f") | $raw | $(ratio udp "$f") | $(ratio tcp "$f") | $(awk -v a="$gz" -v b="$raw" 'BEGIN { printf "%.3f", a / b }') |"
done

{
	printf '\n## compress, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "Command: \`sh tests/bench/compress/run.sh\` (make bench BENCH=compress)."
	echo "Wire bytes from \`ipfix-send --compress --stats\` into ipfix-recv on"
	echo "loopback; ratio = bytes on the wire / IPFIX message bytes sent (lower"
	echo "is better); gzip column: compressed / input file size."
	echo "UDP frames each message alone; TCP keeps one DEFLATE stream per session."
	echo
	echo "| input | bytes | UDP --compress | TCP --compress | gzip -6 file |"
	echo "|---|---|---|---|---|$rows"
} | tee -a "$top/tests/bench/RESULTS.md"
