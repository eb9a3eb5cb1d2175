package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * One received frame as GRO sees it: the header checks of inet_gro_receive and tcp4_gro_receive (or
 * ipv6_gro_receive and tcp6_gro_receive), done once, and the fields tcp_gro_receive compares. A frame these
 * checks turn away ({@link #parse} returns null) is no TCP segment GRO can merge: it goes on as it came, and
 * packets held for its flow stay held, as in the kernel, where such a frame leaves before the flow lookup.
 * Borrows the frame.
 *
 * <p>Only a 20-byte IPv4 header is merged (inet_gro_receive wants {@code 0x45}), and only an IPv6 header
 * followed by TCP itself (no extension headers), so the IP header always sits {@link #IP} bytes past the
 * frame's data and the TCP header {@link #TCP} or {@link #TCP6} bytes.
 */
final class GroSegment {
    /** The IP header's offset from the Ethernet header. */
    static final int IP = EthernetFrame.HEADER_LEN;
    /** The TCP header's offset from the Ethernet header. */
    static final int TCP = IP + Ipv4Packet.MIN_HEADER_LEN;
    /** The TCP header's offset from the Ethernet header, over IPv6. */
    static final int TCP6 = IP + Ipv6Packet.HEADER_LEN;
    /** The bits of the IPv6 header's first word that must match within a flow: version and flow label. */
    private static final int V6_SAME_FLOW = 0xf00f_ffff;
    private static final int VERSION_4_IHL_5 = 0x45;
    /** tcp_flag_word: data offset, reserved bits, flags and window, the 32 bits at byte 12 of the header. */
    private static final int FLAG_WORD = 12;
    private static final int FLAGS = 13;

    final PacketBuffer pkt;
    /** The IPv4 header, or null over IPv6. */
    final Ipv4Packet ip;
    /** The IPv6 header, or null over IPv4. */
    final Ipv6Packet ip6;
    final TcpSegment th;
    /** NAPI_GRO_CB(skb)->count: 1, or a super-packet's gso_segs. */
    final int count;
    /** NAPI_GRO_CB(skb)->flush: the frame may not join a held packet (but may end one). */
    final boolean flush;
    /** skb_get_hash_raw: the flow hash, also left in the frame for RPS. */
    final int hash;

    private GroSegment(PacketBuffer pkt, Ipv4Packet ip, Ipv6Packet ip6, TcpSegment th, int count, boolean flush) {
        this.pkt = pkt;
        this.ip = ip;
        this.ip6 = ip6;
        this.th = th;
        this.count = count;
        this.flush = flush;
        if (!pkt.hashValid()) {
            pkt.setHash(ip6 != null
                    ? FlowHash.ofFlow6(ip6, Ipv6Packet.NEXTHDR_TCP, th.sourcePort(), th.destinationPort())
                    : FlowHash.ofFlow(ip.saddr(), ip.daddr(), Ipv4Packet.IPPROTO_TCP, th.sourcePort(), th.destinationPort()));
        }
        this.hash = pkt.hash();
    }

    /** The same segment after its bytes moved to {@code moved}, at the same offset from data. */
    GroSegment movedTo(PacketBuffer moved) {
        int at = moved.data();
        return ip6 != null
                ? new GroSegment(moved, null, Ipv6Packet.wrap(moved, at + IP), TcpSegment.wrap(moved, at + TCP6), count, flush)
                : new GroSegment(moved, Ipv4Packet.wrap(moved, at + IP), null, TcpSegment.wrap(moved, at + TCP), count, flush);
    }

    /** The IP header's offset (from head). */
    int ipOffset() {
        return pkt.data() + IP;
    }

    /**
     * The checks of inet_gro_receive and tcp4_gro_receive, or ipv6_gro_receive and tcp6_gro_receive, on a
     * frame (data at its Ethernet header): null for one that is not a TCP segment right behind an IPv4 header
     * of 20 bytes with a good header checksum and not a fragment, or right behind an IPv6 header, whose TCP
     * header is whole and whose TCP checksum is good or vouched for (skb_gro_checksum_validate; a checksum
     * verified here is marked CHECKSUM_UNNECESSARY so that nobody verifies it again).
     */
    static GroSegment parse(PacketBuffer frame) {
        int at = frame.data();
        EthernetFrame eth = EthernetFrame.wrap(frame, at);
        if (eth == null) {
            return null;
        }
        if (eth.etherType() == EthernetFrame.ETH_P_IPV6) {
            return parse6(frame, at);
        }
        if (eth.etherType() != EthernetFrame.ETH_P_IP) {
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
        boolean flush = ip.totalLength() != ipLen || (ip.fragOffField() & ~Ipv4Packet.IP_DF) != 0
                || superFlush(frame, PacketBuffer.SKB_GSO_TCPV4);
        TcpSegment th = tcpHeader(frame, at + TCP);
        if (th == null || !flush && !trusted(frame, th)
                && !verified(frame, th.checksumOk(ip.saddr(), ip.daddr(), ipLen - Ipv4Packet.MIN_HEADER_LEN))) {
            return null;
        }
        return new GroSegment(frame, ip, null, th, count(frame), flush);
    }

    /**
     * ipv6_gro_receive and tcp6_gro_receive: the next header must be TCP (extension headers are not merged
     * here), and a payload length that is not the frame's (padding, a jumbogram) lets the segment end a merge
     * but not join one.
     */
    private static GroSegment parse6(PacketBuffer frame, int at) {
        Ipv6Packet ip = Ipv6Packet.wrap(frame, at + IP);
        if (ip == null || ip.version() != 6 || ip.nextHeader() != Ipv6Packet.NEXTHDR_TCP) {
            return null;
        }
        int tcpLen = frame.tail() - (at + TCP6);
        boolean flush = ip.payloadLength() != tcpLen || superFlush(frame, PacketBuffer.SKB_GSO_TCPV6);
        TcpSegment th = tcpHeader(frame, at + TCP6);
        if (th == null || !flush && !trusted(frame, th) && !verified(frame, th.checksumOk6(ip.saddr(), ip.daddr(), tcpLen))) {
            return null;
        }
        return new GroSegment(frame, null, ip, th, count(frame), flush);
    }

    /** dev_gro_receive merges only TCP super-packets of the family from trusted sources; a TAP's are DODGY. */
    private static boolean superFlush(PacketBuffer frame, int tcpType) {
        return frame.isGso() && ((frame.gsoType() & tcpType) == 0 || (frame.gsoType() & PacketBuffer.SKB_GSO_DODGY) != 0);
    }

    /**
     * NAPI_GRO_CB(skb)->count: 1, or a super-packet's gso_segs (DODGY: the header's word until the receive
     * path has parsed the headers).
     */
    private static int count(PacketBuffer frame) {
        return frame.isGso() ? frame.gsoSegs() : 1;
    }

    /** The TCP header at {@code at} if it is whole (tcp_gro_pull_header), or null. */
    private static TcpSegment tcpHeader(PacketBuffer frame, int at) {
        TcpSegment th = TcpSegment.wrap(frame, at);
        if (th == null || th.dataOffset() < TcpSegment.MIN_HEADER_LEN / 4 || th.payloadOffset() > frame.tail()) {
            return null;
        }
        return th;
    }

    /**
     * skb_gro_checksum_validate's first half: a checksum the device vouched for (UNNECESSARY), or one the
     * sender has yet to finish from the TCP header on (PARTIAL), is trusted without a look.
     */
    private static boolean trusted(PacketBuffer frame, TcpSegment th) {
        IpSummed s = frame.ipSummed();
        return s == IpSummed.UNNECESSARY || s == IpSummed.PARTIAL && frame.csumStart() >= th.offset();
    }

    /** Its second half: a checksum verified good ({@code sumOk}) is marked UNNECESSARY, so nobody checks it again. */
    private static boolean verified(PacketBuffer frame, boolean sumOk) {
        if (sumOk) {
            frame.setIpSummed(IpSummed.UNNECESSARY);
        }
        return sumOk;
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
     * Whether {@code other} belongs to the same flow (gro_list_prepare, inet_gro_receive or ipv6_gro_receive,
     * tcp_gro_lookup): the same device and flow hash, the same Ethernet header, addresses and ports, and over
     * IPv6 the same version and flow label too (ipv6_gro_receive's first word under 0xF00FFFFF).
     */
    boolean sameFlow(GroSegment other) {
        int a = pkt.data();
        int b = other.pkt.data();
        return hash == other.hash && pkt.dev() == other.pkt.dev()
                && pkt.i32(a) == other.pkt.i32(b) && pkt.i32(a + 4) == other.pkt.i32(b + 4)
                && pkt.i32(a + 8) == other.pkt.i32(b + 8) && pkt.u16(a + 12) == other.pkt.u16(b + 12)
                && sameAddresses(other)
                && pkt.i32(th.offset()) == other.pkt.i32(other.th.offset());
    }

    private boolean sameAddresses(GroSegment other) {
        if ((ip6 == null) != (other.ip6 == null)) {
            return false;
        }
        if (ip6 == null) {
            return ip.saddr() == other.ip.saddr() && ip.daddr() == other.ip.daddr();
        }
        return ((pkt.i32(ip6.offset()) ^ other.pkt.i32(other.ip6.offset())) & V6_SAME_FLOW) == 0
                && ip6.saddrHi() == other.ip6.saddrHi() && ip6.saddrLo() == other.ip6.saddrLo()
                && ip6.daddrHi() == other.ip6.daddrHi() && ip6.daddrLo() == other.ip6.daddrLo();
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
