#!/usr/bin/env bats
# ipfix-gen: every option, determinism, stdin/stdout, usage errors (exit 2,
# one line naming the problem), hostile captures, and interop: the output
# read by tshark, libfixbuf's ipfixDump and python3-ipfix with equal record
# counts, and validated by ipfix-dump --validate when that tool exists.
# tests/gen-inspect.py is an independent reader of the raw stream.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	gen="$IPFIX_BIN/ipfix-gen"
	[ -x "$gen" ] || skip "no ipfix-gen in $IPFIX_BIN"
	pcap="$top/tests/data/pcap"
	insp="/usr/bin/python3 $top/tests/gen-inspect.py"
	t="$BATS_TEST_TMPDIR"
}

# stat VALUE-NAME: a number from the --stats lines in $t/err
stat() {
	sed -n "s/.*$1 \([0-9][0-9]*\).*/\1/p" "$t/err" | head -n 1
}

@test "--help lists every option and exits 0" {
	run "$gen" --help
	[ "$status" -eq 0 ]
	for o in interface filter snaplen output gzip idle-timeout \
	    active-timeout max-flows biflow fields list-fields odid msg-size \
	    time-precision ifindex inner stats quiet verbose help version; do
		echo "$output" | grep -q -- "--$o" || { echo "no --$o"; false; }
	done
}

@test "man page documents every option of --help" {
	man="$top/man/ipfix-gen.1"
	[ -f "$man" ]
	for o in $("$gen" --help | grep -o -- '--[a-z-]*' | sort -u); do
		grep -q -- "${o#--}" "$man" || { echo "man lacks $o"; false; }
	done
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES \
	    "SEE ALSO"; do
		grep -q "^\.S[hH] \"*$s" "$man" || { echo "no $s"; false; }
	done
}

@test "--version names the tool and version" {
	run "$gen" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ipfix-gen (ipfix-dtls) "[0-9]* ]]
}

@test "usage errors: exit 2 with one line naming the problem" {
	for args in "" "--bogus x.pcap" "--odid" "--odid -1 a" \
	    "--odid 4294967296 a" "--idle-timeout x a" "--msg-size 10 a" \
	    "--max-flows abc a" "--time-precision pico a" "a b" \
	    "-i lo a.pcap" "--snaplen 1 a"; do
		run "$gen" $args
		[ "$status" -eq 2 ] || { echo "'$args' gave $status"; false; }
		[[ "${lines[0]}" == "ipfix-gen: "* ]]
		[ "${#lines[0]}" -gt 15 ]
	done
}

@test "bad --fields is a usage error naming the element" {
	run "$gen" --fields sourceIPv4Address,noSuchElement \
	    "$pcap/nDPI__bot.pcap"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown element 'noSuchElement'"* ]]
	run "$gen" --fields sourceIPv4Address,reverseOctetDeltaCount \
	    "$pcap/nDPI__bot.pcap"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--biflow"* ]]
}

@test "missing or non-capture input: exit 1, one line" {
	run "$gen" "$t/none.pcap"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	echo "not a capture at all" > "$t/text"
	run "$gen" -o "$t/o" "$t/text"
	[ "$status" -eq 1 ]
}

@test "--list-fields prints the elements --fields takes" {
	run "$gen" --list-fields
	[ "$status" -eq 0 ]
	[[ "$output" == *octetDeltaCount* ]]
	[[ "$output" == *flowEndReason* ]]
	[ "${#lines[@]}" -ge 20 ]
}

@test "same input and options give a byte-identical stream" {
	"$gen" -o "$t/a" "$pcap/nDPI__wechat.pcap"
	"$gen" -o "$t/b" "$pcap/nDPI__wechat.pcap"
	cmp "$t/a" "$t/b"
	"$gen" --biflow --idle-timeout 3 -o "$t/c" "$pcap/nDPI__wechat.pcap"
	"$gen" --biflow --idle-timeout 3 -o "$t/d" "$pcap/nDPI__wechat.pcap"
	cmp "$t/c" "$t/d"
	! cmp -s "$t/a" "$t/c"
}

@test "- reads stdin, stdout is the default output" {
	"$gen" - < "$pcap/nDPI__iphone.pcap" > "$t/a"
	"$gen" -o "$t/b" "$pcap/nDPI__iphone.pcap"
	"$gen" -o - "$pcap/nDPI__iphone.pcap" > "$t/c"
	[ -s "$t/a" ]
	cmp "$t/a" "$t/b"
	cmp "$t/a" "$t/c"
}

@test "pcapng, nanosecond and big-endian captures are read" {
	for f in nDPI__stun_dtls_rtp.pcapng tcpdump__tcp-handshake-nano.pcap \
	    nDPI__nfsv3.pcap; do
		"$gen" -o "$t/o" "$pcap/$f"
		$insp "$t/o" | grep -q '^records 25[67] '
	done
	"$gen" --time-precision nano -o "$t/o" \
	    "$pcap/tcpdump__tcp-handshake-nano.pcap"
	# a nanosecond capture keeps sub-microsecond digits
	$insp -r "$t/o" | grep '^rec 25[67]' | grep -o '156=[0-9]*' |
	    cut -d= -f2 | /usr/bin/python3 -c 'import sys
sys.exit(0 if any(int(v) % 2048 for v in sys.stdin) else 1)'
}

@test "header: sequence numbers, export times, template layout" {
	"$gen" --msg-size 600 -o "$t/o" "$pcap/nDPI__KakaoTalk_talk.pcap"
	run $insp "$t/o"
	echo "$output"
	[[ "$output" == *"seqok 1"* ]]
	[[ "$output" == *"timeok 1"* ]]
	[[ "$output" == *"template 256 8:4,12:4,7:2,11:2,4:1,58:2"* ]]
	[[ "$output" == *"template 257 27:16,28:16,"* ]]
	[[ "$output" == *"template 258 scope=2 149:4,143:4,41:8,42:8,40:8"* ]]
	[[ "$output" == *"template 259 scope=2 149:4,143:4,164:8,165:8,323:8,323:8"* ]]
	[[ "$output" == *"template 260 scope=1 144:4,166:8"* ]]
	# export time = capture time (2015-ish), not the wall clock
	first=$(echo "$output" | sed -n 's/^times \([0-9]*\).*/\1/p')
	[ "$first" -lt 1600000000 ]
}

@test "--msg-size bounds every message" {
	"$gen" --msg-size 300 -o "$t/o" "$pcap/nDPI__wechat.pcap"
	run $insp "$t/o"
	[[ "$output" == *"maxlen "* ]]
	max=$(echo "$output" | sed -n 's/^maxlen //p')
	n=$(echo "$output" | sed -n 's/^messages //p')
	[ "$max" -le 300 ]
	[ "$n" -gt 20 ]
	[[ "$output" == *"seqok 1"* ]]
}

@test "--odid sets the Observation Domain ID of every message" {
	"$gen" --odid 4242 -o "$t/o" "$pcap/nDPI__bot.pcap"
	run $insp "$t/o"
	[[ "$output" == *"odids 4242"* ]]
	$insp -r "$t/o" | grep -q '^rec 258 149=4242 '
}

@test "-z writes gzip that inflates to the plain stream" {
	"$gen" -z -o "$t/o.gz" "$pcap/nDPI__bot.pcap"
	"$gen" -o "$t/o" "$pcap/nDPI__bot.pcap"
	[ "$(head -c 2 "$t/o.gz" | xxd -p)" = "1f8b" ]
	gzip -dc "$t/o.gz" | cmp - "$t/o"
}

@test "--stats: packets of flows plus ignored equal packets read" {
	"$gen" --stats -o "$t/o" "$pcap/nDPI__icmp-tunnel.pcap" 2> "$t/err"
	cat "$t/err"
	read=$(stat "packets read") metered=$(stat metered)
	ignored=$(stat ignored)
	[ "$read" -eq 961 ]
	[ $((metered + ignored)) -eq "$read" ]
	sum=$($insp -r "$t/o" | grep '^rec 25[67]' | grep -o ' 2=[0-9]*' |
	    awk -F= '{ s += $2 } END { print s }')
	[ "$sum" -eq "$metered" ]
	# the closing §4.2 record carries ignoredPacketTotalCount
	$insp -r "$t/o" | grep '^rec 259' | tail -n 1 | grep -q " 164=$ignored "
}

@test "--idle-timeout 0 gives one record per packet" {
	"$gen" --stats --idle-timeout 0 -o "$t/o" "$pcap/nDPI__bot.pcap" \
	    2> "$t/err"
	n=$($insp "$t/o" | sed -n 's/^records 256 //p')
	[ "$n" -eq "$(stat metered)" ]
	$insp -r "$t/o" | grep '^rec 256' | grep -q ' 136=1$'
}

@test "--idle-timeout splits flows at silences (flowEndReason 1)" {
	"$gen" --idle-timeout 1 -o "$t/a" "$pcap/nDPI__wechat.pcap"
	"$gen" --idle-timeout 1000 -o "$t/b" "$pcap/nDPI__wechat.pcap"
	a=$($insp "$t/a" | sed -n 's/^records 256 //p')
	b=$($insp "$t/b" | sed -n 's/^records 256 //p')
	[ "$a" -gt "$b" ]
	$insp -r "$t/a" | grep '^rec 256' | grep -q ' 136=1$'
}

@test "--active-timeout cuts long flows (flowEndReason 2)" {
	"$gen" --stats --active-timeout 2 -o "$t/o" \
	    "$pcap/nDPI__bot.pcap" 2> "$t/err"
	[ "$(stat "active")" -gt 0 ]
	$insp -r "$t/o" | grep '^rec 25[67]' | grep -q ' 136=2$'
	"$gen" --stats --active-timeout 0 -o "$t/o" \
	    "$pcap/nDPI__bot.pcap" 2> "$t/err"
	[ "$(stat "active")" -eq 0 ]
}

@test "TCP FIN/RST end flows (flowEndReason 3), end of input forces 4" {
	"$gen" -o "$t/o" "$pcap/nDPI__iphone.pcap"
	$insp -r "$t/o" | grep '^rec 256' | grep ' 4=6 ' | grep -q ' 136=3$'
	$insp -r "$t/o" | grep '^rec 256' | grep -q ' 136=4$'
}

@test "--max-flows evicts the oldest (flowEndReason 5) and counts it" {
	"$gen" --stats --max-flows 3 -o "$t/o" "$pcap/nDPI__wechat.pcap" \
	    2> "$t/err"
	[ "$(stat "lack of resources")" -gt 0 ]
	[ "$(stat "peak")" -le 3 ]
	$insp -r "$t/o" | grep '^rec 25[67]' | grep -q ' 136=5$'
}

@test "--biflow pairs both directions into RFC 5103 records" {
	"$gen" --stats -o "$t/u" "$pcap/nDPI__iphone.pcap" 2> "$t/err"
	metered=$(stat metered)
	"$gen" --biflow -o "$t/b" "$pcap/nDPI__iphone.pcap"
	run $insp "$t/b"
	# reverse elements carry PEN 29305; biflowDirection 239 present
	[[ "$output" == *"1/29305:8,2/29305:8"* ]]
	[[ "$output" == *"239:1"* ]]
	u=$($insp "$t/u" | sed -n 's/^records 256 //p')
	b=$($insp "$t/b" | sed -n 's/^records 256 //p')
	[ "$b" -lt "$u" ]
	sum=$($insp -r "$t/b" | grep '^rec 25[67]' |
	    grep -o ' 2\(/29305\)*=[0-9]*' | awk -F= '{ s += $2 } END { print s }')
	[ "$sum" -eq "$metered" ]
	# some biflow saw packets both ways
	$insp -r "$t/b" | grep '^rec 256' | grep -q ' 2/29305=[1-9]'
}

@test "--fields chooses the elements, per address family" {
	"$gen" --fields sourceIPv4Address,destinationIPv4Address,packetDeltaCount \
	    -o "$t/o" "$pcap/nDPI__http_ipv6.pcap"
	run $insp "$t/o"
	[[ "$output" == *"template 256 8:4,12:4,2:8"$'\n'* ]]
	[[ "$output" == *"template 257 27:16,28:16,2:8"$'\n'* ]]
	[[ "$output" == *"records 257 "* ]]
	"$gen" --biflow --fields sourceIPv4Address,reversePacketDeltaCount \
	    -o "$t/o" "$pcap/nDPI__bot.pcap"
	$insp "$t/o" | grep -q '^template 256 8:4,2/29305:8$'
}

@test "--time-precision micro and nano select the time elements" {
	"$gen" --time-precision micro -o "$t/o" "$pcap/nDPI__bot.pcap"
	$insp "$t/o" | grep -q '^template 256 .*154:8,155:8'
	"$gen" --time-precision nano -o "$t/o" "$pcap/nDPI__bot.pcap"
	$insp "$t/o" | grep -q '^template 256 .*156:8,157:8'
}

@test "--ifindex adds ingressInterface to the key and the records" {
	"$gen" --ifindex 7 -o "$t/o" "$pcap/nDPI__bot.pcap"
	$insp "$t/o" | grep -q '^template 256 .*10:4'
	$insp -r "$t/o" | grep '^rec 256' | grep -q ' 10=7 '
}

@test "6in4 is metered by the outer header, --inner by the inner one" {
	"$gen" -o "$t/o" "$pcap/nDPI__6in4tunnel.pcap"
	$insp -r "$t/o" | grep '^rec 256' | grep -q ' 4=41 '
	"$gen" --inner -o "$t/o" "$pcap/nDPI__6in4tunnel.pcap"
	$insp "$t/o" | grep -q '^records 257 '
}

@test "-f applies a BPF filter to a capture file" {
	"$gen" --stats -f "tcp" -o "$t/o" "$pcap/nDPI__iphone.pcap" 2> "$t/err"
	[ "$(stat "packets read")" -lt 500 ]
	! $insp -r "$t/o" | grep '^rec 25[67]' | grep -v -q ' 4=6 '
	run "$gen" -f "not a filter ((" -o "$t/o" "$pcap/nDPI__iphone.pcap"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *"filter"* ]]
}

@test "VLAN, SLL, RAW, NULL and IPNET link types give flows" {
	for f in nDPI__syslog.pcap nDPI__KakaoTalk_talk.pcap nDPI__ocs.pcap \
	    nDPI__opc-ua.pcap tcpdump__e1000g.pcap; do
		"$gen" -o "$t/o" "$pcap/$f"
		$insp "$t/o" | grep -q '^records 25[67] [1-9]' ||
		    { echo "$f: no flows"; false; }
	done
	"$gen" -o "$t/o" "$pcap/nDPI__syslog.pcap"
	$insp -r "$t/o" | grep '^rec 256' | grep -q ' 58=[1-9]'
}

@test "hostile frames never crash and are counted" {
	/usr/bin/python3 "$top/tests/gen-hostile.py" "$t/h.pcap"
	run "$gen" --stats -o "$t/o" "$t/h.pcap"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" > "$t/err"
	[ "$(stat "packets read")" -eq 11 ]
	[ "$(stat malformed)" -ge 4 ]
	[ "$(stat truncated)" -ge 1 ]
	[ $(($(stat metered) + $(stat ignored))) -eq 11 ]
}

@test "a capture cut inside a frame: flows so far, the cut one counted" {
	head -c 5000 "$pcap/nDPI__bot.pcap" > "$t/cut.pcap"
	run "$gen" --stats -o "$t/o" "$t/cut.pcap"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" > "$t/err"
	[ "$(stat "packets read")" -eq 7 ]
	[ "$(stat truncated)" -eq 1 ]
	$insp "$t/o" | grep -q '^records 256 2$'
}

@test "-i captures live until SIGINT and writes a complete stream" {
	[ "$(id -u)" -eq 0 ] || skip "live capture needs root"
	ip link show lo > /dev/null 2>&1 || skip "no lo"
	timeout 30 "$gen" -q -i lo -f "udp port 39999" -o "$t/o" &
	pid=$!
	sleep 1
	for i in 1 2 3 4 5; do
		echo hi > /dev/udp/127.0.0.1/39999 2> /dev/null || true
	done
	sleep 0.5
	# INT to ipfix-gen itself: timeout(1) would pass it on and then
	# signal its whole group, and the meter takes a second one as "now"
	kill -INT "$(pgrep -P "$pid" | head -n 1)"
	# the meter notices the signal at the next packet
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2> /dev/null || break
		echo wake > /dev/udp/127.0.0.1/39999 2> /dev/null || true
		sleep 0.3
	done
	wait "$pid"
	run $insp -r "$t/o"
	echo "$output"
	[[ "$output" == *" 11=39999 "* ]]
	[[ "$output" == *"template 256 "* ]]
	[[ "$output" == *"seqok 1"* ]]
}

# Record counts as three independent readers see them.
count_tshark() {
	tshark -r "$1" -V 2>/dev/null | grep -c '^ *Flow [0-9]'
}
count_fixbuf() {
	ipfixDump -i "$1" -o "$t/dump.txt" 2> /dev/null
	grep -c '^--- data record' "$t/dump.txt"
}
count_pyipfix() {
	/usr/bin/python3 -c '
import sys, ipfix.ie, ipfix.reader
ipfix.ie.use_iana_default(); ipfix.ie.use_5103_default()
n = sum(1 for _ in ipfix.reader.from_stream(open(sys.argv[1], "rb")).namedict_iterator())
print(n)' "$1"
}

@test "tshark, ipfixDump and python3-ipfix read the stream: equal counts" {
	command -v tshark > /dev/null || skip "no tshark"
	command -v ipfixDump > /dev/null || skip "no ipfixDump"
	for opt in "" "--biflow" "--time-precision micro"; do
		"$gen" $opt -o "$t/o" "$pcap/nDPI__http_ipv6.pcap"
		want=$($insp "$t/o" | awk '/^records/ { s += $3 } END { print s }')
		a=$(count_tshark "$t/o")
		b=$(count_fixbuf "$t/o")
		c=$(count_pyipfix "$t/o")
		echo "$opt: want $want tshark $a ipfixDump $b python3-ipfix $c"
		[ "$want" -gt 6 ]
		[ "$a" -eq "$want" ] && [ "$b" -eq "$want" ] && [ "$c" -eq "$want" ]
	done
}

@test "ipfix-dump --validate finds the stream clean" {
	[ -x "$IPFIX_BIN/ipfix-dump" ] || skip "no ipfix-dump yet"
	"$IPFIX_BIN/ipfix-dump" --help 2>&1 | grep -q -- --validate ||
	    skip "ipfix-dump has no --validate yet"
	for opt in "" "--biflow" "--msg-size 400 --time-precision nano"; do
		"$gen" $opt -o "$t/o" "$pcap/nDPI__wechat.pcap"
		run "$IPFIX_BIN/ipfix-dump" --validate "$t/o"
		echo "$output"
		[ "$status" -eq 0 ]
	done
}
