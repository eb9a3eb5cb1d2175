package io.ustack.core.icmp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;

/**
 * ping_common_sendmsg's part of an echo request, which ICMP (RFC 792) and ICMPv6 (RFC 4443 section 4.1) lay
 * out alike: type, code 0, the checksum (left 0: each family sums over what it must), identifier, sequence
 * number, then the data.
 */
final class EchoMessage {
    private static final int HEADER_LEN = 8;
    private static final int ID = 4;
    private static final int SEQUENCE = 6;

    private EchoMessage() {
    }

    /** A new buffer holding the echo request of {@code type}, data at its header, room for the headers in front. */
    static PacketBuffer request(BufferPool pool, int type, int id, int sequence, byte[] data) {
        int len = HEADER_LEN + data.length;
        PacketBuffer pkt = pool.allocateWithHeadroom(len);
        int at = pkt.put(len);
        pkt.setU8(at, type);
        pkt.setU8(at + 1, 0);
        pkt.setU16(at + 2, 0);
        pkt.setU16(at + ID, id & 0xffff);
        pkt.setU16(at + SEQUENCE, sequence & 0xffff);
        pkt.copyIn(at + HEADER_LEN, data, 0, data.length);
        return pkt;
    }
}
