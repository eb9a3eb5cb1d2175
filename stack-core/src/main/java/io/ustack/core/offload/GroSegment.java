package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * One received frame as GRO sees it: the header checks of inet_gro_receive and tcp4_gro_receive, done once,
 * and the fields tcp_gro_receive compares. A frame these checks turn away ({@link #parse} returns null) is
 * no TCP/IPv4 segment GRO can merge: it goes on as it came, and packets held for its flow stay held, as in
 * the kernel, where such a frame leaves before the flow lookup. Borrows the frame.
 *
 * <p>Only a 20-byte IPv4 header is merged (inet_gro_receive wants {@code 0x45}), so the IP header always
 * sits {@link #IP} bytes and the TCP header {@link #TCP} bytes past the frame's data.
 */
final class GroSegment {
    /** The IP header's offset from the Ethernet header. */
    static final int IP = EthernetFrame.HEADER_LEN;
    /** The TCP header's offset from the Ethernet header. */
    static final int TCP = IP + Ipv4Packet.MIN_HEADER_LEN;
    private static final int VERSION_4_IHL_5 = 0x45;
    /** tcp_flag_word: data offset, reserved bits, flags and window, the 32 bits at byte 12 of the header. */
    private static final int FLAG_WORD = 12;
    private static final int FLAGS = 13;

    final PacketBuffer pkt;
    final Ipv4Packet ip;
    final TcpSegment th;
    /** NAPI_GRO_CB(skb)->count: 1, or a super-packet's gso_segs. */
    final int count;
    /** NAPI_GRO_CB(skb)->flush: the frame may not join a held packet (but may end one). */
    final boolean flush;
    /** skb_get_hash_raw: the flow hash, also left in the frame for RPS. */
    final int hash;

    private GroSegment(PacketBuffer pkt, Ipv4Packet ip, TcpSegment th, int count, boolean flush) {
        this.pkt = pkt;
        this.ip = ip;
        this.th = th;
        this.count = count;
        this.flush = flush;
        if (!pkt.hashValid()) {
            pkt.setHash(FlowHash.ofFlow(ip.saddr(), ip.daddr(), Ipv4Packet.IPPROTO_TCP, th.sourcePort(),
                    th.destinationPort()));
        }
        this.hash = pkt.hash();
    }

    /** The same segment after its bytes moved to {@code moved}, at the same offset from data. */
    GroSegment movedTo(PacketBuffer moved) {
        return new GroSegment(moved, Ipv4Packet.wrap(moved, moved.data() + IP),
                TcpSegment.wrap(moved, moved.data() + TCP), count, flush);
    }

    /**
     * inet_gro_receive's and tcp4_gro_receive's checks on a frame (data at its Ethernet header): null for one
     * that is not a TCP segment in an IPv4 packet with a 20-byte header and a good header checksum, not a
     * fragment, whose TCP header is whole and whose TCP checksum is good or vouched for
     * (skb_gro_checksum_validate; a checksum verified here is marked CHECKSUM_UNNECESSARY so that nobody
     * verifies it again).
     */
    static GroSegment parse(PacketBuffer frame) {
        int at = frame.data();
        EthernetFrame eth = EthernetFrame.wrap(frame, at);
        if (eth == null || eth.etherType() != EthernetFrame.ETH_P_IP) {
            return null;
        }
        Ipv4Packet ip = Ipv4Packet.wrap(frame, at + IP);
        if (ip == null || frame.u8(at + IP) != VERSION_4_IHL_5 || ip.isFragment() || !ip.checksumOk()
                || ip.protocol() != Ipv4Packet.IPPROTO_TCP) {
            return null;
        }
        // The length field must be the packet's length (no Ethernet padding, nothing cut off), and the
        // reserved flag bit clear: otherwise the segment goes on whole, though it still ends its flow's merge.
        int ipLen = frame.tail() - ip.offset();
        boolean flush = ip.totalLength() != ipLen || (ip.fragOffField() & ~Ipv4Packet.IP_DF) != 0;
        int count = 1;
        if (frame.isGso()) {
            // dev_gro_receive merges only TCP super-packets from trusted sources; a TAP's are DODGY.
            count = frame.gsoSegs();
            flush |= (frame.gsoType() & PacketBuffer.SKB_GSO_TCPV4) == 0
                    || (frame.gsoType() & PacketBuffer.SKB_GSO_DODGY) != 0;
        }
        TcpSegment th = TcpSegment.wrap(frame, at + TCP);
        if (th == null) {
            return null;
        }
        if (!flush && !checksumValid(frame, ip, th, ipLen - Ipv4Packet.MIN_HEADER_LEN)) {
            return null;
        }
        // tcp_gro_pull_header
        if (th.dataOffset() < TcpSegment.MIN_HEADER_LEN / 4 || th.payloadOffset() > frame.tail()) {
            return null;
        }
        return new GroSegment(frame, ip, th, count, flush);
    }

    /**
     * skb_gro_checksum_validate: a checksum the device vouched for (UNNECESSARY), or one the sender has yet to
     * finish from the TCP header on (PARTIAL), is trusted; any other is verified now.
     */
    private static boolean checksumValid(PacketBuffer frame, Ipv4Packet ip, TcpSegment th, int tcpLen) {
        IpSummed s = frame.ipSummed();
        if (s == IpSummed.UNNECESSARY || s == IpSummed.PARTIAL && frame.csumStart() >= th.offset()) {
            return true;
        }
        if (!th.checksumOk(ip.saddr(), ip.daddr(), tcpLen)) {
            return false;
        }
        frame.setIpSummed(IpSummed.UNNECESSARY);
        return true;
    }

    /** skb_gro_len past the TCP header: the payload's length (of all merged so far, for a held packet). */
    int len() {
        return pkt.tail() - th.payloadOffset();
    }

    int flags() {
        return th.flags();
    }

    /** tcp_flag_word: compared whole, so the data offset and the window must match too. */
    int flagWord() {
        return pkt.i32(th.offset() + FLAG_WORD);
    }

    /** ORs {@code bits} into the flags byte: a held packet takes on the FIN or PSH of a segment merged into it. */
    void orFlags(int bits) {
        pkt.setU8(th.offset() + FLAGS, th.flags() | bits);
    }

    /**
     * Whether {@code other} belongs to the same flow (gro_list_prepare, inet_gro_receive, tcp_gro_lookup): the
     * same device and flow hash, the same Ethernet header, addresses and ports.
     */
    boolean sameFlow(GroSegment other) {
        int a = pkt.data();
        int b = other.pkt.data();
        return hash == other.hash && pkt.dev() == other.pkt.dev()
                && pkt.i32(a) == other.pkt.i32(b) && pkt.i32(a + 4) == other.pkt.i32(b + 4)
                && pkt.i32(a + 8) == other.pkt.i32(b + 8) && pkt.u16(a + 12) == other.pkt.u16(b + 12)
                && ip.saddr() == other.ip.saddr() && ip.daddr() == other.ip.daddr()
                && pkt.i32(th.offset()) == other.pkt.i32(other.th.offset());
    }

    /** The option bytes of the two headers are the same, word for word (both have the same data offset). */
    boolean sameOptions(GroSegment other) {
        for (int i = TcpSegment.MIN_HEADER_LEN; i < th.headerLength(); i += 4) {
            if (pkt.i32(th.offset() + i) != other.pkt.i32(other.th.offset() + i)) {
                return false;
            }
        }
        return true;
    }
}
