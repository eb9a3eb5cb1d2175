package io.ustack.core.tcp;

/**
 * The bytes an application has written and the peer has not yet acknowledged (sk_write_queue and the
 * retransmit queue in one ring): byte 0 is the byte at snd_una. Transmission and retransmission copy out
 * of it by offset; an ACK frees from the front. Not thread-safe: the socket layer guards it.
 */
final class SendBuffer {
    private final ByteRing ring;

    /** @param limit the most bytes it will hold (SO_SNDBUF) */
    SendBuffer(int limit) {
        this.ring = new ByteRing(limit);
    }

    /** Room left before the limit. */
    int free() {
        return ring.limit() - ring.size();
    }

    int size() {
        return ring.size();
    }

    /** Appends up to {@link #free()} bytes; returns how many were taken. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        ring.append(src, off, n);
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after snd_una into {@code dst}. */
    void copyOut(int offset, byte[] dst, int dstOff, int len) {
        ring.copyOut(offset, dst, dstOff, len);
    }

    /** Frees {@code n} acknowledged bytes from the front. */
    void consume(int n) {
        ring.consume(n);
    }
}
