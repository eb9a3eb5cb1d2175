package io.ustack.core.icmp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.IcmpPacket;

/**
 * icmp_rcv: validates an ICMP message, counts it under Icmp and IcmpMsg, answers echo requests, and consumes
 * the informational and error messages this stack has no socket for.
 */
public final class IcmpProtocol implements IpProtocolHandler {
    private final IcmpSender sender;
    private final MibCounters mib;
    private final PacketDrops drops;

    public IcmpProtocol(IcmpSender sender, MibCounters mib, PacketDrops drops) {
        this.sender = sender;
        this.mib = mib;
        this.drops = drops;
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
        if (!icmp.checksumOk(pkt.len())) {
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
                if (pkt.dst().type() != DstEntry.Type.LOCAL) {
                    // icmp_echo_ignore_broadcasts: no smurf amplifier here
                    drops.drop(pkt, DropReason.ICMP_IGNORED);
                    return;
                }
                sender.echoReply(pkt);
                return;
            }
            case IcmpPacket.ECHOREPLY -> mib.inc(Mib.IcmpInEchoReps);
            case IcmpPacket.DEST_UNREACH -> mib.inc(Mib.IcmpInDestUnreachs);
            case IcmpPacket.SOURCE_QUENCH -> mib.inc(Mib.IcmpInSrcQuenchs);
            case IcmpPacket.REDIRECT -> mib.inc(Mib.IcmpInRedirects);
            case IcmpPacket.TIME_EXCEEDED -> mib.inc(Mib.IcmpInTimeExcds);
            case IcmpPacket.PARAMETERPROB -> mib.inc(Mib.IcmpInParmProbs);
            case IcmpPacket.TIMESTAMP -> mib.inc(Mib.IcmpInTimestamps);
            case IcmpPacket.TIMESTAMPREPLY -> mib.inc(Mib.IcmpInTimestampReps);
            case IcmpPacket.ADDRESS -> mib.inc(Mib.IcmpInAddrMasks);
            case IcmpPacket.ADDRESSREPLY -> mib.inc(Mib.IcmpInAddrMaskReps);
            default -> { }
        }
        pkt.release(); // consume_skb: counted and handled, not an error
    }
}
