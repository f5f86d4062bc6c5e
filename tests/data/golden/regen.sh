#!/bin/sh
# Rewrites the expected output (NAME.out) of every golden case in TESTLIST,
# or of the cases named as arguments, with the ipfix-dump in $IPFIX_BIN
# (default build/cc/bin). Also rebuilds lists.ipfix from mklists.py.
#   make BUILD=build/x && IPFIX_BIN=$PWD/build/x/bin sh tests/data/golden/regen.sh
# Review the diff before committing: goldens change only when output should.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
: "${IPFIX_BIN:=$top/build/cc/bin}"
python3 "$here/mklists.py" "$here/lists.ipfix" || exit 1
cd "$here/.." || exit 1
. "$here/golden.sh"
golden_cases "$here/TESTLIST" | while read -r name input opts; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	# shellcheck disable=SC2086  # opts are words
	golden_run "$IPFIX_BIN/ipfix-dump" "$input" $opts > "$here/$name.out"
	echo "$name"
done
