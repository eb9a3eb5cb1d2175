package io.ustack.core.icmp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IcmpErrorHandler;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;

/**
 * icmp_rcv: validates an ICMP message, counts it under Icmp and IcmpMsg, answers echo and timestamp
 * requests, hands errors to the protocol of the packet they quote, and consumes the rest.
 */
public final class IcmpProtocol implements IpProtocolHandler {
    private final IcmpSender sender;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IcmpErrorHandler[] errorHandlers = new IcmpErrorHandler[256];
    private final PingTable<EchoListener> echoListeners = new PingTable<>();
    private volatile PmtuUpdater pmtu = (daddr, mtu) -> { };

    /** ipv4_update_pmtu, as icmp_err calls it. */
    @FunctionalInterface
    public interface PmtuUpdater {
        void update(int daddr, int mtu);
    }

    public void setPmtuUpdater(PmtuUpdater u) {
        this.pmtu = u;
    }

    /** Hears the echo replies that carry its echo id (a ping socket's id, as ping_rcv looks it up). */
    @FunctionalInterface
    public interface EchoListener {
        /**
         * One echo reply, on a receive thread: must not block. {@code bytes} is the ICMP message's length
         * (header and data), {@code ttl} the IP header's. Borrows {@code pkt}, data at the ICMP header.
         */
        void echoReply(int from, int sequence, int ttl, int bytes, PacketBuffer pkt);
    }

    /** Who hears the echo replies of each id. */
    public PingTable<EchoListener> pings() {
        return echoListeners;
    }

    public IcmpProtocol(IcmpSender sender, MibCounters mib, PacketDrops drops) {
        this.sender = sender;
        this.mib = mib;
        this.drops = drops;
    }

    /** inet_add_protocol's err_handler: who hears of ICMP errors about packets of IP protocol {@code protocol}. */
    public void addErrorHandler(int protocol, IcmpErrorHandler handler) {
        errorHandlers[protocol] = handler;
    }

    /**
     * icmp_unreach and icmp_socket_deliver: hands an error to the protocol of the packet it quotes, if the
     * quote holds the IP header and the eight bytes after it (the ports). Borrows {@code pkt}.
     */
    private void unreach(PacketBuffer pkt, IcmpPacket icmp) {
        Ipv4Packet quoted = Ipv4Packet.wrap(pkt, icmp.offset() + IcmpPacket.HEADER_LEN);
        if (quoted == null || quoted.ihl() < 5 || pkt.tail() - quoted.offset() < quoted.headerLength() + 8) {
            return;
        }
        if (quoted.protocol() == Ipv4Packet.IPPROTO_ICMP && icmp.type() == IcmpPacket.DEST_UNREACH
                && icmp.code() == IcmpPacket.FRAG_NEEDED) {
            // icmp_err: about an ICMP message this host sent (an echo reply, say): the path MTU to its
            // destination is learnt whatever socket sent it
            pmtu.update(quoted.daddr(), icmp.restOfHeader() & 0xffff);
        }
        IcmpErrorHandler h = errorHandlers[quoted.protocol()];
        if (h != null) {
            int ports = quoted.offset() + quoted.headerLength();
            h.err(icmp.type(), icmp.code(), icmp.restOfHeader(), quoted.saddr(), quoted.daddr(), pkt.u16(ports),
                    pkt.u16(ports + 2));
        }
    }

    /**
     * icmp_echo_ignore_broadcasts, which covers timestamp requests too (RFC 1122 3.2.2.6 and 3.2.2.8 let
     * them go unanswered): a query sent to a broadcast address is dropped, so this host is no smurf
     * amplifier. Returns true if it took {@code pkt}.
     */
    private boolean droppedAsBroadcast(PacketBuffer pkt) {
        if (pkt.dst().type() == DstEntry.Type.LOCAL) {
            return false;
        }
        drops.drop(pkt, DropReason.ICMP_IGNORED);
        return true;
    }

    /** icmp_rcv. Takes ownership; data at the ICMP header. */
    @Override
    public void rcv(PacketBuffer pkt) {
        IcmpPacket icmp = IcmpPacket.wrap(pkt, pkt.data());
        if (icmp == null) {
            mib.inc(Mib.IcmpInErrors);
            drops.drop(pkt, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (!pkt.csumUnnecessary() && !icmp.checksumOk(pkt.len())) {
            mib.inc(Mib.IcmpInCsumErrors);
            mib.inc(Mib.IcmpInErrors);
            drops.drop(pkt, DropReason.ICMP_CSUM);
            return;
        }
        mib.inc(Mib.IcmpInMsgs);
        int type = icmp.type();
        if (type > IcmpPacket.ADDRESSREPLY) {
            mib.inc(Mib.IcmpInErrors);
            drops.drop(pkt, DropReason.UNHANDLED_PROTO);
            return;
        }
        mib.icmpMsgIn(type);
        switch (type) {
            case IcmpPacket.ECHO -> {
                mib.inc(Mib.IcmpInEchos);
                if (droppedAsBroadcast(pkt)) {
                    return;
                }
                sender.echoReply(pkt);
                return;
            }
            case IcmpPacket.TIMESTAMP -> {
                mib.inc(Mib.IcmpInTimestamps);
                if (droppedAsBroadcast(pkt)) {
                    return;
                }
                if (pkt.len() < IcmpPacket.HEADER_LEN + 4) {
                    mib.inc(Mib.IcmpInErrors); // no originate time to send back
                    drops.drop(pkt, DropReason.PKT_TOO_SMALL);
                    return;
                }
                sender.timestampReply(pkt);
                return;
            }
            case IcmpPacket.ECHOREPLY -> {
                mib.inc(Mib.IcmpInEchoReps);
                EchoListener l = echoListeners.get(icmp.echoId());
                if (l != null) {
                    Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
                    l.echoReply(ip.saddr(), icmp.echoSequence(), ip.ttl(), pkt.len(), pkt);
                }
            }
            case IcmpPacket.DEST_UNREACH -> {
                mib.inc(Mib.IcmpInDestUnreachs);
                unreach(pkt, icmp);
            }
            case IcmpPacket.SOURCE_QUENCH -> mib.inc(Mib.IcmpInSrcQuenchs);
            case IcmpPacket.REDIRECT -> mib.inc(Mib.IcmpInRedirects);
            case IcmpPacket.TIME_EXCEEDED -> {
                mib.inc(Mib.IcmpInTimeExcds);
                unreach(pkt, icmp);
            }
            case IcmpPacket.PARAMETERPROB -> {
                mib.inc(Mib.IcmpInParmProbs);
                unreach(pkt, icmp);
            }
            case IcmpPacket.TIMESTAMPREPLY -> mib.inc(Mib.IcmpInTimestampReps);
            case IcmpPacket.ADDRESS -> mib.inc(Mib.IcmpInAddrMasks);
            case IcmpPacket.ADDRESSREPLY -> mib.inc(Mib.IcmpInAddrMaskReps);
            default -> { }
        }
        pkt.release(); // consume_skb: counted and handled, not an error
    }
}
