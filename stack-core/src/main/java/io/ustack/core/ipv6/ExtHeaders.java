package io.ustack.core.ipv6;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.Ipv4Input.ErrorSender;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * The receive side of the options and routing headers (net/ipv6/exthdrs.c, RFC 8200 section 4):
 * ipv6_parse_hopopts, ipv6_destopt_rcv and ipv6_rthdr_rcv, with ip6_parse_tlv's walk over the options. Every
 * failure drops the packet and counts Ip6InHdrErrors (Ip6InAddrErrors for a routing header sent to a group);
 * where RFC 8200 asks for one, an ICMPv6 parameter problem goes back first. Offsets are from the network
 * header, as an error's pointer counts them.
 */
final class ExtHeaders {
    /** IPV6_TLV_* option types. */
    static final int TLV_PAD1 = 0;
    static final int TLV_PADN = 1;
    static final int TLV_ROUTERALERT = 5;
    static final int TLV_JUMBO = 0xc2;
    /** IP6_DEFAULT_MAX_HBH_OPTS_CNT and _DST_OPTS_CNT: options other than padding one header may carry. */
    static final int MAX_OPTS_CNT = 8;
    /** RFC 8200 4.2: padding is for alignment, so never more than 7 bytes in a row (RFC 4942 2.1.9.5). */
    private static final int MAX_PAD = 7;
    /** IPV6_SRCRT_TYPE_0 (RFC 5095), _3 (RPL, RFC 6554) and _4 (segment routing, RFC 8754). */
    static final int RT_TYPE_0 = 0;
    static final int RT_TYPE_RPL = 3;
    static final int RT_TYPE_SRH = 4;
    /** The largest payload length the fixed header can carry (IPV6_MAXPLEN); a jumbogram's is larger. */
    private static final int MAXPLEN = 65535;

    private final MibCounters mib;
    private final PacketDrops drops;
    private final ErrorSender icmp;

    ExtHeaders(MibCounters mib, PacketDrops drops, ErrorSender icmp) {
        this.mib = mib;
        this.drops = drops;
        this.icmp = icmp;
    }

    /**
     * ipv6_parse_hopopts, from ip6_rcv_core when the hop-by-hop header comes first: its length in bytes, or -1
     * when it failed (the packet dropped, Ip6InHdrErrors counted). Takes ownership on failure only.
     */
    int parseHopopts(PacketBuffer pkt) {
        return parseOptions(pkt, Ipv6Packet.HEADER_LEN, Ipv6Packet.NEXTHDR_HOP);
    }

    /** ipv6_destopt_rcv for the header at {@code off}: its length, or -1 when it dropped the packet. */
    int destoptRcv(PacketBuffer pkt, int off) {
        return parseOptions(pkt, off, Ipv6Packet.NEXTHDR_DEST);
    }

    private int parseOptions(PacketBuffer pkt, int off, int kind) {
        int nh = pkt.networkHeader();
        Ipv6ExtHeader h = Ipv6ExtHeader.wrap(pkt, nh + off, kind);
        if (h == null) {
            hdrDrop(pkt, DropReason.IP_INHDR);
            return -1;
        }
        return parseTlv(pkt, off, h.length(), kind == Ipv6Packet.NEXTHDR_HOP) ? h.length() : -1;
    }

    /**
     * ip6_parse_tlv over the options of the {@code len}-byte header at {@code off}: padding checked (at most 7
     * bytes in a row, PadN all zeros), at most 8 other options, Router Alert and Jumbo Payload understood in
     * a hop-by-hop header, any other option by its two action bits. True if the packet goes on; false when it
     * was dropped (counted).
     */
    private boolean parseTlv(PacketBuffer pkt, int off, int len, boolean hopByHop) {
        int nh = pkt.networkHeader();
        int at = off + 2;
        int left = len - 2;
        int padlen = 0;
        int count = 0;
        while (left > 0) {
            int type = pkt.u8(nh + at);
            if (type == TLV_PAD1) {
                if (++padlen > MAX_PAD) {
                    return hdrDrop(pkt, DropReason.IP_INHDR);
                }
                at++;
                left--;
                continue;
            }
            if (left < 2) {
                return hdrDrop(pkt, DropReason.IP_INHDR);
            }
            int optLen = pkt.u8(nh + at + 1) + 2;
            if (optLen > left) {
                return hdrDrop(pkt, DropReason.IP_INHDR);
            }
            if (type == TLV_PADN) {
                padlen += optLen;
                if (padlen > MAX_PAD || !zeros(pkt, nh + at + 2, optLen - 2)) {
                    return hdrDrop(pkt, DropReason.IP_INHDR);
                }
            } else {
                if (++count > MAX_OPTS_CNT) {
                    return hdrDrop(pkt, DropReason.IP_INHDR);
                }
                boolean ok;
                if (hopByHop && type == TLV_ROUTERALERT) {
                    ok = optLen == 4 || hdrDrop(pkt, DropReason.IP_INHDR); // ipv6_hop_ra: two bytes of value
                } else if (hopByHop && type == TLV_JUMBO) {
                    ok = hopJumbo(pkt, at, optLen);
                } else {
                    ok = unknownOption(pkt, at);
                }
                if (!ok) {
                    return false;
                }
                padlen = 0;
            }
            at += optLen;
            left -= optLen;
        }
        return true;
    }

    private static boolean zeros(PacketBuffer pkt, int from, int n) {
        for (int i = 0; i < n; i++) {
            if (pkt.u8(from + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * ip6_tlvopt_unknown: an option nobody here knows, by the two high bits of its type (RFC 8200 4.2): 00
     * skip it, 01 discard the packet, 10 discard and send a parameter problem (code 2) pointing at it, 11 the
     * same unless the destination is a group.
     */
    private boolean unknownOption(PacketBuffer pkt, int at) {
        int nh = pkt.networkHeader();
        switch (pkt.u8(nh + at) >>> 6) {
            case 0:
                return true;
            case 3:
                if (Ipv6Packet.wrap(pkt, nh).daddr().isMulticast()) {
                    break;
                }
                // fall through
            case 2:
                return paramProb(pkt, Icmpv6Packet.UNK_OPTION, at, DropReason.UNHANDLED_PROTO);
            default:
                break;
        }
        return hdrDrop(pkt, DropReason.UNHANDLED_PROTO);
    }

    /**
     * ipv6_hop_jumbo (RFC 2675): a Jumbo Payload option is four bytes at 4n+2; its length must exceed what the
     * fixed header can say, and the fixed header's must then be 0. A frame that could hold one is longer than
     * any Ethernet carries, so one that passes these checks is always truncated (Ip6InTruncatedPkts).
     */
    private boolean hopJumbo(PacketBuffer pkt, int at, int optLen) {
        int nh = pkt.networkHeader();
        if (optLen != 6 || (at & 3) != 2) {
            return hdrDrop(pkt, DropReason.IP_INHDR);
        }
        long jumboLen = pkt.u32(nh + at + 2);
        if (jumboLen <= MAXPLEN) {
            return paramProb(pkt, Icmpv6Packet.HDR_FIELD, at + 2, DropReason.IP_INHDR);
        }
        if (Ipv6Packet.wrap(pkt, nh).payloadLength() != 0) {
            return paramProb(pkt, Icmpv6Packet.HDR_FIELD, at, DropReason.IP_INHDR);
        }
        if (jumboLen > pkt.tail() - nh - Ipv6Packet.HEADER_LEN) {
            mib.inc(Mib.Ip6InTruncatedPkts);
            return hdrDrop(pkt, DropReason.PKT_TOO_SMALL);
        }
        return true; // unreachable on any real link, kept for the rule's sake
    }

    /**
     * ipv6_rthdr_rcv for the routing header at {@code off}: its length when the packet goes on, -1 when it was
     * dropped. A routing header to a group or not for this host is an address error. Segment routing (types 3
     * and 4) is off, as seg6_enabled and rpl_seg_enabled are by default. With no segments left any other type
     * is skipped; with some left none is accepted: type 0 is deprecated (RFC 5095) and type 2 is Mobile
     * IPv6's, so the answer is a parameter problem pointing at the type.
     */
    int rthdrRcv(PacketBuffer pkt, int off) {
        int nh = pkt.networkHeader();
        Ipv6ExtHeader h = Ipv6ExtHeader.wrap(pkt, nh + off, Ipv6Packet.NEXTHDR_ROUTING);
        if (h == null) {
            hdrDrop(pkt, DropReason.IP_INHDR);
            return -1;
        }
        if (Ipv6Packet.wrap(pkt, nh).daddr().isMulticast() || pkt.pktType() != PacketBuffer.PacketType.HOST) {
            mib.inc(Mib.Ip6InAddrErrors);
            drops.drop(pkt, DropReason.IP_INADDRERRORS);
            return -1;
        }
        if (h.routingType() == RT_TYPE_RPL || h.routingType() == RT_TYPE_SRH) {
            drops.drop(pkt, DropReason.IPV6_SEG6_DISABLED);
            return -1;
        }
        if (h.segmentsLeft() == 0) {
            return h.length();
        }
        paramProb(pkt, Icmpv6Packet.HDR_FIELD, off + Ipv6ExtHeader.RT_TYPE, DropReason.IPV6_BAD_EXTHDR);
        return -1;
    }

    /** Drops with Ip6InHdrErrors. Takes ownership. Returns false: the packet does not go on. */
    boolean hdrDrop(PacketBuffer pkt, DropReason reason) {
        mib.inc(Mib.Ip6InHdrErrors);
        drops.drop(pkt, reason);
        return false;
    }

    /**
     * icmpv6_param_prob_reason, then the caller's Ip6InHdrErrors: a parameter problem of {@code code} pointing
     * {@code pointer} bytes into the packet, which is dropped. Takes ownership. Returns false.
     */
    boolean paramProb(PacketBuffer pkt, int code, int pointer, DropReason reason) {
        icmp.send(pkt, Icmpv6Packet.PARAMPROB, code, pointer);
        return hdrDrop(pkt, reason);
    }
}
