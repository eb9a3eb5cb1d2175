package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;

/**
 * What a super-packet's segments will measure once cut (net/core/gso.c): the MTU checks on the output and
 * forward paths judge a super-packet by its segments, never by its whole length.
 */
public final class SkbGso {
    private SkbGso() {
    }

    /**
     * skb_gso_network_seglen: the IP length of each segment but perhaps the last, headers included. Needs the
     * network and transport header offsets set. A TCP header that is not all there (a lying frame from the
     * wire) makes no segment fit anything: {@link Integer#MAX_VALUE}.
     */
    public static int networkSeglen(PacketBuffer pkt) {
        int th = pkt.transportHeader();
        int thlen;
        if ((pkt.gsoType() & PacketBuffer.SKB_GSO_UDP_L4) != 0) {
            thlen = UdpDatagram.HEADER_LEN;
        } else {
            TcpSegment tcp = TcpSegment.wrap(pkt, th);
            if (tcp == null || th + tcp.headerLength() > pkt.tail()) {
                return Integer.MAX_VALUE;
            }
            thlen = tcp.headerLength();
        }
        return th - pkt.networkHeader() + thlen + pkt.gsoSize();
    }

    /** skb_gso_validate_network_len: every segment of the super-packet fits an MTU of {@code mtu}. */
    public static boolean validateNetworkLen(PacketBuffer pkt, int mtu) {
        return networkSeglen(pkt) <= mtu;
    }
}
