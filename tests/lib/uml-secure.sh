#!/bin/sh
# Runs inside user-mode Linux (tests/uml/run.sh): one ipfix-send ->
# ipfix-recv round trip over DTLS/SCTP (RFC 6083) on kernel SCTP, with
# the PKI of tests/lib/mkcerts.sh (MODE cert) or its PSK (MODE psk). The
# records are compared on the host afterwards; the collector's JSON
# statistics are left in LOGDIR/recv.err.
# Usage: uml-secure.sh MODE BIN IN.ipfix OUT.ipfix LOGDIR PKI
set -u
# UML does not keep the host CPU's AVX register state across its context
# switches: OpenSSL's AVX code paths then compute wrong results (an EC
# certificate "signature failure" in the guest, fine on the host). Mask
# AVX and AVX2 from OpenSSL's CPU capability vector inside the guest.
OPENSSL_ia32cap="~0x200000200000000"
export OPENSSL_ia32cap
mode=$1 bin=$2 in=$3 out=$4 log=$5 pki=$6
case $mode in
cert)	ropt="--cert $pki/collector.pem --key $pki/collector.key --ca $pki/ca.pem --peer-name exporter-1.test"
	sopt="--cert $pki/exporter.pem --key $pki/exporter.key --ca $pki/ca.pem --peer-name collector.test" ;;
psk)	ropt="--psk-identity exp1 --psk-file $pki/psk.hex"
	sopt=$ropt ;;
*)	echo "unknown mode $mode" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
timeout -s INT 100 "$bin/ipfix-recv" -v --stats --json $ropt -o "$out" \
    dtls-sctp://127.0.0.1:4739 2> "$log/recv.err" &
rpid=$!
n=0
until grep -q listening "$log/recv.err" 2> /dev/null; do
	n=$((n + 1))
	[ $n -lt 100 ] || { echo "ipfix-recv did not listen"; cat "$log/recv.err"; exit 4; }
	sleep 0.1
done
# shellcheck disable=SC2086,SC2002
cat "$in" | timeout 60 "$bin/ipfix-send" --stats --max-retries 0 \
    --handshake-timeout 10 $sopt dtls-sctp://127.0.0.1:4739 2> "$log/send.err"
src=$?
sleep 1
kill -INT $rpid
wait $rpid
rrc=$?
echo "send status $src, recv status $rrc"
cat "$log/send.err" "$log/recv.err"
[ $src -eq 0 ] && [ $rrc -eq 0 ]
