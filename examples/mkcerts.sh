#!/bin/sh
# Makes a CA, collector and exporter certificates and a PSK for trying
# ipfix-send and ipfix-recv over DTLS and TLS: see SECURITY in ipfix-send(1).
# Usage: examples/mkcerts.sh [DIR]   (default ./pki). The script itself is
# tests/lib/mkcerts.sh, shared with the tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec sh "$here/../tests/lib/mkcerts.sh" "${1:-pki}"
