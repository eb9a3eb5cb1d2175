package io.ustack.core.icmp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;

/**
 * Sends ICMPv6 messages (net/ipv6/icmp.c): icmpv6_echo_reply, and the common end of every message this host
 * sends (Neighbour Discovery's too): the checksum over the pseudo-header, complete (no partial checksum is
 * left to a device), the Icmp6Out counters, and ip6_xmit. ICMPv6 errors (icmp6_send) are a later step.
 */
public final class Icmpv6Sender {
    private final Ipv6Output out;
    private final Ipv6Fib fib;
    private final MibCounters mib;
    private final PacketDrops drops;

    public Icmpv6Sender(Ipv6Output out, Ipv6Fib fib, MibCounters mib, PacketDrops drops) {
        this.out = out;
        this.fib = fib;
        this.mib = mib;
        this.drops = drops;
    }

    /**
     * icmpv6_echo_reply: turns an echo request into its reply in the same buffer and sends it back out the
     * interface it came in by, as Linux does: from the address it was sent to, or for one sent to a group
     * (icmpv6_echo_ignore_multicast off, Linux's default) from the source address selection picks; hop limit
     * 64; the request's traffic class. Takes ownership; data at the ICMPv6 header, network header set.
     */
    public void echoReply(PacketBuffer pkt) {
        Ipv6Packet req = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        Ipv6Address replyTo = req.saddr();
        Ipv6Address to = req.daddr();
        int tclass = req.trafficClass();
        NetDevice dev = pkt.dev();
        if (replyTo.isUnspecified()) {
            drops.drop(pkt, DropReason.ICMP_IGNORED); // nobody to answer
            return;
        }
        Ipv6Address from = to.isMulticast() ? fib.chooseSource(replyTo, dev) : to;
        if (from == null) {
            mib.inc(Mib.Ip6OutNoRoutes);
            drops.drop(pkt, DropReason.IP_OUTNOROUTES);
            return;
        }
        Icmpv6Packet icmp = Icmpv6Packet.wrap(pkt, pkt.data());
        icmp.setType(Icmpv6Packet.ECHO_REPLY);
        icmp.setCode(0);
        pkt.nfResetCt();
        send(pkt, from, replyTo, dev, Ipv6Packet.DEFAULT_HOP_LIMIT, tclass);
    }

    /**
     * The end of icmpv6_push_pending_frames and ip6_xmit for one ICMPv6 message from {@code saddr} to
     * {@code daddr} out {@code oif}: computes the checksum, counts the message by type, sends it. Takes
     * ownership; data at the ICMPv6 header, the message runs to tail. Returns false if it could not be routed.
     */
    public boolean send(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice oif, int hopLimit, int tclass) {
        return send(pkt, saddr, daddr, oif, hopLimit, tclass, false);
    }

    /**
     * {@link #send} for Neighbour Discovery (ndisc_send_skb): straight out {@code dev} to {@code daddr} on its
     * link, with no route lookup. Takes ownership.
     */
    public boolean sendOnLink(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice dev, int hopLimit) {
        return send(pkt, saddr, daddr, dev, hopLimit, 0, true);
    }

    private boolean send(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice oif, int hopLimit, int tclass,
                         boolean onLink) {
        Icmpv6Packet icmp = Icmpv6Packet.wrap(pkt, pkt.data());
        icmp.updateChecksum(saddr, daddr, pkt.len());
        pkt.setIpSummed(IpSummed.NONE);
        pkt.clearGso();
        int type = icmp.type();
        boolean sent = onLink
                ? out.sendOnLink(pkt, saddr, daddr, oif, Ipv6Packet.NEXTHDR_ICMP, hopLimit, tclass)
                : out.send(pkt, saddr, daddr, oif, Ipv6Packet.NEXTHDR_ICMP, hopLimit, tclass);
        if (sent) {
            countOut(type);
        } else {
            mib.inc(Mib.Icmp6OutErrors); // ICMP6_MIB_OUTERRORS: a message that could not go
        }
        return sent;
    }

    /** ICMP6MSGOUT_INC_STATS and ICMP6_INC_STATS(OUTMSGS), with the named counter of the type. */
    void countOut(int type) {
        mib.inc(Mib.Icmp6OutMsgs);
        mib.icmp6MsgOut(type);
        Mib m = switch (type) {
            case Icmpv6Packet.DEST_UNREACH -> Mib.Icmp6OutDestUnreachs;
            case Icmpv6Packet.PKT_TOOBIG -> Mib.Icmp6OutPktTooBigs;
            case Icmpv6Packet.TIME_EXCEED -> Mib.Icmp6OutTimeExcds;
            case Icmpv6Packet.PARAMPROB -> Mib.Icmp6OutParmProblems;
            case Icmpv6Packet.ECHO_REQUEST -> Mib.Icmp6OutEchos;
            case Icmpv6Packet.ECHO_REPLY -> Mib.Icmp6OutEchoReplies;
            case Icmpv6Packet.ND_ROUTER_SOLICIT -> Mib.Icmp6OutRouterSolicits;
            case Icmpv6Packet.ND_ROUTER_ADVERT -> Mib.Icmp6OutRouterAdvertisements;
            case Icmpv6Packet.ND_NEIGHBOUR_SOLICIT -> Mib.Icmp6OutNeighborSolicits;
            case Icmpv6Packet.ND_NEIGHBOUR_ADVERT -> Mib.Icmp6OutNeighborAdvertisements;
            case Icmpv6Packet.ND_REDIRECT -> Mib.Icmp6OutRedirects;
            default -> null;
        };
        if (m != null) {
            mib.inc(m);
        }
    }
}
