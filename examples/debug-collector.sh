#!/bin/sh
# debug-collector.sh: a collector refuses us, or data goes missing. This
# asks it the questions an operator asks, in order, and answers each in
# a line, from one dtls-probe run (a handshake as ipfix-send makes it,
# plus the checks an exporter relies on) and, when run on the collector's
# host, from ipfix-recv's own counters (SIGUSR1 prints them):
#
#   1. Is anything there?            reachable (ICMP error, or silence)
#   2. Does the handshake complete?  time, retransmissions, failure reason
#   3. Is it who we think?           its certificate, verification, name
#   4. Does it accept us?            whether it asked for our certificate
#   5. How large may a message be?   the data MTU of the path (DTLS)
#   6. Are reconnects cheap?         session resumption
#   7. Can ipfix-send probe it?      renegotiation accepted (--liveness)
#   8. Did it restart since last run? --session FILE remembers it
#   9. Does data arrive, is it counted? --send FILE through the probe;
#      with --recv-pid/--recv-log, what ipfix-recv counted meanwhile
#      (records, sequence-number losses, malformed, refused sessions)
#
#   examples/debug-collector.sh --cert pki/exporter.pem \
#       --key pki/exporter.key --ca pki/ca.pem dtls://collector:4740
#   # on the collector's host, ipfix-recv's stderr going to recv.log:
#   examples/debug-collector.sh ... --send flows.ipfix \
#       --recv-pid "$(pidof ipfix-recv)" --recv-log recv.log dtls://127.0.0.1
#
# Exit status: dtls-probe's (0 all well, 1 handshake failed, 3
# authentication failed, 4 unreachable or timed out, 5 a check failed),
# 5 as well when ipfix-recv did not count what was sent; 2 usage.
# Tools from IPFIX_BIN when set, else from PATH.
set -eu
me=debug-collector.sh
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: $me [options] dtls://HOST[:PORT] | tls://... | dtls-sctp://...
Ask a collector that refuses or loses data the questions an operator asks,
answered one per line (with dtls-probe and ipfix-recv's statistics).
$sec_help
  --liveness             ask whether it accepts a renegotiation (what
                         ipfix-send's liveness probe needs)
  --session FILE         remember the collector's session in FILE: the next
                         run tells whether it restarted (and lost state)
  --send FILE            send this IPFIX stream through a probe session
  --recv-pid PID         the collector's ipfix-recv, on this host
  --recv-log FILE        where its stderr goes: its counters are read
                         there before and after --send (SIGUSR1)
  --timeout SECONDS      bound on the probe (default 10)
  -h, --help             this text"

sec='' session='' sendf='' rpid='' rlog='' timeout=10 liveness=0
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	--cert|--key|--ca|--peer-name|--psk-identity|--psk-file)
		need_arg "$1" $#; sec="$sec $1 $(quote "$2")"; shift 2 ;;
	--liveness) liveness=1; shift ;;
	--session) need_arg "$1" $#; session=$2; shift 2 ;;
	--send) need_arg "$1" $#; sendf=$2; shift 2 ;;
	--recv-pid) need_arg "$1" $#; rpid=$2; shift 2 ;;
	--recv-log) need_arg "$1" $#; rlog=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout=$2; shift 2 ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage_error "expected the collector's URL"
url=$1
case $url in dtls://?*|tls://?*|dtls-sctp://?*) ;;
*) usage_error "'$url' is not a dtls://, tls:// or dtls-sctp:// URL" ;; esac
is_number "$timeout" || usage_error "--timeout: '$timeout' is not a number"
[ -z "$rpid" ] || [ -n "$rlog" ] || usage_error "--recv-pid needs --recv-log"
[ -n "$rpid" ] || [ -z "$rlog" ] || usage_error "--recv-log needs --recv-pid"
[ -z "$sendf" ] || need_file "$sendf" "--send"
if [ -n "$rpid" ]; then
	kill -0 "$rpid" 2> /dev/null || die "no process $rpid (--recv-pid)"
	need_file "$rlog" "--recv-log"
fi
probe=$(tool dtls-probe)
work=$(mktemp -d "${TMPDIR:-/tmp}/debug.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# ipfix-recv's counters: USR1, then its report's first line in the log
# ("ipfix-recv: sessions N (open N, refused N, ..., closed for errors N)
# messages N records N lost N[ and unknown (reset)] malformed N"), as
# "sessions refused errors records lost malformed".
recv_counters() {
	before=$(grep -c 'ipfix-recv: sessions ' "$rlog" || true)
	kill -USR1 "$rpid" || die "cannot signal ipfix-recv ($rpid)"
	n=50
	until [ "$(grep -c 'ipfix-recv: sessions ' "$rlog" || true)" -gt "$before" ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "ipfix-recv wrote no statistics to $rlog within 5 s"
		sleep 0.1
	done
	grep 'ipfix-recv: sessions ' "$rlog" | tail -n 1 | sed -n \
	    's/.*sessions \([0-9]*\) (open [0-9]*, refused \([0-9]*\),[^)]* closed for errors \([0-9]*\)) messages [0-9]* records \([0-9]*\) lost \([0-9]*\)[^0-9]* malformed \([0-9]*\).*/\1 \2 \3 \4 \5 \6/p'
}

[ -z "$rpid" ] || c0=$(recv_counters)

# One probe with every check an exporter relies on.
eval "set -- $sec"
set -- --timeout "$timeout" --resume "$@"
[ "$liveness" = 0 ] || set -- --renegotiate "$@"
[ -z "$session" ] || set -- --session "$session" "$@"
[ -z "$sendf" ] || set -- --send "$sendf" "$@"
cmdline="dtls-probe $* $url"
rc=0
"$probe" "$@" "$url" > "$work/report" 2> "$work/probe.err" || rc=$?
[ "$rc" -ne 2 ] || die "dtls-probe: $(tail -n 1 "$work/probe.err")"

field() {	# field LABEL: the value of the report's LABEL line
	sed -n "s/^$1:  *//p" "$work/report" | head -n 1
}
answer() {	# answer QUESTION VALUE
	printf '%-36s %s\n' "$1" "${2:-(not reached)}"
}

answer "1. Is anything there?" "$(field reachable)"
hs=$(field handshake)
answer "2. Does the handshake complete?" "$hs"
[ -z "$(field retransmitted)" ] || answer "   retransmitted messages" "$(field retransmitted)"
case $hs in
ok*)
	cert=$(sed -n 's/^certificate 0:  *//p' "$work/report" | head -n 1)
	answer "3. Is it who we think?" "${cert:+$cert; }verify $(field verify); name $(field name)"
	answer "4. Does it ask for our certificate?" "$(field 'cert asked')"
	case $url in dtls://*) answer "5. How large may a message be?" "$(field 'data MTU') bytes of IPFIX per datagram" ;; esac
	answer "6. Are reconnects cheap (resume)?" "$(field resume)"
	[ "$liveness" = 0 ] || answer "7. Can ipfix-send probe liveness?" "renegotiation $(field renegotiate)"
	[ -z "$session" ] || answer "8. Did it restart since last run?" "$(field session)"
	[ -z "$sendf" ] || answer "9. Does data get through?" "$(field send)"
	;;
*)
	# no session: which side refused whom, when authentication failed
	# (an alert came from the collector: it refused us; otherwise we
	# refused its certificate or name)
	why=${hs#failed after * ms: }
	case $rc:$why in
	3:*alert*|3:*"asked for a certificate"*)
		answer "3. Is it who we think?" "(not reached)"
		answer "4. Does it accept us?" "no: $why" ;;
	3:*)	answer "3. Is it who we think?" "no: $why" ;;
	esac
	echo "   (the other questions need a completed handshake)"
	;;
esac

# What the collector counted meanwhile: every record sent arrived?
if [ -n "$rpid" ]; then
	c1=$(recv_counters)
	# shellcheck disable=SC2086
	set -- $c0 $c1
	[ $# -eq 12 ] || die "cannot read ipfix-recv's statistics in $rlog"
	sent=$(field send | sed -n 's/.*[^0-9]\([0-9][0-9]*\) records, [0-9]* bytes sent.*/\1/p')
	got=$((${10} - $4))
	answer "   ipfix-recv counted" "$got records more (in all: $7 sessions, $8 refused, $9 closed for errors, ${11} records lost by sequence numbers, ${12} malformed messages)"
	if [ -n "$sendf" ] && [ "$got" != "${sent:-0}" ]; then
		answer "   => lost on the way" "sent ${sent:-0} records, the collector counted $got"
		[ "$rc" -ne 0 ] || rc=5
	fi
fi

case $rc in
0) verdict="the collector answers and takes what an exporter needs" ;;
1) verdict="the handshake failed: $(field handshake) (versions, ciphers: run dtls-probe -v)" ;;
3) verdict="authentication failed: see 3 and 4 (our CA and --peer-name, or the collector's CA and names)" ;;
4) verdict="unreachable: an ICMP error means nothing listens there; silence, a firewall or a wrong address" ;;
5) verdict="a check failed: see the FAIL lines above" ;;
*) verdict="dtls-probe ended with status $rc: $(tail -n 1 "$work/probe.err")" ;;
esac
answer "=> verdict" "$verdict"
echo "(the whole report: $cmdline)"
exit "$rc"
