package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;

/**
 * Recognises the two handshake segments a SYN flood is made of: the connection request (a SYN without ACK)
 * it sends, and the answer (a SYN-ACK) it makes this host send. Each asks for or offers new state, where
 * every other segment belongs to a connection that exists, so under overload the receive backlog and the
 * transmit qdisc shed these first and keep their room for the rest.
 */
public final class TcpHandshake {
    private static final int HANDSHAKE_BITS = TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST | TcpSegment.FIN;

    private TcpHandshake() {
    }

    /** A received bare SYN: {@code pkt}'s protocol set and data at the network header (after eth_type_trans). Borrows it. */
    public static boolean isRequest(PacketBuffer pkt) {
        return pkt.protocol() == EthernetFrame.ETH_P_IP && flags(pkt, pkt.data()) == TcpSegment.SYN;
    }

    /** A SYN-ACK about to be sent: {@code pkt}'s data at its Ethernet header. Borrows it. */
    public static boolean isReply(PacketBuffer pkt) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.data());
        return eth != null && eth.etherType() == EthernetFrame.ETH_P_IP
                && flags(pkt, eth.offset() + EthernetFrame.HEADER_LEN) == (TcpSegment.SYN | TcpSegment.ACK);
    }

    /** The handshake bits of the TCP segment in the IPv4 packet at {@code ipOffset}, or -1 if there is none. */
    private static int flags(PacketBuffer pkt, int ipOffset) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, ipOffset);
        if (ip == null || ip.protocol() != Ipv4Packet.IPPROTO_TCP || ip.fragmentOffset() != 0) {
            return -1;
        }
        TcpSegment tcp = TcpSegment.wrap(pkt, ip.offset() + ip.headerLength());
        return tcp == null ? -1 : tcp.flags() & HANDSHAKE_BITS;
    }
}
