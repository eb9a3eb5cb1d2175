package io.ustack.core.netfilter.nat;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;

/**
 * nf_nat_proto: rewriting a packet's source or destination address and port (or ICMP query identifier) in
 * place, with every checksum that covers them patched incrementally (RFC 1624, csum_replace2/4): the IP
 * header's, and the TCP or UDP checksum, whose pseudo-header covers the addresses. A UDP checksum of zero
 * means none and stays zero; a patched one that comes out zero is sent as 0xffff (CSUM_MANGLED_0).
 *
 * <p>A transport checksum that is partial (CHECKSUM_PARTIAL: a super-packet, or one the device is to finish)
 * is patched as inet_proto_csum_replace4/2 patch one: its field holds the pseudo-header's sum, not a
 * checksum, so an address change goes into that sum un-complemented, and a port or ICMP identifier change
 * leaves it alone, since whoever finishes the checksum sums the new bytes anyway. Completed afterwards
 * (skb_checksum_help, or the device), it is the checksum of the translated packet.
 */
final class NatManip {
    /** What an ICMP error must quote of a transport header (RFC 792): 8 bytes, the ports and no more of TCP. */
    private static final int QUOTED_PORTS = 8;

    private NatManip() {
    }

    /**
     * nf_nat_ipv4_manip_pkt: the IP header at {@code ipOff} gets {@code addr} as its source ({@code src})
     * or destination, and its transport header the port {@code port} on the same side (TCP, UDP) or the
     * identifier {@code icmpId} (ICMP queries). A header quoted in an ICMP error may be cut after 8 bytes of
     * transport header: then the TCP checksum, which lies beyond them, is left as it is, as the kernel does.
     * Borrows {@code pkt}.
     */
    static void manip(PacketBuffer pkt, int ipOff, boolean src, int addr, int port, int icmpId) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, ipOff);
        int oldAddr = src ? ip.saddr() : ip.daddr();
        int l4 = ipOff + ip.headerLength();
        int l4End = Math.min(pkt.tail(), ipOff + ip.totalLength());
        if (ip.fragmentOffset() == 0) {
            switch (ip.protocol()) {
                case Ipv4Packet.IPPROTO_TCP -> tcp(pkt, l4, l4End - l4, src, oldAddr, addr, port);
                case Ipv4Packet.IPPROTO_UDP -> udp(pkt, l4, l4End - l4, src, oldAddr, addr, port);
                case Ipv4Packet.IPPROTO_ICMP -> icmp(pkt, l4, l4End - l4, icmpId);
                default -> {
                }
            }
        }
        int check = replace32(ip.checksum(), oldAddr, addr);
        if (src) {
            ip.setSaddr(addr);
        } else {
            ip.setDaddr(addr);
        }
        ip.setChecksum(check);
    }

    /** tcp_manip_pkt. */
    private static void tcp(PacketBuffer pkt, int l4, int len, boolean src, int oldAddr, int addr, int port) {
        if (len < QUOTED_PORTS) {
            return;
        }
        if (len < TcpSegment.MIN_HEADER_LEN) {
            // an ICMP error's quote: the ports are there, the checksum is not; TCP's first 4 bytes are
            // laid out as UDP's, so UDP's view reaches them
            UdpDatagram ports = UdpDatagram.wrap(pkt, l4);
            if (src) {
                ports.setSourcePort(port);
            } else {
                ports.setDestinationPort(port);
            }
            return;
        }
        TcpSegment th = TcpSegment.wrap(pkt, l4);
        int oldPort = src ? th.sourcePort() : th.destinationPort();
        if (src) {
            th.setSourcePort(port);
        } else {
            th.setDestinationPort(port);
        }
        if (PartialChecksum.isAt(pkt, l4 + TcpSegment.CSUM_OFFSET)) {
            th.setChecksum(replacePartial32(th.checksum(), oldAddr, addr));
        } else {
            th.setChecksum(Checksum.replace16(replace32(th.checksum(), oldAddr, addr), oldPort, port));
        }
    }

    /** udp_manip_pkt. */
    private static void udp(PacketBuffer pkt, int l4, int len, boolean src, int oldAddr, int addr, int port) {
        if (len < UdpDatagram.HEADER_LEN) {
            return;
        }
        UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
        int oldPort = src ? uh.sourcePort() : uh.destinationPort();
        if (src) {
            uh.setSourcePort(port);
        } else {
            uh.setDestinationPort(port);
        }
        int check;
        if (PartialChecksum.isAt(pkt, l4 + UdpDatagram.CSUM_OFFSET)) {
            check = replacePartial32(uh.checksum(), oldAddr, addr);
        } else if (uh.checksum() == 0) {
            return; // the sender computed none
        } else {
            check = Checksum.replace16(replace32(uh.checksum(), oldAddr, addr), oldPort, port);
        }
        uh.setChecksum(check == 0 ? 0xffff : check);
    }

    /** icmp_manip_pkt: only queries carry an identifier; ICMP's checksum does not cover the IP addresses. */
    private static void icmp(PacketBuffer pkt, int l4, int len, int id) {
        if (len < IcmpPacket.HEADER_LEN) {
            return;
        }
        IcmpPacket icmp = IcmpPacket.wrap(pkt, l4);
        if (!isQuery(icmp.type())) {
            return;
        }
        int oldId = icmp.echoId();
        icmp.setEchoId(id);
        if (!PartialChecksum.isAt(pkt, l4 + IcmpPacket.CSUM_OFFSET)) {
            icmp.setChecksum(Checksum.replace16(icmp.checksum(), oldId, id));
        }
    }

    /** The ICMP types with an identifier conntrack tracks: echo, timestamp, information, address mask. */
    static boolean isQuery(int type) {
        return type == IcmpPacket.ECHO || type == IcmpPacket.ECHOREPLY || type == IcmpPacket.TIMESTAMP
                || type == IcmpPacket.TIMESTAMPREPLY || type == IcmpPacket.INFO_REQUEST || type == IcmpPacket.INFO_REPLY
                || type == IcmpPacket.ADDRESS
                || type == IcmpPacket.ADDRESSREPLY;
    }

    /** csum_replace4: a 32-bit field changes, as two 16-bit ones. */
    static int replace32(int check, int from, int to) {
        return Checksum.replace16(Checksum.replace16(check, from >>> 16, to >>> 16), from & 0xffff, to & 0xffff);
    }

    /** inet_proto_csum_replace4 on a partial checksum: an address in the pseudo-header changes. */
    private static int replacePartial32(int partial, int from, int to) {
        return Checksum.replacePartial16(Checksum.replacePartial16(partial, from >>> 16, to >>> 16), from & 0xffff, to & 0xffff);
    }
}
