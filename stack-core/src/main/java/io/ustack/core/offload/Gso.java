package io.ustack.core.offload;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.function.BiConsumer;

/**
 * skb_gso_segment in software, for a device that cannot take a super-packet (validate_xmit_skb): cuts a TCP
 * or UDP super-packet over IPv4 or IPv6 into the packets a TSO or USO device would have put on the wire.
 *
 * <p>Each segment is a whole datagram with its own copy of the Ethernet, IP (IPv4 options included) and
 * transport headers, as skb_segment copies them, then fixed up as inet_gso_segment (ipv6_gso_segment),
 * tcp_gso_segment and __udp_gso_segment do: over IPv4 a total length and header checksum of its own and IP
 * IDs counting up from the super header's, over IPv6 a payload length of its own; for TCP the sequence
 * number advanced by gso_size a segment, FIN and PSH on the last segment only and CWR on the first only;
 * for UDP (SKB_GSO_UDP_L4) a length of its own. The transport checksum field takes the super-packet's
 * pseudo-header sum with the segment's length in place of the whole's; the checksum is left partial for a
 * device that finishes it, or finished here.
 *
 * <p>An IPv6 super-packet must carry its TCP or UDP header right after the fixed header: this stack sends
 * no extension headers, and a received one with them is refused (ipv6_gso_segment would walk them).
 */
public final class Gso {
    /** UDP_MAX_SEGMENTS: the most datagrams Linux cuts one UDP super-packet into (128 since 6.10; 64 before). */
    public static final int UDP_MAX_SEGMENTS = 128;

    private static final int TCP_TYPES = PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_TCPV6;
    private static final int KNOWN_TYPES = TCP_TYPES | PacketBuffer.SKB_GSO_UDP_L4
            | PacketBuffer.SKB_GSO_DODGY | PacketBuffer.SKB_GSO_TCP_ECN | PacketBuffer.SKB_GSO_TCP_FIXEDID;
    /** The gso_type bits that say something of TCP segments only. */
    private static final int TCP_ONLY = PacketBuffer.SKB_GSO_TCP_ECN | PacketBuffer.SKB_GSO_TCP_FIXEDID;
    private static final int IP_OFF = EthernetFrame.HEADER_LEN;

    private Gso() {
    }

    /**
     * skb_gso_segment: hands the segments of {@code skb} to {@code out}, in order, each a fresh buffer from
     * {@code host}'s pool (headroom as {@code allocateWithHeadroom} leaves) with gso cleared and the
     * metadata the transmit path reads (ip_copy_metadata); then releases {@code skb}. With {@code hwCsum}
     * each segment's checksum is left PARTIAL for the device, else it is finished (ip_summed NONE).
     *
     * <p>{@code skb} is a whole Ethernet frame: data at the Ethernet header, the network and transport
     * header offsets set, gso_size and gso_type set (gso_segs is not trusted: the count follows from the
     * length, as the kernel recounts a DODGY packet's), and the transport checksum PARTIAL at the transport
     * header, holding the pseudo-header sum over the whole transport length. A TCP super-packet that is not
     * PARTIAL (one GRO merged, its checksum the first segment's) gets that sum first, as tcp4_gso_segment
     * gives it. A super-packet whose payload fits one segment is handed on itself, as an ordinary packet
     * (the kernel refuses it with -EINVAL; virtio_net_hdr_to_skb already treats such a one as no GSO). One
     * that lies about itself is dropped as {@link DropReason#SKB_GSO_SEG}.
     *
     * <p>Takes ownership of {@code skb}; {@code out} takes ownership of each segment.
     */
    public static void segment(PacketBuffer skb, NetDeviceHost host, boolean hwCsum, PacketHandler out) {
        segment(skb, host.pool(), host::drop, hwCsum, out);
    }

    /**
     * {@link #segment(PacketBuffer, NetDeviceHost, boolean, PacketHandler)} for a caller that is no device's
     * host, udp_rcv_segment's: segments come from {@code pool}, a super-packet that lies goes to {@code drop}.
     */
    public static void segment(PacketBuffer skb, BufferPool pool, BiConsumer<PacketBuffer, DropReason> drop,
                               boolean hwCsum, PacketHandler out) {
        Layout l = Layout.of(skb);
        if (l == null) {
            drop.accept(skb, DropReason.SKB_GSO_SEG);
            return;
        }
        if (skb.ipSummed() != IpSummed.PARTIAL) {
            // a TCP super-packet GRO merged: tcp4_gso_segment and tcp6_gso_segment give it the pseudo-header sum
            if (l.v6) {
                Ipv6Packet ip6 = Ipv6Packet.wrap(skb, skb.networkHeader());
                PartialChecksum.set6(skb, l.l4, l.csumOffset, ip6.saddr(), ip6.daddr(), Ipv6Packet.NEXTHDR_TCP, l.l4Len());
            } else {
                Ipv4Packet ip4 = Ipv4Packet.wrap(skb, skb.networkHeader());
                PartialChecksum.set(skb, l.l4, l.csumOffset, ip4.saddr(), ip4.daddr(), Ipv4Packet.IPPROTO_TCP, l.l4Len());
            }
        }
        if (l.payload <= skb.gsoSize()) {
            skb.clearGso();
            finish(skb, hwCsum);
            out.handle(skb);
            return;
        }
        int mss = skb.gsoSize();
        int headers = l.payloadAt - skb.data();
        int pseudo = skb.u16(l.l4 + l.csumOffset);
        int id = l.v6 ? 0 : Ipv4Packet.wrap(skb, skb.networkHeader()).id();
        boolean fixedId = (skb.gsoType() & PacketBuffer.SKB_GSO_TCP_FIXEDID) != 0;
        for (int off = 0, n = 0; off < l.payload; off += mss, n++) {
            int len = Math.min(mss, l.payload - off);
            PacketBuffer seg = pool.allocateWithHeadroom(headers + len);
            int at = seg.put(headers + len);
            seg.copyFrom(skb, skb.data(), at, headers);
            seg.copyFrom(skb, l.payloadAt + off, at + headers, len);
            seg.copyMetadata(skb);
            seg.setMacHeader(at);
            seg.setNetworkHeader(at + IP_OFF);
            int l4 = at + (l.l4 - skb.data());
            seg.setTransportHeader(l4);
            int l4Len = l.l4HeaderLen + len;

            if (l.v6) {
                Ipv6Packet.wrap(seg, at + IP_OFF).setPayloadLength(l4 - (at + IP_OFF) - Ipv6Packet.HEADER_LEN + l4Len);
            } else {
                Ipv4Packet ip = Ipv4Packet.wrap(seg, at + IP_OFF);
                ip.setTotalLength(l4 - ip.offset() + l4Len);
                // SKB_GSO_TCP_FIXEDID (GRO merged a flow that repeats its ID): every segment keeps the first's
                ip.setId(fixedId ? id : (id + n) & 0xffff);
                ip.updateChecksum();
            }
            if (l.tcp) {
                tcpFixup(TcpSegment.wrap(seg, l4), off, off == 0, off + len == l.payload);
            } else {
                UdpDatagram.wrap(seg, l4).setLength(l4Len);
            }
            seg.setU16(l4 + l.csumOffset, Checksum.replacePartial16(pseudo, l.l4Len(), l4Len));
            seg.setChecksumPartial(l4, l.csumOffset);
            finish(seg, hwCsum);
            out.handle(seg);
        }
        skb.release();
    }

    /** tcp_gso_segment's header fix-up of one segment: its sequence number and the flags it may carry. */
    private static void tcpFixup(TcpSegment th, int offset, boolean first, boolean last) {
        th.setSeq(th.seq() + offset);
        int flags = th.flags();
        if (!last) {
            flags &= ~(TcpSegment.FIN | TcpSegment.PSH);
        }
        if (!first) {
            // SKB_GSO_TCP_ECN: the congestion window was reduced once, which the first segment says
            flags &= ~TcpSegment.CWR;
        }
        th.setFlags(flags);
    }

    /** Leaves a valid partial checksum for a device that finishes it, or finishes it (gso_make_checksum). */
    private static void finish(PacketBuffer pkt, boolean hwCsum) {
        if (!hwCsum) {
            PartialChecksum.complete(pkt);
        }
    }

    /**
     * Where a super-packet's headers and payload lie, once checked as skb_mac_gso_segment, inet_gso_segment,
     * ipv6_gso_segment, tcp4_gso_segment, tcp6_gso_segment and udp4_ufo_fragment check them (and
     * virtio_net_hdr_to_skb, since the GSO fields may come from a TAP): offsets from head.
     */
    private record Layout(boolean v6, boolean tcp, int l4, int l4HeaderLen, int csumOffset, int payloadAt,
                          int payload) {
        /** The transport length: header and payload, what the pseudo-header counts. */
        int l4Len() {
            return l4HeaderLen + payload;
        }

        /** The layout of {@code skb}, or null if it lies about itself. Borrows {@code skb}. */
        static Layout of(PacketBuffer skb) {
            int type = skb.gsoType();
            int tcpType = type & TCP_TYPES;
            boolean udp = (type & PacketBuffer.SKB_GSO_UDP_L4) != 0;
            boolean tcp = tcpType != 0;
            if (skb.gsoSize() <= 0 || tcp == udp || tcpType == TCP_TYPES || (type & ~KNOWN_TYPES) != 0
                    || (udp && (type & TCP_ONLY) != 0)) {
                return null;
            }
            EthernetFrame eth = EthernetFrame.wrap(skb, skb.data());
            if (eth == null || skb.networkHeader() != skb.data() + IP_OFF) {
                return null;
            }
            boolean v6 = eth.etherType() == EthernetFrame.ETH_P_IPV6;
            if (!v6 && eth.etherType() != EthernetFrame.ETH_P_IP) {
                return null;
            }
            int l4 = v6 ? ipv6Transport(skb, tcp) : ipv4Transport(skb, tcp);
            // a TCP super-packet's family is in its type: TCPV4 over IPv4, TCPV6 over IPv6
            if (l4 < 0 || skb.transportHeader() != l4
                    || (tcp && tcpType != (v6 ? PacketBuffer.SKB_GSO_TCPV6 : PacketBuffer.SKB_GSO_TCPV4))) {
                return null;
            }
            int headerLen;
            int csumOffset;
            if (tcp) {
                TcpSegment th = TcpSegment.wrap(skb, l4);
                if (th == null || th.dataOffset() < 5 || th.payloadOffset() > skb.tail()) {
                    return null;
                }
                headerLen = th.headerLength();
                csumOffset = TcpSegment.CSUM_OFFSET;
            } else {
                UdpDatagram uh = UdpDatagram.wrap(skb, l4);
                if (uh == null || uh.length() != skb.tail() - l4 || skb.ipSummed() != IpSummed.PARTIAL) {
                    return null;
                }
                headerLen = UdpDatagram.HEADER_LEN;
                csumOffset = UdpDatagram.CSUM_OFFSET;
            }
            if (skb.ipSummed() == IpSummed.PARTIAL && (skb.csumStart() != l4 || skb.csumOffset() != csumOffset)) {
                return null;
            }
            int payload = skb.tail() - l4 - headerLen;
            if (udp && payload > (long) skb.gsoSize() * UDP_MAX_SEGMENTS) {
                return null;
            }
            return new Layout(v6, tcp, l4, headerLen, csumOffset, l4 + headerLen, payload);
        }

        /**
         * The transport header's offset in an IPv4 super-packet whose length field is the frame's and which is
         * no fragment (every segment is a whole datagram: a fragment cannot be cut into them), or -1.
         */
        private static int ipv4Transport(PacketBuffer skb, boolean tcp) {
            Ipv4Packet ip = Ipv4Packet.wrap(skb, skb.networkHeader());
            if (ip == null || ip.version() != 4 || ip.ihl() < 5) {
                return -1;
            }
            int l4 = ip.offset() + ip.headerLength();
            if (l4 > skb.tail() || ip.totalLength() != skb.tail() - ip.offset() || ip.isFragment()
                    || ip.protocol() != (tcp ? Ipv4Packet.IPPROTO_TCP : Ipv4Packet.IPPROTO_UDP)) {
                return -1;
            }
            return l4;
        }

        /**
         * The transport header's offset in an IPv6 super-packet whose payload length is the frame's (no
         * jumbogram) and whose next header is the transport's, or -1.
         */
        private static int ipv6Transport(PacketBuffer skb, boolean tcp) {
            Ipv6Packet ip = Ipv6Packet.wrap(skb, skb.networkHeader());
            if (ip == null || ip.version() != 6) {
                return -1;
            }
            int l4 = ip.offset() + Ipv6Packet.HEADER_LEN;
            if (ip.payloadLength() != skb.tail() - l4
                    || ip.nextHeader() != (tcp ? Ipv6Packet.NEXTHDR_TCP : Ipv6Packet.NEXTHDR_UDP)) {
                return -1;
            }
            return l4;
        }
    }
}
