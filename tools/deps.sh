#!/bin/sh
# Installs the Debian packages the build, the tests and the benchmarks need.
# As root it runs apt-get (only when something is missing); otherwise it
# prints the command to run. Used by 'make deps', which demo and check call.
set -u
pkgs="build-essential clang libclang-rt-14-dev pkg-config
libssl-dev openssl libpcap-dev zlib1g-dev libsctp-dev libusrsctp-dev
bats tshark tcpdump libfixbuf-tools python3-ipfix python3
softflowd pmacct nfdump iproute2 nftables user-mode-linux hyperfine
xxd time procps kmod valgrind jq gnutls-bin shellcheck"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections 2>/dev/null
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends \
    $missing >/dev/null || { echo "deps: apt-get failed: $cmd" >&2; exit 1; }
