package io.ustack.core.tcp;

import io.ustack.core.buffer.PacketBuffer;

/**
 * A circular byte buffer that grows, doubling, up to a limit: the storage under the send and receive
 * buffers. It starts empty, so a connection with nothing waiting holds no array. Not thread-safe.
 */
final class ByteRing {
    private static final byte[] EMPTY = new byte[0];
    /** The first growth: small enough for a request, large enough not to grow again at once. */
    private static final int FIRST_CAPACITY = 4096;

    private int limit;
    private byte[] ring = EMPTY;
    private int head;
    private int size;

    ByteRing(int limit) {
        this.limit = limit;
    }

    int size() {
        return size;
    }

    int limit() {
        return limit;
    }

    /** Raises the limit (receive buffer autotuning); never lowers it. */
    void raiseLimit(int newLimit) {
        limit = Math.max(limit, newLimit);
    }

    /**
     * Appends {@code len} bytes of {@code src} from index {@code from}, copied straight into the ring (at
     * most two copies, either side of the wrap); the caller has made sure they fit the limit.
     */
    void append(Payload src, int from, int len) {
        if (len == 0) {
            return;
        }
        grow(size + len);
        int tail = (head + size) % ring.length;
        int first = Math.min(len, ring.length - tail);
        src.copyTo(from, ring, tail, first);
        src.copyTo(from + first, ring, 0, len - first);
        size += len;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes from the front into {@code dst}. */
    void copyOut(int offset, byte[] dst, int dstOff, int len) {
        int start = start(offset, len);
        int first = Math.min(len, ring.length - start);
        System.arraycopy(ring, start, dst, dstOff, first);
        System.arraycopy(ring, 0, dst, dstOff + first, len - first);
    }

    /**
     * Copies {@code len} bytes starting {@code offset} bytes from the front into {@code dst} at {@code at}
     * (from its head): a segment's payload going straight from the send ring into its packet.
     */
    void copyOut(int offset, PacketBuffer dst, int at, int len) {
        int start = start(offset, len);
        int first = Math.min(len, ring.length - start);
        dst.copyIn(at, ring, start, first);
        dst.copyIn(at + first, ring, 0, len - first);
    }

    /** Where the byte {@code offset} from the front lies in the array, once {@code len} bytes from it are known to be held. */
    private int start(int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + len + " of " + size);
        }
        return len == 0 ? 0 : (head + offset) % ring.length;
    }

    /** Drops {@code n} bytes from the front. */
    void consume(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("cannot free " + n + " of " + size + " bytes");
        }
        if (n > 0) {
            head = (head + n) % ring.length;
            size -= n;
        }
    }

    private void grow(int needed) {
        if (needed <= ring.length) {
            return;
        }
        byte[] bigger = new byte[Math.min(limit, Math.max(needed, Math.max(FIRST_CAPACITY, ring.length * 2)))];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }
}
