#!/usr/bin/python3
"""The application data an exporter sent to PORT over (D)TLS, decrypted by
tshark from a loopback capture with the exporter's NSS key log, as one
stream in OUT: what a peer that keeps nothing (gnutls-serv) was given and
accepted. Standard library only (tshark does the decryption).

usage: decrypted.py tls|dtls PCAP KEYLOG PORT OUT RSAKEY
  tshark hands decrypted DTLS records to a subdissector only with a
  loadable RSA key in dtls.keys_list (unused otherwise), hence RSAKEY.
"""
import subprocess
import sys


def main():
    mode, pcap, keylog, port, out, rsa = sys.argv[1:7]
    args = ["tshark", "-r", pcap, "-o", "tls.keylog_file:" + keylog,
            "-T", "fields", "-e", "udp.dstport", "-e", "tcp.dstport",
            "-e", "data.data"]
    if mode == "dtls":
        args += ["-d", "udp.port==%s,dtls" % port, "-o",
                 "dtls.keys_list:0.0.0.0,%s,data,%s" % (port, rsa)]
    else:
        args += ["-d", "tcp.port==%s,tls" % port]
    res = subprocess.run(args, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    data = b""
    for line in res.splitlines():
        f = line.split("\t")
        if len(f) == 3 and port in (f[0], f[1]) and f[2]:
            data += b"".join(bytes.fromhex(x) for x in f[2].split(","))
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
