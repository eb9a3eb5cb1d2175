package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;

/** struct net_protocol: the handler of one IP protocol number on local delivery. */
@FunctionalInterface
public interface IpProtocolHandler {
    /**
     * The protocol's receive function (icmp_rcv, udp_rcv, tcp_v4_rcv). Takes ownership. Data is at the
     * transport header; the network header offset and {@code pkt.dst()} are set.
     */
    void rcv(PacketBuffer pkt);
}
