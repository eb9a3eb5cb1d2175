package io.ustack.core.tcp;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The bytes an application has written and the peer has not yet acknowledged (sk_write_queue and the
 * retransmit queue in one ring): byte 0 is the byte at snd_una. Transmission and retransmission hand out
 * views of it by offset ({@link #payloadAt}), whose bytes are copied once, straight into the packet; an ACK
 * frees from the front. Not thread-safe: the socket layer guards it.
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
        ring.append(Payload.of(src), off, n);
        return n;
    }

    /**
     * The bytes from {@code offset} bytes after snd_una on, as a segment's payload: a view, not a copy. It
     * borrows this buffer and counts from its front, so it is good until an ACK frees bytes there: it is
     * meant for the one {@link TcpOutput#transmit} call that builds the segment's packet, under the socket's
     * lock.
     */
    Payload payloadAt(int offset) {
        return new Payload() {
            @Override
            public void copyTo(int from, byte[] dst, int dstOff, int len) {
                ring.copyOut(offset + from, dst, dstOff, len);
            }

            @Override
            public void copyTo(int from, PacketBuffer dst, int at, int len) {
                ring.copyOut(offset + from, dst, at, len);
            }
        };
    }

    /** Frees {@code n} acknowledged bytes from the front. */
    void consume(int n) {
        ring.consume(n);
    }
}
