#!/usr/bin/env bats
# The cookbook (examples/*.sh and examples/ipfix-recv@.service) run as a
# user would run them, each in a network namespace of its own (so the
# default ports never clash), every process bounded by timeout. Results
# are checked against what was sent, computed another way: record sets
# (tests/lib/records.py), tshark's decryption against ipfix-dump, jq's
# sums against python's over the same NDJSON, files per exporter and per
# part against what each exporter sent.

load lib/netns
load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-send ipfix-recv ipfix-gen ipfix-dump
	ex="$top/examples"
	pki="$BATS_FILE_TMPDIR/pki"
	export IPFIX_BIN
	exp_sec="--cert $pki/exporter.pem --key $pki/exporter.key --ca $pki/ca.pem --peer-name localhost"
	col_sec="--cert $pki/collector.pem --key $pki/collector.key --ca $pki/ca.pem"
}

teardown() {
	e2e_teardown
}

one_ns() {	# one_ns: $ns, a namespace with only loopback, for this test
	netns_require
	ns=$(netns_name x)
	e2e_ns=$ns
	netns_create "$ns" || skip "could not create a namespace"
	[ -s "$pki/ca.pem" ] || skip "tests/lib/mkcerts.sh failed"
}

# bulk NAME N ODID: $tmp/NAME.ipfix, N distinct records (mkbulk.py)
bulk() {
	$py "$top/tests/lib/mkbulk.py" "$2" "$3" 1400 "$tmp/$1.ipfix"
}

# --- every script: usage, --help, errors --------------------------------

@test "examples: each script has --help, a usage line and one-line errors" {
	for s in replay-dtls collect-rotated relay decrypt-capture \
	    jq-top-talkers debug-collector; do
		f="$ex/$s.sh"
		[ -x "$f" ] || { echo "$f is not executable"; return 1; }
		run "$f" --help
		[ "$status" -eq 0 ] && [[ ${lines[0]} == "usage: $s.sh "* ]] ||
		    { echo "$s --help: $status ${lines[0]}"; return 1; }
		run "$f" --no-such-option
		[ "$status" -eq 2 ] &&
		    [[ $output == "$s.sh: unknown option '--no-such-option' (try $s.sh --help)" ]] ||
		    { echo "$s bad option: $status $output"; return 1; }
		run "$f"
		[ "$status" -eq 2 ] && [[ $output == "$s.sh: expected "* ]] ||
		    { echo "$s no operand: $status $output"; return 1; }
		sh -n "$f"
	done
	# collect-rotated.sh --dry-run: the ipfix-recv command it would exec
	run "$ex/collect-rotated.sh" --dry-run --port 740 --rotate 60 \
	    --cert c.pem --key "k 1.key" --ca ca.pem "$tmp/d"
	[ "$status" -eq 0 ]
	[ "$output" = "$IPFIX_BIN/ipfix-recv --gzip --stats --split $tmp/d --rotate 60 --cert c.pem --key k 1.key --ca ca.pem tls://:740 dtls://:740" ]
	run "$ex/collect-rotated.sh" --port 70000 "$tmp/d"
	[ "$status" -eq 2 ] && [[ $output == *"--port: '70000' is not in 1..65535"* ]]
	run "$ex/collect-rotated.sh" "$tmp/d"
	[ "$status" -eq 2 ] && [[ $output == *"TLS and DTLS need --cert"* ]]
	# shellcheck finds nothing, the sourced lib.sh followed
	if command -v shellcheck > /dev/null; then
		(cd "$top" && shellcheck -s sh -x examples/*.sh)
	fi
	# the tools are looked up in IPFIX_BIN, and a wrong one is named
	IPFIX_BIN=/nonexistent run "$ex/jq-top-talkers.sh" "$data/pcap/nDPI__bot.pcap"
	[ "$status" -eq 1 ]
	[[ $output == *"ipfix-dump not found in IPFIX_BIN=/nonexistent"* ]]
}

@test "examples: every man page's EXAMPLES points at scripts that exist" {
	for m in "$top"/man/*.1; do
		awk '/^\.Sh EXAMPLES/ { f = 1; next } /^\.Sh / { f = 0 } f' "$m" |
		    grep -o 'examples/[a-z@.-]*\.\(sh\|service\)' | sort -u > "$tmp/named"
		[ -s "$tmp/named" ] || { echo "$m: no examples/ script in EXAMPLES"; return 1; }
		while read -r f; do
			[ -f "$top/$f" ] || { echo "$m names $f, which is missing"; return 1; }
		done < "$tmp/named"
	done
	# and README's Cookbook lists every script there is
	for f in "$ex"/*.sh; do
		n=$(basename "$f")
		case $n in lib.sh|demo.sh|mkcerts.sh) continue ;; esac
		grep -q "^| \`$n\` |" "$top/README.md" || { echo "README: no $n"; return 1; }
	done
}

# --- jq-top-talkers.sh ---------------------------------------------------

# py_top FIELD-KIND N NDJSON: the top N by octets, computed by python
py_top() {
	$py - "$1" "$2" "$3" <<'PY'
import json, sys
by, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sums = {}
for line in open(path):
    r = json.loads(line)
    o = r.get("octetDeltaCount", r.get("octetTotalCount"))
    s = r.get("sourceIPv4Address", r.get("sourceIPv6Address"))
    d = r.get("destinationIPv4Address", r.get("destinationIPv6Address"))
    if r.get("type") != "record" or o is None or s is None:
        continue
    k = {"src": s, "dst": d, "pair": "%s -> %s" % (s, d)}[by]
    t = sums.setdefault(k, [0, 0])
    t[0] += o
    t[1] += 1
for k, (o, f) in sorted(sums.items(), key=lambda e: (-e[1][0], e[0]))[:n]:
    print("%d\t%d\t%s" % (o, f, k))
PY
}

@test "jq-top-talkers.sh: packet captures metered, top talkers equal python's sums" {
	need_cmd jq
	a="$data/pcap/nDPI__wechat.pcap" b="$data/pcap/nDPI__iphone.pcap"
	timeout 60 "$ex/jq-top-talkers.sh" --tsv -n 6 --ndjson "$tmp/kept" \
	    "$a" "$b" > "$tmp/jq" 2> "$tmp/err"
	cat "$tmp/jq"
	# computed another way: our own metering and ipfix-dump --json
	{ "$gen" -q "$a" | "$dump" --json -q -
	  "$gen" -q "$b" | "$dump" --json -q - ; } > "$tmp/ndjson"
	py_top src 6 "$tmp/ndjson" > "$tmp/py"
	[ "$(wc -l < "$tmp/py")" -eq 6 ]
	diff "$tmp/py" "$tmp/jq"
	cmp "$tmp/ndjson" "$tmp/kept"
	grep -q 'holds no IPFIX: metering its packets with ipfix-gen' "$tmp/err"
}

@test "jq-top-talkers.sh: IPFIX on the wire and a gzip'd file, by dst and pair" {
	need_cmd jq
	cap="$data/ipfix/NetGauze__srv6.pcap"
	"$dump" --json -q "$cap" > "$tmp/ndjson"
	for by in dst pair; do
		timeout 60 "$ex/jq-top-talkers.sh" --tsv --by $by -n 5 "$cap" \
		    > "$tmp/jq"
		py_top $by 5 "$tmp/ndjson" > "$tmp/py"
		[ "$(wc -l < "$tmp/py")" -eq 5 ]
		diff "$tmp/py" "$tmp/jq"
	done
	# IPv6 talkers are there (the capture's flows are SRv6)
	grep -q 'fcba:' "$tmp/jq"
	# a collected, gzip'd file: the same table as its plain records
	"$gen" -q -z -o "$tmp/flows.ipfix.gz" "$data/pcap/nDPI__wechat.pcap"
	timeout 60 "$ex/jq-top-talkers.sh" -n 3 "$tmp/flows.ipfix.gz" > "$tmp/jq"
	[ "$(head -n 1 "$tmp/jq")" = "$(printf 'OCTETS\tFLOWS\tTALKER')" ]
	"$dump" --json -q "$tmp/flows.ipfix.gz" > "$tmp/ndjson"
	diff <(py_top src 3 "$tmp/ndjson") <(tail -n +2 "$tmp/jq")
}

# --- replay-dtls.sh ------------------------------------------------------

@test "replay-dtls.sh: IPFIX on the wire replayed 100x over DTLS with hand-offs" {
	one_ns
	cap="$data/ipfix/NetGauze__srv6.pcap"	# 302 s of export
	# shellcheck disable=SC2086
	bg recv 60 "$ns" "$recv" $col_sec --stats -o "$tmp/got.ipfix" \
	    dtls://127.0.0.1:4740
	netns_wait_listen "$ns" udp 4740 5
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 60 "$ex/replay-dtls.sh" --speed 100 \
	    --rekey 1 $exp_sec "$cap" dtls://127.0.0.1 2> "$tmp/replay.err"
	ms=$((($(date +%s%N) - t0) / 1000000))
	sleep 0.5
	bg_stop recv
	cat "$tmp/replay.err"
	echo "took $ms ms"
	# the capture's own pace, 100 times faster: about 3 s, not at once
	[ "$ms" -ge 2500 ] && [ "$ms" -lt 30000 ]
	line=$(grep '^replay-dtls.sh: summary: ' "$tmp/replay.err")
	[[ $line =~ summary:\ 172\ records\ in\ [0-9]+\ messages\ sent\ over\ ([0-9]+)\ DTLS\ session\(s\),\ ([0-9]+)\ hand-off ]]
	sessions=${BASH_REMATCH[1]} handoffs=${BASH_REMATCH[2]}
	[ "$sessions" -ge 2 ] && [ "$handoffs" -eq $((sessions - 1)) ]
	[[ $line == *"0 records could not be sent" ]]
	# what arrived: every record of the capture, over as many sessions,
	# and the exporting process's statistics (RFC 7011 §4.3) of each
	# session the hand-offs closed
	canon "$cap" > "$tmp/want"
	canon "$tmp/got.ipfix" > "$tmp/all"
	grep -v '"exportedFlowRecordTotalCount"' "$tmp/all" > "$tmp/got" || true
	[ "$(wc -l < "$tmp/want")" -eq 172 ]
	diff "$tmp/want" "$tmp/got"
	[ "$(grep -c '"exportedFlowRecordTotalCount"' "$tmp/all")" -eq "$handoffs" ]
	grep -q "sessions $sessions " "$tmp/recv.err"
}

@test "replay-dtls.sh: a packet capture is metered first and replayed" {
	one_ns
	pcap="$data/pcap/nDPI__bot.pcap"
	# shellcheck disable=SC2086
	bg recv 60 "$ns" "$recv" $col_sec -o "$tmp/got.ipfix" \
	    dtls://127.0.0.1:4741
	netns_wait_listen "$ns" udp 4741 5
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 60 "$ex/replay-dtls.sh" --speed 0 \
	    --rekey 0 $exp_sec "$pcap" dtls://127.0.0.1:4741 2> "$tmp/replay.err"
	sleep 0.5
	bg_stop recv
	grep -q 'holds no IPFIX: metering its packets' "$tmp/replay.err"
	grep -q 'over 1 DTLS session(s), 0 hand-off(s)' "$tmp/replay.err"
	"$gen" -q -o "$tmp/flows.ipfix" "$pcap"
	same_records "$tmp/flows.ipfix" "$tmp/got.ipfix"
}

# --- relay.sh ------------------------------------------------------------

@test "relay.sh: two UDP exporters forwarded over DTLS, each exporter's records apart" {
	e2e_pair	# relay and exporters in $nsa, the remote collector in $nsb
	[ -s "$pki/ca.pem" ] || skip "tests/lib/mkcerts.sh failed"
	bulk one 1000 1
	bulk two 2000 1		# the same ODID and template ID as one
	# shellcheck disable=SC2086
	bg far 60 "$nsb" "$recv" $col_sec -o "$tmp/far.ipfix" \
	    dtls://10.99.0.2:4740
	netns_wait_listen "$nsb" udp 4740 5
	# shellcheck disable=SC2086
	bg relay 60 "$nsa" "$ex/relay.sh" --listen udp://127.0.0.1:4739 \
	    --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
	    --ca "$pki/ca.pem" --peer-name collector.test dtls://10.99.0.2
	netns_wait_listen "$nsa" udp 4739 5
	nsx "$nsa" timeout 20 "$send" --mtu 1500 udp://127.0.0.1:4739 "$tmp/one.ipfix" &
	p1=$!
	nsx "$nsa" timeout 20 "$send" --mtu 1500 udp://127.0.0.1:4739 "$tmp/two.ipfix"
	wait "$p1"
	sleep 0.5
	bg_stop relay || { echo "status $?"; show_logs relay; false; }
	sleep 0.5
	bg_stop far
	show_logs relay far
	# at the far end, each record belongs to the exporter named by the
	# last Message Details record forwarded before it (one naming the
	# relay's listener, 127.0.0.1:4739, not the far collector's own)
	"$dump" --json -q "$tmp/far.ipfix" | $py -c '
import json, sys
cur, per = None, {}
for line in sys.stdin:
    r = json.loads(line)
    if "messageScope" in r and r.get("collectorTransportPort") == 4739:
        cur = (r["exporterIPv4Address"], r["exporterTransportPort"])
    elif "packetDeltaCount" in r:
        c = per.setdefault(cur, [0, 0])
        c[0] += 1
        c[1] += r["packetDeltaCount"]
for k, (n, s) in sorted(per.items(), key=lambda e: e[1][0]):
    print(k[0] if k else None, n, s)
' > "$tmp/per"
	cat "$tmp/per"
	# two exporters; the one that sent 1000 records has exactly records
	# 0..999 (packetDeltaCount i), the other 0..1999: none mixed
	[ "$(wc -l < "$tmp/per")" -eq 2 ]
	[ "$(sed -n 1p "$tmp/per")" = "127.0.0.1 1000 499500" ]
	[ "$(sed -n 2p "$tmp/per")" = "127.0.0.1 2000 1999000" ]
}

# --- decrypt-capture.sh --------------------------------------------------

@test "decrypt-capture.sh: tshark shows the decrypted records ipfix-send sent" {
	need_cmd tshark tcpdump openssl
	one_ns
	bulk in 120 7
	# shellcheck disable=SC2086
	bg recv 60 "$ns" "$recv" $col_sec -o /dev/null dtls://127.0.0.1:4740
	netns_wait_listen "$ns" udp 4740 5
	cd "$tmp"
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 90 "$ex/decrypt-capture.sh" -i lo \
	    $exp_sec "$tmp/in.ipfix" dtls://127.0.0.1 > "$tmp/shown" \
	    2> "$tmp/err"
	bg_stop recv
	cat "$tmp/err"
	head -n 3 "$tmp/shown"
	[ -s "$tmp/dtls-export.pcap" ] && grep -q '^CLIENT_RANDOM ' "$tmp/dtls-export.keys"
	# without the keys tshark sees no IPFIX in the capture at all
	[ "$(tshark -r "$tmp/dtls-export.pcap" -d udp.port==4740,dtls -Y cflow 2>/dev/null | wc -l)" -eq 0 ]
	# with them: every record, as ipfix-dump reads the input file
	"$dump" --json -q "$tmp/in.ipfix" | jq -r '[.sourceIPv4Address,
	    .destinationIPv4Address, .packetDeltaCount, .octetDeltaCount] |
	    @tsv' | sort > "$tmp/want"
	tail -n +2 "$tmp/shown" | awk -F'\t' '{ print $1 "\t" $2 "\t" $6 "\t" $7 }' |
	    sort > "$tmp/got"
	[ "$(wc -l < "$tmp/want")" -eq 120 ]
	diff "$tmp/want" "$tmp/got"
	# --read decodes the same capture again, without capturing
	timeout 60 "$ex/decrypt-capture.sh" --read "$tmp/dtls-export.pcap" \
	    "$tmp/dtls-export.keys" 4740 > "$tmp/again"
	cmp "$tmp/shown" "$tmp/again"
}

# --- collect-rotated.sh and ipfix-recv@.service --------------------------

# session_files DIR: the split files' session names (without the part)
session_files() {
	ls "$1" | sed 's/\.ipfix\.gz\(\.[0-9]*\)*$//' | sort -u
}

# session_records DIR SESSION: the session's parts, in order, as one
# stream (later parts need the templates of earlier ones)
session_records() {
	{ cat "$1/$2.ipfix.gz"
	  ls "$1" | grep -F "$2.ipfix.gz." | sort -t. -k4 -n |
	      while read -r p; do cat "$1/$p"; done; } | gzip -dc
}

# two_exporters RATE: $tmp/a.ipfix over TLS and $tmp/b.ipfix over DTLS
# to 127.0.0.1:4740 in $ns, both at once, RATE records a second; their
# pids in $p1 and $p2
two_exporters() {
	# shellcheck disable=SC2086
	nsx "$ns" timeout 20 "$send" $exp_sec --max-msg 1400 \
	    --record-rate "$1" tls://127.0.0.1:4740 "$tmp/a.ipfix" &
	p1=$!
	# shellcheck disable=SC2086
	nsx "$ns" timeout 20 "$send" $exp_sec --max-msg 1400 \
	    --record-rate "$1" dtls://127.0.0.1:4740 "$tmp/b.ipfix" &
	p2=$!
}

# per_exporter DIR: DIR holds one split session per exporter of
# two_exporters (names in $tls and $dtls), and each session's parts
# together hold exactly its exporter's records, nothing of the other's
per_exporter() {
	session_files "$1" > "$tmp/sessions"
	[ "$(wc -l < "$tmp/sessions")" -eq 2 ]
	tls=$(grep -- '-tls-\|-tcp-' "$tmp/sessions")
	dtls=$(grep -- '-dtls-\|-udp-' "$tmp/sessions")
	session_records "$1" "$tls" > "$tmp/tls.ipfix"
	session_records "$1" "$dtls" > "$tmp/dtls.ipfix"
	same_records "$tmp/a.ipfix" "$tmp/tls.ipfix"
	same_records "$tmp/b.ipfix" "$tmp/dtls.ipfix"
}

@test "collect-rotated.sh: TLS and DTLS exporters, one gzip'd file each, parts every second" {
	one_ns
	bulk a 1500 1
	bulk b 1500 2
	bg col 60 "$ns" "$ex/collect-rotated.sh" --rotate 1 --host 127.0.0.1 \
	    --cert "$pki/collector.pem" --key "$pki/collector.key" \
	    --ca "$pki/ca.pem" "$tmp/dir"
	netns_wait_listen "$ns" tcp 4740 5
	netns_wait_listen "$ns" udp 4740 5
	# both for about 2.5 s, so each session crosses two rotations
	two_exporters 600
	wait "$p1" "$p2"
	sleep 0.5
	bg_stop col || { echo "status $?"; show_logs col; false; }
	show_logs col
	ls -l "$tmp/dir"
	# gzip files only, one session per exporter, named by its transport,
	# with exactly its exporter's records
	! ls "$tmp/dir" | grep -v '\.ipfix\.gz\(\.[0-9]*\)\?$'
	for f in "$tmp/dir"/*; do gzip -t "$f"; done
	per_exporter "$tmp/dir"
	# each continued in at least two further parts (rotated every 1 s)
	[ -f "$tmp/dir/$tls.ipfix.gz.2" ] && [ -f "$tmp/dir/$dtls.ipfix.gz.2" ]
	# the statistics at exit name both sessions
	grep -q 'sessions 2 ' "$tmp/col.err"
}

# bg_signal NAME SIGNAL: signal the program bg started (the child of the
# timeout(1) its pid file names), without waiting for it to end
bg_signal() {
	kill -"$2" "$(bg_pid "$1")"
}

bg_pid() {	# bg_pid NAME: the pid of the program bg started
	pgrep -P "$(cat "$tmp/$1.pid")" | head -n 1
}

wait_file() {	# wait_file FILE: until it exists, at most 5 s
	for _ in $(seq 50); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "collect-rotated.sh --merged --rotate 0: logrotate moves the file, SIGHUP reopens it" {
	one_ns
	bulk a 400 1
	bulk b 300 3
	bg col 60 "$ns" "$ex/collect-rotated.sh" --merged --rotate 0 \
	    --host 127.0.0.1 --cert "$pki/collector.pem" \
	    --key "$pki/collector.key" --ca "$pki/ca.pem" "$tmp/dir"
	netns_wait_listen "$ns" tcp 4740 5
	# shellcheck disable=SC2086
	nsx "$ns" timeout 20 "$send" $exp_sec tls://127.0.0.1:4740 "$tmp/a.ipfix"
	sleep 0.5
	# what logrotate does: move the file, then HUP (the script exec'd
	# ipfix-recv: the process it started is ipfix-recv itself)
	[ "$(cat "/proc/$(bg_pid col)/comm")" = ipfix-recv ]
	mv "$tmp/dir/flows.ipfix.gz" "$tmp/moved.ipfix.gz"
	bg_signal col HUP
	wait_file "$tmp/dir/flows.ipfix.gz"
	# shellcheck disable=SC2086
	nsx "$ns" timeout 20 "$send" $exp_sec dtls://127.0.0.1:4740 "$tmp/b.ipfix"
	sleep 0.5
	bg_stop col || { echo "status $?"; show_logs col; false; }
	show_logs col
	# the moved file was closed whole and holds the first export; the
	# new one, self-contained, the second
	gzip -t "$tmp/moved.ipfix.gz"
	same_records "$tmp/a.ipfix" "$tmp/moved.ipfix.gz"
	same_records "$tmp/b.ipfix" "$tmp/dir/flows.ipfix.gz"
}

# unit_exec UNIT INSTANCE ROOT: the unit's ExecStart as this test runs
# it: specifiers and ${VARS} expanded as systemd would (%i the instance,
# %S ROOT/state, %E ROOT/etc, %d ROOT/cred; Environment= then the
# EnvironmentFile), /usr/local/bin/ replaced by IPFIX_BIN, and the
# LoadCredential= and StateDirectory= it names made under ROOT.
unit_exec() {
	local unit=$1 i=$2 root=$3 line var f
	local -A env
	spec() { sed -e "s|%i|$i|g; s|%S|$root/state|g; s|%E|$root/etc|g" \
	    -e "s|%d|$root/cred|g"; }
	mkdir -p "$root/cred" "$root/state"
	mkdir -p "$root/state/$(sed -n 's/^StateDirectory=//p' "$unit" | spec)"
	sed -n 's/^LoadCredential=//p' "$unit" | spec | tr ':' ' ' |
	    while read -r name src; do
		cp "$root$src" "$root/cred/$name"
	    done
	line=$(sed -n 's/^ExecStart=//p' "$unit" | spec |
	    sed "s|^/usr/local/bin/|$IPFIX_BIN/|")
	# Environment= first, the file's assignments override
	f=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit" | spec)
	for var in $(sed -n 's/^Environment=//p' "$unit") \
	    $(cat "$root$f" 2> /dev/null); do
		env[${var%%=*}]=${var#*=}
	done
	for var in "${!env[@]}"; do
		line=${line//\$\{$var\}/${env[$var]}}
	done
	echo "$line"
}

@test "ipfix-recv@.service: its ExecStart collects per exporter, reload (HUP) starts new parts" {
	one_ns
	unit="$ex/ipfix-recv@.service"
	if command -v systemd-analyze > /dev/null; then
		# the unit as systemd reads it: no unknown keys, hardened
		mkdir "$tmp/u"
		sed "s|/usr/local/bin/ipfix-recv|$IPFIX_BIN/ipfix-recv|" \
		    "$unit" > "$tmp/u/ipfix-recv@.service"
		timeout 30 systemd-analyze verify --man=no \
		    "$tmp/u/ipfix-recv@4740.service" > "$tmp/verify" 2>&1
		[ ! -s "$tmp/verify" ] || { cat "$tmp/verify"; return 1; }
		timeout 30 systemd-analyze security --offline=true --man=no \
		    "$tmp/u/ipfix-recv@4740.service" 2>&1 | tail -n 1 |
		    tee "$tmp/exposure"
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) x = $i }
		    END { exit !(x != "" && x < 3) }' "$tmp/exposure"
	fi
	grep -q '^DynamicUser=yes$' "$unit"
	grep -q '^ProtectSystem=strict$' "$unit"
	grep -q '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$' "$unit"
	# no quotes in ExecStart: the split into words below is systemd's
	! grep '^ExecStart=.*["'"'"'\\]' "$unit"
	mkdir -p "$tmp/root/etc/ipfix"
	cp "$pki/collector.pem" "$pki/collector.key" "$pki/ca.pem" \
	    "$tmp/root/etc/ipfix/"
	echo ROTATE=3600 > "$tmp/root/etc/ipfix/4740.env"	# only HUP rotates
	cmd=$(unit_exec "$unit" 4740 "$tmp/root")
	echo "ExecStart: $cmd"
	[[ $cmd == "$IPFIX_BIN/ipfix-recv --split $tmp/root/state/ipfix/4740 "*"--rotate 3600 "* ]]
	bulk a 900 1
	bulk b 900 2
	# shellcheck disable=SC2086
	bg svc 60 "$ns" $cmd
	netns_wait_listen "$ns" tcp 4740 5
	netns_wait_listen "$ns" udp 4740 5
	# two exporters for about 2 s each; the reload comes in the middle
	two_exporters 450
	sleep 1
	bg_signal svc HUP
	wait "$p1" "$p2"
	sleep 0.5
	bg_stop svc || { echo "status $?"; show_logs svc; false; }
	show_logs svc
	dir="$tmp/root/state/ipfix/4740"
	ls -l "$dir"
	per_exporter "$dir"
	# the reload, not the timer (an hour), made exactly one more part
	[ -f "$dir/$tls.ipfix.gz.1" ] && [ ! -e "$dir/$tls.ipfix.gz.2" ]
	[ -f "$dir/$dtls.ipfix.gz.1" ] && [ ! -e "$dir/$dtls.ipfix.gz.2" ]
}

# --- debug-collector.sh --------------------------------------------------

@test "debug-collector.sh: a healthy collector, data counted, and a restart found" {
	need_tools dtls-probe
	one_ns
	bulk in 200 4
	start() {
		# shellcheck disable=SC2086
		bg recv 60 "$ns" "$recv" $col_sec -o /dev/null dtls://127.0.0.1:4740
		netns_wait_listen "$ns" udp 4740 5
	}
	start
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --session "$tmp/sess" --send "$tmp/in.ipfix" \
	    --recv-pid "$(bg_pid recv)" --recv-log "$tmp/recv.err" \
	    dtls://127.0.0.1 > "$tmp/out"
	cat "$tmp/out"
	grep -Eq '^1\. Is anything there\? +yes' "$tmp/out"
	grep -Eq '^2\. Does the handshake complete\? +ok in ' "$tmp/out"
	grep -Eq '^3\. Is it who we think\? +subject=.*collector\.test.*; verify ok.*; name matches localhost' "$tmp/out"
	grep -Eq '^4\. Does it ask for our certificate\? +yes' "$tmp/out"
	grep -Eq '^5\. How large may a message be\? +[0-9]+ bytes' "$tmp/out"
	grep -Eq '^6\. Are reconnects cheap \(resume\)\? +pass' "$tmp/out"
	grep -Eq '^8\. Did it restart since last run\? +pass' "$tmp/out"
	grep -Eq '^9\. Does data get through\? +pass: .* 200 records' "$tmp/out"
	# ipfix-recv's own counters, read through SIGUSR1, saw them arrive
	grep -Eq '^   ipfix-recv counted +200 records more \(in all: [0-9]+ sessions, 0 refused' "$tmp/out"
	grep -q 'verdict.*the collector answers' "$tmp/out"
	# the same collector again: the same instance
	# shellcheck disable=SC2086
	ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --session "$tmp/sess" dtls://127.0.0.1 > "$tmp/out"
	grep -Eq '^8\. Did it restart since last run\? +pass' "$tmp/out"
	# --liveness: question 7, the renegotiation ipfix-send's probe needs;
	# the exit status follows its answer
	run ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --liveness dtls://127.0.0.1
	echo "$output"
	[[ $output =~ 7\.\ Can\ ipfix-send\ probe\ liveness\?\ +renegotiation\ (pass|FAIL) ]]
	if [ "${BASH_REMATCH[1]}" = pass ]; then [ "$status" -eq 0 ]; else [ "$status" -eq 5 ]; fi
	# restarted: it lost its state, and the script says so (exit 5)
	bg_stop recv
	start
	run ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --session "$tmp/sess" dtls://127.0.0.1
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *"8. Did it restart since last run?"*"FAIL"* ]]
	[[ $output == *"verdict"*"a check failed"* ]]
}

@test "debug-collector.sh: nothing there (exit 4), a collector we cannot verify (exit 3)" {
	need_tools dtls-probe
	one_ns
	# shellcheck disable=SC2086
	run ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --timeout 3 dtls://127.0.0.1
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"1. Is anything there?"*"no"* ]]
	[[ $output == *"2. Does the handshake complete?"*"unreachable (ICMP)"* ]]
	[[ $output == *"verdict"*"unreachable"* ]]
	# shellcheck disable=SC2086
	bg recv 60 "$ns" "$recv" $col_sec -o /dev/null tls://127.0.0.1:4740
	netns_wait_listen "$ns" tcp 4740 5
	run ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" \
	    --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
	    --ca "$pki/rogue-ca.pem" --peer-name localhost tls://127.0.0.1
	echo "$output"
	[ "$status" -eq 3 ]
	# our CA does not know the collector's: we refuse it, says question 3
	[[ $output == *"3. Is it who we think?"*"no: "*"certificate"* ]]
	[[ $output == *"verdict"*"authentication failed"* ]]
	bg_stop recv
	# the collector does not know our CA: it refuses us, says question 4
	bg recv 60 "$ns" "$recv" --cert "$pki/collector.pem" \
	    --key "$pki/collector.key" --ca "$pki/rogue-ca.pem" -o /dev/null \
	    dtls://127.0.0.1:4740
	netns_wait_listen "$ns" udp 4740 5
	# shellcheck disable=SC2086
	run ip netns exec "$ns" timeout 60 "$ex/debug-collector.sh" $exp_sec \
	    --timeout 5 dtls://127.0.0.1
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"3. Is it who we think?"*"(not reached)"* ]]
	[[ $output == *"4. Does it accept us?"*"no: "* ]]
	# a wrong option is a usage error, named
	run "$ex/debug-collector.sh" --recv-pid 1 dtls://127.0.0.1
	[ "$status" -eq 2 ]
	[[ $output == *"--recv-pid needs --recv-log"* ]]
}
