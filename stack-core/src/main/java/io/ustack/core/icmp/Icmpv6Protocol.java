package io.ustack.core.icmp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.neigh.Ndisc;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * icmpv6_rcv (net/ipv6/icmp.c): checks an ICMPv6 message's length and its checksum over the pseudo-header,
 * counts it under Icmp6 and its type (Icmp6InType135), answers echo requests, hands Neighbour Discovery to
 * {@link Ndisc}, and consumes the rest. A Packet Too Big about an ICMPv6 message this host sent lowers the path
 * MTU to its destination (icmpv6_notify to icmpv6_err); handing errors to TCP and UDP over IPv6, and MLD, are
 * later steps.
 */
public final class Icmpv6Protocol implements IpProtocolHandler {
    /** ip6_update_pmtu: the path to {@code daddr} (out {@code dev}) takes {@code mtu} bytes. */
    @FunctionalInterface
    public interface PmtuUpdater {
        void update(Ipv6Address daddr, NetDevice dev, int mtu);
    }

    private final Icmpv6Sender sender;
    private final Ndisc ndisc;
    private final MibCounters mib;
    private final PacketDrops drops;
    private volatile PmtuUpdater pmtu = (daddr, dev, mtu) -> { };

    public Icmpv6Protocol(Icmpv6Sender sender, Ndisc ndisc, MibCounters mib, PacketDrops drops) {
        this.sender = sender;
        this.ndisc = ndisc;
        this.mib = mib;
        this.drops = drops;
    }

    public void setPmtuUpdater(PmtuUpdater pmtu) {
        this.pmtu = pmtu;
    }

    /** icmpv6_rcv. Takes ownership; data at the ICMPv6 header, network header set. */
    @Override
    public void rcv(PacketBuffer pkt) {
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        Icmpv6Packet icmp = Icmpv6Packet.wrap(pkt, pkt.data());
        if (icmp == null) {
            mib.inc(Mib.Icmp6InErrors);
            drops.drop(pkt, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (!pkt.csumUnnecessary() && !icmp.checksumOk(ip.saddr(), ip.daddr(), pkt.len())) {
            mib.inc(Mib.Icmp6InCsumErrors);
            mib.inc(Mib.Icmp6InErrors);
            drops.drop(pkt, DropReason.ICMP_CSUM);
            return;
        }
        mib.inc(Mib.Icmp6InMsgs);
        int type = icmp.type();
        mib.icmp6MsgIn(type);
        Mib named = inCounter(type);
        if (named != null) {
            mib.inc(named);
        }
        switch (type) {
            case Icmpv6Packet.ECHO_REQUEST -> {
                sender.echoReply(pkt);
                return;
            }
            case Icmpv6Packet.PKT_TOOBIG -> {
                Ipv6Packet quoted = Ipv6Packet.wrap(pkt, icmp.offset() + Icmpv6Packet.HEADER_LEN);
                if (quoted == null) {
                    mib.inc(Mib.Icmp6InErrors); // icmpv6_rcv's pskb_may_pull of the quoted header
                    drops.drop(pkt, DropReason.PKT_TOO_SMALL);
                    return;
                }
                notifyTooBig(pkt, quoted, icmp.restOfHeader());
            }
            case Icmpv6Packet.ND_ROUTER_SOLICIT, Icmpv6Packet.ND_ROUTER_ADVERT, Icmpv6Packet.ND_NEIGHBOUR_SOLICIT,
                    Icmpv6Packet.ND_NEIGHBOUR_ADVERT, Icmpv6Packet.ND_REDIRECT -> {
                ndisc.rcv(pkt);
                return;
            }
            default -> { }
        }
        pkt.release(); // consume_skb: counted, and nothing more to do yet
    }

    /**
     * icmpv6_notify for a Packet Too Big: past the quoted packet's extension headers, an ICMPv6 message (one
     * this host sent: an echo reply, an error) has icmpv6_err learn the path MTU to its destination. An MTU
     * of 2^31 or more (negative as an int) is larger than any path and changes nothing. Borrows.
     */
    private void notifyTooBig(PacketBuffer pkt, Ipv6Packet quoted, int mtu) {
        if (mtu < 0) {
            return;
        }
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, quoted.offset() + Ipv6Packet.HEADER_LEN, quoted.nextHeader());
        if (s.offset() >= 0 && s.nexthdr() == Ipv6Packet.NEXTHDR_ICMP && pkt.tail() - s.offset() >= Icmpv6Packet.HEADER_LEN) {
            pmtu.update(quoted.daddr(), pkt.dev(), mtu);
        }
    }

    /** The named /proc/net/snmp6 counter of an incoming ICMPv6 type, or null. */
    private static Mib inCounter(int type) {
        return switch (type) {
            case Icmpv6Packet.DEST_UNREACH -> Mib.Icmp6InDestUnreachs;
            case Icmpv6Packet.PKT_TOOBIG -> Mib.Icmp6InPktTooBigs;
            case Icmpv6Packet.TIME_EXCEED -> Mib.Icmp6InTimeExcds;
            case Icmpv6Packet.PARAMPROB -> Mib.Icmp6InParmProblems;
            case Icmpv6Packet.ECHO_REQUEST -> Mib.Icmp6InEchos;
            case Icmpv6Packet.ECHO_REPLY -> Mib.Icmp6InEchoReplies;
            case Icmpv6Packet.MGM_QUERY -> Mib.Icmp6InGroupMembQueries;
            case Icmpv6Packet.MGM_REPORT -> Mib.Icmp6InGroupMembResponses;
            case Icmpv6Packet.MGM_REDUCTION -> Mib.Icmp6InGroupMembReductions;
            case Icmpv6Packet.ND_ROUTER_SOLICIT -> Mib.Icmp6InRouterSolicits;
            case Icmpv6Packet.ND_ROUTER_ADVERT -> Mib.Icmp6InRouterAdvertisements;
            case Icmpv6Packet.ND_NEIGHBOUR_SOLICIT -> Mib.Icmp6InNeighborSolicits;
            case Icmpv6Packet.ND_NEIGHBOUR_ADVERT -> Mib.Icmp6InNeighborAdvertisements;
            case Icmpv6Packet.ND_REDIRECT -> Mib.Icmp6InRedirects;
            case Icmpv6Packet.MLD2_REPORT -> Mib.Icmp6InMLDv2Reports;
            default -> null;
        };
    }
}
