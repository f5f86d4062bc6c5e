#!/bin/sh
# decrypt-capture.sh: see what a DTLS export really carried. INPUT goes
# to the collector over DTLS with ipfix-send while tcpdump captures the
# datagrams; ipfix-send writes the session keys (NSS key log), and tshark
# decrypts the capture with them and shows the IPFIX records inside.
#
# Or, with --read, decode a capture and key log made before (by this
# script, or by ipfix-send/ipfix-recv --keylog and any capture tool).
#
#   examples/decrypt-capture.sh --cert pki/exporter.pem \
#       --key pki/exporter.key --ca pki/ca.pem flows.ipfix dtls://collector
#   examples/decrypt-capture.sh --read dtls-export.pcap dtls-export.keys 4740
#
# Capturing needs root (or CAP_NET_RAW for tcpdump). The key log holds
# the secrets of these sessions: keep it as private as the traffic.
# Needs tcpdump, tshark, openssl. Tools from IPFIX_BIN, else from PATH.
set -eu
me=decrypt-capture.sh
# shellcheck source=examples/lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: $me [options] INPUT dtls://HOST[:PORT] [-- IPFIX-SEND-OPTIONS]
       $me [--verbose] --read PCAP KEYLOG PORT
Export INPUT over DTLS while capturing it, then show the decrypted IPFIX
records with tshark (one line per record: source, destination, ports,
protocol, packets, octets; --verbose: tshark's whole IPFIX tree).
  -i IFACE               capture on IFACE (default any)
  -w FILE                the capture (default dtls-export.pcap)
  -k FILE                the key log (default dtls-export.keys)
$sec_help
  --verbose              the full decode instead of one line per record
  -h, --help             this text
$tail_help"

iface=any pcap=dtls-export.pcap keys=dtls-export.keys sec='' verbose=0 read=0
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) show_usage ;;
	-i) need_arg "$1" $#; iface=$2; shift 2 ;;
	-w) need_arg "$1" $#; pcap=$2; shift 2 ;;
	-k) need_arg "$1" $#; keys=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	--read) read=1; shift ;;
	--cert|--key|--ca|--peer-name|--psk-identity|--psk-file)
		need_arg "$1" $#; sec="$sec $1 $(quote "$2")"; shift 2 ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
need tshark
need openssl

# show PCAP KEYLOG PORT: the IPFIX records of the DTLS on UDP port PORT.
# tshark hands decrypted DTLS to a protocol only through dtls.keys_list,
# whose entry needs an RSA key file even when, as here, the keys come
# from the key log: a throwaway one does.
show() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$work/unused-rsa.key" 2> /dev/null ||
	    die "openssl could not make the placeholder RSA key"
	set -- -r "$1" -o "tls.keylog_file:$2" -d "udp.port==$3,dtls" \
	    -o "dtls.keys_list:0.0.0.0,$3,cflow,$work/unused-rsa.key" -Y cflow
	if [ "$verbose" = 1 ]; then
		tshark "$@" -O cflow -V 2> "$work/tshark.err"
		tshark_said
		return
	fi
	# one line per packet, each field a comma list over its records:
	# cut into one line per record (fields absent from a template: -;
	# a packet mixing templates with other fields, or IPv6 flows: use
	# --verbose)
	tshark "$@" 2> "$work/tshark.err" -T fields -e cflow.srcaddr \
	    -e cflow.dstaddr -e cflow.srcport -e cflow.dstport \
	    -e cflow.protocol -e cflow.packets -e cflow.octets | awk -F"\t" '
	    BEGIN { print "SRC\tDST\tSPORT\tDPORT\tPROTO\tPACKETS\tOCTETS" }
	    { n = 0
	      for (i = 1; i <= NF; i++) {
		c[i] = split($i, v, ","); if (c[i] > n) n = c[i]
		for (j = 1; j <= c[i]; j++) val[i, j] = v[j] }
	      for (j = 1; j <= n; j++) {
		line = ""
		for (i = 1; i <= NF; i++)
		    line = line (i > 1 ? "\t" : "") \
			(j <= c[i] && val[i, j] != "" ? val[i, j] : "-")
		print line } }'
	tshark_said
}

tshark_said() {	# tshark's messages, but not its warning about root
	grep -v '^Running as user "root"' "$work/tshark.err" >&2 || true
}

work=$(mktemp -d "${TMPDIR:-/tmp}/decrypt.XXXXXX")
tcpdump_pid=''
cleanup() {
	[ -z "$tcpdump_pid" ] || kill -INT "$tcpdump_pid" 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$read" = 1 ]; then
	[ $# -eq 3 ] || usage_error "--read takes PCAP KEYLOG PORT"
	need_file "$1" capture
	need_file "$2" "key log"
	case $3 in ''|*[!0-9]*) usage_error "'$3' is not a port" ;; esac
	show "$1" "$2" "$3"
	exit 0
fi

[ $# -ge 2 ] || usage_error "expected INPUT and a dtls:// URL"
input=$1 url=$2
shift 2
tail_opts "$@"
[ $# -eq 0 ] || shift
case $url in dtls://?*) ;; *) usage_error "'$url' is not a dtls:// URL" ;; esac
# the port: after the host (which may be [IPv6]), 4740 when none
port=$(echo "$url" | sed -n 's|^dtls://\(\[[^]]*\]\)*[^]:/]*:\([0-9]*\)$|\2|p')
port=${port:-4740}
need tcpdump
send=$(tool ipfix-send)
need_file "$input" input

# 1. capture: wait until tcpdump says it listens, so nothing is missed
: > "$keys"
tcpdump -i "$iface" --immediate-mode -U -w "$pcap" udp port "$port" 2> "$work/tcpdump.err" &
tcpdump_pid=$!
n=50
until grep -q 'listening on' "$work/tcpdump.err" 2> /dev/null; do
	kill -0 "$tcpdump_pid" 2> /dev/null ||
	    die "tcpdump failed: $(tail -n 1 "$work/tcpdump.err")"
	n=$((n - 1))
	[ "$n" -gt 0 ] || die "tcpdump did not start within 5 s"
	sleep 0.1
done

# 2. the export, its keys into the key log
eval "set -- $sec \"\$@\""
rc=0
"$send" --keylog "$keys" "$@" "$url" "$input" || rc=$?
sleep 0.5	# the collector's last answers
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=''
[ "$rc" -eq 0 ] || die "ipfix-send failed (status $rc); capture in $pcap"
grep -q '^CLIENT_RANDOM ' "$keys" || die "no session keys in $keys"
echo "$me: capture in $pcap, keys in $keys; decrypted:" >&2

# 3. the decrypted records
show "$pcap" "$keys" "$port"
