package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.icmp.Icmpv6Sender;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;

/**
 * nf_reject_ipv6: the answers ip6tables' REJECT sends about a packet it refuses, an ICMPv6 destination
 * unreachable (nf_send_unreach6) or a TCP RST (nf_send_reset6). Neither answers a later fragment or a
 * packet whose transport checksum is wrong (reject6_csum_ok), which might not be what its sender sent.
 *
 * <p>The RST is routed back to the segment's source and sent from the address the segment was for, ours or
 * (for a forwarded segment) not, through ip6_local_out, as nf_send_reset6 sends it.
 */
public final class NfReject6 implements RejectSender {
    private final BufferPool pool;
    private final Ipv6Fib fib;
    private final Ipv6Output out;
    private final Icmpv6Sender icmp;

    public NfReject6(BufferPool pool, Ipv6Fib fib, Ipv6Output out, Icmpv6Sender icmp) {
        this.pool = pool;
        this.fib = fib;
        this.out = out;
        this.icmp = icmp;
    }

    /**
     * nf_send_unreach6: ICMPv6 destination unreachable with {@code code} about {@code pkt}, through icmp6_send
     * and so under its rules and rate limits. Borrows.
     */
    @Override
    public void sendUnreach(PacketBuffer pkt, int code) {
        Ipv6ExtHeader.Skipped l4 = upperLayer(pkt);
        if (l4 != null && transportChecksumOk(pkt, l4)) {
            icmp.sendError(pkt, Icmpv6Packet.DEST_UNREACH, code, 0);
        }
    }

    /**
     * nf_send_reset6: a RST for the TCP segment in {@code pkt}, from its destination to its source, built as
     * IPv4's ({@link NfReject#reset}: RFC 9293's sequence numbers, tied to the segment's connection if
     * tracked), hop limit 64, no flow label. Nothing answers a RST, a later fragment, a
     * segment cut short or with a bad checksum, or one from or to a group or the unspecified address. Borrows.
     */
    @Override
    public void sendReset(PacketBuffer pkt) {
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        Ipv6Address saddr = ip.saddr();
        Ipv6Address daddr = ip.daddr();
        Ipv6ExtHeader.Skipped l4 = upperLayer(pkt);
        if (l4 == null || l4.nexthdr() != Ipv6Packet.NEXTHDR_TCP || saddr.isMulticast() || saddr.isUnspecified()
                || daddr.isMulticast()) {
            return;
        }
        // ip6_route_output back to the source, before anything is built (no route, no answer)
        DstEntry dst = fib.outputRoute(saddr, saddr.needsScopeId() ? pkt.dev() : null);
        if (dst == null) {
            return;
        }
        int tcpLen = end(pkt) - l4.offset();
        TcpSegment th = TcpSegment.wrap(pkt, l4.offset());
        PacketBuffer rst = NfReject.reset(pool, pkt, th, tcpLen, () -> th.checksumOk6(saddr, daddr, tcpLen));
        if (rst == null) {
            return;
        }
        TcpSegment.wrap(rst, rst.data()).updateChecksum6(daddr, saddr, TcpSegment.MIN_HEADER_LEN);
        // nf_reject_ip6hdr_put: from the address the segment was for, whoever's it is
        Ipv6Packet.push(rst, 0, 0, rst.len(), Ipv6Packet.NEXTHDR_TCP, Ipv6Packet.DEFAULT_HOP_LIMIT, daddr, saddr);
        rst.setTransportHeader(rst.data() + Ipv6Packet.HEADER_LEN);
        rst.setDst(dst);
        rst.setProtocol(EthernetFrame.ETH_P_IPV6);
        out.ip6LocalOut(rst);
    }

    /**
     * The upper layer's header and kind (ipv6_skip_exthdr), or null: a later fragment, or a chain cut short
     * or with nothing after it.
     */
    private static Ipv6ExtHeader.Skipped upperLayer(PacketBuffer pkt) {
        int nh = pkt.networkHeader();
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, nh + Ipv6Packet.HEADER_LEN, Ipv6Packet.wrap(pkt, nh).nextHeader());
        return s.offset() < 0 || s.offset() >= end(pkt) || (s.fragOff() & Ipv6ExtHeader.IP6_OFFSET) != 0 ? null : s;
    }

    /** The end of the IPv6 datagram: its payload length past the fixed header. */
    private static int end(PacketBuffer pkt) {
        return pkt.networkHeader() + Ipv6Packet.HEADER_LEN + Ipv6Packet.wrap(pkt, pkt.networkHeader()).payloadLength();
    }

    /**
     * reject6_csum_ok (nf_ip6_checksum): the TCP, UDP or ICMPv6 checksum of the packet is right; other
     * protocols are not checked.
     */
    private static boolean transportChecksumOk(PacketBuffer pkt, Ipv6ExtHeader.Skipped upper) {
        if (pkt.csumUnnecessary()) {
            return true;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        int l4 = upper.offset();
        int len = end(pkt) - l4;
        switch (upper.nexthdr()) {
            case Ipv6Packet.NEXTHDR_TCP: {
                TcpSegment th = TcpSegment.wrap(pkt, l4);
                return th != null && th.checksumOk6(ip.saddr(), ip.daddr(), len);
            }
            case Ipv6Packet.NEXTHDR_UDP: {
                UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
                return uh != null && uh.checksumOk6(ip.saddr(), ip.daddr(), len);
            }
            case Ipv6Packet.NEXTHDR_ICMP: {
                Icmpv6Packet ih = Icmpv6Packet.wrap(pkt, l4);
                return ih != null && ih.checksumOk(ip.saddr(), ip.daddr(), len);
            }
            default:
                return true;
        }
    }
}
