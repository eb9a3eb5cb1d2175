package io.ustack.core.softnet;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.ArpPacket;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;

/**
 * skb_get_hash: a flow hash over the IPv4 5-tuple where there is one, so that RPS sends every packet of a
 * flow to the same backlog thread. Fragments hash on addresses and protocol only: a non-first fragment
 * carries no ports, and all fragments of a datagram must meet on one thread to be reassembled.
 */
public final class FlowHash {
    private FlowHash() {
    }

    /** Computes and stores {@code pkt.hash()}; data must be at the network header. Borrows {@code pkt}. */
    public static int compute(PacketBuffer pkt) {
        int h;
        if (pkt.protocol() == EthernetFrame.ETH_P_IP) {
            h = ipv4(pkt);
        } else if (pkt.protocol() == EthernetFrame.ETH_P_ARP) {
            ArpPacket arp = ArpPacket.wrap(pkt, pkt.data());
            h = arp == null ? 0 : mix(arp.senderIp());
        } else {
            h = mix(pkt.protocol());
        }
        pkt.setHash(h);
        return h;
    }

    private static int ipv4(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
        if (ip == null) {
            return 0;
        }
        int h = mix(ip.saddr() * 31 + ip.daddr() * 17 + ip.protocol());
        int l4 = ip.offset() + ip.headerLength();
        boolean hasPorts = ip.protocol() == Ipv4Packet.IPPROTO_TCP || ip.protocol() == Ipv4Packet.IPPROTO_UDP;
        if (hasPorts && !ip.isFragment() && pkt.tail() - l4 >= 4) {
            // Sorting the two ports makes both directions of a connection land on one thread.
            int a = pkt.u16(l4);
            int b = pkt.u16(l4 + 2);
            h = mix(h ^ (Math.min(a, b) << 16 | Math.max(a, b)));
        }
        return h;
    }

    /** The finaliser of MurmurHash3: spreads every input bit over the output. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85eb_ca6b;
        h ^= h >>> 13;
        h *= 0xc2b2_ae35;
        h ^= h >>> 16;
        return h;
    }
}
