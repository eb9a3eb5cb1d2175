package io.ustack.driver.tap;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.stats.DropReason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/** A stand-in stack: keeps the frames a driver delivers, counts and releases what it drops. */
final class CollectingHost implements NetDeviceHost {
    private final BufferPool pool = new BufferPool();
    private final LinkedBlockingQueue<PacketBuffer> received = new LinkedBlockingQueue<>();
    private final Map<DropReason, LongAdder> drops = new ConcurrentHashMap<>();
    private volatile String receiveThread;

    @Override
    public BufferPool pool() {
        return pool;
    }

    /** Takes ownership: keeps the frame for {@link #await}. */
    @Override
    public void netifReceiveSkb(PacketBuffer pkt) {
        receiveThread = Thread.currentThread().getName();
        received.add(pkt);
    }

    /** Takes ownership: counts and releases. */
    @Override
    public void drop(PacketBuffer pkt, DropReason reason) {
        drops.computeIfAbsent(reason, r -> new LongAdder()).increment();
        pkt.release();
    }

    /** The name of the thread that last called netif_receive_skb. */
    String receiveThread() {
        return receiveThread;
    }

    long dropped(DropReason reason) {
        LongAdder n = drops.get(reason);
        return n == null ? 0 : n.sum();
    }

    /**
     * The next received frame that matches, or null after {@code timeout}; frames that do not match are
     * released. The caller owns (and releases) the frame returned.
     */
    PacketBuffer await(Predicate<PacketBuffer> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PacketBuffer pkt = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (pkt == null) {
                return null;
            }
            if (wanted.test(pkt)) {
                return pkt;
            }
            pkt.release();
        }
    }

    /** Releases what is still held, so that {@code pool().outstanding()} can be checked. */
    void releaseAll() {
        PacketBuffer pkt;
        while ((pkt = received.poll()) != null) {
            pkt.release();
        }
    }
}
