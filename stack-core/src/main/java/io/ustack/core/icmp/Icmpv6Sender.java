package io.ustack.core.icmp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * Sends ICMPv6 messages (net/ipv6/icmp.c): icmpv6_echo_reply, and the common end of every message this host
 * sends (Neighbour Discovery's too): the checksum over the pseudo-header, complete (no partial checksum is
 * left to a device), the Icmp6Out counters, and ip6_xmit; and icmp6_send, the errors about a packet.
 */
public final class Icmpv6Sender {
    /** How much of the offending packet an error quotes: what fits in IPV6_MIN_MTU with the two headers. */
    static final int MAX_QUOTE = Ipv6Packet.MIN_MTU - Ipv6Packet.HEADER_LEN - Icmpv6Packet.HEADER_LEN;
    /** The action bits of an option type that ask for an error even about a packet to a group (RFC 8200 4.2). */
    private static final int OPT_ACTION_MASK = 0xc0;
    private static final int OPT_ACTION_ICMP_ALWAYS = 0x80;

    private final BufferPool pool;
    private final Ipv6Output out;
    private final Ipv6Fib fib;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IcmpRateLimiter limiter;

    public Icmpv6Sender(BufferPool pool, Ipv6Output out, Ipv6Fib fib, MibCounters mib, PacketDrops drops,
                        IcmpRateLimiter limiter) {
        this.pool = pool;
        this.out = out;
        this.fib = fib;
        this.mib = mib;
        this.drops = drops;
        this.limiter = limiter;
    }

    /**
     * icmp6_send: an error of {@code type}/{@code code} about {@code offending} (network header set), with
     * {@code info} in the rest of the header (the MTU of Packet Too Big, the pointer of a parameter problem).
     * Borrows. As Linux, it sends nothing about a packet to a group or not for this host's MAC (but Packet Too
     * Big, and a parameter problem about an option whose action bits are 10, RFC 8200 section 4.2), about one
     * from the unspecified or a multicast address (the source must name one node), about an ICMPv6 error
     * (is_ineligible; a later fragment, whose type cannot be seen, is not one), nor past the rate limit. The
     * error comes from the offending packet's destination when that is ours, else from source address
     * selection; it quotes as much of the packet as fits in 1280 bytes.
     */
    public void sendError(PacketBuffer offending, int type, int code, int info) {
        int nh = offending.networkHeader();
        Ipv6Packet ip = Ipv6Packet.wrap(offending, nh);
        if (ip == null) {
            return;
        }
        NetDevice dev = offending.dev();
        Ipv6Address daddr = ip.daddr();
        Ipv6Address from = fib.isLocal(daddr, dev) ? daddr : null;
        if (daddr.isMulticast() || offending.pktType() != PacketType.HOST) {
            if (type != Icmpv6Packet.PKT_TOOBIG && !(type == Icmpv6Packet.PARAMPROB && code == Icmpv6Packet.UNK_OPTION
                    && optUnrec(offending, nh + info))) {
                return;
            }
            from = null;
        }
        Ipv6Address to = ip.saddr();
        if (to.isUnspecified() || to.isMulticast() || isIneligible(offending, ip)) {
            return;
        }
        NetDevice oif = to.needsScopeId() ? dev : null;
        Ipv6Fib.Route6 route = fib.lookup(to, oif);
        boolean loopback = dev != null && dev.isLoopback();
        if (!limiter.allow6(type, to, route == null ? 128 : route.prefix().prefixLen(), loopback)) {
            return;
        }
        if (from == null) {
            from = out.sourceFor(to, oif);
            if (from == null) {
                mib.inc(Mib.Ip6OutNoRoutes); // icmpv6_route_lookup found no way back
                return;
            }
        }
        int quote = Math.min(offending.tail() - nh, MAX_QUOTE);
        PacketBuffer pkt = pool.allocateWithHeadroom(Icmpv6Packet.HEADER_LEN + quote);
        int at = pkt.put(Icmpv6Packet.HEADER_LEN + quote);
        pkt.copyFrom(offending, nh, at + Icmpv6Packet.HEADER_LEN, quote);
        Icmpv6Packet icmp = Icmpv6Packet.wrap(pkt, at);
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setRestOfHeader(info);
        send(pkt, from, to, oif, Ipv6Packet.DEFAULT_HOP_LIMIT, 0);
    }

    /** opt_unrec: whether the option at {@code at} asks for an error whatever the destination. */
    private static boolean optUnrec(PacketBuffer pkt, int at) {
        return at < pkt.tail() && (pkt.u8(at) & OPT_ACTION_MASK) == OPT_ACTION_ICMP_ALWAYS;
    }

    /**
     * is_ineligible: the offending packet is itself an ICMPv6 error (or its type cannot be read and it is not a
     * later fragment), which no error may answer (RFC 4443 section 2.4 e).
     */
    private static boolean isIneligible(PacketBuffer pkt, Ipv6Packet ip) {
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, ip.offset() + Ipv6Packet.HEADER_LEN, ip.nextHeader());
        if (s.offset() < 0 || s.nexthdr() != Ipv6Packet.NEXTHDR_ICMP) {
            return false;
        }
        if (s.offset() >= pkt.tail()) {
            return s.fragOff() == 0;
        }
        return Icmpv6Packet.isError(pkt.u8(s.offset()));
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
     * An echo request from an IPv6 ping socket (ping_v6_sendmsg): id {@code id}, sequence {@code sequence},
     * {@code data} after the header, to {@code daddr} out {@code oif} (which a link-local destination needs;
     * null otherwise), from the source address selection picks, hop limit 64. False if there is no route or
     * no source.
     */
    public boolean echoRequest(Ipv6Address daddr, NetDevice oif, int id, int sequence, byte[] data) {
        Ipv6Address saddr = out.sourceFor(daddr, oif);
        if (saddr == null) {
            return false;
        }
        PacketBuffer pkt = EchoMessage.request(pool, Icmpv6Packet.ECHO_REQUEST, id, sequence, data);
        return send(pkt, saddr, daddr, oif, Ipv6Packet.DEFAULT_HOP_LIMIT, 0);
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
