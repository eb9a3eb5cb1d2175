#!/usr/bin/env python3
"""Sends hostile frames out of an interface with an AF_PACKET socket: each kind COUNT times.

usage: inject_frames.py IFACE DST_MAC SRC_IP DST_IP COUNT
Prints one line per kind: "<kind> <count>". Used by the integration tests inside a test namespace.
"""
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(src, dst, proto, payload_len, version_ihl=0x45, total=None, good_csum=True):
    total = 20 + payload_len if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", version_ihl, 0, total, 0x4242, 0, 64, proto, 0, src, dst)
    c = csum(h)
    if not good_csum:
        c ^= 0x5A5A
    return h[:10] + struct.pack("!H", c) + h[12:]


def icmp_echo(good_csum=True):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x99, 1) + b"x" * 32
    c = csum(body)
    if not good_csum:
        c ^= 0x5A5A
    return body[:2] + struct.pack("!H", c) + body[4:]


def main():
    iface, dst_mac, src_ip, dst_ip, count = sys.argv[1:6]
    count = int(count)
    dst = bytes.fromhex(dst_mac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src = s.getsockname()[4]
    sip, dip = socket.inet_aton(src_ip), socket.inet_aton(dst_ip)
    eth_ip = dst + src + b"\x08\x00"
    echo = icmp_echo()
    kinds = {
        "IP_CSUM": eth_ip + ip_header(sip, dip, 1, len(echo), good_csum=False) + echo,
        "IP_INHDR": eth_ip + ip_header(sip, dip, 1, len(echo), version_ihl=0x55) + echo,
        "IP_TRUNCATED": eth_ip + ip_header(sip, dip, 1, len(echo), total=1400) + echo,
        "IP_INVALID_SOURCE": eth_ip + ip_header(socket.inet_aton("127.0.0.1"), dip, 1, len(echo)) + echo,
        "ICMP_CSUM": eth_ip + ip_header(sip, dip, 1, len(echo)) + icmp_echo(good_csum=False),
        "UNHANDLED_PROTO": dst + src + b"\x88\xb5" + b"\0" * 46,
        "ARP_INVALID": b"\xff" * 6 + src + b"\x08\x06"
        + struct.pack("!HHBBH", 1, 0x0800, 5, 4, 1) + src + b"\0" + sip + b"\0" * 6 + dip,
    }
    send_kinds(s, kinds, count)


def send_kinds(s, kinds, count):
    """Sends each kind COUNT times and prints "<kind> <frames sent>"; inject_frames6.py uses it too.

    A kind is one frame, or a tuple of frames sent in order each time (fragments that must meet).
    """
    for kind, frames in kinds.items():
        if isinstance(frames, bytes):
            frames = (frames,)
        sent = 0
        for _ in range(count):
            for frame in frames:
                s.send(frame)
                sent += 1
                if sent % 50 == 0:
                    # paced, so the TAP's queue (txqueuelen) never overflows before the stack reads it:
                    # every frame sent must reach the stack for the counts to be exact
                    time.sleep(0.005)
        print(kind, sent)


if __name__ == "__main__":
    main()
