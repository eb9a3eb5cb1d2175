package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * Recognises the two handshake segments a SYN flood is made of: the connection request (a SYN without ACK)
 * it sends, and the answer (a SYN-ACK) it makes this host send. Each asks for or offers new state, where
 * every other segment belongs to a connection that exists, so under overload the receive backlog and the
 * transmit qdisc shed these first and keep their room for the rest. Over IPv4 and IPv6 (a TCP header right
 * behind the fixed one: a SYN flood has no reason to carry extension headers, and what does is not shed first).
 */
public final class TcpHandshake {
    private static final int HANDSHAKE_BITS = TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST | TcpSegment.FIN;

    private TcpHandshake() {
    }

    /** A received bare SYN: {@code pkt}'s protocol set and data at the network header (after eth_type_trans). Borrows it. */
    public static boolean isRequest(PacketBuffer pkt) {
        return flags(pkt, pkt.protocol(), pkt.data()) == TcpSegment.SYN;
    }

    /** A SYN-ACK about to be sent: {@code pkt}'s data at its Ethernet header. Borrows it. */
    public static boolean isReply(PacketBuffer pkt) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.data());
        return eth != null
                && flags(pkt, eth.etherType(), eth.offset() + EthernetFrame.HEADER_LEN) == (TcpSegment.SYN | TcpSegment.ACK);
    }

    /**
     * The handshake bits of the TCP segment in the IPv4 or IPv6 packet ({@code etherType}) at {@code ipOffset},
     * or -1 if there is none.
     */
    private static int flags(PacketBuffer pkt, int etherType, int ipOffset) {
        int l4;
        if (etherType == EthernetFrame.ETH_P_IP) {
            Ipv4Packet ip = Ipv4Packet.wrap(pkt, ipOffset);
            if (ip == null || ip.protocol() != Ipv4Packet.IPPROTO_TCP || ip.fragmentOffset() != 0) {
                return -1;
            }
            l4 = ip.offset() + ip.headerLength();
        } else if (etherType == EthernetFrame.ETH_P_IPV6) {
            Ipv6Packet ip = Ipv6Packet.wrap(pkt, ipOffset);
            if (ip == null || ip.nextHeader() != Ipv6Packet.NEXTHDR_TCP) {
                return -1;
            }
            l4 = ip.offset() + Ipv6Packet.HEADER_LEN;
        } else {
            return -1;
        }
        TcpSegment tcp = TcpSegment.wrap(pkt, l4);
        return tcp == null ? -1 : tcp.flags() & HANDSHAKE_BITS;
    }
}
