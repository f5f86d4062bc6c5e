#!/usr/bin/env bats
# Interop with GnuTLS, a (D)TLS stack we did not build on (Debian
# gnutls-bin): ipfix-send exports into gnutls-serv and gnutls-cli exports
# into ipfix-recv, over DTLS 1.2, TLS 1.2 and TLS 1.3, with certificates
# (mutual authentication) and PSK, and every refusal: no client
# certificate, wrong PSK, a name that does not match, an unknown CA.
# Records are compared exactly: what ipfix-recv wrote against the input;
# what gnutls-serv accepted (it keeps nothing) is what tshark decrypts
# from a loopback capture with ipfix-send's key log (tests/lib/
# decrypted.py), in a session the server ended without an error. Each case that passes writes a row to a results
# file ($INTEROP_RESULTS, else one per run); the last test renders the
# rows with tools/interop-table.sh and checks that README.md's
# interoperability table is that rendering (`make interop-table` rewrites
# it). Loopback only; the PKI comes from tests/lib/mkcerts.sh.

load lib/e2e

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	pki=$BATS_FILE_TMPDIR/pki
	pki_make
	printf 'exp1:%s\n' "$(cat "$pki/psk.hex")" > "$pki/psk.passwd"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$pki/rsa.key" 2> /dev/null
	rows=${INTEROP_RESULTS:-$BATS_FILE_TMPDIR/rows}
	: > "$rows"
}

setup() {
	e2e_setup
	need_tools ipfix-send ipfix-recv ipfix-dump
	need_cmd gnutls-serv gnutls-cli openssl jq
	pki_use
	[ -s "$pki/psk.passwd" ] || skip "mkcerts.sh failed"
	rows=${INTEROP_RESULTS:-$BATS_FILE_TMPDIR/rows}
	in="$data/ipfix/NetGauze__100-IPFIXv10-CISCO__traffic-00.udp-payloads.ipfix"
	port=$((20000 + (RANDOM % 20000)))
	gver=$(gnutls-cli --version | head -n 1 | awk '{print $NF}')
	gscert=(--x509certfile "$pki/collector.pem"
	    --x509keyfile "$pki/collector.key" --x509cafile "$pki/ca.pem"
	    --require-client-cert --verify-client-cert)
	gccert=(--x509certfile "$pki/exporter.pem"
	    --x509keyfile "$pki/exporter.key" --x509cafile "$pki/ca.pem"
	    --verify-hostname collector.test)
	gcpsk=(--pskusername exp1 --pskkey "$(cat "$pki/psk.hex")")
}

teardown() {
	[ "${BATS_TEST_COMPLETED:-}" = 1 ] &&
	    echo "$BATS_TEST_NUMBER" >> "$BATS_FILE_TMPDIR/passed"
	e2e_teardown
}

# row VERSION DIRECTION AUTH RESULT: one line of the table.
row() {
	local auth=$3
	[ "$auth" = psk ] && auth=PSK
	printf 'GnuTLS %s|%s|%s|%s|%s\n' "$gver" "$2" "$1" "$auth" "$4" \
	    >> "$rows"
}

# priority VERSION [psk]: a GnuTLS priority string of that version only.
priority() {
	local p="NORMAL:-VERS-ALL:+VERS-${1/ /}"
	[ "${2:-}" = psk ] && p="$p:+PSK:+DHE-PSK:+ECDHE-PSK"
	echo "$p"
}

scheme_of() {	# scheme_of VERSION: dtls or tls
	case $1 in DTLS*) echo dtls ;; *) echo tls ;; esac
}

# ipfix-send -> gnutls-serv ---------------------------------------------

# serv VERSION AUTH OPTION...: gnutls-serv (--echo: it reads) on $port for one
# session (bounded), its stdout in $tmp/gs.out.
serv() {
	local ver=$1 auth=$2 u=()
	shift 2
	[ "$(scheme_of "$ver")" = dtls ] && u=(--udp)
	if [ "$auth" = psk ]; then
		set -- --pskpasswd "$pki/psk.passwd" "$@"
	else
		set -- "${gscert[@]}" "$@"
	fi
	bg gs 15 - gnutls-serv "${u[@]}" --echo -p "$port" \
	    --priority "$(priority "$ver" "$auth")" "$@"
	wait_listen "${u:+u}" "$port"
}

# wait_listen u|"" PORT: until a UDP (u) or TCP socket listens on PORT
# (gnutls-serv's own message is buffered), at most 3 s.
wait_listen() {
	for _ in $(seq 30); do
		[ -n "$(ss -Hln"${1:-t}" "sport = :$2" 2> /dev/null)" ] &&
		    return 0
		sleep 0.1
	done
	echo "nothing listens on port $2"
	return 1
}

# wait_for FILE TEXT: until TEXT is in $tmp/FILE (at most 3 s).
wait_for() {
	for _ in $(seq 30); do
		grep -q "$2" "$tmp/$1" 2> /dev/null && return 0
		sleep 0.1
	done
	echo "no '$2' in $1"
	return 1
}

# capture: tcpdump on lo for $port into $tmp/cap.pcap.
capture() {
	bg dump 20 - tcpdump --immediate-mode -i lo -U -w "$tmp/cap.pcap" port "$port"
	wait_for dump.err 'listening on'
}

# send_ok VERSION AUTH: ipfix-send exports $in into gnutls-serv; what the
# server echoed equals the input, record for record, in that version.
send_ok() {
	local ver=$1 auth=$2 sc
	sc=$(scheme_of "$ver")
	[ "$(id -u)" -eq 0 ] || skip "capturing on lo needs root"
	need_cmd tshark tcpdump
	capture
	serv "$ver" "$auth"
	if [ "$auth" = psk ]; then set -- "${psk[@]}"; else set -- "${ecert[@]}"; fi
	# gnutls-serv --udp does not answer our close_notify: a short linger
	run timeout 15 "$send" --max-retries 0 --handshake-timeout 3 \
	    --linger 0.5 --keylog "$tmp/keys.log" "$@" \
	    "$sc://127.0.0.1:$port" "$in"
	echo "ipfix-send status $status: $output"
	[ "$status" -eq 0 ]
	sleep 0.2
	bg_stop gs TERM || true
	bg_stop dump INT || true
	# the version asked for (gnutls-serv --udp prints no session
	# description; DTLS 1.2 is the only version either side offers),
	# and a session that ended without an error
	[ "$sc" = dtls ] || grep -q "Description: (${ver/ /}-" "$tmp/gs.out"
	! grep -qi "error" "$tmp/gs.out" "$tmp/gs.err"
	$py "$top/tests/lib/decrypted.py" "$sc" "$tmp/cap.pcap" \
	    "$tmp/keys.log" "$port" "$tmp/got.ipfix" "$pki/rsa.key"
	same_records "$in" "$tmp/got.ipfix"
	row "$ver" "ipfix-send → gnutls-serv" "$auth" "records equal"
}

@test "ipfix-send -> gnutls-serv: DTLS 1.2 with certificates" {
	send_ok "DTLS 1.2" certificates
}

@test "ipfix-send -> gnutls-serv: DTLS 1.2 with PSK" {
	send_ok "DTLS 1.2" psk
}

@test "ipfix-send -> gnutls-serv: TLS 1.2 with certificates" {
	send_ok "TLS 1.2" certificates
}

@test "ipfix-send -> gnutls-serv: TLS 1.3 with certificates" {
	send_ok "TLS 1.3" certificates
}

@test "ipfix-send -> gnutls-serv: TLS 1.2 with PSK" {
	send_ok "TLS 1.2" psk
}

# refused_by_serv VERSION AUTH EXPECT SERV-OPTION... -- SEND-OPTION...:
# ipfix-send fails with EXPECT in its message, within the bound.
refused_by_serv() {
	local ver=$1 auth=$2 expect=$3 so=()
	shift 3
	while [ "$1" != -- ]; do so+=("$1"); shift; done
	shift
	serv "$ver" "$auth" "${so[@]}"
	run timeout 15 "$send" --max-retries 0 --handshake-timeout 2 "$@" \
	    "$(scheme_of "$ver")://127.0.0.1:$port" "$in"
	bg_stop gs TERM || true
	echo "ipfix-send status $status: $output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$expect"* ]]
}

@test "gnutls-serv refuses ipfix-send without a client certificate (DTLS: silence, named)" {
	refused_by_serv "DTLS 1.2" certificates \
	    "no answer to our Finished: wrong PSK key or a certificate" -- \
	    --ca "$pki/ca.pem" --peer-name collector.test
	row "DTLS 1.2" "ipfix-send → gnutls-serv" "no client certificate" \
	    "refused without an alert; ipfix-send names the likely cause"
}

@test "gnutls-serv refuses ipfix-send with a wrong PSK (DTLS: silence, named)" {
	refused_by_serv "DTLS 1.2" psk "no answer to our Finished: wrong PSK" \
	    -- --psk-identity exp1 --psk-file "$pki/psk-other.hex"
	row "DTLS 1.2" "ipfix-send → gnutls-serv" "wrong PSK" \
	    "refused without an alert; ipfix-send names the likely cause"
}

@test "gnutls-serv refuses ipfix-send without a client certificate (TLS 1.3)" {
	refused_by_serv "TLS 1.3" certificates "tls" -- \
	    --ca "$pki/ca.pem" --peer-name collector.test
	row "TLS 1.3" "ipfix-send → gnutls-serv" "no client certificate" \
	    "refused (alert)"
}

@test "gnutls-serv refuses ipfix-send with a wrong PSK (TLS 1.2)" {
	refused_by_serv "TLS 1.2" psk "alert" -- \
	    --psk-identity exp1 --psk-file "$pki/psk-other.hex"
	row "TLS 1.2" "ipfix-send → gnutls-serv" "wrong PSK" "refused (alert)"
}

@test "ipfix-send refuses gnutls-serv whose name does not match (DTLS 1.2, TLS 1.3)" {
	for ver in "DTLS 1.2" "TLS 1.3"; do
		refused_by_serv "$ver" certificates "hostname mismatch" -- \
		    --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
		    --ca "$pki/ca.pem" --peer-name wrong.test
		row "$ver" "ipfix-send → gnutls-serv" "collector name mismatch" \
		    "refused by ipfix-send"
		port=$((port + 1))
	done
}

@test "ipfix-send refuses gnutls-serv with a certificate of an unknown CA (TLS 1.2)" {
	refused_by_serv "TLS 1.2" certificates "unable to get local issuer" \
	    -- --cert "$pki/exporter.pem" --key "$pki/exporter.key" \
	    --ca "$pki/rogue-ca.pem" --peer-name collector.test
	row "TLS 1.2" "ipfix-send → gnutls-serv" "unknown CA" \
	    "refused by ipfix-send"
}

# gnutls-cli -> ipfix-recv ----------------------------------------------

# recv_start SCHEME AUTH: ipfix-recv on $port, output $tmp/out.ipfix.
recv_start() {
	if [ "$2" = psk ]; then set -- "$1" "${psk[@]}"; else set -- "$1" "${ccert[@]}"; fi
	recv_lo 1 30 --stats --json --handshake-timeout 3 --idle-timeout 2 \
	    -o "$tmp/out.ipfix" "${@:2}" "$1://127.0.0.1:$port"
}

# cli VERSION AUTH OPTION...: gnutls-cli sends $in into ipfix-recv, one
# IPFIX message per write (one DTLS record each); status in $status.
cli() {
	local ver=$1 auth=$2 u=()
	shift 2
	[ "$(scheme_of "$ver")" = dtls ] && u=(--udp --mtu 1400)
	run sh -c 'p=$0 f=$1 i=$2; shift 2; "$p" "$f" "$i" | "$@"' "$py" \
	    "$top/tests/lib/feedmsgs.py" "$in" timeout "${cli_limit:-10}" \
	    gnutls-cli "${u[@]}" -p "$port" \
	    --priority "$(priority "$ver" "$auth")" "$@" 127.0.0.1
	echo "gnutls-cli status $status: $(echo "$output" | tail -n 3)"
}

# cli_ok VERSION AUTH: every record arrives, from an authenticated peer.
cli_ok() {
	local ver=$1 auth=$2
	recv_start "$(scheme_of "$ver")" "$auth"
	if [ "$auth" = psk ]; then
		cli "$ver" psk "${gcpsk[@]}"
	else
		cli "$ver" certificates "${gccert[@]}"
	fi
	[ "$status" -eq 0 ]
	recv_lo_stop
	echo "$output" | grep -q "Description: (${ver/ /}-"
	same_records "$in" "$tmp/out.ipfix"
	if [ "$auth" = psk ]; then
		[ "$(jq -r '.sessions[0].identity' "$tmp/stats")" = psk=exp1 ]
	else
		jq -r '.sessions[0].identity' "$tmp/stats" |
		    grep -q 'CN=exporter-1.test'
	fi
	row "$ver" "gnutls-cli → ipfix-recv" "$auth" "records equal"
}

@test "gnutls-cli -> ipfix-recv: DTLS 1.2 with certificates" {
	cli_ok "DTLS 1.2" certificates
}

@test "gnutls-cli -> ipfix-recv: DTLS 1.2 with PSK" {
	cli_ok "DTLS 1.2" psk
}

@test "gnutls-cli -> ipfix-recv: TLS 1.2 with certificates" {
	cli_ok "TLS 1.2" certificates
}

@test "gnutls-cli -> ipfix-recv: TLS 1.3 with certificates" {
	cli_ok "TLS 1.3" certificates
}

@test "gnutls-cli -> ipfix-recv: TLS 1.2 with PSK" {
	cli_ok "TLS 1.2" psk
}

# cli_refused VERSION AUTH RECV-EXPECT CLI-OPTION...: ipfix-recv refuses
# (RECV-EXPECT in its log, or - when the client gives up first) and
# writes no record.
cli_refused() {
	local ver=$1 auth=$2 expect=$3
	shift 3
	recv_start "$(scheme_of "$ver")" "$auth"
	cli "$ver" "$auth" "$@"
	recv_lo_stop
	cat "$tmp/recv.err"
	[ "$status" -ne 0 ]
	[ "$(jq -r .refused "$tmp/stats")" -ge 1 ] || [ "$expect" = - ]
	[ "$expect" = - ] || grep -q "refused .*$expect" "$tmp/recv.err"
	[ ! -s "$tmp/out.ipfix" ] || [ "$(nrec "$tmp/out.ipfix")" -eq 0 ]
}

@test "ipfix-recv refuses gnutls-cli without a client certificate (DTLS 1.2, TLS 1.2, TLS 1.3)" {
	for ver in "DTLS 1.2" "TLS 1.2" "TLS 1.3"; do
		cli_refused "$ver" certificates "certificate" \
		    --x509cafile "$pki/ca.pem" --verify-hostname collector.test
		row "$ver" "gnutls-cli → ipfix-recv" "no client certificate" \
		    "refused by ipfix-recv"
		port=$((port + 1))
	done
}

@test "ipfix-recv refuses gnutls-cli with a wrong PSK (DTLS 1.2, TLS 1.2)" {
	# DTLS drops the bad Finished silently: gnutls-cli waits for its
	# bound, ipfix-recv refuses at its handshake timeout
	cli_limit=4
	for ver in "DTLS 1.2" "TLS 1.2"; do
		cli_refused "$ver" psk "" --pskusername exp1 \
		    --pskkey "$(cat "$pki/psk-other.hex")"
		row "$ver" "gnutls-cli → ipfix-recv" "wrong PSK" \
		    "refused by ipfix-recv"
		port=$((port + 1))
	done
}

@test "gnutls-cli refuses ipfix-recv whose name does not match (DTLS 1.2, TLS 1.3)" {
	for ver in "DTLS 1.2" "TLS 1.3"; do
		cli_refused "$ver" certificates - \
		    --x509certfile "$pki/exporter.pem" \
		    --x509keyfile "$pki/exporter.key" \
		    --x509cafile "$pki/ca.pem" --verify-hostname wrong.test
		echo "$output" | grep -qi "not trusted\|verification\|hostname"
		row "$ver" "gnutls-cli → ipfix-recv" "collector name mismatch" \
		    "refused by gnutls-cli"
		port=$((port + 1))
	done
}

# The table ---------------------------------------------------------------

@test "README.md's interoperability table is the rendering of these results" {
	# every other test of this file ran and passed (rows are written
	# by passing cases only, so a failing case leaves the table short)
	want=$(($(grep -c '^@test ' "$BATS_TEST_FILENAME") - 1))
	ran=$(wc -l < "$BATS_FILE_TMPDIR/passed" 2> /dev/null || echo 0)
	[ "$ran" -eq "$want" ] || skip "a partial run ($ran of $want cases)"
	sh "$top/tools/interop-table.sh" < "$rows" > "$tmp/table"
	sed -n '/^<!-- interop-table begin/,/^<!-- interop-table end/p' \
	    "$top/README.md" | sed '1d;$d' > "$tmp/readme"
	diff "$tmp/table" "$tmp/readme" ||
	    { echo "README.md is stale: run make interop-table"; return 1; }
}
