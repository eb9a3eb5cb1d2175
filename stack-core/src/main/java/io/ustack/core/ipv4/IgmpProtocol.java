package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Checksum;

/**
 * igmp_rcv for a host that has joined no group but the all-hosts group (which is never reported): a query
 * or a report is checked and consumed without an answer, as Linux consumes it. Without this handler IGMP
 * would be an unknown protocol and every query sent to this host alone would draw an ICMP protocol
 * unreachable, which Linux never sends about IGMP. It is counted, as any delivered packet, in IpInDelivers;
 * one too short or with a bad checksum is dropped under its reason.
 */
public final class IgmpProtocol implements IpProtocolHandler {
    public static final int IPPROTO_IGMP = 2;
    /** struct igmphdr: type, max response time, checksum and group. */
    static final int HEADER_LEN = 8;

    private final PacketDrops drops;

    public IgmpProtocol(PacketDrops drops) {
        this.drops = drops;
    }

    /** Takes ownership; data at the IGMP header. */
    @Override
    public void rcv(PacketBuffer pkt) {
        if (pkt.len() < HEADER_LEN) {
            drops.drop(pkt, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (!pkt.csumUnnecessary() && Checksum.compute(pkt, pkt.data(), pkt.len()) != 0) {
            drops.drop(pkt, DropReason.SKB_CSUM); // skb_checksum_simple_validate
            return;
        }
        pkt.release(); // consume_skb: heard, nothing to report
    }
}
