#!/usr/bin/python3
"""A UDP relay on loopback that notes the largest datagram an exporter
sends: it forwards client -> 127.0.0.1:TARGET and the answers back, and
keeps "COUNT MAXBYTES" of the client's datagrams in OUT (rewritten as
they come). Ends after SECONDS. For the --max-datagram tests (a DTLS
peer cannot be asked what size its datagrams had). Standard library only.

usage: udprelay.py LISTEN TARGET OUT SECONDS
"""
import select
import socket
import sys
import time


def main():
    listen, target, out, secs = (int(sys.argv[1]), int(sys.argv[2]),
                                 sys.argv[3], float(sys.argv[4]))
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", listen))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.connect(("127.0.0.1", target))
    client, count, biggest = None, 0, 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        ready, _, _ = select.select([front, back], [], [], 0.2)
        for s in ready:
            data, addr = s.recvfrom(65535)
            if s is front:
                client = addr
                count += 1
                biggest = max(biggest, len(data))
                back.send(data)
                with open(out, "w") as f:
                    f.write("%d %d\n" % (count, biggest))
            elif client is not None:
                front.sendto(data, client)


if __name__ == "__main__":
    main()
