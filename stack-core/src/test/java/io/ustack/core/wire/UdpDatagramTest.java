package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

/** The UDP checksum over the IPv6 pseudo-header (RFC 8200 section 8.1), both ways. */
class UdpDatagramTest extends PooledBufferTest {
    private static final Ipv6Address HOST = Ipv6Address.parse("fd00:77::1");
    private static final Ipv6Address STACK = Ipv6Address.parse("fd00:77::2");
    /**
     * From fd00:77::1 port 40000 to fd00:77::2 port 7, "hi"; the checksum 0x0037 over the pseudo-header was
     * computed with an independent implementation (Python's).
     */
    private static final String HI = "9c40 0007 000a 0037 6869";

    @Test
    void knownBytesCheckOverTheIpv6PseudoHeader() {
        PacketBuffer b = buffer(hex(HI));
        UdpDatagram udp = UdpDatagram.wrap(b, 0);
        assertEquals(0x0037, udp.checksum());
        assertTrue(udp.checksumOk6(HOST, STACK, 10));
        assertFalse(udp.checksumOk6(HOST, Ipv6Address.parse("fd00:77::3"), 10), "another pseudo-header");
        b.release();
    }

    @Test
    void aZeroChecksumFailsOverIpv6ButPassesOverIpv4() {
        PacketBuffer b = buffer(hex("9c40 0007 000a 0000 6869"));
        UdpDatagram udp = UdpDatagram.wrap(b, 0);
        assertFalse(udp.checksumOk6(HOST, STACK, 10), "mandatory over IPv6");
        assertTrue(udp.checksumOk(0x0a00_0001, 0x0a00_0002, 10), "optional over IPv4 (RFC 768)");
        b.release();
    }

    @Test
    void theChecksumWrittenIsTheKnownOne() {
        PacketBuffer b = buffer(hex("9c40 0007 000a 0000 6869"));
        UdpDatagram.wrap(b, 0).updateChecksum6(HOST, STACK);
        assertArrayEquals(hex(HI), b.toByteArray());
        b.release();
    }
}
