package io.ustack.core.icmp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.ipv6.Icmpv6ErrorHandler;
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
 * counts it under Icmp6 and its type (Icmp6InType135), answers echo requests, hands an echo reply to whoever
 * pings with its id (ping_rcv, as for IPv4), hands Neighbour Discovery to
 * {@link Ndisc}, and consumes the rest. An error (destination unreachable, Packet Too Big, time exceeded,
 * parameter problem) goes through icmpv6_notify to the protocol of the packet it quotes: a Packet Too Big about
 * an ICMPv6 message this host sent lowers the path MTU to its destination (icmpv6_err), one about a transport
 * protocol's goes to its {@link Icmpv6ErrorHandler} (udpv6_err). MLD is a later step.
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
    private final Icmpv6ErrorHandler[] errHandlers = new Icmpv6ErrorHandler[256];
    private final PingTable<EchoListener> echoListeners = new PingTable<>();

    /** Hears the echo replies that carry its echo id (an IPv6 ping socket's id). */
    @FunctionalInterface
    public interface EchoListener {
        /**
         * One echo reply, on a receive thread: must not block. {@code dev} is the interface it came in by (a
         * link-local source's scope), {@code bytes} the ICMPv6 message's length (header and data).
         */
        void echoReply(Ipv6Address from, NetDevice dev, int sequence, int hopLimit, int bytes);
    }

    /** Who hears the echo replies of each id, IPv6's own. */
    public PingTable<EchoListener> pings() {
        return echoListeners;
    }

    public Icmpv6Protocol(Icmpv6Sender sender, Ndisc ndisc, MibCounters mib, PacketDrops drops) {
        this.sender = sender;
        this.ndisc = ndisc;
        this.mib = mib;
        this.drops = drops;
    }

    public void setPmtuUpdater(PmtuUpdater pmtu) {
        this.pmtu = pmtu;
    }

    /** inet6_add_protocol's err_handler: who hears of errors about packets of next header {@code nexthdr}. */
    public void addErrorHandler(int nexthdr, Icmpv6ErrorHandler handler) {
        errHandlers[nexthdr] = handler;
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
            case Icmpv6Packet.ECHO_REPLY -> {
                EchoListener l = echoListeners.get(icmp.restOfHeader() >>> 16);
                if (l != null) {
                    l.echoReply(ip.saddr(), pkt.dev(), icmp.restOfHeader() & 0xffff, ip.hopLimit(), pkt.len());
                }
            }
            case Icmpv6Packet.DEST_UNREACH, Icmpv6Packet.PKT_TOOBIG, Icmpv6Packet.TIME_EXCEED, Icmpv6Packet.PARAMPROB -> {
                Ipv6Packet quoted = Ipv6Packet.wrap(pkt, icmp.offset() + Icmpv6Packet.HEADER_LEN);
                if (quoted == null) {
                    mib.inc(Mib.Icmp6InErrors); // icmpv6_notify's pskb_may_pull of the quoted header
                    drops.drop(pkt, DropReason.PKT_TOO_SMALL);
                    return;
                }
                notify(pkt, quoted, type, icmp.code(), icmp.restOfHeader());
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
     * icmpv6_notify: past the quoted packet's extension headers, with the first 8 bytes of its upper layer
     * there, the error goes to that layer. About an ICMPv6 message (one this host sent: an echo reply, an
     * error), icmpv6_err learns a Packet Too Big's path MTU; about a transport's, its error handler hears of
     * it with the quoted addresses and ports. An MTU of 2^31 or more (negative as an int) is larger than any
     * path and changes nothing. Borrows.
     */
    private void notify(PacketBuffer pkt, Ipv6Packet quoted, int type, int code, int info) {
        if (type == Icmpv6Packet.PKT_TOOBIG && info < 0) {
            return;
        }
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, quoted.offset() + Ipv6Packet.HEADER_LEN, quoted.nextHeader());
        if (s.offset() < 0 || pkt.tail() - s.offset() < Icmpv6Packet.HEADER_LEN) {
            return;
        }
        if (s.nexthdr() == Ipv6Packet.NEXTHDR_ICMP) {
            if (type == Icmpv6Packet.PKT_TOOBIG) {
                pmtu.update(quoted.daddr(), pkt.dev(), info);
            }
            return;
        }
        Icmpv6ErrorHandler h = errHandlers[s.nexthdr()];
        if (h != null) {
            // the ports lead both UDP's header and TCP's
            h.err(type, code, info, pkt.dev(), quoted.saddr(), quoted.daddr(), pkt.u16(s.offset()), pkt.u16(s.offset() + 2));
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
