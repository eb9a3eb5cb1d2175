package io.ustack.driver.tap;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import java.nio.ByteBuffer;

/** Test frames: an Ethernet header with an experimental EtherType and a sequence number after it. */
final class Frames {
    /** IEEE 802 local experimental EtherType 1: no stack handles it. */
    static final int ETH_P_802_EX1 = 0x88b5;

    private Frames() {
    }

    static byte[] numbered(int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        b.putShort((short) ETH_P_802_EX1);
        b.putInt(seq);
        return b.array();
    }

    static int sequence(byte[] frame) {
        return ByteBuffer.wrap(frame).getInt(14);
    }

    static int sequence(PacketBuffer pkt) {
        return pkt.i32(pkt.data() + 14);
    }

    /** A pooled buffer holding {@code frame}, with headroom as the stack would leave it. */
    static PacketBuffer buffer(BufferPool pool, byte[] frame) {
        PacketBuffer pkt = pool.allocateWithHeadroom(frame.length);
        pkt.copyIn(pkt.put(frame.length), frame, 0, frame.length);
        return pkt;
    }
}
