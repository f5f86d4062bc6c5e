#!/bin/sh
# Runs one command inside user-mode Linux, whose kernel has SCTP (the build
# machines' kernel does not): the host's / is the guest's root (hostfs), so
# host binaries run unchanged (platform-notes §7). The guest loads the SCTP
# modules, brings lo up, enables SCTP-AUTH, runs the command in the current
# directory and powers off. The command's output goes to stdout.
# Usage: tests/uml/run.sh [-t SECONDS] COMMAND [ARG...]
# Exit status: the command's; 77 when linux.uml is missing; 124 when the
# guest did not finish in time (default 120 s); 125 when it did not boot.
set -u
limit=120
if [ "${1:-}" = "-t" ]; then
	limit=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [-t SECONDS] COMMAND [ARG...]" >&2; exit 2; }
uml=${LINUX_UML:-/usr/bin/linux.uml}
if [ ! -x "$uml" ]; then
	echo "uml: $uml is missing ('make deps' installs user-mode-linux)" >&2
	exit 77
fi
mods=/usr/lib/uml/modules/$(ls /usr/lib/uml/modules 2>/dev/null | head -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/uml.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

quote() {	# print $1 quoted for sh
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

cmd=""
for a in "$@"; do
	cmd="$cmd $(quote "$a")"
done

# Autoloading cannot find the modules, and without hmac.ko the SCTP socket
# call fails with ENOMEM; order matters.
cat > "$work/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in crypto/hmac lib/crc-ccitt net/ipv6/ipv6 net/ipv4/udp_tunnel \
    net/ipv6/ip6_udp_tunnel net/sctp/sctp; do
	[ -f "$mods/kernel/\$m.ko" ] && insmod "$mods/kernel/\$m.ko" 2>/dev/null
done
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo 1 > /proc/sys/net/sctp/auth_enable 2>/dev/null
export PATH=$(quote "$PATH") HOME=/tmp
$( [ -n "${BUILD:-}" ] && echo "export BUILD=$(quote "$BUILD")" )
$( [ -n "${IPFIX_BIN:-}" ] && echo "export IPFIX_BIN=$(quote "$IPFIX_BIN")" )
cd $(quote "$PWD")
$cmd > $work/out 2>&1
echo \$? > $work/rc
sync
echo o > /proc/sysrq-trigger
INIT
chmod +x "$work/init"

# UML 6.1 dies at once on hosts with a large xstate (AMX); noxstate makes
# it fall back to the plain FP registers (see tests/uml/noxstate.c). Those
# keep only x87 and SSE state across the guest's context switches, so the
# guest's glibc must not pick AVX code (corrupt strings otherwise); the
# kernel passes GLIBC_TUNABLES on to init's environment.
tunables=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD,-FMA,-FMA4,-F16C,-XSAVE,-XSAVEC,-AVX_Fast_Unaligned_Load,-Prefer_No_VZEROUPPER
wrap=""
if [ "$(uname -m)" = x86_64 ] && ${CC:-cc} -O2 -o "$work/noxstate" \
    "$(dirname "$0")/noxstate.c" 2>"$work/cc.log"; then
	wrap="$work/noxstate"
fi

timeout "$limit" $wrap "$uml" mem=256M rootfstype=hostfs rootflags=/ rw \
    ${wrap:+GLIBC_TUNABLES=$tunables} init="$work/init" uml_dir="$work" umid=ipfix con0=null,fd:1 con=null \
    quiet > "$work/console" 2>&1 < /dev/null
urc=$?
[ -f "$work/out" ] && cat "$work/out"
if [ -f "$work/rc" ]; then
	exit "$(cat "$work/rc")"
fi
[ $urc -eq 124 ] && { echo "uml: no result within $limit s" >&2; exit 124; }
echo "uml: the guest did not run the command (status $urc):" >&2
tail -n 20 "$work/console" >&2
exit 125
