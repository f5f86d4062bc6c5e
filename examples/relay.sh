#!/bin/sh
# relay.sh: collect plain IPFIX from exporters inside a trusted network
# (routers that speak only UDP) and forward it over DTLS to a collector
# outside:
#
#   ipfix-recv -o - udp://:4739 | ipfix-send dtls://remote -
#
# Each exporter's records stay apart: ipfix-recv's merged stream starts
# every message with an RFC 5655 Message Details record naming the
# exporter (address, port, protocol) its records came from, remaps
# template IDs where two exporters would collide, and ipfix-send forwards
# those records with the data, in order. The remote collector's output
# therefore says, for each record, which router sent it to the relay.
#
#   examples/relay.sh --cert pki/exporter.pem --key pki/exporter.key \
#       --ca pki/ca.pem dtls://collector.example:4740
#
# INT or TERM stop the relay in order: ipfix-recv writes out what it
# holds, and ipfix-send sends it and closes the DTLS session.
# Tools from IPFIX_BIN when set, else from PATH.
set -eu
me=relay.sh
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: $me [options] dtls://HOST[:PORT] [-- IPFIX-SEND-OPTIONS]
Forward IPFIX collected from plain UDP (or TCP, SCTP) exporters to a
collector over DTLS, keeping each exporter's records apart.
  --listen ENDPOINT      where the exporters send (default udp://:4739;
                         repeatable: udp://, tcp://, sctp://)
$sec_help
  -h, --help             this text
$tail_help"

listen='' sec=''
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	--listen) need_arg "$1" $#; listen="$listen $(quote "$2")"; shift 2 ;;
	--cert|--key|--ca|--peer-name|--psk-identity|--psk-file)
		need_arg "$1" $#; sec="$sec $1 $(quote "$2")"; shift 2 ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage_error "expected the collector's dtls:// URL"
url=$1
shift
tail_opts "$@"
[ $# -eq 0 ] || shift
case $url in dtls://?*|dtls-sctp://?*) ;;
*) usage_error "'$url' is not a dtls:// (or dtls-sctp://) URL" ;; esac
[ -n "$listen" ] || listen=udp://:4739
recv=$(tool ipfix-recv)
send=$(tool ipfix-send)
work=$(mktemp -d "${TMPDIR:-/tmp}/relay.XXXXXX")
recv_pid='' send_pid=''

# Stop in order: the collector side first (it flushes into the pipe and
# closes it), then ipfix-send sees the end, sends the rest and closes.
# shellcheck disable=SC2317  # called from the traps
stop() {
	trap - INT TERM
	[ -z "$recv_pid" ] || kill -INT "$recv_pid" 2> /dev/null || true
}
trap stop INT TERM
trap 'stop; rm -rf "$work"' EXIT

# A named pipe between the two, so this script knows both process ids.
# Each runs in a session of its own (setsid): a signal to this script's
# process group (Ctrl-C, timeout(1), a service manager) reaches only this
# script, which stops them in order, never ipfix-send before the pipe
# is drained.
need setsid util-linux
mkfifo "$work/pipe"
eval "set -- $sec \"\$@\""
setsid "$send" "$@" "$url" - < "$work/pipe" &
send_pid=$!
eval "set -- $listen"
setsid "$recv" -o - "$@" > "$work/pipe" &
recv_pid=$!
echo "$me: forwarding what arrives on $* to $url (INT or TERM to stop)" >&2

# The first wait returns when a signal came in (stop ran) or ipfix-recv
# ended; ipfix-send then ends at the end of the pipe.
rc=0
wait "$recv_pid" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -gt 128 ] || echo "$me: ipfix-recv failed (status $rc)" >&2
wait "$recv_pid" 2> /dev/null || true
recv_pid=''
src=0
wait "$send_pid" || src=$?
[ "$src" -eq 0 ] || die "ipfix-send failed (status $src)"
[ "$rc" -eq 0 ] || [ "$rc" -gt 128 ] || exit 1
exit 0
