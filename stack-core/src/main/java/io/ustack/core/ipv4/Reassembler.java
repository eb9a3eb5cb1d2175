package io.ustack.core.ipv4;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv4Packet;

/**
 * ip_defrag: IPv4 reassembly, keyed as the kernel keys it (source, destination, ID, protocol), on the queues
 * both families share ({@link InetFragQueues}: duplicates dropped, overlaps discard the datagram
 * (IpExtReasmOverlaps), memory bounded by ipfrag_high_thresh and ipfrag_low_thresh). A queue lives
 * ipfrag_time (30 s); when it expires holding the first fragment, an ICMP time exceeded (fragment
 * reassembly) goes back to the sender.
 */
public final class Reassembler extends InetFragQueues<Reassembler.Key> {
    /** ipfrag_high_thresh, ipfrag_low_thresh and ipfrag_time's defaults. */
    public static final long DEFAULT_HIGH_THRESH = 4L << 20;
    public static final long DEFAULT_LOW_THRESH = 3L << 20;
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    record Key(int saddr, int daddr, int id, int protocol) {
    }

    public Reassembler(BufferPool pool, Clock clock, MibCounters mib, PacketDrops drops,
                       long highThresh, long lowThresh, long timeoutMs) {
        super(pool, clock, mib, drops,
                new InetFragQueues.Counters(Mib.IpReasmFails, Mib.IpReasmTimeout, Mib.IpExtReasmOverlaps),
                highThresh, lowThresh, timeoutMs);
    }

    /**
     * ip_defrag: adds one fragment (network header set, length trimmed to the IP total length). Takes
     * ownership. Returns the reassembled datagram (data at its IP header, fragment bits cleared) when this
     * fragment completed it, else null.
     */
    public PacketBuffer defrag(PacketBuffer pkt) {
        mib.inc(Mib.IpReasmReqds);
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int ihl = ip.headerLength();
        int start = ip.fragmentOffset();
        Key key = new Key(ip.saddr(), ip.daddr(), ip.id(), ip.protocol());
        Queue q = add(key, pkt, start, start + ip.totalLength() - ihl, ip.moreFragments(), ip.offset() + ihl, 0,
                Ipv4Packet.MAX_PACKET_LEN - ihl);
        return q == null ? null : reassemble(q);
    }

    /**
     * ip_frag_reasm: one datagram from the held fragments, the first fragment's header in front; null (the
     * fragments dropped) if it would exceed 65535 bytes.
     */
    private PacketBuffer reassemble(Queue q) {
        PacketBuffer head = q.head().pkt();
        int ihl = q.head().payloadAt() - head.networkHeader();
        if (ihl + q.length() > Ipv4Packet.MAX_PACKET_LEN) {
            // out_oversize: each fragment fit with its own header, but the first one's (longer, with options)
            // would head a datagram that no total length field can describe.
            fail(q, DropReason.FRAG_REASM_FAIL);
            return null;
        }
        long options = head.ipOptions();
        PacketBuffer out = assemble(q, ihl);
        out.setIpOptions(options); // the head's IPCB: a reply to the datagram echoes its options
        Ipv4Packet ip = Ipv4Packet.wrap(out, out.networkHeader());
        ip.setTotalLength(ihl + q.length());
        ip.setFragOffField(0);
        ip.updateChecksum();
        mib.inc(Mib.IpReasmOKs);
        return out;
    }
}
