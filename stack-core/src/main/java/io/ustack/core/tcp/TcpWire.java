package io.ustack.core.tcp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * Between packets and the protocol core's {@link Segment}s: the parsing half of tcp_v4_rcv and the
 * building half of tcp_transmit_skb. One instance per thread: it reuses its option scratch.
 */
final class TcpWire {
    private final TcpOptions scratch = new TcpOptions();

    /**
     * The segment a validated packet carries (data at the TCP header, network header set). Borrows the
     * packet, and so does the segment: its payload is a view of the packet's bytes, not a copy, so the caller
     * releases the packet only once the segment has been handled. {@code tos}: the IP header's TOS byte,
     * whose ECN field goes into the segment's flags ({@link Segment#IP_ECN_SHIFT}).
     */
    Segment parse(PacketBuffer pkt, TcpSegment tcp, int tos) {
        scratch.parse(pkt, tcp.optionsOffset(), tcp.optionsLength());
        int payloadLen = pkt.tail() - tcp.payloadOffset();
        Payload data = payloadLen > 0 ? Payload.of(pkt, tcp.payloadOffset()) : Payload.NONE;
        int[] sack = Segment.NO_SACK;
        if (scratch.numSacks() > 0) {
            sack = new int[2 * scratch.numSacks()];
            for (int i = 0; i < scratch.numSacks(); i++) {
                sack[2 * i] = scratch.sackStart(i);
                sack[2 * i + 1] = scratch.sackEnd(i);
            }
        }
        return new Segment(tcp.seq(), tcp.ackSeq(), tcp.flags() | (tos & 3) << Segment.IP_ECN_SHIFT, tcp.window(), scratch.mss(), scratch.wscale(),
                scratch.sackPermitted(), scratch.timestamps(), scratch.tsVal(), scratch.tsEcr(), sack, data, payloadLen,
                tcp.urgentPointer());
    }

    /**
     * A packet for {@code seg}, from {@code saddr}:{@code sport} to {@code daddr}:{@code dport}, with options
     * and a partial checksum; data at the TCP header, headroom left for IP and Ethernet. The payload is
     * copied once, from where {@code seg}'s lies (the send buffer) straight into the packet. A payload over
     * {@code gsoSize} makes it a super-segment (SKB_GSO_TCPV4) to be cut at {@code gsoSize} bytes, with PSH set
     * as Linux sets it on every GSO packet.
     */
    PacketBuffer build(BufferPool pool, Segment seg, int saddr, int sport, int daddr, int dport, int gsoSize) {
        PacketBuffer pkt = segment(pool, seg, sport, dport, gsoSize, PacketBuffer.SKB_GSO_TCPV4);
        // __tcp_v4_send_check: the pseudo-header's sum only; the device, or skb_checksum_help before one that
        // cannot, folds in the rest (CHECKSUM_PARTIAL), once per segment when a super-segment is cut
        PartialChecksum.set(pkt, pkt.data(), TcpSegment.CSUM_OFFSET, saddr, daddr, Ipv4Packet.IPPROTO_TCP, pkt.len());
        return pkt;
    }

    /**
     * {@link #build} over IPv6 (tcp_v6_send_check): the partial checksum over the IPv6 pseudo-header, and a
     * super-segment is SKB_GSO_TCPV6.
     */
    PacketBuffer build6(BufferPool pool, Segment seg, Ipv6Address saddr, int sport, Ipv6Address daddr, int dport,
                        int gsoSize) {
        PacketBuffer pkt = segment(pool, seg, sport, dport, gsoSize, PacketBuffer.SKB_GSO_TCPV6);
        PartialChecksum.set6(pkt, pkt.data(), TcpSegment.CSUM_OFFSET, saddr, daddr, Ipv6Packet.NEXTHDR_TCP, pkt.len());
        return pkt;
    }

    /**
     * The TCP header, options and payload of {@code seg}, the checksum left to the caller; data at the header.
     * A payload over {@code gsoSize} makes a super-segment of {@code gsoType}.
     */
    private PacketBuffer segment(BufferPool pool, Segment seg, int sport, int dport, int gsoSize, int gsoType) {
        boolean superSegment = seg.dataLength() > gsoSize;
        scratch.clear();
        if (seg.mss() >= 0) {
            scratch.setMss(seg.mss());
        }
        if (seg.wscale() >= 0) {
            scratch.setWscale(seg.wscale());
        }
        scratch.setSackPermitted(seg.sackPermitted());
        if (seg.timestamps()) {
            scratch.setTimestamps(seg.tsVal(), seg.tsEcr());
        }
        for (int i = 0; i + 1 < seg.sack().length; i += 2) {
            scratch.addSack(seg.sack()[i], seg.sack()[i + 1]);
        }
        int optLen = scratch.length();
        PacketBuffer pkt = pool.allocateWithHeadroom(TcpSegment.MAX_HEADER_LEN + seg.dataLength());
        pkt.reserve(TcpSegment.MAX_HEADER_LEN);
        if (seg.dataLength() > 0) {
            seg.payload().copyTo(0, pkt, pkt.put(seg.dataLength()), seg.dataLength());
        }
        // __tcp_transmit_skb forces PSH on every GSO packet (pcount > 1), to speed the receiver's GRO flush;
        // the segments cut from it keep PSH on the last only
        int flags = (superSegment ? seg.flags() | TcpSegment.PSH : seg.flags()) & 0xff; // the IP ECN bits go in the TOS
        TcpSegment tcp = TcpSegment.push(pkt, sport, dport, seg.seq(), seg.ack(), flags, seg.window(), optLen);
        if (seg.has(TcpSegment.URG)) {
            tcp.setUrgentPointer(seg.urgPtr());
        }
        scratch.write(pkt, tcp.optionsOffset());
        if (superSegment) {
            // tcp_ecn_send: a super-segment carrying CWR is SKB_GSO_TCP_ECN, CWR on its first segment only
            int type = gsoType | (seg.has(TcpSegment.CWR) ? PacketBuffer.SKB_GSO_TCP_ECN : 0);
            pkt.setGso(gsoSize, (seg.dataLength() + gsoSize - 1) / gsoSize, type);
        }
        return pkt;
    }
}
