package io.ustack.core.offload;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * A packet GRO holds for its flow, with what the kernel keeps beside it in napi_gro_cb: how many segments it
 * stands for, its gso_size (the first segment's payload), whether its IP IDs are fixed. Segments that
 * tcp_gro_receive lets join have their payload copied onto its end (skb_gro_receive); napi_gro_complete
 * turns it into the super-packet the stack receives. Owns its buffer until {@link #complete}.
 */
final class HeldPacket {
    /** tcp_gro_receive lets these flags differ: a segment carrying them ends the merge after joining it. */
    private static final int FIN_PSH_IN_FLAG_WORD = (TcpSegment.FIN | TcpSegment.PSH) << 16;

    private GroSegment head;
    private final int mss;
    private int count;
    private int frames = 1;
    private boolean fixedId;

    /** Holds {@code first}; takes ownership of its frame. */
    HeldPacket(GroSegment first) {
        this.head = first;
        this.count = first.count;
        this.mss = first.pkt.isGso() ? first.pkt.gsoSize() : first.len();
    }

    GroSegment head() {
        return head;
    }

    /** skb_shinfo(p)->gso_size: what a segment's payload may be at most to join. */
    int mss() {
        return mss;
    }

    /** Received frames in this packet: 1 until a segment joins it. */
    int frames() {
        return frames;
    }

    /**
     * tcp_gro_receive and skb_gro_receive: appends {@code seg}'s payload if it may join (same flags but FIN and
     * PSH, no CWR, same ACK, options and window, IP fields as {@link #networkFlush} wants, payload at most
     * {@link #mss()} and not empty, the next sequence number, and 65535 bytes of IP packet at most).
     * Returns whether it joined; borrows {@code seg}, whose frame the caller then releases.
     */
    boolean tryMerge(GroSegment seg) {
        int len = seg.len();
        boolean flush = (seg.flags() & TcpSegment.CWR) != 0
                || ((seg.flagWord() ^ head.flagWord()) & ~FIN_PSH_IN_FLAG_WORD) != 0
                || seg.th.ackSeq() != head.th.ackSeq()
                || !seg.sameOptions(head)
                || networkFlush(seg)
                || (seg.pkt.isGso() ? seg.pkt.gsoSize() != mss : len == 0 || len > mss)
                || head.th.seq() + head.len() != seg.th.seq();
        if (flush || seg.flush || ipLength() + len > maxIpLength()) {
            return false;
        }
        if (head.pkt.tailroom() < len && !moveToLargeBuffer()) {
            return false;
        }
        head.pkt.copyFrom(seg.pkt, seg.th.payloadOffset(), head.pkt.put(len), len);
        count += seg.count;
        frames++;
        head.orFlags(seg.flags() & (TcpSegment.FIN | TcpSegment.PSH));
        return true;
    }

    /**
     * inet_gro_flush (gro_receive_network_flush): TTL, TOS and DF as the first segment's, and the IP ID the
     * first one's plus the segments held, or, for a sender that sets DF and repeats one ID (seen in the
     * second segment), that same ID. Over IPv6 (ipv6_gro_receive): the same traffic class and hop limit.
     */
    private boolean networkFlush(GroSegment seg) {
        if (seg.ip6 != null) {
            return seg.ip6.trafficClass() != head.ip6.trafficClass() || seg.ip6.hopLimit() != head.ip6.hopLimit();
        }
        Ipv4Packet ip = seg.ip;
        Ipv4Packet first = head.ip;
        if (ip.ttl() != first.ttl() || ip.tos() != first.tos() || ip.dontFragment() != first.dontFragment()) {
            return true;
        }
        int idOffset = (ip.id() - first.id()) & 0xffff;
        if (count == 1 && ip.dontFragment() && idOffset == 0) {
            fixedId = true;
        }
        return idOffset != (fixedId ? 0 : count & 0xffff);
    }

    private int ipLength() {
        return head.pkt.tail() - head.ipOffset();
    }

    /** The most an IP packet holds: 65535 bytes over IPv4, a payload of 65535 behind the header over IPv6. */
    private int maxIpLength() {
        return head.ip6 != null ? Ipv6Packet.HEADER_LEN + Ipv6Packet.MAX_PAYLOAD_LEN : Ipv4Packet.MAX_PACKET_LEN;
    }

    /**
     * A frame-sized buffer has no room for a second segment: the held frame moves, once, to a buffer that
     * holds the largest IP packet, with the metadata set before GRO that {@link #complete} keeps (device,
     * hash, stamp, segmentation state; the checksum state it rewrites). False if it already is in one (it
     * then has no room because a driver left more headroom than the largest packet allows; the segment is
     * not merged).
     */
    private boolean moveToLargeBuffer() {
        PacketBuffer small = head.pkt;
        if (small.end() >= BufferPool.LARGE_CAPACITY) {
            return false;
        }
        PacketBuffer large = small.pool().allocate(BufferPool.LARGE_CAPACITY);
        large.reserve(Math.min(small.data(), BufferPool.DEFAULT_HEADROOM));
        large.copyFrom(small, small.data(), large.put(small.len()), small.len());
        large.setDev(small.dev());
        if (small.hashValid()) {
            large.setHash(small.hash());
        }
        large.setTstamp(small.tstamp());
        if (small.isGso()) {
            large.setGso(small.gsoSize(), small.gsoSegs(), small.gsoType());
        }
        small.release();
        head = head.movedTo(large);
        return true;
    }

    /**
     * napi_gro_complete with inet_gro_complete and tcp4_gro_complete (ipv6_gro_complete, tcp6_gro_complete): a
     * packet of one segment goes on as it came; one of several gets its IPv4 total length and header checksum
     * (its IPv6 payload length), a TCP checksum field holding the pseudo-header's sum over the new length,
     * CHECKSUM_PARTIAL from the TCP header, and gso_size (the first segment's payload), gso_segs and gso_type
     * (TCPV4 or TCPV6, with TCP_ECN if it carries CWR, TCP_FIXEDID if its IPv4 IDs repeat). Hands over the
     * packet: the caller takes ownership.
     */
    PacketBuffer complete() {
        PacketBuffer p = head.pkt;
        if (count == 1) {
            p.clearGso();
            return p;
        }
        int type = p.gsoType();
        if (head.ip6 != null) {
            Ipv6Packet ip = head.ip6;
            int tcpLen = ipLength() - Ipv6Packet.HEADER_LEN;
            ip.setPayloadLength(tcpLen);
            // ~tcp_v6_check(len, saddr, daddr, 0)
            PartialChecksum.set6(p, head.th.offset(), TcpSegment.CSUM_OFFSET, ip.saddr(), ip.daddr(),
                    Ipv6Packet.NEXTHDR_TCP, tcpLen);
            type |= PacketBuffer.SKB_GSO_TCPV6;
        } else {
            Ipv4Packet ip = head.ip;
            int ipLen = ipLength();
            ip.setChecksum(Checksum.replace16(ip.checksum(), ip.totalLength(), ipLen));
            ip.setTotalLength(ipLen);
            int tcpLen = ipLen - Ipv4Packet.MIN_HEADER_LEN;
            // ~tcp_v4_check(len, saddr, daddr, 0): the folded pseudo-header sum, not complemented
            PartialChecksum.set(p, head.th.offset(), TcpSegment.CSUM_OFFSET, ip.saddr(), ip.daddr(),
                    Ipv4Packet.IPPROTO_TCP, tcpLen);
            type |= PacketBuffer.SKB_GSO_TCPV4;
            if (fixedId) {
                type |= PacketBuffer.SKB_GSO_TCP_FIXEDID;
            }
        }
        if (head.th.hasFlags(TcpSegment.CWR)) {
            type |= PacketBuffer.SKB_GSO_TCP_ECN;
        }
        p.setGso(mss, count, type);
        return p;
    }
}
