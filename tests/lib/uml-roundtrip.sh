#!/bin/sh
# Runs inside user-mode Linux (tests/uml/run.sh): one ipfix-send ->
# ipfix-recv round trip over kernel SCTP. MODE kernel: both on lksctp;
# k2u: kernel exporter -> usrsctp collector over RFC 6951 UDP
# encapsulation; u2k: usrsctp exporter -> kernel collector over UDP.
# The records are compared on the host afterwards.
# Usage: uml-roundtrip.sh MODE BIN IN.ipfix OUT.ipfix LOGDIR
set -u
mode=$1 bin=$2 in=$3 out=$4 log=$5
sys=/proc/sys/net/sctp
ropt="" sopt=""
case $mode in
kernel) ;;
k2u)	# the kernel tunnels everything to the collector's port 9899 and
	# listens for the answers on 9900
	echo 9900 > $sys/udp_port && echo 9899 > $sys/encap_port || exit 3
	ropt=--sctp-udp-encap=9899 ;;
u2k)	echo 9899 > $sys/udp_port || exit 3
	sopt=--sctp-udp-encap=9899 ;;
*)	echo "unknown mode $mode" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
timeout -s INT 100 "$bin/ipfix-recv" -v --stats $ropt -o "$out" \
    sctp://127.0.0.1:4739 2> "$log/recv.err" &
rpid=$!
n=0
until grep -q listening "$log/recv.err" 2> /dev/null; do
	n=$((n + 1))
	[ $n -lt 100 ] || { echo "ipfix-recv did not listen"; cat "$log/recv.err"; exit 4; }
	sleep 0.1
done
# a pipe on purpose: ipfix-gen | ipfix-send is the tested use
# shellcheck disable=SC2086,SC2002
cat "$in" | timeout 60 "$bin/ipfix-send" --stats $sopt sctp://127.0.0.1:4739 \
    2> "$log/send.err"
src=$?
sleep 1
kill -INT $rpid
wait $rpid
rrc=$?
echo "send status $src, recv status $rrc"
cat "$log/send.err" "$log/recv.err"
[ $src -eq 0 ] && [ $rrc -eq 0 ]
