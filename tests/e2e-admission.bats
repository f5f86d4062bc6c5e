#!/usr/bin/env bats
# ipfix-recv admission under hostile and careless peers (issue 13): junk
# UDP, silent TCP connections, half-open DTLS handshakes and a mixed run,
# each while real ipfix-send exporters must deliver every record. The
# floods come from tests/lib/floods.py over loopback; those that must not
# share the exporters' address use 127.0.0.2 (the per-address handshake
# share is what protects the exporters at 127.0.0.1 then).

bats_require_minimum_version 1.5.0

load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	flood="python3 $top/tests/lib/floods.py"
	input="$data/ipfix/NetGauze__srv6.udp-payloads.ipfix"
	pki_use
	port=$((20000 + (RANDOM % 20000)))
	rpid= tpid=
}

teardown() {
	jobs -p | xargs -r kill -KILL 2>/dev/null
	recv_teardown
}

load lib/recv

# ready FILE: wait (at most 20 s) until the flood writing FILE is in place.
ready() {
	local i
	for i in $(seq 200); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

@test "admission: junk UDP from 1,100 ports takes no session; an exporter after it delivers all" {
	start_recv 1 --stats --json -o "$tmp/out" "udp://127.0.0.1:$port"
	run -0 timeout 60 $flood junk-udp 127.0.0.1 "$port" 1100
	[ "$output" = "junk-udp 1100" ]
	timeout 20 "$send" "udp://127.0.0.1:$port" "$input"
	stop_recv
	diff <(records "$input") <(records "$tmp/out")
	[ "$(jstat .not_ipfix)" -eq 1100 ]
	[ "$(jstat .sessions_opened)" -eq 1 ]
	# -v still shows at most 10 refusals, then how many were held back
	[ "$(grep -c 'refused 127' "$tmp/err")" -le 10 ]
	grep -q 'more log lines not shown' "$tmp/err"
}

@test "admission: 500 silent connections to tls:// (renewed) do not keep a TLS exporter out" {
	[ -s "$pki/ca.pem" ] || skip "mkcerts.sh failed"
	start_recv 1 --stats --json "${ccert[@]}" --handshake-timeout 2 \
	    -o "$tmp/out" "tls://127.0.0.1:$port"
	timeout 30 $flood silent-tcp 127.0.0.1 "$port" 500 5 --renew 0.5 \
	    --src 127.0.0.2 > "$tmp/flood" 3>&- &
	fp=$!
	ready "$tmp/flood"
	timeout 20 "$send" "${ecert[@]}" --max-retries 0 \
	    "tls://127.0.0.1:$port" "$input"
	wait "$fp"
	stop_recv
	diff <(records "$input") <(records "$tmp/out")
	[ "$(jstat .handshakes_pending)" -eq 0 ]
	[ "$(jstat .refused)" -gt 0 ]		# the flood's share was full
	grep -q 'share of --max-handshakes 64' "$tmp/err"
}

@test "admission: 100 silent TCP connections time out; --max-sessions 100 does not lock the listener" {
	start_recv 1 --stats --json --max-sessions 100 --first-message-timeout 1 \
	    -o "$tmp/out" "tcp://127.0.0.1:$port"
	# held open 6 s, never renewed: only the collector ends them
	timeout 30 $flood silent-tcp 127.0.0.1 "$port" 100 6 --renew 10 \
	    > "$tmp/flood" 3>&- &
	fp=$!
	ready "$tmp/flood"
	sleep 1.5
	timeout 20 "$send" "tcp://127.0.0.1:$port" "$input"
	wait "$fp"
	stop_recv
	diff <(records "$input") <(records "$tmp/out")
	[ "$(jstat .timed_out)" -ge 100 ]
	[ "$(jstat .evicted)" -eq 0 ]
	grep -q 'no IPFIX message within 1000 ms' "$tmp/err"
}

@test "admission: at --max-sessions the least recently active silent session is evicted" {
	start_recv 1 --stats --json --max-sessions 100 -o "$tmp/out" \
	    "tcp://127.0.0.1:$port"
	timeout 30 $flood silent-tcp 127.0.0.1 "$port" 100 4 --renew 10 \
	    > "$tmp/flood" 3>&- &
	fp=$!
	ready "$tmp/flood"
	sleep 1.2	# silent for more than a second: may be evicted
	timeout 20 "$send" "tcp://127.0.0.1:$port" "$input"
	wait "$fp"
	stop_recv
	diff <(records "$input") <(records "$tmp/out")
	[ "$(jstat .evicted)" -ge 1 ]
	grep -q 'evicted for a new peer: 100 sessions open' "$tmp/err"
}

@test "admission: silent TLS sessions end at --idle-timeout" {
	[ -s "$pki/ca.pem" ] || skip "mkcerts.sh failed"
	start_recv 1 --stats --json "${ccert[@]}" --idle-timeout 1 \
	    -o "$tmp/out" "tls://127.0.0.1:$port"
	# stays connected 4 s after its input, silent
	timeout 20 bash -c "sleep 4 | cat '$input' - | '$send' ${ecert[*]} \
	    tls://127.0.0.1:$port -" 3>&- &
	ep=$!
	sleep 2.5
	kill -USR1 "$rpid"
	sleep 0.3
	[ "$(jstat .sessions_open)" -eq 0 ]
	[ "$(jstat .timed_out)" -ge 1 ]
	wait "$ep" || true
	stop_recv
	diff <(records "$input") <(records "$tmp/out")
}

@test "admission: a DTLS handshake with a wrong PSK is logged once per address" {
	[ -s "$pki/psk.hex" ] || skip "mkcerts.sh failed"
	start_recv 1 --stats --json --psk-identity exp1 --psk-file "$pki/psk.hex" \
	    --handshake-timeout 0.5 -o /dev/null "dtls://127.0.0.1:$port"
	for i in 1 2 3; do
		run timeout 20 "$send" --psk-identity exp1 \
		    --psk-file "$pki/psk-other.hex" --handshake-timeout 1 \
		    --max-retries 0 "dtls://127.0.0.1:$port" "$input"
		[ "$status" -ne 0 ]
	done
	sleep 0.5
	stop_recv
	[ "$(grep -c 'refused 127.0.0.1.*handshake not done.*wrong PSK' \
	    "$tmp/err")" -eq 1 ]
}

@test "admission: mixed flood while udp, tcp, dtls and tls exporters deliver every record; RSS bounded" {
	[ -s "$pki/ca.pem" ] || skip "mkcerts.sh failed"
	p2=$((port + 1))
	start_recv 4 --stats --json "${ccert[@]}" --handshake-timeout 2 \
	    --first-message-timeout 2 -o "$tmp/out" "udp://127.0.0.1:$port" \
	    "tcp://127.0.0.1:$port" "dtls://127.0.0.1:$p2" \
	    "tls://127.0.0.1:$p2"
	pids=()
	timeout 60 $flood junk-udp 127.0.0.1 "$port" 1000 > "$tmp/f1" 3>&- &
	pids+=($!)
	timeout 60 $flood silent-tcp 127.0.0.1 "$port" 300 6 --renew 0.5 \
	    --src 127.0.0.2 > "$tmp/f2" 3>&- &
	pids+=($!)
	timeout 60 $flood dtls-halfopen 127.0.0.1 "$p2" 300 6 \
	    --src 127.0.0.2 > "$tmp/f3" 3>&- &
	pids+=($!)
	ready "$tmp/f2" && ready "$tmp/f3"
	for u in "udp://127.0.0.1:$port" "tcp://127.0.0.1:$port"; do
		timeout 30 "$send" "$u" "$input" 3>&- &
		pids+=($!)
	done
	for u in "dtls://127.0.0.1:$p2" "tls://127.0.0.1:$p2"; do
		timeout 30 "$send" "${ecert[@]}" "$u" "$input" 3>&- &
		pids+=($!)
	done
	for j in "${pids[@]}"; do
		wait "$j"
	done
	cat "$tmp"/f? >&3
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$rpid/status")
	echo "# ipfix-recv peak RSS: $rss kB" >&3
	stop_recv
	for i in 1 2 3 4; do records "$input"; done | sort > "$tmp/want"
	diff "$tmp/want" <(records "$tmp/out")
	[ "$(jstat '[.sessions[] | select(.records > 0)] | length')" -eq 4 ]
	[ "$(jstat .not_ipfix)" -eq 1000 ]
	# about 18 MB in a plain build; ASan's shadow memory and quarantine
	# take several times that
	lim=65536
	ldd "$recv" | grep -q libasan && lim=262144
	[ "$rss" -lt "$lim" ]
}

# flood_from ADDR...: 20 silent connections from each address (held up to
# 20 s; the test ends them), then the collector's statistics.
flood_from() {
	local a
	for a in "$@"; do
		timeout 30 $flood silent-tcp 127.0.0.1 "$port" 20 20 --renew 30 \
		    --src "127.0.0.$a" > "$tmp/f$a" 3>&- &
		pids+=($!)
	done
	for a in "$@"; do ready "$tmp/f$a"; done
	sleep 0.5
	kill -USR1 "$rpid"
	sleep 0.3
}

@test "admission: --max-handshakes caps handshakes in progress, a quarter per address" {
	[ -s "$pki/ca.pem" ] || skip "mkcerts.sh failed"
	start_recv 1 --stats --json "${ccert[@]}" --max-handshakes 8 \
	    --handshake-timeout 30 \
	    -o /dev/null "tls://127.0.0.1:$port"
	pids=()
	flood_from 2 3			# two addresses: 2 each
	[ "$(jstat .handshakes_pending)" -eq 4 ]
	flood_from 4 5 6		# five: the cap of 8
	[ "$(jstat .handshakes_pending)" -eq 8 ]
	kill "${pids[@]}"
	stop_recv
	# 100 connections, 8 handshakes: the rest refused (the lines are
	# rate-limited: either reason may be among the first ten)
	[ "$(jstat .refused)" -ge 92 ]
	grep -Eq 'share of --max-handshakes 8|8 handshakes already in progress' \
	    "$tmp/err"
}
