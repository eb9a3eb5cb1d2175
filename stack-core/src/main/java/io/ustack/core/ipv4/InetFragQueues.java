package io.ustack.core.ipv4;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * inet_fragment.c: the reassembly queues both IP families share, keyed by each family's own key. A fragment
 * that only repeats bytes already held (lying wholly inside one run of contiguous held fragments, as a
 * retransmission cut at another MTU does) is dropped as a duplicate and the queue kept, while one that
 * overlaps with different bounds discards the whole datagram (ReasmOverlaps; RFC 5722 for IPv6), so
 * overlapping data can never be chosen by an attacker. Memory is bounded like the high and low thresholds:
 * past the high mark the oldest queues are evicted until the low mark. A queue lives for the family's time;
 * when it expires holding the first fragment, the family's reporter hears of it (an ICMP time exceeded).
 * Each family's reassembler extends it with its key, its checks and the datagram it builds.
 *
 * @param <K> the family's queue key (ip4_create_arg, frag_v6_compare_key)
 */
public abstract class InetFragQueues<K> {
    /** The family's error about an expired datagram's first fragment (ICMP time exceeded, reassembly). Borrows. */
    @FunctionalInterface
    public interface ExpiryReporter {
        void reassemblyTimedOut(PacketBuffer firstFragment);
    }

    /** The family's names of the counters the queues keep (IpReasmFails or Ip6ReasmFails...). */
    public record Counters(Mib fails, Mib timeout, Mib overlaps) {
    }

    /**
     * One held fragment: payload bytes [start, end) of the datagram, at {@code payloadAt} in {@code pkt};
     * {@code aux} is what the family keeps with it (IPv6: where the fragment header's type is named).
     */
    public record Frag(PacketBuffer pkt, int start, int end, int payloadAt, int aux) {
    }

    /** struct inet_frag_queue. */
    public static final class Queue {
        final long created;
        final TreeMap<Integer, Frag> frags = new TreeMap<>();
        int meat;
        int len;
        boolean lastIn;
        long mem;

        Queue(long created) {
            this.created = created;
        }

        /** The fragment at offset 0: the one whose headers head the datagram. */
        public Frag head() {
            return frags.firstEntry().getValue();
        }

        /** The datagram's payload length (what the last fragment fixed). */
        public int length() {
            return len;
        }
    }

    private final Map<K, Queue> queues = new LinkedHashMap<>();
    private final BufferPool pool;
    private final Clock clock;
    protected final MibCounters mib;
    private final PacketDrops drops;
    private final Counters counters;
    private final long highThresh;
    private final long lowThresh;
    private final long timeoutNanos;
    private volatile ExpiryReporter reporter = first -> { };
    private long mem;

    protected InetFragQueues(BufferPool pool, Clock clock, MibCounters mib, PacketDrops drops, Counters counters,
                             long highThresh, long lowThresh, long timeoutMs) {
        this.pool = pool;
        this.clock = clock;
        this.mib = mib;
        this.drops = drops;
        this.counters = counters;
        this.highThresh = highThresh;
        this.lowThresh = lowThresh;
        this.timeoutNanos = timeoutMs * 1_000_000L;
    }

    public void setExpiryReporter(ExpiryReporter reporter) {
        this.reporter = reporter;
    }

    /**
     * inet_frag_find, the family's queueing (ip_frag_queue, ip6_frag_queue) and inet_frag_queue_insert: holds
     * the payload bytes [start, end) at {@code payloadAt} in {@code pkt}, the last fragment if {@code more} is
     * false. A datagram whose end would pass {@code maxEnd} is discarded. Takes ownership. Returns the
     * complete queue, out of the table, when this fragment completed it (its fragments still held: the caller
     * assembles or {@link #fail}s it), else null.
     */
    protected synchronized Queue add(K key, PacketBuffer pkt, int start, int end, boolean more, int payloadAt, int aux,
                                  int maxEnd) {
        if (mem + pkt.end() > highThresh) {
            evict();
            if (mem + pkt.end() > highThresh) {
                mib.inc(counters.fails());
                drops.drop(pkt, DropReason.FRAG_REASM_FAIL);
                return null;
            }
        }
        Queue q = queues.computeIfAbsent(key, k -> new Queue(clock.nanos()));
        if (!more) {
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
        if (end <= start || end > maxEnd) {
            return discard(key, q, pkt, DropReason.FRAG_REASM_FAIL);
        }
        // pskb_trim_rcsum: a ragged tail is cut off the fragment itself, so what quotes it later (the time
        // exceeded of an expired queue) quotes what was kept
        pkt.trim(payloadAt - pkt.data() + (end - start));

        Map.Entry<Integer, Frag> below = q.frags.floorEntry(start);
        if (below != null && below.getValue().end() > start) {
            // inside one run of contiguous held data it repeats what we have
            int runEnd = below.getValue().end();
            for (Frag next = q.frags.get(runEnd); next != null && runEnd < end; next = q.frags.get(runEnd)) {
                runEnd = next.end();
            }
            if (end <= runEnd) {
                drops.drop(pkt, DropReason.DUP_FRAG);
                return null;
            }
            mib.inc(counters.overlaps());
            return discard(key, q, pkt, DropReason.FRAG_OVERLAP);
        }
        Map.Entry<Integer, Frag> above = q.frags.higherEntry(start);
        if (above != null && above.getKey() < end) {
            mib.inc(counters.overlaps());
            return discard(key, q, pkt, DropReason.FRAG_OVERLAP);
        }

        q.frags.put(start, new Frag(pkt, start, end, payloadAt, aux));
        q.meat += end - start;
        q.mem += pkt.end();
        mem += pkt.end();

        if (q.lastIn && q.meat == q.len && q.frags.firstKey() == 0) {
            queues.remove(key);
            mem -= q.mem;
            return q;
        }
        return null;
    }

    /**
     * inet_frag_reasm_prepare and _finish: a new buffer holding the head fragment's first {@code headerLen}
     * bytes from its network header, then every fragment's payload in place; metadata, network and transport
     * headers set; the fragments released. The family then fixes its header's fields.
     */
    protected PacketBuffer assemble(Queue q, int headerLen) {
        PacketBuffer head = q.head().pkt();
        PacketBuffer out = pool.allocate(BufferPool.DEFAULT_HEADROOM + headerLen + q.len);
        out.reserve(BufferPool.DEFAULT_HEADROOM);
        int at = out.put(headerLen + q.len);
        out.copyFrom(head, head.networkHeader(), at, headerLen);
        for (Frag f : q.frags.values()) {
            out.copyFrom(f.pkt(), f.payloadAt(), at + headerLen + f.start(), f.end() - f.start());
        }
        out.copyMetadata(head);
        out.setNetworkHeader(at);
        out.setTransportHeader(at + headerLen);
        for (Frag f : q.frags.values()) {
            f.pkt().release();
        }
        return out;
    }

    /** A completed queue that cannot become a datagram (out_oversize): counted as failed, its fragments dropped. */
    protected void fail(Queue q, DropReason reason) {
        mib.inc(counters.fails());
        for (Frag f : q.frags.values()) {
            drops.drop(f.pkt(), reason);
        }
    }

    /** inet_frag_kill and the fragment that caused it: the whole datagram is lost. */
    private Queue discard(K key, Queue q, PacketBuffer pkt, DropReason reason) {
        queues.remove(key);
        mem -= q.mem;
        for (Frag f : q.frags.values()) {
            drops.drop(f.pkt(), reason);
        }
        q.frags.clear();
        mib.inc(counters.fails());
        drops.drop(pkt, reason);
        return null;
    }

    /** inet_frag_worker: evicts the oldest queues until memory is under the low threshold. */
    private void evict() {
        Iterator<Map.Entry<K, Queue>> it = queues.entrySet().iterator();
        while (mem > lowThresh && it.hasNext()) {
            Queue q = it.next().getValue();
            it.remove();
            mem -= q.mem;
            fail(q, DropReason.FRAG_REASM_FAIL);
        }
    }

    /**
     * The family's expiry (ip_expire, ip6frag_expire_frag_queue) for every queue older than its time: counts
     * ReasmTimeout and ReasmFails, reports the first fragment if it was held, and drops the fragments.
     */
    public void expire() {
        long now = clock.nanos();
        synchronized (this) {
            Iterator<Map.Entry<K, Queue>> it = queues.entrySet().iterator();
            while (it.hasNext()) {
                Queue q = it.next().getValue();
                if (now - q.created < timeoutNanos) {
                    break; // queues are kept in creation order
                }
                it.remove();
                mem -= q.mem;
                mib.inc(counters.timeout());
                mib.inc(counters.fails());
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

    /** inet_frags_fini: every queue is given up (the stack is stopping), its fragments dropped. */
    public synchronized void flush() {
        for (Queue q : queues.values()) {
            for (Frag f : q.frags.values()) {
                drops.drop(f.pkt(), DropReason.STACK_STOPPED);
            }
        }
        queues.clear();
        mem = 0;
    }

    /** Bytes held (truesize of the fragment buffers). */
    public synchronized long memory() {
        return mem;
    }

    public synchronized int queueCount() {
        return queues.size();
    }
}
