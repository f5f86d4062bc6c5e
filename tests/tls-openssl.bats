#!/usr/bin/env bats
# Interop of the secured transports (libipfix tls/chan_tls/chan_dtls) with
# OpenSSL's own tools: ipfix-send exports into `openssl s_server` over DTLS
# 1.2 and TLS 1.2/1.3, and `openssl s_client -dtls1_2` sends IPFIX messages
# into ipfix-recv; the records on the other side equal the input's. With
# mutual certificate authentication and name checks on both sides. Then
# tshark decrypts a captured DTLS export with our NSS key log
# (platform-notes §3g) and decodes the same records.
# Certificates come from tests/lib/mkcerts.sh at run time.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	send="$IPFIX_BIN/ipfix-send"
	recv="$IPFIX_BIN/ipfix-recv"
	dump="$IPFIX_BIN/ipfix-dump"
	[ -x "$send" ] && [ -x "$recv" ] || skip "tools not built"
	command -v openssl >/dev/null || skip "no openssl command"
	t="$BATS_TEST_TMPDIR"
	sh "$top/tests/lib/mkcerts.sh" "$t/pki" >/dev/null
	in="$top/tests/data/ipfix/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

# records FILE: the decoded templates and records, without message headers
# (sequence numbers and message boundaries may differ after re-packing).
records() {
	"$dump" "$1" | grep -v '^message'
}

# s_server VERSION-FLAG: OpenSSL as the collector, received bytes in
# $t/got; stdin held open so it does not stop at EOF (bounded).
s_server() {
	(sleep 5 | timeout 8 openssl s_server "$1" -accept "127.0.0.1:$port" \
	    -cert "$t/pki/collector.pem" -key "$t/pki/collector.key" \
	    -CAfile "$t/pki/ca.pem" -Verify 1 -verify_return_error -quiet \
	    -naccept 1 > "$t/got" 2> "$t/srv.err") &
	srv=$!
	sleep 0.5
}

send_to() {
	timeout 10 "$send" --max-retries 0 --cert "$t/pki/exporter.pem" \
	    --key "$t/pki/exporter.key" --ca "$t/pki/ca.pem" \
	    --peer-name collector.test "$1://127.0.0.1:$port" "$in"
}

@test "ipfix-send exports into openssl s_server -dtls1_2" {
	s_server -dtls1_2
	send_to dtls
	wait "$srv" || true
	[ -s "$t/got" ]
	diff <(records "$in") <(records "$t/got")
}

@test "ipfix-send exports into openssl s_server (TLS 1.3)" {
	s_server -tls1_3
	send_to tls
	wait "$srv" || true
	diff <(records "$in") <(records "$t/got")
}

@test "ipfix-send exports into openssl s_server (TLS 1.2)" {
	s_server -tls1_2
	send_to tls
	wait "$srv" || true
	diff <(records "$in") <(records "$t/got")
}

@test "ipfix-send refuses an s_server whose name does not match" {
	s_server -dtls1_2
	run timeout 10 "$send" --max-retries 0 --cert "$t/pki/exporter.pem" \
	    --key "$t/pki/exporter.key" --ca "$t/pki/ca.pem" \
	    --peer-name wrong.test "dtls://127.0.0.1:$port" "$in"
	kill "$srv" 2>/dev/null || true
	wait "$srv" || true
	[ "$status" -ne 0 ]
	echo "$output" | grep -q "hostname mismatch"
	[ ! -s "$t/got" ]
}

@test "openssl s_client -dtls1_2 sends IPFIX messages into ipfix-recv" {
	mkdir "$t/split"
	timeout 15 "$recv" --cert "$t/pki/collector.pem" \
	    --key "$t/pki/collector.key" --ca "$t/pki/ca.pem" --stats \
	    --idle-timeout 2 --split "$t/split" "dtls://127.0.0.1:$port" \
	    2> "$t/recv.err" &
	rp=$!
	sleep 0.5
	# One IPFIX message per DTLS record: hand s_client one at a time.
	python3 - "$in" <<'PY' | timeout 10 openssl s_client -dtls1_2 \
	    -connect "127.0.0.1:$port" -cert "$t/pki/exporter.pem" \
	    -key "$t/pki/exporter.key" -CAfile "$t/pki/ca.pem" \
	    -verify_return_error -quiet > "$t/cli.out" 2>&1 || true
import sys, time
data = open(sys.argv[1], "rb").read()
time.sleep(0.5)
i = 0
while i + 4 <= len(data):
    n = int.from_bytes(data[i + 2:i + 4], "big")
    sys.stdout.buffer.write(data[i:i + n])
    sys.stdout.buffer.flush()
    time.sleep(0.05)
    i += n
time.sleep(0.5)
PY
	sleep 0.5
	kill -TERM "$rp"
	wait "$rp" || true
	cat "$t/recv.err"
	grep -q "subject=CN=exporter-1.test" "$t/recv.err"
	[ "$(ls "$t/split" | wc -l)" -eq 1 ]
	diff <(records "$in") <(records "$t/split"/*)
}

@test "tshark decrypts ipfix-send -> ipfix-recv over DTLS with the key log" {
	command -v tshark >/dev/null && command -v tcpdump >/dev/null ||
	    skip "no tshark/tcpdump"
	[ "$(id -u)" -eq 0 ] || skip "capturing on lo needs root"
	# tshark binds the port to IPFIX only with a loadable RSA key in
	# dtls.keys_list (unused: the ECDHE keys come from the key log).
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$t/rsa.key" 2>/dev/null
	timeout 20 tcpdump --immediate-mode -i lo -U -w "$t/cap.pcap" udp port "$port" \
	    2>/dev/null &
	tp=$!
	sleep 1
	timeout 15 "$recv" --cert "$t/pki/collector.pem" \
	    --key "$t/pki/collector.key" --ca "$t/pki/ca.pem" -o /dev/null \
	    "dtls://127.0.0.1:$port" 2>/dev/null &
	rp=$!
	sleep 0.5
	timeout 10 "$send" --keylog "$t/keys.log" --cert "$t/pki/exporter.pem" \
	    --key "$t/pki/exporter.key" --ca "$t/pki/ca.pem" \
	    "dtls://127.0.0.1:$port" "$in"
	sleep 1
	kill "$rp" "$tp" 2>/dev/null || true
	wait "$rp" "$tp" || true
	grep -q '^CLIENT_RANDOM ' "$t/keys.log"
	tshark -r "$t/cap.pcap" -o "tls.keylog_file:$t/keys.log" \
	    -d "udp.port==$port,dtls" \
	    -o "dtls.keys_list:0.0.0.0,$port,cflow,$t/rsa.key" \
	    -T fields -e cflow.octets 2>/dev/null | tr ',\t' '\n\n' |
	    grep . | sort -n > "$t/tshark.octets"
	"$dump" "$in" | grep -o 'octetDeltaCount=[0-9]*' | cut -d= -f2 |
	    sort -n > "$t/ours.octets"
	[ "$(wc -l < "$t/ours.octets")" -eq 12 ]
	diff "$t/ours.octets" "$t/tshark.octets"
}
