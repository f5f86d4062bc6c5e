#!/bin/sh
# Renders the interoperability table of README.md from the rows the
# interop tests write (tests/interop-gnutls.bats: "peer|direction|version|
# authentication|result", one per passing case) on stdin: a Markdown
# table, sorted, duplicates removed. `make interop-table` puts it into
# README.md between its interop-table markers; the tests check that it
# is there unchanged.
set -eu
echo "| peer | direction | transport | authentication | result |"
echo "|---|---|---|---|---|"
LC_ALL=C sort -u | awk -F'|' 'NF == 5 { printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
