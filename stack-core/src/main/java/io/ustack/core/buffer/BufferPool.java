package io.ustack.core.buffer;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pooled, direct-memory packet buffers in two size classes: frame-sized ones for the receive and transmit
 * paths, and datagram-sized ones (64 KiB and headroom) for reassembly and locally built large packets.
 *
 * <p>Thread-safe, and cheap across threads, which is the common case: a driver thread allocates and a
 * backlog thread releases. Like the kernel's per-CPU slab caches, each thread keeps its own small cache of
 * idle buffers and trades them with a shared depot in magazines of {@value #MAGAZINE}, so the depot's lock
 * is taken once per 32 buffers rather than once per packet, and nothing is allocated on either path.
 * Idle buffers are bounded per class: at most {@code maxIdlePerClass} in the depot and as many (at most
 * twice a magazine) in each thread's cache; beyond that a released buffer is left to the garbage collector.
 *
 * <p>{@link #outstanding()} counts buffers handed out and not yet released: tests assert it returns to
 * zero (the leak check).
 */
public final class BufferPool {
    /** Room kept in front of locally built packets for the Ethernet and IP headers (LL_MAX_HEADER + IP). */
    public static final int DEFAULT_HEADROOM = 128;
    /** A frame-sized buffer: headroom plus a 1500-byte MTU frame, rounded up. */
    public static final int SMALL_CAPACITY = 2048;
    /** A datagram-sized buffer: the largest IPv4 datagram, an Ethernet header and headroom. */
    public static final int LARGE_CAPACITY = 65536 + 256;
    /** Buffers moved between a thread's cache and the depot at once. */
    static final int MAGAZINE = 32;

    private final SizeClass small;
    private final SizeClass large;
    private final LongAdder outstanding = new LongAdder();
    private final LongAdder allocations = new LongAdder();

    public BufferPool() {
        this(4096);
    }

    public BufferPool(int maxIdlePerClass) {
        this.small = new SizeClass(SMALL_CAPACITY, maxIdlePerClass);
        this.large = new SizeClass(LARGE_CAPACITY, maxIdlePerClass);
    }

    /** alloc_skb: an empty buffer of at least {@code capacity} bytes, data = tail = 0. */
    public PacketBuffer allocate(int capacity) {
        if (capacity > LARGE_CAPACITY) {
            throw new IllegalArgumentException("buffer of " + capacity + " bytes is larger than any packet");
        }
        SizeClass sc = capacity <= SMALL_CAPACITY ? small : large;
        PacketBuffer b = sc.take();
        if (b != null) {
            b.reset();
        } else {
            b = new PacketBuffer(this, sc.capacity);
            allocations.increment();
        }
        outstanding.increment();
        return b;
    }

    /** An empty buffer with {@link #DEFAULT_HEADROOM} reserved and room for {@code payload} more bytes. */
    public PacketBuffer allocateWithHeadroom(int payload) {
        PacketBuffer b = allocate(DEFAULT_HEADROOM + payload);
        b.reserve(DEFAULT_HEADROOM);
        return b;
    }

    void recycle(PacketBuffer b) {
        outstanding.decrement();
        (b.end() == SMALL_CAPACITY ? small : large).give(b);
    }

    /** Buffers handed out and not yet released. */
    public int outstanding() {
        return (int) outstanding.sum();
    }

    /** Buffers ever created (not reused from the pool). */
    public long allocations() {
        return allocations.sum();
    }

    /** One size class: per-thread caches in front of a shared depot of full magazines. */
    private static final class SizeClass {
        final int capacity;
        private final int cacheMax;
        private final int depotMax;
        private final ThreadLocal<ArrayDeque<PacketBuffer>> cache = ThreadLocal.withInitial(ArrayDeque::new);
        private final ArrayDeque<PacketBuffer[]> depot = new ArrayDeque<>();
        private int depotBuffers;

        SizeClass(int capacity, int maxIdle) {
            this.capacity = capacity;
            this.cacheMax = Math.min(2 * MAGAZINE, maxIdle);
            this.depotMax = maxIdle;
        }

        /** The most recently released buffer of this thread (still warm in its cache), or one from the depot. */
        PacketBuffer take() {
            ArrayDeque<PacketBuffer> c = cache.get();
            PacketBuffer b = c.pollLast();
            if (b != null) {
                return b;
            }
            PacketBuffer[] magazine;
            synchronized (this) {
                magazine = depot.pollLast();
                if (magazine != null) {
                    depotBuffers -= magazine.length;
                }
            }
            if (magazine == null) {
                return null;
            }
            for (PacketBuffer m : magazine) {
                c.addLast(m);
            }
            return c.pollLast();
        }

        /** Keeps a released buffer in this thread's cache; a full cache sends its oldest to the depot. */
        void give(PacketBuffer b) {
            ArrayDeque<PacketBuffer> c = cache.get();
            c.addLast(b);
            if (c.size() <= cacheMax) {
                return;
            }
            // the oldest go; the newest stay, still warm in this CPU's cache
            PacketBuffer[] magazine = new PacketBuffer[Math.min(MAGAZINE, c.size() - Math.max(1, cacheMax / 2))];
            for (int i = 0; i < magazine.length; i++) {
                magazine[i] = c.pollFirst();
            }
            synchronized (this) {
                if (depotBuffers + magazine.length <= depotMax) {
                    depot.addLast(magazine);
                    depotBuffers += magazine.length;
                }
            }
        }
    }
}
