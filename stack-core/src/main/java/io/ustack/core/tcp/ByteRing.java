package io.ustack.core.tcp;

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

    /** Appends {@code len} bytes; the caller has made sure they fit the limit. */
    void append(byte[] src, int off, int len) {
        if (len == 0) {
            return;
        }
        grow(size + len);
        int tail = (head + size) % ring.length;
        int first = Math.min(len, ring.length - tail);
        System.arraycopy(src, off, ring, tail, first);
        System.arraycopy(src, off + first, ring, 0, len - first);
        size += len;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes from the front into {@code dst}. */
    void copyOut(int offset, byte[] dst, int dstOff, int len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + len + " of " + size);
        }
        if (len == 0) {
            return;
        }
        int start = (head + offset) % ring.length;
        int first = Math.min(len, ring.length - start);
        System.arraycopy(ring, start, dst, dstOff, first);
        System.arraycopy(ring, 0, dst, dstOff + first, len - first);
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
