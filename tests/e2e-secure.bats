#!/usr/bin/env bats
# ipfix-send -> ipfix-recv over the secured transports, tool against tool
# in two network namespaces (exporters in A, the collector at 10.99.0.2 in
# B): records identical over DTLS/UDP, TLS/TCP and DTLS/SCTP over usrsctp,
# with certificates and with PSK, with resumption; refusals within the
# handshake timeout while a good exporter keeps being served; 200
# concurrent DTLS exporters; TLS 1.3 tail loss; a spoofed-source
# ClientHello flood; the exporter's DER certificate in the session
# details. Kernel SCTP (UML) is in e2e-secure-uml.bats. The PKI comes from
# tests/lib/mkcerts.sh, made once per file.

load lib/netns
load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-gen ipfix-dump ipfix-send ipfix-recv
	need_cmd openssl jq
	pki_use
	e2e_pair
	gen_stream "$tmp/a.ipfix" nDPI__wechat.pcap 0 1400
	gen_stream "$tmp/b.ipfix" nDPI__http_ipv6.pcap 5 1400
	cat "$tmp/a.ipfix" "$tmp/b.ipfix" > "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

proto_of() {	# proto_of SCHEME: the socket ss shows for its listener
	case $1 in
	tls) echo tcp ;;
	*) echo udp ;;
	esac
}

# start_recv SCHEME PORT OPTION...: ipfix-recv in B on SCHEME://:PORT
# (dtls-sctp listens through usrsctp on UDP 9899), output $tmp/out.ipfix.
start_recv() {
	scheme=$1 rport=$2
	shift 2
	bg recv 240 "$nsb" "$recv" -v --stats --json --handshake-timeout 2 \
	    -o "$tmp/out.ipfix" "$@" "$scheme://:$rport"
	case $scheme in
	dtls-sctp) netns_wait_listen "$nsb" udp 9899 10 ;;
	*) netns_wait_listen "$nsb" "$(proto_of "$scheme")" "$rport" 10 ;;
	esac || { show_logs recv; echo "ipfix-recv did not listen"; return 1; }
	sleep 0.3	# its signal handlers come after the bind
}

# stop_recv: SIGINT, exit status 0 expected; its JSON totals in $tmp/stats.
stop_recv() {
	rc=0
	bg_stop recv INT || rc=$?
	grep '^{' "$tmp/recv.err" | tail -n 1 > "$tmp/stats"
	[ "$rc" -eq 0 ] || { show_logs recv; echo "ipfix-recv status $rc"; \
	    return 1; }
}

jstat() {	# stat JQ-EXPR: from the collector's last JSON statistics
	jq -r "$1" < "$tmp/stats"
}

# send_to SCHEME OPTION...: ipfix-send in A to the collector, input
# $tmp/in.ipfix through a pipe (the tested use); bats `run` form.
send_to() {
	scheme=$1
	shift
	run timeout 60 ip netns exec "$nsa" sh -c \
	    'f=$0 s=$1; shift; cat "$f" | "$s" "$@"' "$tmp/in.ipfix" "$send" \
	    --max-retries 0 --handshake-timeout 2 "$@" "$scheme://10.99.0.2:4739"
	echo "ipfix-send status $status: $output"
}

# roundtrip SCHEME RECV-OPTIONS... -- SEND-OPTIONS...: records identical.
roundtrip() {
	scheme=$1
	shift
	ro=()
	while [ "$1" != -- ]; do ro+=("$1"); shift; done
	shift
	case " ${ro[*]} " in
	*" --sctp-udp-encap "*) need_encap_stop ;;
	esac
	start_recv "$scheme" 4739 "${ro[@]}"
	send_to "$scheme" "$@"
	[ "$status" -eq 0 ] || { stop_recv; show_logs recv; return 1; }
	sleep 0.5
	stop_recv
	show_logs recv
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix" && return 0
	[ -n "${exporter_stats:-}" ] || return 1
	# with --rekey ipfix-send adds its own Exporting Process statistics
	# records (RFC 7011 §4.3) at each hand-off: compare the other records
	grep -v '"exportedMessageTotalCount"' "$tmp/canon.a" > "$tmp/canon.c"
	grep -v '"exportedMessageTotalCount"' "$tmp/canon.b" > "$tmp/canon.d"
	echo "without statistics: $(wc -l < "$tmp/canon.c") sent," \
	    "$(wc -l < "$tmp/canon.d") arrived"
	[ -s "$tmp/canon.c" ] && cmp "$tmp/canon.c" "$tmp/canon.d"
}

# The exporterCertificate of the output's session details, DER, to FILE.
session_cert() {
	timeout 60 "$dump" --json -q "$tmp/out.ipfix" |
	    jq -r 'select(.exporterCertificate != null) |
	    .exporterCertificate' | head -n 1 | xxd -r -p > "$1"
}

@test "e2e-secure dtls: round trip with certificates; DER identity in the output" {
	roundtrip dtls "${ccert[@]}" -- "${ecert[@]}"
	[ "$(jstat '.sessions[0].identity')" != "" ]
	jstat '.sessions[0].identity' | grep -q 'CN=exporter-1.test'
	session_cert "$tmp/cert.der"
	openssl x509 -inform DER -in "$tmp/cert.der" -noout -subject |
	    grep -q 'CN *= *exporter-1.test'
	# byte for byte the certificate the exporter presented
	cmp "$tmp/cert.der" <(openssl x509 -in "$pki/exporter.pem" \
	    -outform DER)
}

@test "e2e-secure tls: round trip with certificates; DER identity in the output" {
	roundtrip tls "${ccert[@]}" -- "${ecert[@]}"
	session_cert "$tmp/cert.der"
	cmp "$tmp/cert.der" <(openssl x509 -in "$pki/exporter.pem" \
	    -outform DER)
}

@test "e2e-secure dtls: round trip with PSK, named by its PSK identity" {
	roundtrip dtls "${psk[@]}" -- "${psk[@]}"
	[ "$(jstat '.sessions[0].identity')" = psk=exp1 ]
	# no certificate: exporterCertificate keeps the PSK identity text
	session_cert "$tmp/id"
	[ "$(cat "$tmp/id")" = psk=exp1 ]
}

@test "e2e-secure tls: round trip with PSK" {
	roundtrip tls "${psk[@]}" -- "${psk[@]}"
	[ "$(jstat '.sessions[0].identity')" = psk=exp1 ]
}

@test "e2e-secure dtls-sctp over usrsctp: round trip with certificates" {
	roundtrip dtls-sctp --sctp-udp-encap "${ccert[@]}" -- \
	    --sctp-udp-encap "${ecert[@]}"
	jstat '.sessions[0].desc' | grep -q '^dtls-sctp '
}

@test "e2e-secure dtls-sctp over usrsctp: round trip with PSK" {
	roundtrip dtls-sctp --sctp-udp-encap "${psk[@]}" -- \
	    --sctp-udp-encap "${psk[@]}"
}

# resumed SCHEME: --rekey 1 on a paced export makes later Transport
# Sessions, which resume the first one's (D)TLS session (C93).
resumed() {
	exporter_stats=1
	roundtrip "$1" "${ccert[@]}" -- "${ecert[@]}" --rate 5 --rekey 1
	n=$(jstat '.sessions | length')
	echo "sessions $n, resumed $(jstat .resumed)"
	[ "$n" -ge 2 ]
	[ "$(jstat '.sessions[0].resumed')" = false ]
	[ "$(jstat '[.sessions[1:][] | select(.resumed | not)] | length')" -eq 0 ]
	[ "$(jstat .resumed)" -eq $((n - 1)) ]
}

@test "e2e-secure dtls: --rekey sessions after the first are resumed" {
	resumed dtls
}

@test "e2e-secure tls: --rekey sessions after the first are resumed" {
	resumed tls
}

# Refusals ---------------------------------------------------------------

# refuse SCHEME GOOD-OPTIONS... -- RECV-OPTIONS... -- BAD-COMMAND...: a
# collector serves a paced good exporter (about 4 s) while BAD-COMMAND
# (run in A, its output in $output, status in $status, time in $ms) tries
# its luck; then the good records must all have arrived, and nothing else.
refuse() {
	scheme=$1
	shift
	go=() ro=()
	while [ "$1" != -- ]; do go+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do ro+=("$1"); shift; done
	shift
	start_recv "$scheme" 4739 "${ro[@]}"
	bg good 60 "$nsa" "$send" --rate 5 --max-retries 0 "${go[@]}" \
	    "$scheme://10.99.0.2:4739" "$tmp/in.ipfix"
	sleep 1
	t0=$(date +%s%N)
	run timeout 20 ip netns exec "$nsa" "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "refused peer: status $status after $ms ms: $output"
	n=0
	while bg_alive good && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	grc=0
	bg_stop good || grc=$?
	sleep 0.5
	stop_recv
	show_logs good recv
	[ "$grc" -eq 0 ] || { echo "good exporter status $grc"; return 1; }
	[ "$(jstat .sessions_opened)" -eq 1 ]
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix"
}

# bad SCHEME OPTION...: the refused ipfix-send command line (for refuse).
bad() {
	scheme=$1
	shift
	hs=--handshake-timeout=2	# a security option: secured schemes only
	case $scheme in udp | tcp) hs= ;; esac
	echo "$send" --max-retries 0 $hs --connect-timeout 2 \
	    "$@" "$scheme://10.99.0.2:4739" "$tmp/in.ipfix"
}

# refused_send WHY: ipfix-send failed (exit status 1, ipfix-send(1))
# within the 2 s handshake timeout (plus start-up), with its reason on one
# line matching WHY; the only other line it may print is the count of
# records not sent.
refused_send() {
	[ "$status" -eq 1 ]
	[ "$ms" -lt 3500 ]
	[[ "${lines[0]}" =~ $1 ]]
	[ "$(printf '%s\n' "${lines[@]:1}" | grep -v 'could not be sent' |
	    grep -c .)" -eq 0 ]
}

collector_refused() {	# collector_refused WHY: its log names the refusal
	[ "$(jstat .refused)" -ge 1 ]
	grep -E "refused (\[::ffff:)?10\.99\.0\.1\]?:[0-9]+: .*$1" \
	    "$tmp/recv.err"
}

@test "e2e-secure refusal: certificate of an unknown CA" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --cert "$pki/rogue.pem" --key "$pki/rogue.key" --ca "$pki/ca.pem" \
	    --peer-name collector.test)
	refused_send 'unknown ca'
	collector_refused 'unable to get local issuer'
}

@test "e2e-secure refusal: expired exporter certificate" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --cert "$pki/expired.pem" --key "$pki/expired.key" \
	    --ca "$pki/ca.pem" --peer-name collector.test)
	refused_send 'certificate expired'
	collector_refused 'expired'
}

@test "e2e-secure refusal: exporter certificate not yet valid" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --cert "$pki/notyet.pem" --key "$pki/notyet.key" \
	    --ca "$pki/ca.pem" --peer-name collector.test)
	refused_send 'bad certificate'
	collector_refused 'not yet valid'
}

@test "e2e-secure refusal: exporter certificate not yet valid (TLS)" {
	# shellcheck disable=SC2046
	refuse tls "${ecert[@]}" -- "${ccert[@]}" -- $(bad tls \
	    --cert "$pki/notyet.pem" --key "$pki/notyet.key" \
	    --ca "$pki/ca.pem" --peer-name collector.test)
	# TLS 1.3 refuses a client certificate after the client's handshake
	# is done: ipfix-send learns it while closing and must still fail
	[ "$ms" -lt 3500 ]
	refused_send 'bad certificate'
	collector_refused 'not yet valid'
}

@test "e2e-secure refusal: collector name mismatch (exporter refuses)" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
	    --ca "$pki/ca.pem" --peer-name wrong.test)
	refused_send 'hostname mismatch'
}

@test "e2e-secure refusal: exporter name mismatch (collector refuses)" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --cert "$pki/othername.pem" --key "$pki/othername.key" \
	    --ca "$pki/ca.pem" --peer-name collector.test)
	refused_send 'bad certificate'
	collector_refused 'hostname mismatch'
}

@test "e2e-secure refusal: no client certificate" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad dtls \
	    --ca "$pki/ca.pem" --peer-name collector.test)
	refused_send 'handshake failure'
	collector_refused 'did not return a certificate'
}

@test "e2e-secure refusal: wrong PSK fails within the handshake timeout" {
	# shellcheck disable=SC2046
	refuse dtls "${psk[@]}" -- "${psk[@]}" -- $(bad dtls \
	    --psk-identity exp1 --psk-file "$pki/psk-other.hex")
	# a wrong PSK is only seen as silence (bad MACs are dropped in DTLS)
	[ "$status" -eq 1 ]
	[ "$ms" -ge 1500 ] && [ "$ms" -lt 4500 ]
	[[ "${lines[0]}" =~ "not done within 2000 ms" ]]
	# and says why it probably failed (issue 12.6)
	[[ "${lines[0]}" =~ "no answer to our Finished: wrong PSK key" ]]
}

@test "e2e-secure refusal: disjoint cipher lists" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 -- \
	    "${ccert[@]}" --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 -- \
	    $(bad dtls "${ecert[@]}" --ciphers ECDHE-ECDSA-AES256-GCM-SHA384)
	refused_send 'handshake failure'
	collector_refused 'no shared cipher'
}

@test "e2e-secure refusal: plaintext IPFIX sent to a DTLS port" {
	# shellcheck disable=SC2046
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- $(bad udp)
	# UDP gives the exporter no feedback: status 0 as documented
	[ "$status" -eq 0 ]
	collector_refused 'not a DTLS record'
}

@test "e2e-secure refusal: plaintext IPFIX sent to a TLS port" {
	# shellcheck disable=SC2046
	refuse tls "${ecert[@]}" -- "${ccert[@]}" -- $(bad tcp)
	[ "$ms" -lt 3500 ]
	collector_refused 'wrong version number'
}

@test "e2e-secure refusal: a DTLS 1.0-only client (openssl s_client -dtls1)" {
	refuse dtls "${ecert[@]}" -- "${ccert[@]}" -- timeout 5 openssl \
	    s_client -dtls1 -connect 10.99.0.2:4739 -cert "$pki/exporter.pem" \
	    -key "$pki/exporter.key" -CAfile "$pki/ca.pem"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	collector_refused 'unsupported protocol'
}

# Load ---------------------------------------------------------------------

@test "e2e-secure dtls: 200 concurrent exporters, every record arrives" {
	nexp=200
	# one small input per exporter, with its own ODID, made before the
	# collector starts: under load 200 python starts outlast its lifetime
	for i in $(seq 1 $nexp); do
		python3 "$top/tests/lib/mkbulk.py" 20 "$i" 1400 "$tmp/x$i.ipfix"
	done
	start_recv dtls 4739 "${psk[@]}" --max-sessions 400
	ip netns exec "$nsa" bash -c 'n=$1 t=$2 s=$3; shift 3
	    pids=()
	    for i in $(seq 1 "$n"); do
		timeout 120 "$s" -v --stats --handshake-timeout 30 \
		    --max-retries 3 "$@" dtls://10.99.0.2:4739 \
		    "$t/x$i.ipfix" 2> "$t/s$i.err" &
		pids+=($!)
	    done
	    fail=0
	    for j in "${pids[@]}"; do wait "$j" || fail=$((fail + 1)); done
	    echo "$fail" > "$t/failed"' sh "$nexp" "$tmp" "$send" "${psk[@]}"
	sleep 1
	stop_recv
	echo "failed exporters: $(cat "$tmp/failed")"
	cat "$tmp"/s*.err | sort | uniq -c | sort -rn | head -n 12
	[ "$(cat "$tmp/failed")" -eq 0 ]
	echo "sessions $(jstat .sessions_opened), records $(jstat .records)"
	# ipfix-send exits 0 even when records could not be sent (its man
	# page): name the exporters that say so
	grep -l 'could not be sent\|not sent: [1-9]' "$tmp"/s*.err | head -n 3 |
	    while read -r f; do echo "== $f"; cat "$f"; done
	[ "$(jstat .records)" -eq $((nexp * 20)) ]
	[ "$(jstat .lost)" -eq 0 ]
	# every ODID (exporter) has all of its 20 records
	[ "$(jstat '[.domains[] | select(.records != 20)] | length')" -eq 0 ]
	[ "$(jstat '[.domains[].odid] | unique | length')" -eq $nexp ]
}

@test "e2e-secure tls 1.3: tail loss, 50 exports of 100,000 records, all arrive" {
	python3 "$top/tests/lib/mkbulk.py" 100000 1 1400 "$tmp/bulk.ipfix"
	start_recv tls 4739 "${ccert[@]}" --idle-timeout 30
	# each export ends right after its last write; ipfix-recv sends TLS
	# 1.3 session tickets, which the exporter must drain before closing
	ip netns exec "$nsa" sh -c 'f=$1 s=$2; shift 2
	    bad=0
	    for i in $(seq 1 50); do
		timeout 20 "$s" "$@" tls://10.99.0.2:4739 "$f" ||
		    bad=$((bad + 1))
	    done
	    exit $bad' sh "$tmp/bulk.ipfix" "$send" "${ecert[@]}"
	stop_recv
	jstat '[.sessions[].records] | map(tostring) | join(" ")'
	[ "$(jstat '.sessions | length')" -eq 50 ]
	[ "$(jstat '[.sessions[] | select(.records != 100000)] | length')" -eq 0 ]
}

@test "e2e-secure dtls: spoofed ClientHello flood allocates nothing before a cookie" {
	command -v python3 > /dev/null || skip "no python3"
	# ASan keeps freed memory in quarantine, which would read as growth
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
	start_recv dtls 4739 "${ccert[@]}"
	pid=$(ip netns pids "$nsb" | while read -r p; do
		[ "$(cat "/proc/$p/comm" 2> /dev/null)" = ipfix-recv ] &&
		    echo "$p"; done | head -n 1)
	[ -n "$pid" ]
	rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
	# warm up: one full session so lazily allocated state exists already
	send_to dtls "${ecert[@]}"
	[ "$status" -eq 0 ]
	before=$(rss)
	bg flood 60 "$nsb" python3 "$top/tests/lib/dtlsflood.py" 127.0.0.1 \
	    4739 20000
	sleep 0.5
	send_to dtls "${ecert[@]}"
	good=$status
	n=0
	while bg_alive flood && [ $n -lt 400 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	frc=0
	bg_stop flood || frc=$?
	echo "flood: status $frc, $(cat "$tmp/flood.out") datagrams sent"
	cat "$tmp/flood.err"
	[ "$frc" -eq 0 ]
	after=$(rss)
	kill -USR1 "$pid"
	sleep 0.5
	stop_recv
	echo "RSS before $before kB, after $after kB; good exporter status $good"
	grep '^{' "$tmp/recv.err" | head -n 1 | jq -c '{cookies_sent,
	    handshakes_pending, sessions_opened, refused}'
	[ "$good" -eq 0 ]
	# during the run (SIGUSR1) and at the end: no handshake left pending
	[ "$(grep '^{' "$tmp/recv.err" | head -n 1 |
	    jq .handshakes_pending)" -eq 0 ]
	[ "$(jstat .handshakes_pending)" -eq 0 ]
	# socket buffers may drop some; most must have had a cookie
	[ "$(jstat .cookies_sent)" -ge 5000 ]
	[ "$(jstat .sessions_opened)" -eq 2 ]
	# 20,000 peers with an SSL each would be hundreds of MB; the bound
	# leaves room for allocator caches (larger under ASan)
	[ $((after - before)) -lt 8192 ]
	[ "$(nrec "$tmp/out.ipfix")" -eq $((2 * $(nrec "$tmp/in.ipfix"))) ]
}
