#!/usr/bin/env bats
# ipfix-send's switches for fragile collectors (issue 12.2), on loopback
# into ipfix-recv: --max-datagram caps every DTLS datagram whatever the
# route's MTU (nfacctd crashes on a DTLS record over 10,000 bytes; lo
# allows 16 KB), seen by tests/lib/udprelay.py between the two; and
# --no-stats-records leaves out the exporter's own RFC 7011 §4.3/§4.1
# options records (nfacctd rejects their templates).

load lib/e2e

setup_file() {
	pki_make
}

setup() {
	e2e_setup
	need_tools ipfix-recv ipfix-send ipfix-dump
	pki_use
	port=$((20000 + (RANDOM % 20000)))
	$py "$top/tests/lib/mkbulk.py" 3000 1 8000 "$tmp/in.ipfix"
}

teardown() {
	e2e_teardown
}

start_recv() {	# start_recv URL OPTION...
	url=$1
	shift
	recv_lo 1 60 -o "$tmp/out.ipfix" "$@" "$url"
}

# via_relay OPTION...: DTLS export of $tmp/in.ipfix through the relay;
# "COUNT MAXBYTES" of the exporter's datagrams in $tmp/relay.
via_relay() {
	start_recv "dtls://127.0.0.1:$port" "${psk[@]}"
	bg relay 20 - "$py" "$top/tests/lib/udprelay.py" $((port + 1)) \
	    "$port" "$tmp/relay" 15
	sleep 0.3
	run timeout 20 "$send" --max-retries 0 --rate 100 "${psk[@]}" "$@" \
	    "dtls://127.0.0.1:$((port + 1))" "$tmp/in.ipfix"
	echo "$output"
	[ "$status" -eq 0 ]
	recv_lo_stop
	bg_stop relay TERM || true
	echo "datagrams, largest: $(cat "$tmp/relay")"
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix"
}

@test "ipfix-send --max-datagram caps DTLS datagrams below lo's MTU" {
	via_relay --max-datagram 1400
	[ "$(cut -d' ' -f2 "$tmp/relay")" -le 1400 ]
	[ "$(cut -d' ' -f2 "$tmp/relay")" -gt 1000 ]
}

@test "ipfix-send without --max-datagram fills lo's 16 KB (the cap matters)" {
	via_relay
	[ "$(cut -d' ' -f2 "$tmp/relay")" -gt 10000 ]
}

@test "ipfix-send --max-datagram: out of range is a usage error" {
	run "$send" --max-datagram 100 "dtls://127.0.0.1:$port" "$tmp/in.ipfix"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--max-datagram"* ]]
}

# handoff OPTION...: a paced TCP export with --rekey makes a hand-off,
# after which the exporter sends its §4.1 statistics unless told not to.
# (An input of whole fixed-length messages, as mkbulk.py writes, is
# forwarded without a hand-off: an ipfix-gen stream.)
handoff() {
	gen_stream "$tmp/in.ipfix" nDPI__wechat.pcap 0 1400
	start_recv "tcp://127.0.0.1:$port"
	timeout 30 "$send" --max-retries 0 --rate 5 --rekey 1 "$@" \
	    "tcp://127.0.0.1:$port" "$tmp/in.ipfix" || return 1
	recv_lo_stop
	nstats "$tmp/out.ipfix"
}

# nstats FILE: its §4.1 statistics records (ipfix-gen writes some too).
nstats() {
	timeout 60 "$dump" --json -q "$1" |
	    grep -c exportedMessageTotalCount || true
}

@test "ipfix-send sends its own statistics records after a hand-off" {
	n=$(handoff)
	echo "statistics records: $n, in the input $(nstats "$tmp/in.ipfix")"
	[ "$n" -gt "$(nstats "$tmp/in.ipfix")" ]
}

@test "ipfix-send --no-stats-records leaves them out" {
	n=$(handoff --no-stats-records)
	echo "statistics records: $n, in the input $(nstats "$tmp/in.ipfix")"
	[ "$n" -eq "$(nstats "$tmp/in.ipfix")" ]
	[ -s "$tmp/out.ipfix" ]
	same_records "$tmp/in.ipfix" "$tmp/out.ipfix"
}
