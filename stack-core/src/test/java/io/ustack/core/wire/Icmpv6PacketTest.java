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
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Icmpv6PacketTest extends PooledBufferTest {
    static final Ipv6Address HOST = Ipv6Address.parse("fd00:77::1");
    static final Ipv6Address STACK = Ipv6Address.parse("fd00:77::2");
    /**
     * An echo request from fd00:77::1 to fd00:77::2, id 0x1234, sequence 1, data "abcdefgh"; the checksum
     * 0xe0f7 over the pseudo-header was computed with an independent implementation (Python's).
     */
    static final String ECHO = "8000 e0f7 1234 0001 6162 6364 6566 6768";

    @Test
    void knownBytesToFields() {
        PacketBuffer b = buffer(hex(ECHO));
        Icmpv6Packet icmp = Icmpv6Packet.wrap(b, 0);
        assertNotNull(icmp);
        assertEquals(Icmpv6Packet.ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0xe0f7, icmp.checksum());
        assertEquals(0x1234, icmp.echoId());
        assertEquals(1, icmp.echoSequence());
        assertEquals(0x1234_0001, icmp.restOfHeader());
        assertTrue(icmp.checksumOk(HOST, STACK, 16));
        assertFalse(icmp.checksumOk(STACK, Ipv6Address.parse("fd00:77::3"), 16), "another pseudo-header");
        assertFalse(icmp.checksumOk(HOST, STACK, 15), "another length");
        b.release();
    }

    @Test
    void fieldsToIdenticalBytes() {
        byte[] want = hex(ECHO);
        PacketBuffer b = pool.allocate(64);
        int at = b.put(16);
        b.copyIn(at + 8, "abcdefgh".getBytes(), 0, 8);
        Icmpv6Packet icmp = Icmpv6Packet.wrap(b, at);
        icmp.setType(Icmpv6Packet.ECHO_REQUEST);
        icmp.setCode(0);
        icmp.setRestOfHeader(0x1234_0001);
        icmp.updateChecksum(HOST, STACK, 16);
        assertArrayEquals(want, b.toByteArray());
        b.release();
    }

    @Test
    void pseudoHeaderSumIsRfc8200s() {
        // the sum by hand: address words, the 32-bit length, then the next header
        long want = 0xfd00 + 0x77 + 1 + 0xfd00 + 0x77 + 2 + 16 + 58;
        assertEquals(want, Checksum.pseudoHeader6(HOST, STACK, 58, 16));
        long big = Checksum.pseudoHeader6(Ipv6Address.UNSPECIFIED, Ipv6Address.UNSPECIFIED, 58, 0x1_0004);
        assertEquals(1 + 4 + 58, big, "a jumbo length's high half counts too");
    }

    @Test
    void truncatedHeaderIsRejected() {
        PacketBuffer b = buffer(Arrays.copyOf(hex(ECHO), 7));
        assertNull(Icmpv6Packet.wrap(b, 0));
        b.release();
        assertTrue(Icmpv6Packet.isError(Icmpv6Packet.PARAMPROB));
        assertFalse(Icmpv6Packet.isError(Icmpv6Packet.ECHO_REQUEST));
    }
}
