#!/usr/bin/python3
"""Writes an IPFIX stream to stdout one message per write, paced, for a
DTLS client that sends each write as one record (gnutls-cli --udp,
openssl s_client -dtls): one IPFIX message must be one DTLS record
(RFC 5153 §6.2, peer-tools.md "DTLS framing"). Waits before the first
write (the handshake) and after the last (the records leave before EOF
closes the client). Standard library only.

usage: feedmsgs.py FILE [DELAY_BEFORE [GAP]]
"""
import sys
import time


def main():
    data = open(sys.argv[1], "rb").read()
    before = float(sys.argv[2]) if len(sys.argv) > 2 else 0.7
    gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    time.sleep(before)
    i = 0
    while i + 4 <= len(data):
        n = int.from_bytes(data[i + 2:i + 4], "big")
        if n < 16 or i + n > len(data):
            sys.exit("feedmsgs: bad message length %d at offset %d" % (n, i))
        sys.stdout.buffer.write(data[i:i + n])
        sys.stdout.buffer.flush()
        time.sleep(gap)
        i += n
    time.sleep(0.7)


if __name__ == "__main__":
    main()
