package io.ustack.core.tcp;

/**
 * The bytes an application has written and the peer has not yet acknowledged (sk_write_queue and the
 * retransmit queue in one ring): byte 0 of the buffer is the byte at snd_una. Transmission and
 * retransmission copy out of it by offset; an ACK frees from the front. Not thread-safe: the socket layer
 * guards it.
 */
final class SendBuffer {
    private byte[] ring;
    private final int limit;
    private int head;
    private int size;

    /** @param limit the most bytes it will hold (SO_SNDBUF) */
    SendBuffer(int initialCapacity, int limit) {
        this.ring = new byte[Math.min(initialCapacity, limit)];
        this.limit = limit;
    }

    /** Room left before the limit. */
    int free() {
        return limit - size;
    }

    int size() {
        return size;
    }

    /** Appends up to {@link #free()} bytes; returns how many were taken. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        if (n == 0) {
            return 0;
        }
        ensureCapacity(size + n);
        int tail = (head + size) % ring.length;
        int first = Math.min(n, ring.length - tail);
        System.arraycopy(src, off, ring, tail, first);
        System.arraycopy(src, off + first, ring, 0, n - first);
        size += n;
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after snd_una into {@code dst}. */
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

    /** Frees {@code n} acknowledged bytes from the front. */
    void consume(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("cannot free " + n + " of " + size + " bytes");
        }
        if (n == 0) {
            return;
        }
        head = (head + n) % ring.length;
        size -= n;
    }

    private void ensureCapacity(int needed) {
        if (needed <= ring.length) {
            return;
        }
        byte[] bigger = new byte[Math.min(limit, Math.max(needed, Math.max(4096, ring.length * 2)))];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }
}
