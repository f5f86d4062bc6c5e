#!/usr/bin/env bats
# The progress line of ipfix-send (records sent, rate, and for a regular
# file the share read and the time left) and of ipfix-gen: shown when
# stderr is a terminal (a pseudo-terminal made by script(1) here), not
# otherwise, forced on or off by --progress / --no-progress. ipfix-send
# exports to a real ipfix-recv inside a network namespace of its own, so
# the records the line counted are checked against what arrived.

load lib/netns
load lib/e2e

setup() {
	e2e_setup
	need_tools ipfix-send ipfix-recv ipfix-gen ipfix-dump
	need_cmd script
	netns_require
	ns=$(netns_name p)
	e2e_ns=$ns
	netns_create "$ns" || skip "could not create a namespace"
	# 60000 records in 1400-byte messages: at 40000 records/s about
	# 1.5 s, time for several redraws at five a second
	$py "$top/tests/lib/mkbulk.py" 60000 1 1400 "$tmp/bulk.ipfix"
}

teardown() {
	e2e_teardown
}

start_recv() {
	bg recv 30 "$ns" "$recv" -o "$tmp/got.ipfix" udp://127.0.0.1:4739
	netns_wait_listen "$ns" udp 4739 5
}

# on_tty OUT COMMAND: run the shell COMMAND in the namespace on a
# pseudo-terminal; what it wrote there (stdout and stderr) goes to OUT.
on_tty() {
	out=$1
	shift
	timeout 30 ip netns exec "$ns" script -qec "$*" /dev/null > "$out"
}

# progress_lines FILE: the redrawn lines of FILE, one per line.
progress_lines() {
	tr '\r' '\n' < "$1" | sed 's/\x1b\[K//g' | grep -a "$2" || true
}

@test "progress: ipfix-send on a terminal shows records, rate, share and time left" {
	start_recv
	on_tty "$tmp/tty" "$send --record-rate 40000 udp://127.0.0.1:4739" \
	    "$tmp/bulk.ipfix"
	bg_stop recv
	progress_lines "$tmp/tty" 'ipfix-send: ' > "$tmp/lines"
	cat "$tmp/lines"
	# at least three redraws, each the full format
	[ "$(wc -l < "$tmp/lines")" -ge 3 ]
	! grep -Ev '^ipfix-send: [0-9]+ records, [0-9]+ rec/s, [0-9]+%, [0-9]+:[0-5][0-9] left$' \
	    "$tmp/lines"
	# the records shown grow and never pass what was sent; the share grows
	awk '{ r = $2; p = $6 + 0
	       if (r > 60000 || r < last_r || p < last_p) exit 1
	       last_r = r; last_p = p } END { exit last_r == 0 }' "$tmp/lines"
	# the rate is near the pace asked for (40000/s), not made up
	awk '{ rate = $4 } END { exit !(rate > 20000 && rate < 60000) }' \
	    "$tmp/lines"
	# the line is wiped at the end: the output ends with \r ESC[K
	tail -c 4 "$tmp/tty" | od -c | grep -q '\\r 033   \[   K'
	[ "$(nrec "$tmp/got.ipfix")" -eq 60000 ]
}

@test "progress: ipfix-send from a pipe shows records and rate, no share" {
	start_recv
	on_tty "$tmp/tty" "cat $tmp/bulk.ipfix |" \
	    "$send --record-rate 40000 udp://127.0.0.1:4739 -"
	bg_stop recv
	progress_lines "$tmp/tty" 'ipfix-send: ' > "$tmp/lines"
	cat "$tmp/lines"
	[ "$(wc -l < "$tmp/lines")" -ge 2 ]
	! grep -Ev '^ipfix-send: [0-9]+ records, [0-9]+ rec/s$' "$tmp/lines"
}

@test "progress: ipfix-send shows none when stderr is no terminal, or with --no-progress" {
	start_recv
	ip netns exec "$ns" timeout 30 "$send" --record-rate 40000 \
	    udp://127.0.0.1:4739 "$tmp/bulk.ipfix" 2> "$tmp/err"
	on_tty "$tmp/tty" "$send --no-progress --record-rate 40000" \
	    "udp://127.0.0.1:4739 $tmp/bulk.ipfix"
	bg_stop recv
	[ ! -s "$tmp/err" ]
	! grep -a 'rec/s' "$tmp/tty"
	[ "$(nrec "$tmp/got.ipfix")" -eq 120000 ]
}

@test "progress: ipfix-send --progress forces the line into a file, even with -q" {
	start_recv
	ip netns exec "$ns" timeout 30 "$send" --progress -q \
	    --record-rate 40000 udp://127.0.0.1:4739 "$tmp/bulk.ipfix" \
	    2> "$tmp/err"
	bg_stop recv
	progress_lines "$tmp/err" 'ipfix-send: ' > "$tmp/lines"
	[ "$(wc -l < "$tmp/lines")" -ge 3 ]
	grep -Eq '^ipfix-send: [0-9]+ records, [0-9]+ rec/s, [0-9]+%' \
	    "$tmp/lines"
}

@test "progress: a warning wipes the line first and is printed whole" {
	# nothing listens: each ICMP error makes ipfix-send warn mid-run
	on_tty "$tmp/tty" "timeout -s INT 2 $send --record-rate 40000" \
	    "udp://127.0.0.1:4739 $tmp/bulk.ipfix" || true
	# a progress line ends in ESC[K; a warning after it must first wipe
	# it (\r ESC[K), never go on on the same line
	wiped=$(grep -aoP '\x1b\[K\r\x1b\[Kipfix-send: session lost' \
	    "$tmp/tty" | wc -l)
	glued=$(grep -aoP '(left|rec/s)\x1b\[Kipfix-send: ' "$tmp/tty" |
	    wc -l)
	echo "warnings after a wiped progress line: $wiped, glued to it: $glued"
	[ "$wiped" -ge 1 ] && [ "$glued" -eq 0 ]
}

@test "progress: ipfix-gen --progress and --no-progress" {
	pcap="$data/pcap/nDPI__bot.pcap"
	"$gen" --progress -o /dev/null "$pcap" 2> "$tmp/err"
	progress_lines "$tmp/err" 'ipfix-gen: ' > "$tmp/lines"
	grep -Eq '^ipfix-gen: 402 packets, [0-9]+ flows, 100%$' "$tmp/lines"
	on_tty "$tmp/tty" "$gen --no-progress -o /dev/null $pcap"
	! grep -a 'packets' "$tmp/tty"
	on_tty "$tmp/tty" "$gen -o /dev/null $pcap"
	grep -aq 'ipfix-gen: 402 packets' "$tmp/tty"
	"$gen" -o /dev/null "$pcap" 2> "$tmp/err"
	[ ! -s "$tmp/err" ]
}
