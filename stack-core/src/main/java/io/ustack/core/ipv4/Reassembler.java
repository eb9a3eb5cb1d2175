package io.ustack.core.ipv4;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv4Packet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * ip_defrag: IPv4 reassembly, keyed as the kernel keys it (source, destination, ID, protocol).
 *
 * <p>Like Linux since the FragmentSmack fixes, a fragment that only repeats bytes already held (lying wholly
 * inside one run of contiguous held fragments, as a retransmission cut at another MTU does) is dropped as a
 * duplicate and the queue kept, while one that overlaps with different
 * bounds discards the whole datagram (IpExtReasmOverlaps), so overlapping data can never be chosen by an
 * attacker. Memory is bounded like ipfrag_high_thresh/ipfrag_low_thresh: past the high mark the oldest queues
 * are evicted until the low mark. A queue lives ipfrag_time (30 s); when it expires holding the first
 * fragment, an ICMP time exceeded (fragment reassembly) goes back to the sender.
 */
public final class Reassembler {
    /** ipfrag_high_thresh, ipfrag_low_thresh and ipfrag_time's defaults. */
    public static final long DEFAULT_HIGH_THRESH = 4L << 20;
    public static final long DEFAULT_LOW_THRESH = 3L << 20;
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    /** icmp_send(ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME) about the expired datagram's first fragment. Borrows. */
    @FunctionalInterface
    public interface ExpiryReporter {
        void reassemblyTimedOut(PacketBuffer firstFragment);
    }

    private record Key(int saddr, int daddr, int id, int protocol) {
    }

    /** One held fragment: payload bytes [start, end) of the datagram, at {@code payloadAt} in {@code pkt}. */
    private record Frag(PacketBuffer pkt, int start, int end, int payloadAt) {
    }

    /** struct ipq. */
    private static final class FragQueue {
        final long created;
        final TreeMap<Integer, Frag> frags = new TreeMap<>();
        int meat;
        int len;
        boolean lastIn;
        long mem;

        FragQueue(long created) {
            this.created = created;
        }
    }

    private final Map<Key, FragQueue> queues = new LinkedHashMap<>();
    private final BufferPool pool;
    private final Clock clock;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final long highThresh;
    private final long lowThresh;
    private final long timeoutNanos;
    private volatile ExpiryReporter reporter = first -> { };
    private long mem;

    public Reassembler(BufferPool pool, Clock clock, MibCounters mib, PacketDrops drops,
                       long highThresh, long lowThresh, long timeoutMs) {
        this.pool = pool;
        this.clock = clock;
        this.mib = mib;
        this.drops = drops;
        this.highThresh = highThresh;
        this.lowThresh = lowThresh;
        this.timeoutNanos = timeoutMs * 1_000_000L;
    }

    public void setExpiryReporter(ExpiryReporter reporter) {
        this.reporter = reporter;
    }

    /**
     * ip_defrag: adds one fragment (network header set, length trimmed to the IP total length). Takes
     * ownership. Returns the reassembled datagram (data at its IP header, fragment bits cleared) when this
     * fragment completed it, else null.
     */
    public synchronized PacketBuffer defrag(PacketBuffer pkt) {
        mib.inc(Mib.IpReasmReqds);
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int ihl = ip.headerLength();
        int start = ip.fragmentOffset();
        int end = start + ip.totalLength() - ihl;
        boolean mf = ip.moreFragments();
        Key key = new Key(ip.saddr(), ip.daddr(), ip.id(), ip.protocol());

        if (mem + pkt.end() > highThresh) {
            evict();
            if (mem + pkt.end() > highThresh) {
                mib.inc(Mib.IpReasmFails);
                drops.drop(pkt, DropReason.FRAG_REASM_FAIL);
                return null;
            }
        }
        FragQueue q = queues.computeIfAbsent(key, k -> new FragQueue(clock.nanos()));

        if (!mf) {
            // The last fragment fixes the length; one that disagrees with what is held is inconsistent.
            if (end < q.len || (q.lastIn && end != q.len)) {
                return discard(key, q, pkt, DropReason.FRAG_REASM_FAIL);
            }
            q.lastIn = true;
            q.len = end;
        } else {
            end &= ~7; // all but the last carry a multiple of 8 bytes; ignore a ragged tail as Linux does
            if (end > q.len) {
                if (q.lastIn) {
                    return discard(key, q, pkt, DropReason.FRAG_REASM_FAIL);
                }
                q.len = end;
            }
        }
        if (end <= start || end + ihl > Ipv4Packet.MAX_PACKET_LEN) {
            return discard(key, q, pkt, DropReason.FRAG_REASM_FAIL);
        }
        // pskb_trim_rcsum: a ragged tail is cut off the fragment itself, so what quotes it later (the time
        // exceeded of an expired queue) quotes what was kept
        pkt.trim(ip.offset() - pkt.data() + ihl + (end - start));

        Map.Entry<Integer, Frag> below = q.frags.floorEntry(start);
        if (below != null && below.getValue().end() > start) {
            // inet_frag_queue_insert: inside one run of contiguous held data it repeats what we have
            int runEnd = below.getValue().end();
            for (Frag next = q.frags.get(runEnd); next != null && runEnd < end; next = q.frags.get(runEnd)) {
                runEnd = next.end();
            }
            if (end <= runEnd) {
                drops.drop(pkt, DropReason.DUP_FRAG);
                return null;
            }
            mib.inc(Mib.IpExtReasmOverlaps);
            return discard(key, q, pkt, DropReason.FRAG_OVERLAP);
        }
        Map.Entry<Integer, Frag> above = q.frags.higherEntry(start);
        if (above != null && above.getKey() < end) {
            mib.inc(Mib.IpExtReasmOverlaps);
            return discard(key, q, pkt, DropReason.FRAG_OVERLAP);
        }

        q.frags.put(start, new Frag(pkt, start, end, ip.offset() + ihl));
        q.meat += end - start;
        q.mem += pkt.end();
        mem += pkt.end();

        if (q.lastIn && q.meat == q.len && q.frags.firstKey() == 0) {
            queues.remove(key);
            mem -= q.mem;
            return reassemble(q);
        }
        return null;
    }

    /**
     * ip_frag_reasm: one datagram from the held fragments, the first fragment's header in front; null (the
     * fragments dropped) if it would exceed 65535 bytes.
     */
    private PacketBuffer reassemble(FragQueue q) {
        Frag first = q.frags.firstEntry().getValue();
        PacketBuffer head = first.pkt();
        int ihl = first.payloadAt() - head.networkHeader();
        if (ihl + q.len > Ipv4Packet.MAX_PACKET_LEN) {
            // out_oversize: each fragment fit with its own header, but the first one's (longer, with options)
            // would head a datagram that no total length field can describe.
            mib.inc(Mib.IpReasmFails);
            for (Frag f : q.frags.values()) {
                drops.drop(f.pkt(), DropReason.FRAG_REASM_FAIL);
            }
            return null;
        }
        PacketBuffer out = pool.allocate(BufferPool.DEFAULT_HEADROOM + ihl + q.len);
        out.reserve(BufferPool.DEFAULT_HEADROOM);
        int at = out.put(ihl + q.len);
        out.copyFrom(head, head.networkHeader(), at, ihl);
        for (Frag f : q.frags.values()) {
            out.copyFrom(f.pkt(), f.payloadAt(), at + ihl + f.start(), f.end() - f.start());
        }
        out.copyMetadata(head);
        out.setIpOptions(head.ipOptions()); // the head's IPCB: a reply to the datagram echoes its options
        out.setNetworkHeader(at);
        out.setTransportHeader(at + ihl);
        Ipv4Packet ip = Ipv4Packet.wrap(out, at);
        ip.setTotalLength(ihl + q.len);
        ip.setFragOffField(0);
        ip.updateChecksum();
        for (Frag f : q.frags.values()) {
            f.pkt().release();
        }
        mib.inc(Mib.IpReasmOKs);
        return out;
    }

    /** ipq_kill and the fragment that caused it: the whole datagram is lost. */
    private PacketBuffer discard(Key key, FragQueue q, PacketBuffer pkt, DropReason reason) {
        kill(key, q, reason);
        mib.inc(Mib.IpReasmFails);
        drops.drop(pkt, reason);
        return null;
    }

    private void kill(Key key, FragQueue q, DropReason reason) {
        queues.remove(key);
        mem -= q.mem;
        for (Frag f : q.frags.values()) {
            drops.drop(f.pkt(), reason);
        }
        q.frags.clear();
    }

    /** inet_frag_worker: evicts the oldest queues until memory is under the low threshold. */
    private void evict() {
        Iterator<Map.Entry<Key, FragQueue>> it = queues.entrySet().iterator();
        while (mem > lowThresh && it.hasNext()) {
            FragQueue q = it.next().getValue();
            it.remove();
            mem -= q.mem;
            mib.inc(Mib.IpReasmFails);
            for (Frag f : q.frags.values()) {
                drops.drop(f.pkt(), DropReason.FRAG_REASM_FAIL);
            }
        }
    }

    /**
     * ip_expire for every queue older than ipfrag_time: counts ReasmTimeout and ReasmFails, reports the first
     * fragment if it was held, and drops the fragments.
     */
    public void expire() {
        long now = clock.nanos();
        synchronized (this) {
            Iterator<Map.Entry<Key, FragQueue>> it = queues.entrySet().iterator();
            while (it.hasNext()) {
                FragQueue q = it.next().getValue();
                if (now - q.created < timeoutNanos) {
                    break; // queues are kept in creation order
                }
                it.remove();
                mem -= q.mem;
                mib.inc(Mib.IpReasmTimeout);
                mib.inc(Mib.IpReasmFails);
                Frag first = q.frags.isEmpty() ? null : q.frags.firstEntry().getValue();
                if (first != null && first.start() == 0) {
                    reporter.reassemblyTimedOut(first.pkt());
                }
                for (Frag f : q.frags.values()) {
                    drops.drop(f.pkt(), DropReason.FRAG_REASM_TIMEOUT);
                }
            }
        }
    }

    /** Bytes held (truesize of the fragment buffers). */
    public synchronized long memory() {
        return mem;
    }

    public synchronized int queueCount() {
        return queues.size();
    }
}
