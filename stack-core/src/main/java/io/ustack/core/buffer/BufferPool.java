package io.ustack.core.buffer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pooled, direct-memory packet buffers in two size classes: frame-sized ones for the receive and transmit
 * paths, and datagram-sized ones (64 KiB and headroom) for reassembly and locally built large packets.
 *
 * <p>Thread-safe: a driver thread allocates and a backlog thread releases. Each class keeps at most
 * {@code maxIdlePerClass} idle buffers; beyond that a released buffer is left to the garbage collector, so
 * the pool never grows without bound. {@link #outstanding()} counts buffers handed out and not yet
 * released: tests assert it returns to zero (the leak check).
 */
public final class BufferPool {
    /** Room kept in front of locally built packets for the Ethernet and IP headers (LL_MAX_HEADER + IP). */
    public static final int DEFAULT_HEADROOM = 128;
    /** A frame-sized buffer: headroom plus a 1500-byte MTU frame, rounded up. */
    public static final int SMALL_CAPACITY = 2048;
    /** A datagram-sized buffer: the largest IPv4 datagram, an Ethernet header and headroom. */
    public static final int LARGE_CAPACITY = 65536 + 256;

    private final ConcurrentLinkedQueue<PacketBuffer> small = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PacketBuffer> large = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleSmall = new AtomicInteger();
    private final AtomicInteger idleLarge = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong allocations = new AtomicLong();
    private final int maxIdlePerClass;

    public BufferPool() {
        this(4096);
    }

    public BufferPool(int maxIdlePerClass) {
        this.maxIdlePerClass = maxIdlePerClass;
    }

    /** alloc_skb: an empty buffer of at least {@code capacity} bytes, data = tail = 0. */
    public PacketBuffer allocate(int capacity) {
        if (capacity > LARGE_CAPACITY) {
            throw new IllegalArgumentException("buffer of " + capacity + " bytes is larger than any packet");
        }
        boolean isSmall = capacity <= SMALL_CAPACITY;
        ConcurrentLinkedQueue<PacketBuffer> q = isSmall ? small : large;
        PacketBuffer b = q.poll();
        if (b != null) {
            (isSmall ? idleSmall : idleLarge).decrementAndGet();
            b.reset();
        } else {
            b = new PacketBuffer(this, isSmall ? SMALL_CAPACITY : LARGE_CAPACITY);
            allocations.incrementAndGet();
        }
        outstanding.incrementAndGet();
        return b;
    }

    /** An empty buffer with {@link #DEFAULT_HEADROOM} reserved and room for {@code payload} more bytes. */
    public PacketBuffer allocateWithHeadroom(int payload) {
        PacketBuffer b = allocate(DEFAULT_HEADROOM + payload);
        b.reserve(DEFAULT_HEADROOM);
        return b;
    }

    void recycle(PacketBuffer b) {
        outstanding.decrementAndGet();
        boolean isSmall = b.end() == SMALL_CAPACITY;
        AtomicInteger idle = isSmall ? idleSmall : idleLarge;
        if (idle.incrementAndGet() <= maxIdlePerClass) {
            (isSmall ? small : large).offer(b);
        } else {
            idle.decrementAndGet();
        }
    }

    /** Buffers handed out and not yet released. */
    public int outstanding() {
        return outstanding.get();
    }

    /** Buffers ever created (not reused from the pool). */
    public long allocations() {
        return allocations.get();
    }
}
