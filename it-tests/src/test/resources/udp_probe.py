#!/usr/bin/env python3
"""UDP probes the integration tests run inside a test namespace, over IPv4 or (an ADDR with a colon) IPv6.

usage: udp_probe.py refused ADDR PORT      prints "refused" if a connected send meets ICMP port unreachable
       udp_probe.py echo ADDR PORT SIZE    sends SIZE random bytes, prints "same" if they come back unchanged
       udp_probe.py ask ADDR PORT COUNT    sends COUNT datagrams one after the other; for each prints
                                           "reply LEN HEX", "nothing" (no answer within 2 s) or "refused"
"""
import os
import socket
import sys


def main():
    kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((addr, port))
    if kind == "refused":
        s.send(b"anyone there?")
        try:
            s.recv(100)
            print("answered")
        except ConnectionRefusedError:
            print("refused")
        except socket.timeout:
            print("timeout")
    elif kind == "echo":
        data = os.urandom(int(sys.argv[4]))
        s.send(data)
        back = s.recv(70000)
        print("same" if back == data else "different: %d bytes back" % len(back))
    elif kind == "ask":
        s.settimeout(2)
        for _ in range(int(sys.argv[4])):
            s.send(b"\n")
            try:
                back = s.recv(70000)
                print("reply", len(back), back.hex())
            except ConnectionRefusedError:
                print("refused")
            except socket.timeout:
                print("nothing")


if __name__ == "__main__":
    main()
