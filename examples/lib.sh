# What the cookbook scripts in examples/ share; sourced, not run.
# Each script sets `me` (its name for messages) and `usage` (its usage
# text) before sourcing this file.
#
# The tools are looked up in $IPFIX_BIN when it is set (a build tree:
# IPFIX_BIN=build/cc/bin), on PATH otherwise (an installed toolkit).
# shellcheck shell=sh disable=SC2154,SC2034

# The --help lines of the security options of the scripts that export
# (the options go to ipfix-send or dtls-probe as they are), and of the
# options that may follow the operands.
sec_help="  --cert FILE --key FILE our certificate and key (as ipfix-send's)
  --ca FILE              the CA the collector's certificate chains to
  --peer-name NAME       the collector's name (default: the URL host)
  --psk-identity ID --psk-file FILE   a pre-shared key instead"
tail_help="Options after -- go to ipfix-send as they are (see ipfix-send(1))."

die() {		# die MESSAGE: one line on stderr, exit 1
	echo "$me: $*" >&2
	exit 1
}

usage_error() {	# usage_error MESSAGE: exit 2, pointing at --help
	echo "$me: $* (try $me --help)" >&2
	exit 2
}

show_usage() {
	printf '%s\n' "$usage"
	exit 0
}

tool() {	# tool NAME: the path of a toolkit program, or die
	if [ -n "${IPFIX_BIN:-}" ]; then
		[ -x "$IPFIX_BIN/$1" ] || die "$1 not found in IPFIX_BIN=$IPFIX_BIN"
		echo "$IPFIX_BIN/$1"
	else
		command -v "$1" 2> /dev/null ||
		    die "$1 not found on PATH (install the toolkit, or set IPFIX_BIN to a build's bin directory)"
	fi
}

need() {	# need PROGRAM [PACKAGE]: a system program, or die naming it
	command -v "$1" > /dev/null 2>&1 ||
	    die "$1 is missing (Debian package ${2:-$1})"
}

quote() {	# quote WORD: WORD in single quotes, for eval
	printf '%s' "$1" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/"
}

# tail_opts ARGS...: what follows the operands is nothing, or -- and
# options for the tool (the caller then shifts the -- away)
tail_opts() {
	[ $# -eq 0 ] || [ "$1" = -- ] ||
	    usage_error "unexpected '$1' after the operands"
}

need_arg() {	# need_arg OPTION ARGCOUNT: an option's value is there
	[ "$2" -ge 2 ] || usage_error "$1 needs a value"
}

need_file() {	# need_file FILE WHAT: a readable file, or die naming it
	[ -r "$1" ] || die "$2: cannot read '$1'"
}

is_number() {	# is_number VALUE: a decimal number, fraction allowed
	case $1 in
	''|.|*[!0-9.]*|*.*.*) return 1 ;;
	esac
}

# ipfix_records FILE: status 0 when FILE holds IPFIX messages (a stream,
# gzip'd or not, or a pcap of IPFIX export), 1 when it holds none (a
# capture of other traffic: meter it with ipfix-gen first).
ipfix_records() {
	"$(tool ipfix-dump)" --stats --no-deflate -q "$1" 2> /dev/null |
	    grep -q 'messages=[1-9]'
}

# as_ipfix FILE WORKDIR: print the path of an IPFIX stream for FILE:
# FILE itself when it holds IPFIX, else WORKDIR/flows.ipfix metered from
# it by ipfix-gen (the flows of the packets it captured).
as_ipfix() {
	need_file "$1" input
	if ipfix_records "$1"; then
		echo "$1"
		return
	fi
	echo "$me: $1 holds no IPFIX: metering its packets with ipfix-gen" >&2
	"$(tool ipfix-gen)" -q -o "$2/flows.ipfix" "$1" ||
	    die "$1 is neither IPFIX nor a capture ipfix-gen can meter"
	echo "$2/flows.ipfix"
}

# wait_port PROTO PORT [SECONDS]: wait until something listens on PORT
# (PROTO udp or tcp) here; status 1 after SECONDS (default 5).
wait_port() {
	_n=$(( ${3:-5} * 10 ))
	while [ "$_n" -gt 0 ]; do
		ss -Hln"$( [ "$1" = udp ] && echo u || echo t)" 2> /dev/null |
		    awk -v p=":$2" '$4 ~ p "$" { f = 1 } END { exit !f }' &&
		    return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
