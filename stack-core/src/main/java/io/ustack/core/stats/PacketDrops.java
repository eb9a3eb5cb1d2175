package io.ustack.core.stats;

import io.ustack.core.buffer.PacketBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one place a packet is discarded: {@link #drop} is kfree_skb_reason. It counts the reason and releases
 * the buffer, so nothing in the stack drops a packet silently.
 */
public final class PacketDrops {
    private final LongAdder[] counts = new LongAdder[DropReason.values().length];

    public PacketDrops() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** kfree_skb_reason: takes ownership of {@code pkt}, counts {@code reason}, releases the buffer. */
    public void drop(PacketBuffer pkt, DropReason reason) {
        counts[reason.ordinal()].increment();
        pkt.release();
    }

    public long count(DropReason reason) {
        return counts[reason.ordinal()].sum();
    }

    /** The reasons with a non-zero count. */
    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long n = counts[r.ordinal()].sum();
            if (n != 0) {
                out.put(r, n);
            }
        }
        return out;
    }
}
