#!/usr/bin/env bats
# dtls-probe against real peers, each test in a network namespace of its
# own (ports never clash, nftables rules stay private): ipfix-recv over
# DTLS/UDP, DTLS/SCTP (usrsctp) and TLS, `openssl s_server -dtls1_2` and
# GnuTLS `gnutls-serv --udp`; certificate fields compared with `openssl
# x509` on the same file; the failures with their exit codes; listen mode
# with ipfix-send, `openssl s_client -dtls1_2` and `gnutls-cli --udp`.
# Certificates from tests/lib/mkcerts.sh, made once per file.

load lib/netns
load lib/e2e

setup_file() {
	export PKI="$BATS_FILE_TMPDIR/pki"
	sh "$BATS_TEST_DIRNAME/lib/mkcerts.sh" "$PKI" > /dev/null 2>&1
}

setup() {
	e2e_setup
	need_tools dtls-probe ipfix-recv ipfix-send ipfix-dump
	need_cmd jq openssl
	probe="$IPFIX_BIN/dtls-probe"
	in="$data/ipfix/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	netns_require
	ns=$(netns_name p)
	e2e_ns=$ns
	netns_create "$ns" || skip "could not create a namespace"
	cpki=(--cert "$PKI/collector.pem" --key "$PKI/collector.key" --ca "$PKI/ca.pem")
	epki=(--cert "$PKI/exporter.pem" --key "$PKI/exporter.key" --ca "$PKI/ca.pem")
}

teardown() {
	e2e_teardown
}

# recv SCHEME PORT OPTION...: ipfix-recv in the namespace, listening.
recv() {
	local scheme=$1 port=$2 proto=udp
	shift 2
	bg recv 60 "$ns" "$recv" -v --handshake-timeout 3 -o /dev/null "$@" \
	    "$scheme://127.0.0.1:$port"
	case $scheme in
	tls) proto=tcp ;;
	dtls-sctp) port=9899 ;;
	esac
	netns_wait_listen "$ns" "$proto" "$port" 10 ||
	    { show_logs recv; return 1; }
	sleep 0.3
}

# probe OPTION...: dtls-probe in the namespace (bats run form).
probe() {
	run timeout 30 ip netns exec "$ns" "$probe" "$@"
	echo "dtls-probe status $status"
	echo "$output" | head -n 60
}

# lsn_wait: the listening dtls-probe (bg lsn) ends by itself within 5 s
# (--count or --timeout) with status 0; its report is shown.
lsn_wait() {
	local rc=0 _
	for _ in $(seq 50); do bg_alive lsn || break; sleep 0.1; done
	bg_stop lsn INT || rc=$?
	cut -c 1-200 "$tmp/lsn.out"
	[ "$rc" -eq 0 ]
}

# x509 PEM OPTION...: openssl x509's view of a certificate file.
x509() {
	local f=$1
	shift
	openssl x509 -in "$f" -noout "$@"
}

# same_cert JSON INDEX PEM: every field of chain[INDEX] equals openssl
# x509 on PEM (SANs compared as sets of canonical addresses and names).
same_cert() {
	local j=$1 i=$2 pem=$3 c
	c=$(jq -c ".chain[$i]" "$j")
	[ "subject=$(jq -r .subject <<< "$c")" = "$(x509 "$pem" -subject)" ]
	[ "issuer=$(jq -r .issuer <<< "$c")" = "$(x509 "$pem" -issuer)" ]
	[ "notBefore=$(jq -r .not_before <<< "$c")" = "$(x509 "$pem" -startdate)" ]
	[ "notAfter=$(jq -r .not_after <<< "$c")" = "$(x509 "$pem" -enddate)" ]
	[ "sha256 Fingerprint=$(jq -r .sha256 <<< "$c")" = \
	    "$(x509 "$pem" -fingerprint -sha256)" ]
	x509 "$pem" -text | grep -q "Public-Key: ($(jq -r .key_bits <<< "$c") bit)"
	[ "$(jq -r .key_type <<< "$c")" = EC ]
	x509 "$pem" -text | grep -q id-ecPublicKey
	/usr/bin/python3 - "$(jq -r .sans <<< "$c")" \
	    "$(x509 "$pem" -ext subjectAltName | tail -n +2)" <<'PY'
import ipaddress, sys
def norm(s):
    out = set()
    for item in s.split(","):
        kind, _, val = item.strip().partition(":")
        if kind in ("IP", "IP Address"):
            out.add(("IP", str(ipaddress.ip_address(val))))
        elif kind:
            out.add((kind, val))
    return out
a, b = norm(sys.argv[1]), norm(sys.argv[2])
print("probe:", sorted(a), "\nopenssl:", sorted(b))
sys.exit(a != b)
PY
}

@test "dtls-probe: ipfix-recv over DTLS/UDP, every field, resumption, renegotiation, --count, --keylog" {
	recv dtls 4740 "${cpki[@]}" --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
	probe "${epki[@]}" --peer-name collector.test --resume --renegotiate \
	    --count 3 --keylog "$tmp/keys" --json dtls://127.0.0.1:4740
	echo "$output" > "$tmp/r.json"
	# ipfix-recv accepts the liveness probe (an abbreviated renegotiation)
	# by default once it has --refuse-probes (branch live); before, its
	# allow_renegotiation_probe setting is off and it refuses (exit 5).
	if "$recv" --help | grep -q -- --refuse-probes; then
		want=pass code=0
	else
		want=fail code=5
	fi
	[ "$status" -eq "$code" ]
	[ "$(jq -r .version "$tmp/r.json")" = DTLSv1.2 ]
	# the only suite the collector allows is the one negotiated
	[ "$(jq -r .cipher "$tmp/r.json")" = ECDHE-ECDSA-AES128-GCM-SHA256 ]
	[ "$(jq -r .group "$tmp/r.json")" = x25519 ]
	same_cert "$tmp/r.json" 0 "$PKI/collector.pem"
	same_cert "$tmp/r.json" 1 "$PKI/ca.pem"
	[ "$(jq -r .verify.code "$tmp/r.json")" = 0 ]
	[ "$(jq -r .name_check "$tmp/r.json")" = "matches collector.test" ]
	[ "$(jq -r .certificate_requested "$tmp/r.json")" = true ]
	[ "$(jq -r .secure_renegotiation "$tmp/r.json")" = true ]
	# loopback's MTU (65536) less IP, UDP and the suite's record overhead
	mtu=$(jq -r .data_mtu "$tmp/r.json")
	[ "$mtu" -gt 65000 ] && [ "$mtu" -lt 65508 ]
	[ "$(jq -r .handshake.hello_verify_request "$tmp/r.json")" = true ]
	[ "$(jq -r '.handshake.flights[0].messages' "$tmp/r.json")" = ClientHello ]
	[ "$(jq -r '.handshake.flights[1].messages' "$tmp/r.json")" = HelloVerifyRequest ]
	[ "$(jq -r .handshake.retransmissions "$tmp/r.json")" = 0 ]
	[ "$(jq -r .resume.result "$tmp/r.json")" = pass ]
	[ "$(jq -r .resume.detail "$tmp/r.json")" = ticket ]
	[ "$(jq -r .renegotiate.result "$tmp/r.json")" = "$want" ]
	if [ "$want" = pass ]; then
		[ "$(jq -r .renegotiate.detail "$tmp/r.json")" = "accepted (abbreviated)" ]
	else
		jq -r .renegotiate.detail "$tmp/r.json" | grep -q "no_renegotiation alert"
	fi
	[ "$(jq -r .count.handshakes "$tmp/r.json")" = 3 ]
	[ "$(jq -r .count.failed "$tmp/r.json")" = 0 ]
	jq -e '.count.min_ms <= .count.median_ms and .count.median_ms <= .count.max_ms' "$tmp/r.json"
	grep -q '^CLIENT_RANDOM ' "$tmp/keys"
}

@test "dtls-probe --renegotiate: ipfix-recv --refuse-probes refuses" {
	"$recv" --help | grep -q -- --refuse-probes ||
	    skip "this ipfix-recv has no --refuse-probes (it always refuses: test 1)"
	recv dtls 4740 "${cpki[@]}" --refuse-probes
	probe "${epki[@]}" --renegotiate dtls://127.0.0.1:4740
	[ "$status" -eq 5 ]
	echo "$output" | grep -q '^renegotiate: *FAIL: refused'
}

@test "dtls-probe: ipfix-recv over DTLS/SCTP (usrsctp) and the text report" {
	recv dtls-sctp 4740 --sctp-udp-encap "${cpki[@]}"
	probe "${epki[@]}" --sctp-udp-encap --resume -v dtls-sctp://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^version: *DTLSv1.2$'
	echo "$output" | grep -q '^cipher: *ECDHE-ECDSA-AES256-GCM-SHA384$'
	echo "$output" | grep -q "^certificate 0: *$(x509 "$PKI/collector.pem" -subject)$"
	echo "$output" | grep -q "SHA-256=$(x509 "$PKI/collector.pem" -fingerprint -sha256 | cut -d= -f2)"
	# resumed: SCTP-AUTH key 1 set before the client's first record
	# under it (a ticket: TLS 1.2 tickets are on by default)
	echo "$output" | grep -q '^resume: *pass: ticket'
	echo "$output" | grep -q '^result: *exit 0'
	# -v: each message as it happens, on stderr (bats mixes it in)
	echo "$output" | grep -q 'ms -> ClientHello'
	echo "$output" | grep -q 'ms <- ServerHelloDone'
}

@test "dtls-probe: ipfix-recv over TLS: TLS 1.3 fields, ticket resumption, no renegotiation" {
	recv tls 4741 "${cpki[@]}" --ciphers TLS_CHACHA20_POLY1305_SHA256
	probe "${epki[@]}" --resume --renegotiate --json tls://127.0.0.1:4741
	echo "$output" > "$tmp/r.json"
	[ "$status" -eq 0 ]
	[ "$(jq -r .version "$tmp/r.json")" = TLSv1.3 ]
	[ "$(jq -r .cipher "$tmp/r.json")" = TLS_CHACHA20_POLY1305_SHA256 ]
	same_cert "$tmp/r.json" 0 "$PKI/collector.pem"
	[ "$(jq -r .certificate_requested "$tmp/r.json")" = true ]
	[ "$(jq -r .resume.result "$tmp/r.json")" = pass ]
	[ "$(jq -r .resume.detail "$tmp/r.json")" = ticket ]
	[ "$(jq -r .renegotiate.result "$tmp/r.json")" = n/a ]
	[ "$(jq -r .data_mtu "$tmp/r.json")" = 0 ]
}

@test "dtls-probe: openssl s_server -dtls1_2: same fields, renegotiation refused" {
	(sleep 8 | timeout 10 ip netns exec "$ns" openssl s_server -dtls1_2 \
	    -accept 127.0.0.1:4742 -cert "$PKI/collector.pem" \
	    -key "$PKI/collector.key" -CAfile "$PKI/ca.pem" -verify 1 \
	    > "$tmp/srv.out" 2>&1) &
	netns_wait_listen "$ns" udp 4742 5
	probe "${epki[@]}" --renegotiate --json dtls://127.0.0.1:4742
	echo "$output" > "$tmp/r.json"
	[ "$status" -eq 5 ]
	cat "$tmp/srv.out"
	# what s_server says it negotiated
	grep -q "^CIPHER is $(jq -r .cipher "$tmp/r.json")\$" "$tmp/srv.out"
	[ "$(jq -r .version "$tmp/r.json")" = DTLSv1.2 ]
	same_cert "$tmp/r.json" 0 "$PKI/collector.pem"
	# -verify sends the CA list of -CAfile
	[ "$(jq -r .ca_names "$tmp/r.json")" = "$(x509 "$PKI/ca.pem" -subject | cut -d= -f2-)" ]
	[ "$(jq -r .renegotiate.result "$tmp/r.json")" = fail ]
	jq -r .renegotiate.detail "$tmp/r.json" | grep -q refused
}

@test "dtls-probe: gnutls-serv --udp: same fields, renegotiation accepted" {
	need_cmd gnutls-serv
	(sleep 8 | timeout 10 ip netns exec "$ns" gnutls-serv --udp -p 4743 \
	    --x509certfile "$PKI/collector.pem" --x509keyfile "$PKI/collector.key" \
	    --priority 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-SECP384R1' \
	    > "$tmp/srv.out" 2>&1) &
	netns_wait_listen "$ns" udp 4743 5
	probe --ca "$PKI/ca.pem" --renegotiate --json dtls://127.0.0.1:4743
	echo "$output" > "$tmp/r.json"
	[ "$status" -eq 0 ]
	# GnuTLS was allowed one suite and one group
	[ "$(jq -r .cipher "$tmp/r.json")" = ECDHE-ECDSA-AES128-GCM-SHA256 ]
	[ "$(jq -r .group "$tmp/r.json")" = secp384r1 ]
	[ "$(jq -r .version "$tmp/r.json")" = DTLSv1.2 ]
	same_cert "$tmp/r.json" 0 "$PKI/collector.pem"
	[ "$(jq -r .renegotiate.result "$tmp/r.json")" = pass ]
	[ "$(jq -r .renegotiate.detail "$tmp/r.json")" = "accepted (abbreviated)" ]
	[ "$(jq -r .secure_renegotiation "$tmp/r.json")" = true ]
}

@test "dtls-probe --send: the records arrive; the data MTU follows the path's" {
	timeout 10 ip -n "$ns" link set lo mtu 1500
	bg recv 60 "$ns" "$recv" -o "$tmp/out.ipfix" "${cpki[@]}" \
	    dtls://127.0.0.1:4740
	netns_wait_listen "$ns" udp 4740 10
	sleep 0.3
	probe "${epki[@]}" --send "$in" --json dtls://127.0.0.1:4740
	echo "$output" > "$tmp/r.json"
	[ "$status" -eq 0 ]
	# 1500 less IP (20), UDP (8) and AES-256-GCM's record overhead (37)
	[ "$(jq -r .data_mtu "$tmp/r.json")" = 1435 ]
	[ "$(jq -r .send.result "$tmp/r.json")" = pass ]
	[ "$(jq -r .sent.records "$tmp/r.json")" = 12 ]
	[ "$(jq -r .sent.records_not_sent "$tmp/r.json")" = 0 ]
	sleep 0.5
	bg_stop recv INT
	same_records "$in" "$tmp/out.ipfix"
}

@test "dtls-probe --session: the same ipfix-recv, then a restarted one" {
	recv dtls 4740 "${cpki[@]}"
	probe "${epki[@]}" --session "$tmp/s.pem" dtls://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^session: *pass: no saved session'
	[ "$(stat -c %a "$tmp/s.pem")" = 600 ]
	probe "${epki[@]}" --session "$tmp/s.pem" dtls://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^session: *pass: same instance'
	bg_stop recv INT || true
	recv dtls 4740 "${cpki[@]}"
	probe "${epki[@]}" --session "$tmp/s.pem" dtls://127.0.0.1:4740
	[ "$status" -eq 5 ]
	echo "$output" | grep -q '^session: *FAIL: new instance'
}

@test "dtls-probe --session over DTLS/SCTP (usrsctp): the same ipfix-recv, then a restarted one" {
	recv dtls-sctp 4740 --sctp-udp-encap "${cpki[@]}"
	probe "${epki[@]}" --sctp-udp-encap --session "$tmp/s.pem" \
	    dtls-sctp://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^session: *pass: no saved session'
	probe "${epki[@]}" --sctp-udp-encap --session "$tmp/s.pem" \
	    dtls-sctp://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^session: *pass: same instance'
	bg_stop recv INT || true
	recv dtls-sctp 4740 --sctp-udp-encap "${cpki[@]}"
	probe "${epki[@]}" --sctp-udp-encap --session "$tmp/s.pem" \
	    dtls-sctp://127.0.0.1:4740
	[ "$status" -eq 5 ]
	echo "$output" | grep -q '^session: *FAIL: new instance'
}

@test "dtls-probe: nothing listening (ICMP port unreachable): exit 4" {
	probe "${epki[@]}" dtls://127.0.0.1:4744
	[ "$status" -eq 4 ]
	echo "$output" | grep -q '^reachable: *no'
	echo "$output" | grep -q 'Connection refused'
}

@test "dtls-probe: a silent drop (nftables): exit 4 within --timeout" {
	need_cmd nft
	nsx "$ns" nft -f - <<'NFT' || skip "nftables unusable here"
table inet probe {
	chain in { type filter hook input priority 0; udp dport 4745 drop; }
}
NFT
	start=$(date +%s%N)
	probe "${epki[@]}" --timeout 2 dtls://127.0.0.1:4745
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "took $ms ms"
	[ "$status" -eq 4 ]
	echo "$output" | grep -q 'no answer within the timeout'
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 4000 ]
}

@test "dtls-probe: unknown CA, expired certificate, name mismatch: exit 3 with the reason" {
	recv dtls 4740 "${cpki[@]}"
	probe --cert "$PKI/exporter.pem" --key "$PKI/exporter.key" \
	    --ca "$PKI/rogue-ca.pem" dtls://127.0.0.1:4740
	[ "$status" -eq 3 ]
	echo "$output" | grep -q 'peer certificate refused: self-signed certificate in certificate chain'
	probe "${epki[@]}" --peer-name wrong.test dtls://127.0.0.1:4740
	[ "$status" -eq 3 ]
	echo "$output" | grep -q 'peer certificate refused: hostname mismatch'
	# the collector refuses us: no certificate of ours
	probe --ca "$PKI/ca.pem" dtls://127.0.0.1:4740
	[ "$status" -eq 3 ]
	echo "$output" | grep -q 'asked for a certificate and we have none'
	bg_stop recv INT || true
	recv dtls 4740 --cert "$PKI/expired.pem" --key "$PKI/expired.key" --ca "$PKI/ca.pem"
	probe "${epki[@]}" dtls://127.0.0.1:4740
	[ "$status" -eq 3 ]
	echo "$output" | grep -q 'peer certificate refused: certificate has expired'
	echo "$output" | grep -q '^result: *exit 3 (authentication failed)'
}

@test "dtls-probe: wrong PSK: exit 3" {
	recv dtls 4740 --psk-identity exp1 --psk-file "$PKI/psk.hex"
	probe --psk-identity exp1 --psk-file "$PKI/psk.hex" dtls://127.0.0.1:4740
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^cipher: *PSK-'
	echo "$output" | grep -q '^name: *not checked (no certificate: PSK)'
	probe --psk-identity exp1 --psk-file "$PKI/psk-other.hex" --timeout 3 \
	    dtls://127.0.0.1:4740
	[ "$status" -eq 3 ]
	echo "$output" | grep -q 'wrong PSK'
}

@test "dtls-probe --listen --dump: ipfix-send's offer and the records it sent" {
	bg lsn 20 "$ns" "$probe" --listen --dump --count 1 --timeout 15 \
	    "${cpki[@]}" dtls://127.0.0.1:4746
	netns_wait_listen "$ns" udp 4746 5
	run timeout 20 ip netns exec "$ns" "$send" --max-retries 0 \
	    "${epki[@]}" --peer-name collector.test \
	    --ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305 \
	    dtls://127.0.0.1:4746 "$in"
	[ "$status" -eq 0 ]
	lsn_wait
	grep -q '^  versions: *DTLSv1.2$' "$tmp/lsn.out"
	grep -q '^  ciphers: *ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-ECDSA-CHACHA20-POLY1305, TLS_EMPTY_RENEGOTIATION_INFO_SCSV$' "$tmp/lsn.out"
	grep -q '^  cipher: *ECDHE-ECDSA-AES128-GCM-SHA256$' "$tmp/lsn.out"
	grep -q "^  certificate: *$(x509 "$PKI/exporter.pem" -subject)\$" "$tmp/lsn.out"
	grep -q '^  verify: *ok (0)$' "$tmp/lsn.out"
	# the records decoded are the input's, in order
	diff <(timeout 20 "$dump" "$in" | grep '^  data') \
	    <(grep '^  data' "$tmp/lsn.out")
	[ "$(grep -c '^  data' "$tmp/lsn.out")" -gt 0 ]
}

@test "dtls-probe --listen: openssl s_client -dtls1_2 offers what it was told" {
	bg lsn 20 "$ns" "$probe" --listen --json --timeout 3 "${cpki[@]}" \
	    dtls://127.0.0.1:4747
	netns_wait_listen "$ns" udp 4747 5
	echo hi | timeout 2 ip netns exec "$ns" openssl s_client -dtls1_2 \
	    -connect 127.0.0.1:4747 -servername probe.test \
	    -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-384:P-256 \
	    -cert "$PKI/exporter.pem" -key "$PKI/exporter.key" -quiet \
	    > /dev/null 2>&1 || true
	lsn_wait
	j=$(jq -c '.exporters[0]' "$tmp/lsn.out")
	[ "$(jq -r .offered.versions <<< "$j")" = DTLSv1.2 ]
	[ "$(jq -r .offered.ciphers <<< "$j")" = "ECDHE-ECDSA-AES128-GCM-SHA256, TLS_EMPTY_RENEGOTIATION_INFO_SCSV" ]
	[ "$(jq -r .offered.groups <<< "$j")" = "secp384r1, secp256r1" ]
	[ "$(jq -r .offered.sni <<< "$j")" = probe.test ]
	jq -r .offered.extensions <<< "$j" | grep -q 'server_name, .*supported_groups'
	[ "$(jq -r .handshake_ok <<< "$j")" = true ]
	[ "$(jq -r .group <<< "$j")" = secp384r1 ]
	[ "$(jq -r .chain[0].subject <<< "$j")" = "$(x509 "$PKI/exporter.pem" -subject | cut -d= -f2-)" ]
	[ "$(jq -r .verify <<< "$j")" = ok ]
}

@test "dtls-probe --listen: gnutls-cli --udp offers what its priority string allows" {
	need_cmd gnutls-cli
	bg lsn 20 "$ns" "$probe" --listen --count 1 --timeout 10 \
	    --cert "$PKI/collector.pem" --key "$PKI/collector.key" \
	    dtls://127.0.0.1:4748
	netns_wait_listen "$ns" udp 4748 5
	echo hi | timeout 5 ip netns exec "$ns" gnutls-cli --udp -p 4748 \
	    --x509cafile "$PKI/ca.pem" --sni-hostname gnu.test \
	    --priority 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1' \
	    127.0.0.1 > "$tmp/cli.out" 2>&1 || true
	cat "$tmp/cli.out"
	lsn_wait
	grep -q '^  versions: *DTLSv1.2$' "$tmp/lsn.out"
	grep -q '^  groups: *x25519, secp256r1$' "$tmp/lsn.out"
	grep -q '^  SNI: *gnu.test$' "$tmp/lsn.out"
	# every suite offered is AES-256-GCM (and the SCSV)
	suites=$(grep '^  ciphers:' "$tmp/lsn.out" | sed 's/^  ciphers: *//')
	[ -n "$suites" ]
	[ -z "$(echo "$suites" | tr ',' '\n' | grep -v -e AES256-GCM -e SCSV)" ]
	grep -q '^  cipher: *ECDHE-ECDSA-AES256-GCM-SHA384$' "$tmp/lsn.out"
	grep -q '^  certificate: *none$' "$tmp/lsn.out"
	grep -q '^  verify: *no certificate presented' "$tmp/lsn.out"
	grep -q 'closed after 1 messages' "$tmp/lsn.out"
}

@test "dtls-probe --listen tls://: openssl s_client (TLS 1.3 and 1.2 offered)" {
	bg lsn 20 "$ns" "$probe" --listen --count 1 --timeout 10 "${cpki[@]}" \
	    tls://127.0.0.1:4749
	netns_wait_listen "$ns" tcp 4749 5
	echo hi | timeout 3 ip netns exec "$ns" openssl s_client \
	    -connect 127.0.0.1:4749 -servername t.test -groups X25519:P-256 \
	    -cert "$PKI/exporter.pem" -key "$PKI/exporter.key" -quiet \
	    > /dev/null 2>&1 || true
	lsn_wait
	grep -q '^  versions: *TLSv1.3, TLSv1.2' "$tmp/lsn.out"
	grep -q '^  groups: *x25519, secp256r1$' "$tmp/lsn.out"
	grep -q '^  SNI: *t.test$' "$tmp/lsn.out"
	grep -q 'supported_versions, psk_key_exchange_modes, key_share' "$tmp/lsn.out"
	grep -q '^  version: *TLSv1.3$' "$tmp/lsn.out"
	grep -q "^  certificate: *$(x509 "$PKI/exporter.pem" -subject)\$" "$tmp/lsn.out"
}

@test "dtls-probe: usage errors exit 2" {
	run "$probe"
	[ "$status" -eq 2 ]
	run "$probe" udp://127.0.0.1:4739
	[ "$status" -eq 2 ]
	echo "$output" | grep -q 'needs a dtls://'
	run "$probe" --dump dtls://127.0.0.1:4739
	[ "$status" -eq 2 ]
	run "$probe" --count 0 dtls://127.0.0.1:4739
	[ "$status" -eq 2 ]
	run "$probe" --listen --resume dtls://:4739
	[ "$status" -eq 2 ]
	run "$probe" dtls://127.0.0.1:4739
	[ "$status" -eq 2 ]
	echo "$output" | grep -q 'no --ca'
}
