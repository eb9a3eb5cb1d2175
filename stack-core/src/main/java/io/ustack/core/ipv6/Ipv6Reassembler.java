package io.ustack.core.ipv6;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.InetFragQueues;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * IPv6 reassembly (net/ipv6/reassembly.c: ip6_frag_queue, ip6_frag_reasm) on the queues both families share
 * ({@link InetFragQueues}): keyed by identification and addresses (and the interface, for a link-local or
 * multicast destination, as fq_find keys them), overlapping fragments discard the datagram (RFC 5722),
 * memory bounded by ip6frag_high_thresh and ip6frag_low_thresh, and a queue lives ip6frag_time (60 s), after
 * which an ICMPv6 time exceeded (code 1) goes back if the first fragment was held. The header checks that
 * answer with a parameter problem are the receive path's ({@link Ipv6Input}).
 */
public final class Ipv6Reassembler extends InetFragQueues<Ipv6Reassembler.Key> {
    /** ip6frag_high_thresh, ip6frag_low_thresh and ip6frag_time's defaults (IPV6_FRAG_TIMEOUT). */
    public static final long DEFAULT_HIGH_THRESH = 4L << 20;
    public static final long DEFAULT_LOW_THRESH = 3L << 20;
    public static final long DEFAULT_TIMEOUT_MS = 60_000;
    /** IPV6_MAXPLEN: the most a reassembled datagram's payload may be. */
    public static final int MAXPLEN = 65535;

    record Key(Ipv6Address saddr, Ipv6Address daddr, int id, int iif) {
    }

    public Ipv6Reassembler(BufferPool pool, Clock clock, MibCounters mib, PacketDrops drops,
                           long highThresh, long lowThresh, long timeoutMs) {
        super(pool, clock, mib, drops,
                new InetFragQueues.Counters(Mib.Ip6ReasmFails, Mib.Ip6ReasmTimeout, Mib.Ip6ReasmOverlaps),
                highThresh, lowThresh, timeoutMs);
    }

    /**
     * fq_find and ip6_frag_queue for the fragment whose header is {@code off} bytes into the packet and named
     * at {@code nhoff}; it carries payload bytes [start, end) of its datagram. Takes ownership. Returns the
     * reassembled datagram when this fragment completed it, else null.
     */
    PacketBuffer defrag(PacketBuffer pkt, int off, int nhoff, int start, int end, boolean more) {
        int nh = pkt.networkHeader();
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, nh);
        Ipv6ExtHeader fh = Ipv6ExtHeader.wrap(pkt, nh + off, Ipv6Packet.NEXTHDR_FRAGMENT);
        Ipv6Address daddr = ip.daddr();
        int iif = daddr.isMulticast() || daddr.isLinkLocal() ? pkt.dev().ifindex() : 0;
        Key key = new Key(ip.saddr(), daddr, fh.identification(), iif);
        Queue q = add(key, pkt, start, end, more, nh + off + Ipv6ExtHeader.MIN_LEN, nhoff, MAXPLEN);
        return q == null ? null : reassemble(q);
    }

    /**
     * ip6_frag_reasm: the first fragment's headers up to its fragment header, which goes (the header before
     * it now names what the fragment header named), then the payloads; null (the fragments dropped) if the
     * payload length would pass 65535.
     */
    private PacketBuffer reassemble(Queue q) {
        Frag head = q.head();
        int unfragmentable = head.payloadAt() - Ipv6ExtHeader.MIN_LEN - head.pkt().networkHeader();
        int payloadLen = unfragmentable - Ipv6Packet.HEADER_LEN + q.length();
        if (payloadLen > MAXPLEN) {
            fail(q, DropReason.FRAG_REASM_FAIL); // out_oversize
            return null;
        }
        int nexthdr = head.pkt().u8(head.payloadAt() - Ipv6ExtHeader.MIN_LEN);
        int nhoff = head.aux();
        PacketBuffer out = assemble(q, unfragmentable);
        out.setU8(out.networkHeader() + nhoff, nexthdr);
        Ipv6Packet.wrap(out, out.networkHeader()).setPayloadLength(payloadLen);
        mib.inc(Mib.Ip6ReasmOKs);
        return out;
    }
}
