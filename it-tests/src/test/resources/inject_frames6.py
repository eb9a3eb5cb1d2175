#!/usr/bin/env python3
"""Sends hostile IPv6 frames out of an interface with an AF_PACKET socket: each kind COUNT times.

usage: inject_frames6.py IFACE DST_MAC SRC_IP6 DST_IP6 COUNT
Prints one line per kind: "<drop reason>/<what> <frames sent>", each frame sent being one drop of that reason.
Used by the integration tests inside a test namespace.
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


def frag(next_header, offset, more, ident, payload):
    """A fragment header (RFC 8200 4.5) for OFFSET bytes into the datagram, then PAYLOAD."""
    return struct.pack("!BBHI", next_header, 0, offset | more, ident) + payload


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
    unspecified = b"\0" * 16
    # an RS from :: must carry no source link-layer address (RFC 4861 6.1.1); a host ignores RSs anyway
    rs = b"\0" * 4 + slla
    # 8 bytes of ICMPv6 echo header and 8 of data: the start of a datagram that never completes
    part = icmp6(sip, dip, 128, 0, struct.pack("!HH", 0x99, 1))[:8] + b"y" * 8
    # a destination options header of 8 bytes holding PadN only (RFC 8200 4.2), naming NEXT as what follows
    def padded_destopts(next_header):
        return bytes([next_header, 0, 1, 4]) + b"\0" * 4
    kinds = {
        # RFC 4861 7.1.1: an NS that may have crossed a router
        "IPV6_NDISC_HOP_LIMIT/ns-hop-limit-64": eth + ip6(sip, dip, 64, icmp6(sip, dip, 135, 0, ns)),
        # an option of length 0
        "IPV6_NDISC_BAD_OPTIONS/nd-option-length-0": eth + ip6(sip, dip, 255, icmp6(sip, dip, 135, 0,
                                                                                b"\0" * 4 + dip + b"\x01\x00" + mac)),
        # an NA for an address nobody asked about, overriding
        "IPV6_NDISC_NA_UNREQUESTED/na-unasked": eth + ip6(sip, dip, 255, icmp6(sip, dip, 136, 0,
                                                                               b"\x20\0\0\0" + stranger + b"\x02\x01" + mac)),
        # a Router Solicitation from :: with a source link-layer address: counted and ignored, nothing learnt
        "ICMP_IGNORED/rs-from-unspecified-with-slla": eth + ip6(unspecified, dip, 255,
                                                               icmp6(unspecified, dip, 133, 0, rs)),
        "ICMP_CSUM/echo-bad-checksum": eth + ip6(sip, dip, 64, icmp6(sip, dip, 128, 0, echo, good_csum=False)),
        # a payload length past the frame
        "PKT_TOO_SMALL/payload-length-past-frame": eth + ip6(sip, dip, 64, icmp6(sip, dip, 128, 0, echo),
                                                            payload_len=1400),
        # a multicast source
        "IP_INHDR/multicast-source": eth + ip6(socket.inet_pton(socket.AF_INET6, "ff02::1"), dip, 64,
                                               icmp6(sip, dip, 128, 0, echo)),
        # a type 0 routing header with a segment left (RFC 5095): a parameter problem back
        "IPV6_BAD_EXTHDR/routing-type-0": eth + ip6(sip, dip, 64, b"\x3a\x02\x00\x01" + b"\0" * 4 + sip
                                                    + icmp6(sip, dip, 128, 0, echo), next_header=43),
        # destination options with an unknown option whose action bits (01) say discard quietly
        "UNHANDLED_PROTO/option-to-discard": eth + ip6(sip, dip, 64, b"\x3a\x00\x5e\x04" + b"\0" * 4
                                                       + icmp6(sip, dip, 128, 0, echo), next_header=60),
        # 14 bytes of padding in a row, where at most 7 may be (ip6_parse_tlv)
        "IP_INHDR/padding-past-7-bytes": eth + ip6(sip, dip, 64, b"\x3a\x01\x01\x0c" + b"\0" * 12
                                                   + icmp6(sip, dip, 128, 0, echo), next_header=60),
        # a Jumbo Payload option (RFC 2675) in a packet whose fixed header gives a length: a parameter problem
        "IP_INHDR/jumbo-option-with-payload-length": eth + ip6(sip, dip, 64, b"\x3a\x00\xc2\x04"
                                                               + struct.pack("!I", 70000)
                                                               + icmp6(sip, dip, 128, 0, echo), next_header=0),
        # a hop-by-hop header after another header (RFC 8200 4.1): an unknown next header
        "IP_NOPROTO/hop-by-hop-not-first": eth + ip6(sip, dip, 64, padded_destopts(0) + padded_destopts(58)
                                                     + icmp6(sip, dip, 128, 0, echo), next_header=60),
        # a next header nobody handles: a parameter problem (code 1) back
        "IP_NOPROTO/unknown-next-header": eth + ip6(sip, dip, 64, b"\0" * 16, next_header=253),
        # RFC 5722: two fragments of one datagram overlapping ([0,16) and [8,24)) discard both
        "FRAG_OVERLAP/overlapping-fragments": (eth + ip6(sip, dip, 64, frag(58, 0, 1, 0x6001, part), next_header=44),
                                               eth + ip6(sip, dip, 64, frag(58, 8, 1, 0x6001, b"z" * 16),
                                                         next_header=44)),
        # a fragment but the last whose data is no multiple of 8 bytes: a parameter problem at the length
        "IP_INHDR/ragged-fragment": eth + ip6(sip, dip, 64, frag(58, 16, 1, 0x6002, b"z" * 12), next_header=44),
        # RFC 7112: a tiny first fragment that stops inside the header chain (no ICMPv6 header): code 3
        "IPV6_BAD_EXTHDR/first-fragment-without-upper-header": eth + ip6(sip, dip, 64, frag(60, 0, 1, 0x6003,
                                                                                           padded_destopts(58)),
                                                                         next_header=44),
    }
    send_kinds(s, kinds, count)


if __name__ == "__main__":
    main()
