package io.ustack.core.tcp;

import io.ustack.core.buffer.PacketBuffer;

/**
 * A segment's payload where its bytes already lie, so that each direction copies them once: a received
 * segment's stay in its packet until the receive buffer takes them (tcp_data_queue's skb_copy_datagram
 * into the socket, with no array in between), a sent segment's stay in the send buffer until the packet
 * is built (tcp_transmit_skb's copy of the write queue's bytes). Index 0 is the segment's first payload
 * byte; how many there are is the segment's {@link Segment#dataLength()}.
 *
 * <p>Borrowed: a payload is valid only while its segment is being handled, during
 * {@link Tcb#segmentArrives} for a received one (the packet is released after it) and during
 * {@link TcpOutput#transmit} for a sent one (an ACK may free those bytes of the send buffer after it). Whoever
 * keeps bytes longer copies them: a {@code TcpOutput} copies them into the packet it builds during the call, and
 * one that holds a segment back (a pacer, say) holds its packet, or a copy of the segment, not the segment.
 */
public interface Payload {
    /** No bytes: the payload of a segment with a {@link Segment#dataLength()} of 0. */
    Payload NONE = of(new byte[0]);

    /** Copies {@code len} bytes from index {@code from} into {@code dst} at {@code dstOff}. */
    void copyTo(int from, byte[] dst, int dstOff, int len);

    /** Copies {@code len} bytes from index {@code from} into {@code dst} at {@code at} (from its head). */
    void copyTo(int from, PacketBuffer dst, int at, int len);

    /** The byte at {@code index}, 0 to 255 (the urgent byte); one at a time, not for the data path. */
    default int byteAt(int index) {
        byte[] one = new byte[1];
        copyTo(index, one, 0, 1);
        return one[0] & 0xff;
    }

    /** The bytes of {@code bytes} from its start; the array is shared, not copied. */
    static Payload of(byte[] bytes) {
        return new Payload() {
            @Override
            public void copyTo(int from, byte[] dst, int dstOff, int len) {
                System.arraycopy(bytes, from, dst, dstOff, len);
            }

            @Override
            public void copyTo(int from, PacketBuffer dst, int at, int len) {
                dst.copyIn(at, bytes, from, len);
            }
        };
    }

    /**
     * The bytes of {@code pkt} from {@code offset} (from its head). Borrows the packet: its owner keeps it
     * until the segment has been handled.
     */
    static Payload of(PacketBuffer pkt, int offset) {
        return new Payload() {
            @Override
            public void copyTo(int from, byte[] dst, int dstOff, int len) {
                pkt.copyOut(offset + from, dst, dstOff, len);
            }

            @Override
            public void copyTo(int from, PacketBuffer dst, int at, int len) {
                dst.copyFrom(pkt, offset + from, at, len);
            }
        };
    }
}
