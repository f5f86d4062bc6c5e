#!/usr/bin/env bats
# ipfix-recv: every option over loopback with the plain senders of
# tests/recv-send.py (and ipfix-send when it exists): round trips over UDP
# and TCP, colliding exporters merged into one stream that ipfix-dump and
# tshark decode, --split byte-exactness, rotation and signals, statistics,
# limits, and bad input answered without hurting a good exporter.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	recv="$IPFIX_BIN/ipfix-recv"
	dump="$IPFIX_BIN/ipfix-dump"
	send="python3 $top/tests/recv-send.py"
	data="$top/tests/data/ipfix"
	srv6="$data/NetGauze__srv6.udp-payloads.ipfix"		# 172 records
	cisco="$data/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	tmp=$(mktemp -d "${BATS_TMPDIR:-/tmp}/recv.XXXXXX")
	port=$((20000 + (RANDOM % 20000)))
	rpid= tpid=
}

teardown() {
	recv_teardown
}

load lib/recv

@test "ipfix-recv: --help lists every option, --version" {
	run "$recv" --help
	[ "$status" -eq 0 ]
	for o in output gzip split rotate stats json sctp-udp-encap \
	    max-templates max-sessions idle-timeout template-lifetime rcvbuf \
	    first-message-timeout max-handshakes \
	    cert key ca peer-name psk-identity psk-file ciphers keylog \
	    insecure handshake-timeout verbose quiet help version; do
		[[ "$output" == *"--$o"* ]] || { echo "missing --$o"; false; }
		sed 's/\\-/-/g' "$top/man/ipfix-recv.1" |
		    grep -qE -- "(^|[^a-z-])-$o([^a-z-]|$)" ||
		    { echo "man page lacks --$o"; false; }
	done
	run "$recv" --version
	[ "$status" -eq 0 ]
	[[ "$output" == *ipfix-recv* ]]
}

@test "ipfix-recv: usage errors exit 2 with one line" {
	run "$recv"
	[ "$status" -eq 2 ]
	[[ "$output" == *ENDPOINT* ]]
	run "$recv" foo://:1
	[ "$status" -eq 2 ]
	run "$recv" --split "$tmp" -o x udp://:1
	[ "$status" -eq 2 ]
	run "$recv" --rotate 5 udp://:1
	[ "$status" -eq 2 ]
	run "$recv" --split "$tmp/nodir" udp://:1
	[ "$status" -eq 2 ]
	run "$recv" --max-templates 0 udp://:1
	[ "$status" -eq 2 ]
	run "$recv" --bogus udp://:1
	[ "$status" -eq 2 ]
}

@test "ipfix-recv: UDP round trip keeps every record" {
	start_recv 1 -o "$tmp/out" "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$srv6"
	stop_recv
	records "$srv6" > "$tmp/want"
	records "$tmp/out" > "$tmp/got"
	[ "$(wc -l < "$tmp/want")" -eq 172 ]
	diff "$tmp/want" "$tmp/got"
	run "$dump" --validate "$tmp/out"
	[ "$status" -eq 0 ]
}

@test "ipfix-recv: TCP round trip to stdout, IPv6 listener" {
	start_recv 1 "tcp://[::1]:$port" > "$tmp/out"
	$send tcp ::1 "$port" "$cisco"
	stop_recv
	records "$cisco" > "$tmp/want"
	records "$tmp/out" > "$tmp/got"
	[ "$(wc -l < "$tmp/want")" -eq 12 ]
	diff "$tmp/want" "$tmp/got"
	grep -q 'session 1 tcp \[::1\]' "$tmp/err"
}

@test "ipfix-recv: colliding exporters decode apart, also in tshark" {
	start_recv 2 -o "$tmp/out" "udp://127.0.0.1:$port" \
	    "tcp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$srv6"
	$send tcp 127.0.0.1 "$port" "$srv6"
	$send udp 127.0.0.1 "$port" "$cisco"
	stop_recv
	{ records "$srv6"; records "$srv6"; records "$cisco"; } | sort \
	    > "$tmp/want"
	records "$tmp/out" > "$tmp/got"
	diff "$tmp/want" "$tmp/got"
	# the Message Details name each record's session: 3 distinct ports
	n=$("$dump" --json "$tmp/out" | jq -r 'select(.template == 65534) |
	    "\(.exporterTransportPort)/\(.exportTransportProtocol)"' |
	    sort -u | wc -l)
	[ "$n" -eq 3 ]
	run "$dump" --validate "$tmp/out"
	[ "$status" -eq 0 ]
	# tshark reads the file (wiretap's IPFIX file reader) and every
	# data record of ours is there
	run timeout 60 tshark -r "$tmp/out" -T fields -e cflow.od_id
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 0 ]
	tsn=$(timeout 60 tshark -r "$tmp/out" -V 2>/dev/null |
	    grep -c 'Flow [0-9]')
	[ "$tsn" -ge $((172 * 2 + 12)) ]
}

@test "ipfix-recv: --split writes one byte-exact file per session" {
	start_recv 2 --split "$tmp" "udp://127.0.0.1:$port" \
	    "tcp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$srv6"
	$send tcp 127.0.0.1 "$port" "$cisco"
	stop_recv
	cmp "$srv6" "$tmp"/*-udp-127.0.0.1-*-s1.ipfix
	cmp "$cisco" "$tmp"/*-tcp-127.0.0.1-*-s2.ipfix
}

@test "ipfix-recv: -z gzip output and compressed frames" {
	start_recv 1 -z -o "$tmp/out.gz" --stats "udp://127.0.0.1:$port"
	$send udpz 127.0.0.1 "$port" "$srv6"
	stop_recv
	[ "$(head -c 2 "$tmp/out.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ]
	records "$srv6" > "$tmp/want"
	records "$tmp/out.gz" > "$tmp/got"
	diff "$tmp/want" "$tmp/got"
	grep -q 'records 172 lost 0 malformed 0' "$tmp/err"
}

@test "ipfix-recv: --rotate and SIGHUP start self-contained files" {
	start_recv 1 --rotate 1 -o "$tmp/rot" "tcp://127.0.0.1:$port"
	python3 - "$port" "$srv6" <<'EOF'
import socket, struct, sys, time
data = open(sys.argv[2], "rb").read()
t = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
half = len(data) // 2
i = 0
while i < len(data):
	n = struct.unpack(">H", data[i + 2:i + 4])[0]
	t.sendall(data[i:i + n])
	i += n
	if i >= half and half:
		time.sleep(1.5)	# at least one rotation mid-session
		half = 0
t.close()
EOF
	sleep 0.3
	kill -HUP "$rpid"
	stop_recv
	ls "$tmp"/rot.* > "$tmp/files"
	[ "$(wc -l < "$tmp/files")" -ge 2 ]
	: > "$tmp/got"
	while read -r f; do
		run "$dump" --validate "$f"
		[ "$status" -eq 0 ] || { echo "$f: $output"; false; }
		records "$f" >> "$tmp/got"
	done < "$tmp/files"
	records "$srv6" > "$tmp/want"
	sort -o "$tmp/got" "$tmp/got"
	diff "$tmp/want" "$tmp/got"
}

@test "ipfix-recv: SIGHUP reopens the same path after a move" {
	start_recv 1 -o "$tmp/out" "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$cisco"
	sleep 0.5
	mv "$tmp/out" "$tmp/old"
	kill -HUP "$rpid"
	sleep 0.3
	$send udp 127.0.0.1 "$port" "$cisco"
	stop_recv
	[ -s "$tmp/out" ]
	records "$cisco" > "$tmp/want"
	[ "$(records "$tmp/old" | wc -l)" -eq 12 ]
	diff "$tmp/want" <(records "$tmp/out")
}

@test "ipfix-recv: SIGUSR1 and --stats --json report per exporter and session" {
	start_recv 1 --stats --json -o /dev/null "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$srv6"
	sleep 0.5
	kill -USR1 "$rpid"
	sleep 0.3
	stop_recv
	grep '^{' "$tmp/err" > "$tmp/json"
	[ "$(wc -l < "$tmp/json")" -eq 2 ]
	[ "$(tail -n 1 "$tmp/json" | jq '.records')" -eq 172 ]
	[ "$(tail -n 1 "$tmp/json" | jq '.exporters[0].key')" = '"127.0.0.1 over udp"' ]
	[ "$(tail -n 1 "$tmp/json" | jq '.sessions[0].records')" -eq 172 ]
	[ "$(tail -n 1 "$tmp/json" | jq '.sessions[0].lost')" -eq 0 ]
}

@test "ipfix-recv: sequence gaps are reported as lost records" {
	python3 - "$srv6" "$tmp/gappy" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, i, k = b"", 0, 0
while i < len(data):
	n = struct.unpack(">H", data[i + 2:i + 4])[0]
	m = data[i:i + n]
	i += n
	k += 1
	# drop every 10th message that has data sets (any set id >= 256),
	# but never the last: loss at the end has no later sequence number
	j, data_sets = 16, False
	while j + 4 <= len(m):
		sid, sl = struct.unpack(">HH", m[j:j + 4])
		data_sets |= sid >= 256
		j += max(sl, 4)
	if k % 10 == 0 and data_sets and i < len(data):
		continue
	out += m
open(sys.argv[2], "wb").write(out)
EOF
	start_recv 1 --stats -o "$tmp/out" "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$tmp/gappy"
	stop_recv
	got=$(records "$tmp/out" | wc -l)
	lost=$(grep -o 'lost [0-9]*' "$tmp/err" | head -n 1 | cut -d' ' -f2)
	[ "$lost" -gt 0 ]
	[ $((got + lost)) -eq 172 ]
}

@test "ipfix-recv: garbage and a stalled peer do not hurt a good exporter" {
	start_recv 2 --stats -o "$tmp/out" "udp://127.0.0.1:$port" \
	    "tcp://127.0.0.1:$port"
	$send garbage-udp 127.0.0.1 "$port"
	$send garbage-tcp 127.0.0.1 "$port"
	$send half-tcp 127.0.0.1 "$port" 2 3>&- &
	stalled=$!
	$send udp 127.0.0.1 "$port" "$srv6"
	$send tcp 127.0.0.1 "$port" "$cisco"
	wait "$stalled"
	stop_recv
	{ records "$srv6"; records "$cisco"; } | sort > "$tmp/want"
	diff "$tmp/want" <(records "$tmp/out")
	# the two junk datagrams get no session (not IPFIX headers)
	grep -q 'not IPFIX 2,' "$tmp/err"
	grep -q 'closed' "$tmp/err"		# the junk TCP session
}

@test "ipfix-recv: --max-templates caps 10,000 templates from one peer" {
	start_recv 1 --stats --json --max-templates 100 -o "$tmp/out" \
	    "udp://127.0.0.1:$port"
	$send templates 127.0.0.1 "$port" 10000
	$send udp 127.0.0.1 "$port" "$srv6"
	stop_recv
	n=$("$dump" --json=templates "$tmp/out" | jq -c 'select(.type ==
	    "template" and .odid == 99)' | wc -l)
	[ "$n" -le 100 ]
	[ "$n" -gt 0 ]
	diff <(records "$srv6") <(records "$tmp/out")
}

@test "ipfix-recv: --idle-timeout ends a silent UDP session" {
	start_recv 1 --idle-timeout 0.5 -o /dev/null "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$cisco"
	sleep 1.5
	grep -q 'session 1 udp .* ended' "$tmp/err"
	stop_recv
}

@test "ipfix-recv: --max-sessions refuses the session over the limit" {
	start_recv 1 --max-sessions 1 --stats -o "$tmp/out" \
	    "tcp://127.0.0.1:$port"
	$send half-tcp 127.0.0.1 "$port" 1.5 3>&- &
	holder=$!
	sleep 0.3
	$send tcp 127.0.0.1 "$port" "$cisco" || true
	wait "$holder"
	stop_recv
	[ "$(records "$tmp/out" | wc -l)" -eq 0 ]
}

@test "ipfix-recv: --template-lifetime and --rcvbuf are accepted" {
	start_recv 1 --template-lifetime 60 --rcvbuf 1048576 -o "$tmp/out" \
	    "udp://127.0.0.1:$port"
	$send udp 127.0.0.1 "$port" "$cisco"
	stop_recv
	diff <(records "$cisco") <(records "$tmp/out")
}

@test "ipfix-recv: -q silences warnings" {
	timeout 10 "$recv" -q --bogus udp://:1 2>"$tmp/e" || true
	# usage errors still speak (exit 2); runtime warnings do not
	start_recv 1 -o /dev/null "tcp://127.0.0.1:$port"
	stop_recv
	timeout 10 "$recv" -q -o /dev/null "tcp://127.0.0.1:$port" \
	    2>"$tmp/q" 3>&- &
	qp=$!
	sleep 0.5
	$send garbage-tcp 127.0.0.1 "$port"
	sleep 0.3
	kill -TERM "$qp"
	wait "$qp" || true
	[ ! -s "$tmp/q" ]
}

@test "ipfix-recv: secured endpoints need their keys; --insecure is warned" {
	run timeout 10 "$recv" --insecure --handshake-timeout 2 \
	    --cert "$tmp/none.pem" --key "$tmp/none.key" --ca "$tmp/ca.pem" \
	    --peer-name a --peer-name b --psk-identity x --psk-file "$tmp/p" \
	    --ciphers DEFAULT --keylog "$tmp/kl" "dtls://127.0.0.1:$port"
	[ "$status" -eq 1 ]
	[[ "$output" == *insecure* ]]
	[ "${#lines[@]}" -ge 2 ]
}

@test "ipfix-recv: --sctp-udp-encap listens over usrsctp" {
	start_recv 1 "--sctp-udp-encap=$port" -o "$tmp/out" \
	    "sctp://127.0.0.1:$port"
	if [ -x "$IPFIX_BIN/ipfix-send" ]; then
		timeout 30 "$IPFIX_BIN/ipfix-send" "--sctp-udp-encap=$port" \
		    "sctp://127.0.0.1:$port" < "$srv6" || true
		stop_recv
		diff <(records "$srv6") <(records "$tmp/out")
	else
		stop_recv
		skip "ipfix-send not built yet"
	fi
}

@test "ipfix-recv: ipfix-gen | ipfix-send -> ipfix-recv over UDP and TCP" {
	[ -x "$IPFIX_BIN/ipfix-send" ] || skip "ipfix-send not built yet"
	pcap="$top/tests/data/pcap/nDPI__iphone.pcap"
	"$IPFIX_BIN/ipfix-gen" "$pcap" > "$tmp/gen"
	[ "$(records "$tmp/gen" | wc -l)" -gt 10 ]
	for proto in udp tcp; do
		start_recv 1 -o "$tmp/out.$proto" "$proto://127.0.0.1:$port"
		timeout 30 "$IPFIX_BIN/ipfix-gen" "$pcap" |
		    timeout 30 "$IPFIX_BIN/ipfix-send" "$proto://127.0.0.1:$port"
		stop_recv
		diff <(records "$tmp/gen") <(records "$tmp/out.$proto")
	done
}

@test "ipfix-recv: ipfix-send --compress frames are inflated (UDP)" {
	[ -x "$IPFIX_BIN/ipfix-send" ] || skip "ipfix-send not built yet"
	start_recv 1 --json -o "$tmp/out" "udp://127.0.0.1:$port"
	timeout 30 "$IPFIX_BIN/ipfix-send" --compress \
	    "udp://127.0.0.1:$port" "$srv6"
	stop_recv
	diff <(records "$srv6") <(records "$tmp/out")
	[ "$(grep '^{' "$tmp/err" | jq '.compressed')" -gt 0 ]
	[ "$(grep '^{' "$tmp/err" | jq '.malformed')" -eq 0 ]
}

# mkpki DIR: a CA and collector/exporter certificates (P-256, 2 days).
mkpki() {
	local d=$1 n
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj /CN=testca \
	    2>/dev/null
	for n in collector exporter; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$d/$n.key" -out "$d/$n.csr" \
		    -subj "/CN=$n.example" 2>/dev/null
		printf 'subjectAltName=DNS:%s.example\n' "$n" > "$d/$n.ext"
		openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" \
		    -CAkey "$d/ca.key" -CAcreateserial -out "$d/$n.pem" \
		    -days 2 -extfile "$d/$n.ext" 2>/dev/null
	done
}

@test "ipfix-recv: TLS and DTLS sessions carry the exporter's identity" {
	[ -x "$IPFIX_BIN/ipfix-send" ] || skip "ipfix-send not built yet"
	mkpki "$tmp/pki"
	p="$tmp/pki"
	for scheme in tls dtls; do
		start_recv 1 --stats --json --cert "$p/collector.pem" \
		    --key "$p/collector.key" --ca "$p/ca.pem" \
		    --peer-name exporter.example -o "$tmp/out.$scheme" \
		    "$scheme://127.0.0.1:$port"
		timeout 30 "$IPFIX_BIN/ipfix-send" --cert "$p/exporter.pem" \
		    --key "$p/exporter.key" --ca "$p/ca.pem" \
		    --peer-name collector.example \
		    "$scheme://127.0.0.1:$port" "$srv6"
		stop_recv
		diff <(records "$srv6") <(records "$tmp/out.$scheme")
		grep '^{' "$tmp/err" | jq -r '.sessions[0].identity' |
		    grep -q 'CN=exporter.example'
		grep -q "session 1 $scheme 127.0.0.1" "$tmp/err"
		# exporterCertificate carries the exporter's DER certificate
		"$dump" --json "$tmp/out.$scheme" | jq -r 'select(.template ==
		    65532) | .exporterCertificate' | head -n 1 | xxd -r -p |
		    openssl x509 -inform DER -noout -subject |
		    grep -q 'CN *= *exporter.example'
	done
}

@test "ipfix-recv: an exporter not in --peer-name is refused, nothing kept" {
	[ -x "$IPFIX_BIN/ipfix-send" ] || skip "ipfix-send not built yet"
	mkpki "$tmp/pki"
	p="$tmp/pki"
	start_recv 1 --stats --json --cert "$p/collector.pem" \
	    --key "$p/collector.key" --ca "$p/ca.pem" \
	    --peer-name someone.else --handshake-timeout 2 -o "$tmp/out" \
	    "tls://127.0.0.1:$port"
	# with TLS 1.3 the client may finish before the collector's refusal
	# arrives, so only the collector's side is checked
	run timeout 30 "$IPFIX_BIN/ipfix-send" --max-retries 0 \
	    --cert "$p/exporter.pem" --key "$p/exporter.key" \
	    --ca "$p/ca.pem" --peer-name collector.example \
	    "tls://127.0.0.1:$port" "$srv6"
	stop_recv
	[ "$(grep '^{' "$tmp/err" | jq '.refused')" -ge 1 ]
	[ "$(records "$tmp/out" | wc -l)" -eq 0 ]
	grep -q 'refused 127.0.0.1' "$tmp/err"
}

@test "ipfix-recv: a DTLS PSK session is named by its PSK identity" {
	[ -x "$IPFIX_BIN/ipfix-send" ] || skip "ipfix-send not built yet"
	head -c 32 /dev/urandom | xxd -p -c 64 > "$tmp/psk"
	start_recv 1 --json --psk-identity exp1 --psk-file "$tmp/psk" \
	    -o "$tmp/out" "dtls://127.0.0.1:$port"
	timeout 30 "$IPFIX_BIN/ipfix-send" --psk-identity exp1 \
	    --psk-file "$tmp/psk" "dtls://127.0.0.1:$port" "$srv6"
	stop_recv
	diff <(records "$srv6") <(records "$tmp/out")
	[ "$(grep '^{' "$tmp/err" | jq -r '.exporters[0].key')" = 'psk=exp1 at 127.0.0.1 over dtls' ]
}
