#!/bin/sh
# Makes a small PKI for IPFIX over (D)TLS with the openssl command (EC P-256):
#   ca.pem ca.key              the CA both sides trust
#   collector.pem/.key         SAN DNS:collector.test, DNS:localhost, IP:127.0.0.1, IP:::1
#   exporter.pem/.key          SAN DNS:exporter-1.test, IP:127.0.0.1 (CN exporter-1.test)
#   wild.pem/.key              SAN DNS:*.example.test (a wildcard collector)
#   othername.pem/.key         SAN DNS:other.test only (a name mismatch)
#   expired.pem/.key           valid 2020-2021;  notyet.pem/.key valid from 2099
#   rogue-ca.pem, rogue.pem/.key   another CA and an exporter certificate of it
#   psk.hex, psk-other.hex     32-byte pre-shared keys in hex
# Usage: mkcerts.sh DIR   (DIR is created; files in it are overwritten)
# examples/mkcerts.sh runs this same script.
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"
days=3650
o=openssl

key() { $o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# $1 name, $2 CN, $3 SAN list, $4 CA basename: CSR then an `openssl ca`
# signature, which takes explicit start and end dates (expired, not yet valid).
cert() {
	key "$1.key"
	$o req -new -key "$1.key" -subj "/O=ipfix-dtls test/CN=$2" -out "$1.csr"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$3" > "$1.ext"
	$o ca -batch -config "$4.cnf" -in "$1.csr" -out "$1.pem" -notext \
	    -extfile "$1.ext" -startdate "${5:-$(date -u -d yesterday +%Y%m%d%H%M%SZ)}" \
	    -enddate "${6:-$(date -u -d "+$days days" +%Y%m%d%H%M%SZ)}" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

# $1 basename, $2 CN: a self-signed CA and the `openssl ca` state for it.
mkca() {
	key "$1.key"
	$o req -x509 -new -key "$1.key" -subj "/O=ipfix-dtls test/CN=$2" \
	    -days $days -out "$1.pem" -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign
	mkdir -p "$1.db"
	: > "$1.db/index.txt"
	echo 1000 > "$1.db/serial"
	cat > "$1.cnf" <<CNF
[ ca ]
default_ca = this
[ this ]
dir = $1.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $1.pem
private_key = $1.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
organizationName = optional
commonName = supplied
CNF
}

mkca ca "ipfix-dtls test CA"
mkca rogue-ca "rogue CA"
cert collector collector.test "DNS:collector.test,DNS:localhost,IP:127.0.0.1,IP:::1" ca
cert exporter exporter-1.test "DNS:exporter-1.test,IP:127.0.0.1" ca
cert wild wild.example.test "DNS:*.example.test" ca
cert othername other.test "DNS:other.test" ca
cert expired expired.test "DNS:localhost,IP:127.0.0.1,DNS:exporter-1.test" ca \
    20200101000000Z 20210101000000Z
cert notyet notyet.test "DNS:localhost,IP:127.0.0.1,DNS:exporter-1.test" ca \
    20990101000000Z 20991231000000Z
cert rogue exporter-1.test "DNS:exporter-1.test,IP:127.0.0.1" rogue-ca
$o rand -hex 32 > psk.hex
$o rand -hex 32 > psk-other.hex
