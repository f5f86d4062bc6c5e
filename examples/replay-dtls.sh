#!/bin/sh
# replay-dtls.sh: replay a capture to a collector over DTLS, at the pace
# it was captured (or N times faster), handing off to a new DTLS session
# every few minutes as a long-lived exporter would, and sum up what was
# sent at the end.
#
# INPUT is IPFIX captured on the wire (a pcap of an export, replayed at
# the capture's own timestamps), an IPFIX file, or a capture of any
# other traffic, which ipfix-gen meters into flows first (replayed at
# their export times). The soft hand-off (ipfix-send --rekey) opens the
# new session before the old one closes, so nothing is lost on the way.
#
#   examples/mkcerts.sh pki
#   examples/replay-dtls.sh --speed 10 --cert pki/exporter.pem \
#       --key pki/exporter.key --ca pki/ca.pem trace.pcap dtls://collector
#
# Tools from IPFIX_BIN when set, else from PATH.
set -eu
me=replay-dtls.sh
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: $me [options] INPUT dtls://HOST[:PORT] [-- IPFIX-SEND-OPTIONS]
Replay INPUT (IPFIX on the wire, an IPFIX file, or a packet capture to
meter) to a collector over DTLS at its original pace, with a soft hand-off
every few minutes, and print a summary of what was sent.
  --speed X              X times faster than captured (default 1);
                         0: as fast as the path allows
  --rekey SECONDS        hand off to a new DTLS session every SECONDS
                         (default 300; 0: one session)
$sec_help
  -h, --help             this text
$tail_help"

speed=1 rekey=300
# the security options, passed to ipfix-send as they are
set_sec=''
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	--speed) need_arg "$1" $#; speed=$2; shift 2 ;;
	--rekey) need_arg "$1" $#; rekey=$2; shift 2 ;;
	--cert|--key|--ca|--peer-name|--psk-identity|--psk-file)
		need_arg "$1" $#
		set_sec="$set_sec $1 $(quote "$2")"
		shift 2 ;;
	--) usage_error "options for ipfix-send go after INPUT and URL" ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage_error "expected INPUT and a dtls:// URL"
input=$1 url=$2
shift 2
tail_opts "$@"
[ $# -eq 0 ] || shift
case $url in dtls://?*|dtls-sctp://?*) ;;
*) usage_error "'$url' is not a dtls:// (or dtls-sctp://) URL" ;; esac
is_number "$speed" || usage_error "--speed: '$speed' is not a number"
is_number "$rekey" || usage_error "--rekey: '$rekey' is not a number"
send=$(tool ipfix-send)
work=$(mktemp -d "${TMPDIR:-/tmp}/replay.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

stream=$(as_ipfix "$input" "$work")

# ipfix-send's own options: the pace, the hand-off, the summary; its
# progress line too when this script's stderr is a terminal.
eval "set -- $set_sec \"\$@\""
[ "$speed" = 0 ] || set -- --realtime --speed "$speed" "$@"
[ "$rekey" = 0 ] || set -- --rekey "$rekey" "$@"
[ ! -t 2 ] || set -- --progress "$@"
echo "$me: replaying $input to $url (speed ${speed}x, hand-off every ${rekey}s)" >&2
t0=$(date +%s.%N)
# ipfix-send's stderr is shown as it comes and kept for the summary
{ "$send" --stats "$@" "$url" "$stream" 2>&1 >&3; echo $? > "$work/rc"; } \
    3>&1 | tee "$work/send.log" >&2
t1=$(date +%s.%N)
rc=$(cat "$work/rc")

# The summary, from ipfix-send --stats: what the DTLS sessions took, and
# what could not be sent (over UDP only an ICMP error tells; a collector
# that silently drops is seen on its side: ipfix-recv --stats).
awk -v t0="$t0" -v t1="$t1" -v me="$me" '
  { sub(/.*\r(\033\[K)?/, "") }	# a progress line before it
  /^ipfix-send: sent: / { msgs = $3; recs = $5 }
  /^ipfix-send: not sent: / { lost = $6 }
  /^ipfix-send: sessions: / { sess = $3; handoffs = $10 }
  END {
    if (sess == "") exit 1
    printf "%s: summary: %d records in %d messages sent over %d DTLS " \
        "session(s), %d hand-off(s), in %.1f s; %d records could not be " \
        "sent\n", me, recs, msgs, sess, handoffs, t1 - t0, lost
  }' "$work/send.log" >&2 || die "ipfix-send gave no summary (status $rc)"
exit "$rc"
