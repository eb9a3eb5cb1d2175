package io.ustack.core.softnet;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;

/**
 * skb_get_hash: a flow hash over the IPv4 or IPv6 5-tuple where there is one, so that RPS sends every packet
 * of a flow to the same backlog thread, in both directions. Fragments hash on addresses and protocol only: a
 * non-first fragment carries no ports, and all fragments of a datagram must meet on one thread to be
 * reassembled. An IPv6 packet whose first next header is not TCP or UDP (an extension header, a fragment,
 * ICMPv6) hashes on its addresses and that next header, which every fragment of a datagram shares.
 */
public final class FlowHash {
    private FlowHash() {
    }

    /** Computes and stores {@code pkt.hash()}; data must be at the network header. Borrows {@code pkt}. */
    public static int compute(PacketBuffer pkt) {
        int h;
        if (pkt.protocol() == EthernetFrame.ETH_P_IP) {
            h = ipv4(pkt);
        } else if (pkt.protocol() == EthernetFrame.ETH_P_IPV6) {
            h = ipv6(pkt);
        } else { // ARP never gets here: Softnet handles it on the receiving thread
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
        int l4 = ip.offset() + ip.headerLength();
        boolean hasPorts = ip.protocol() == Ipv4Packet.IPPROTO_TCP || ip.protocol() == Ipv4Packet.IPPROTO_UDP;
        if (hasPorts && !ip.isFragment() && pkt.tail() - l4 >= 4) {
            return ofFlow(ip.saddr(), ip.daddr(), ip.protocol(), pkt.u16(l4), pkt.u16(l4 + 2));
        }
        return ofAddresses(ip.saddr(), ip.daddr(), ip.protocol());
    }

    private static int ipv6(PacketBuffer pkt) {
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.data());
        if (ip == null) {
            return 0;
        }
        int l4 = ip.offset() + Ipv6Packet.HEADER_LEN;
        int next = ip.nextHeader();
        boolean hasPorts = next == Ipv6Packet.NEXTHDR_TCP || next == Ipv6Packet.NEXTHDR_UDP;
        if (hasPorts && pkt.tail() - l4 >= 4) {
            return ofFlow6(ip, next, pkt.u16(l4), pkt.u16(l4 + 2));
        }
        return ofAddresses(fold(ip.saddrHi(), ip.saddrLo()), fold(ip.daddrHi(), ip.daddrLo()), next);
    }

    /**
     * {@link #ofFlow6(Ipv6Address, Ipv6Address, int, int, int)} for the addresses of {@code ip}, their halves read
     * in place: no Ipv6Address is made for every packet a poll reads.
     */
    public static int ofFlow6(Ipv6Packet ip, int protocol, int sport, int dport) {
        return ofFlow(fold(ip.saddrHi(), ip.saddrLo()), fold(ip.daddrHi(), ip.daddrLo()), protocol, sport, dport);
    }

    /**
     * {@link #ofFlow} for an IPv6 flow: each address folded to 32 bits first, so the hash stays the same
     * whichever way the packets go.
     */
    public static int ofFlow6(Ipv6Address saddr, Ipv6Address daddr, int protocol, int sport, int dport) {
        return ofFlow(fold(saddr.hi(), saddr.lo()), fold(daddr.hi(), daddr.lo()), protocol, sport, dport);
    }

    private static int fold(long hi, long lo) {
        long x = hi ^ lo;
        return (int) (x ^ (x >>> 32));
    }

    /**
     * The hash of a flow, the same whichever way its packets go: addresses and ports are each taken in
     * sorted order, so a connection this host opens lands on the backlog thread its replies are steered to.
     */
    public static int ofFlow(int saddr, int daddr, int protocol, int sport, int dport) {
        int h = ofAddresses(saddr, daddr, protocol);
        return mix(h ^ (Math.min(sport, dport) << 16 | Math.max(sport, dport)));
    }

    private static int ofAddresses(int saddr, int daddr, int protocol) {
        int lo = Integer.compareUnsigned(saddr, daddr) <= 0 ? saddr : daddr;
        int hi = lo == saddr ? daddr : saddr;
        return mix(lo * 31 + hi * 17 + protocol);
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
