package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class IcmpPacketTest extends PooledBufferTest {
    /** Linux ping's 56 data bytes: an 8-byte timestamp, then 0x10, 0x11, ... 0x3f. */
    static final String PING_DATA = "f5d16a6500000000"
            + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    /** Echo request, id 0x1f4b, seq 1; checksum 0xccb8 from an independent RFC 1071 implementation. */
    static final String ECHO_REQUEST = "08 00 ccb8 1f4b 0001" + PING_DATA;
    /** The reply to it: type 0, so the checksum is 0x0800 higher. */
    static final String ECHO_REPLY = "00 00 d4b8 1f4b 0001" + PING_DATA;
    /** Fragmentation needed, next-hop MTU 1400, quoting a 1500-byte DF UDP header and 8 bytes of it. */
    static final String FRAG_NEEDED = "03 04 1d55 0000 0578"
            + "450005dc1c464000401196b2c0a80001c0a800c7" + "d431003505c80000";

    @Test
    void echoRequestToFields() {
        PacketBuffer b = buffer(hex(Ipv4PacketTest.PING_IP_HEADER + ECHO_REQUEST));
        assertEquals(84, b.len());
        IcmpPacket icmp = IcmpPacket.wrap(b, 20);
        assertNotNull(icmp);
        assertEquals(20, icmp.offset());
        assertEquals(IcmpPacket.ECHO, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0xccb8, icmp.checksum());
        assertEquals(0x1f4b, icmp.echoId());
        assertEquals(1, icmp.echoSequence());
        assertEquals(0x1f4b_0001, icmp.restOfHeader());
        assertTrue(icmp.checksumOk(64));
        assertFalse(icmp.checksumOk(63), "an odd length ends in a padded byte and does not check out");
        assertTrue(Ipv4Packet.wrap(b, 0).checksumOk());
        b.release();
    }

    @Test
    void echoReplyBuiltFromRequestIsIdentical() {
        PacketBuffer b = buffer(hex(ECHO_REQUEST));
        IcmpPacket icmp = IcmpPacket.wrap(b, 0);
        icmp.setType(IcmpPacket.ECHOREPLY);
        icmp.updateChecksum(64);
        assertArrayEquals(hex(ECHO_REPLY), b.toByteArray());
        assertTrue(icmp.checksumOk(64));
        b.release();
    }

    @Test
    void fieldsToIdenticalBytes() {
        byte[] data = hex(PING_DATA);
        PacketBuffer b = pool.allocate(64);
        int at = b.put(64);
        b.copyIn(at + 8, data, 0, data.length);
        IcmpPacket icmp = IcmpPacket.wrap(b, at);
        icmp.setType(IcmpPacket.ECHO);
        icmp.setCode(0);
        icmp.setRestOfHeader(0x1f4b_0001);
        icmp.updateChecksum(64);
        assertArrayEquals(hex(ECHO_REQUEST), b.toByteArray());
        b.release();
    }

    @Test
    void fragNeededToFields() {
        PacketBuffer b = buffer(hex(FRAG_NEEDED));
        IcmpPacket icmp = IcmpPacket.wrap(b, 0);
        assertEquals(IcmpPacket.DEST_UNREACH, icmp.type());
        assertEquals(IcmpPacket.FRAG_NEEDED, icmp.code());
        assertEquals(1400, icmp.nextHopMtu());
        assertEquals(0x1d55, icmp.checksum());
        assertTrue(icmp.checksumOk(36));
        Ipv4Packet quoted = Ipv4Packet.wrap(b, IcmpPacket.HEADER_LEN);
        assertTrue(quoted.checksumOk());
        assertTrue(quoted.dontFragment());
        assertEquals(1500, quoted.totalLength());
        b.release();
    }

    @Test
    void fragNeededFromFields() {
        byte[] msg = hex(FRAG_NEEDED);
        PacketBuffer b = pool.allocate(64);
        int at = b.put(msg.length);
        b.copyIn(at + 8, msg, 8, msg.length - 8);
        IcmpPacket icmp = IcmpPacket.wrap(b, at);
        icmp.setType(IcmpPacket.DEST_UNREACH);
        icmp.setCode(IcmpPacket.FRAG_NEEDED);
        icmp.setRestOfHeader(1400);
        icmp.updateChecksum(msg.length);
        assertArrayEquals(msg, b.toByteArray());
        b.release();
    }

    @Test
    void truncatedInputIsRejected() {
        PacketBuffer b = pool.allocate(16);
        b.put(7);
        assertNull(IcmpPacket.wrap(b, 0));
        b.put(1);
        assertNotNull(IcmpPacket.wrap(b, 0));
        assertNull(IcmpPacket.wrap(b, 1));
        assertNull(IcmpPacket.wrap(b, -1));
        b.release();
    }

    @Test
    void errorTypes() {
        assertTrue(IcmpPacket.isError(IcmpPacket.DEST_UNREACH));
        assertTrue(IcmpPacket.isError(IcmpPacket.SOURCE_QUENCH));
        assertTrue(IcmpPacket.isError(IcmpPacket.REDIRECT));
        assertTrue(IcmpPacket.isError(IcmpPacket.TIME_EXCEEDED));
        assertTrue(IcmpPacket.isError(IcmpPacket.PARAMETERPROB));
        for (int t : new int[] {IcmpPacket.ECHOREPLY, IcmpPacket.ECHO, IcmpPacket.TIMESTAMP,
                IcmpPacket.TIMESTAMPREPLY, IcmpPacket.ADDRESS, IcmpPacket.ADDRESSREPLY, 1, 2, 255}) {
            assertFalse(IcmpPacket.isError(t), "type " + t);
        }
    }
}
