#!/bin/sh
# collect-rotated.sh: a TLS and DTLS collector for many exporters, for
# keeping what they send on disk: in DIR, one gzip'd file per exporter
# session (ipfix-recv --split, named after the session's protocol,
# address and port), each continued in a new part every N seconds
# (NAME.1, NAME.2, ...) and at every SIGHUP.
#
# With --merged, one self-describing stream DIR/flows.ipfix.gz instead
# (every record tagged with its exporter, RFC 5655 details records); with
# --rotate 0 it is never rotated by time and is logrotate-friendly: move
# the file away, send SIGHUP, and ipfix-recv opens a new one.
#
#   examples/mkcerts.sh pki
#   examples/collect-rotated.sh --cert pki/collector.pem \
#       --key pki/collector.key --ca pki/ca.pem /var/lib/ipfix
#
# The script ends by exec'ing ipfix-recv, so signals reach it directly:
# HUP starts new files, USR1 prints statistics, INT/TERM flush and exit.
# For a service, see ipfix-recv@.service beside this script: the same
# command, hardened. Tools from IPFIX_BIN when set, else from PATH.
set -eu
me=collect-rotated.sh
usage="usage: $me [options] DIR [-- IPFIX-RECV-OPTIONS]
Collect IPFIX over TLS and DTLS from several exporters into DIR: one
gzip'd file per exporter session, a new part every --rotate seconds and
on SIGHUP.
  --port N               TLS (TCP) and DTLS (UDP) port (default 4740)
  --host ADDR            listen on ADDR only (default: every address)
  --rotate SECONDS       new parts every SECONDS (default 300; 0: only on
                         SIGHUP)
  --merged               one merged stream DIR/flows.ipfix.gz instead
  --cert FILE --key FILE this collector's certificate and key
  --ca FILE              the CA exporters' certificates chain to
  --peer-name NAME       accept only exporters with this name (repeatable)
  --psk-identity ID --psk-file FILE   pre-shared key instead
  --dry-run              print the ipfix-recv command, do not run it
  -h, --help             this text
Options after -- go to ipfix-recv as they are (see ipfix-recv(1))."
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"

port=4740 host='' rotate=300 merged=0 dry=0 sec=''
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	--port) need_arg "$1" $#; port=$2; shift 2 ;;
	--host) need_arg "$1" $#; host=$2; shift 2 ;;
	--rotate) need_arg "$1" $#; rotate=$2; shift 2 ;;
	--merged) merged=1; shift ;;
	--dry-run) dry=1; shift ;;
	--cert|--key|--ca|--peer-name|--psk-identity|--psk-file)
		need_arg "$1" $#; sec="$sec $1 $(quote "$2")"; shift 2 ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage_error "expected the directory DIR"
dir=$1
shift
tail_opts "$@"
[ $# -eq 0 ] || shift
case $port in ''|*[!0-9]*) usage_error "--port: '$port' is not a port" ;; esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
	usage_error "--port: '$port' is not in 1..65535"
fi
case $rotate in ''|*[!0-9]*) usage_error "--rotate: '$rotate' is not a number of seconds" ;; esac
[ -n "$sec" ] || usage_error "TLS and DTLS need --cert, --key and --ca (or --psk-identity and --psk-file)"
case $host in *:*) host="[$host]" ;; esac	# an IPv6 address
recv=$(tool ipfix-recv)
mkdir -p "$dir" || die "cannot make the directory '$dir'"
[ -w "$dir" ] || die "cannot write in '$dir'"

# The command, built in the positional parameters (paths may hold
# spaces): output, rotation, the security options, then the endpoints.
eval "set -- $sec \"\$@\""
[ "$rotate" -eq 0 ] || set -- --rotate "$rotate" "$@"
if [ "$merged" = 1 ]; then
	set -- -o "$dir/flows.ipfix.gz" "$@"
else
	set -- --split "$dir" "$@"
fi
set -- "$recv" --gzip --stats "$@" "tls://$host:$port" "dtls://$host:$port"
if [ "$dry" = 1 ]; then
	printf '%s\n' "$*"
	exit 0
fi
echo "$me: collecting on tls:// and dtls://$host:$port into $dir (pid $$; HUP: new files)" >&2
exec "$@"
