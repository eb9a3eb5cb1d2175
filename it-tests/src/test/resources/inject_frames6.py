#!/usr/bin/env python3
"""Sends hostile IPv6 frames out of an interface with an AF_PACKET socket: each kind COUNT times.

usage: inject_frames6.py IFACE DST_MAC SRC_IP6 DST_IP6 COUNT
Prints one line per kind: "<drop reason> <count>". Used by the integration tests inside a test namespace.
"""
import socket
import struct
import sys

# the checksum and the paced sending loop are inject_frames.py's, copied beside this script
from inject_frames import csum, send_kinds


def ip6(src, dst, hop_limit, payload, payload_len=None, next_header=58):
    plen = len(payload) if payload_len is None else payload_len
    return struct.pack("!IHBB", 6 << 28, plen, next_header, hop_limit) + src + dst + payload


def icmp6(src, dst, typ, code, body, good_csum=True):
    msg = struct.pack("!BBH", typ, code, 0) + body
    c = csum(src + dst + struct.pack("!I", len(msg)) + b"\0\0\0\x3a" + msg)
    if not good_csum:
        c ^= 0x5A5A
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def main():
    iface, dst_mac, src_ip, dst_ip, count = sys.argv[1:6]
    count = int(count)
    dst = bytes.fromhex(dst_mac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    mac = s.getsockname()[4]
    sip = socket.inet_pton(socket.AF_INET6, src_ip)
    dip = socket.inet_pton(socket.AF_INET6, dst_ip)
    stranger = socket.inet_pton(socket.AF_INET6, src_ip.rsplit(":", 1)[0] + ":dead")
    eth = dst + mac + b"\x86\xdd"
    slla = b"\x01\x01" + mac
    ns = b"\0" * 4 + dip + slla
    echo = struct.pack("!HH", 0x99, 1) + b"x" * 32
    kinds = {
        # RFC 4861 7.1.1: an NS that may have crossed a router
        "IPV6_NDISC_HOP_LIMIT": eth + ip6(sip, dip, 64, icmp6(sip, dip, 135, 0, ns)),
        # an option of length 0
        "IPV6_NDISC_BAD_OPTIONS": eth + ip6(sip, dip, 255, icmp6(sip, dip, 135, 0, b"\0" * 4 + dip + b"\x01\x00" + mac)),
        # an NA for an address nobody asked about, overriding
        "IPV6_NDISC_NA_UNREQUESTED": eth + ip6(sip, dip, 255, icmp6(sip, dip, 136, 0,
                                                                    b"\x20\0\0\0" + stranger + b"\x02\x01" + mac)),
        "ICMP_CSUM": eth + ip6(sip, dip, 64, icmp6(sip, dip, 128, 0, echo, good_csum=False)),
        # a payload length past the frame
        "PKT_TOO_SMALL": eth + ip6(sip, dip, 64, icmp6(sip, dip, 128, 0, echo), payload_len=1400),
        # a multicast source
        "IP_INHDR": eth + ip6(socket.inet_pton(socket.AF_INET6, "ff02::1"), dip, 64,
                              icmp6(sip, dip, 128, 0, echo)),
        # a type 0 routing header with a segment left (RFC 5095): a parameter problem back
        "IPV6_BAD_EXTHDR": eth + ip6(sip, dip, 64, b"\x3a\x02\x00\x01" + b"\0" * 4 + sip + icmp6(sip, dip, 128, 0, echo),
                                     next_header=43),
        # destination options with an unknown option whose action bits (01) say discard quietly
        "UNHANDLED_PROTO": eth + ip6(sip, dip, 64, b"\x3a\x00\x5e\x04" + b"\0" * 4 + icmp6(sip, dip, 128, 0, echo),
                                     next_header=60),
        # a next header nobody handles: a parameter problem (code 1) back
        "IP_NOPROTO": eth + ip6(sip, dip, 64, b"\0" * 16, next_header=253),
    }
    send_kinds(s, kinds, count)


if __name__ == "__main__":
    main()
