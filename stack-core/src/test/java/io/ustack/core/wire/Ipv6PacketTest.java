package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Ipv6PacketTest extends PooledBufferTest {
    /** The header of a Neighbour Solicitation from fd00:77::1 for fd00:77::2: 32 bytes of ICMPv6, hop limit 255. */
    static final String NS_HEADER = "6000 0000 0020 3aff fd00 0077 0000 0000 0000 0000 0000 0001"
            + " ff02 0000 0000 0000 0000 0001 ff00 0002";
    /** Traffic class 0xe1 (DSCP 56, ECN 1), flow label 0xabcde, a 1000-byte TCP payload, hop limit 64. */
    static final String FLOW_HEADER = "6e1a bcde 03e8 0640 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 2001 0db8 0000 0000 0000 0000 0000 0002";

    @Test
    void knownBytesToFields() {
        PacketBuffer b = buffer(hex(NS_HEADER));
        Ipv6Packet ip = Ipv6Packet.wrap(b, 0);
        assertNotNull(ip);
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0, ip.flowLabel());
        assertEquals(32, ip.payloadLength());
        assertEquals(Ipv6Packet.NEXTHDR_ICMP, ip.nextHeader());
        assertEquals(255, ip.hopLimit());
        assertEquals(Ipv6Address.parse("fd00:77::1"), ip.saddr());
        assertEquals(Ipv6Address.parse("ff02::1:ff00:2"), ip.daddr());
        b.release();

        b = buffer(hex(FLOW_HEADER));
        ip = Ipv6Packet.wrap(b, 0);
        assertEquals(6, ip.version());
        assertEquals(0xe1, ip.trafficClass());
        assertEquals(0xabcde, ip.flowLabel());
        assertEquals(1000, ip.payloadLength());
        assertEquals(Ipv6Packet.NEXTHDR_TCP, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals(Ipv6Address.parse("2001:db8::1"), ip.saddr());
        assertEquals(Ipv6Address.parse("2001:db8::2"), ip.daddr());
        b.release();
    }

    @Test
    void fieldsToIdenticalBytes() {
        for (String h : new String[] {NS_HEADER, FLOW_HEADER}) {
            byte[] want = hex(h);
            PacketBuffer b = pool.allocate(128);
            b.reserve(64);
            PacketBuffer src = buffer(want);
            Ipv6Packet in = Ipv6Packet.wrap(src, 0);
            Ipv6Packet out = Ipv6Packet.push(b, in.trafficClass(), in.flowLabel(), in.payloadLength(), in.nextHeader(),
                    in.hopLimit(), in.saddr(), in.daddr());
            assertEquals(b.data(), out.offset());
            assertEquals(b.data(), b.networkHeader());
            assertArrayEquals(want, b.toByteArray(), h);
            src.release();
            b.release();
        }
    }

    @Test
    void settersChangeOnlyTheirField() {
        PacketBuffer b = buffer(hex(FLOW_HEADER));
        Ipv6Packet ip = Ipv6Packet.wrap(b, 0);
        ip.setTrafficClass(0x12);
        assertEquals(0x12, ip.trafficClass());
        assertEquals(0xabcde, ip.flowLabel());
        ip.setFlowLabel(0x54321);
        assertEquals(0x12, ip.trafficClass());
        assertEquals(0x54321, ip.flowLabel());
        assertEquals(6, ip.version());
        ip.setHopLimit(1);
        ip.setPayloadLength(8);
        ip.setNextHeader(Ipv6Packet.NEXTHDR_ICMP);
        ip.setSaddr(Ipv6Address.parse("fe80::1"));
        ip.setDaddr(Ipv6Address.ALL_NODES);
        assertArrayEquals(hex("6125 4321 0008 3a01 fe80 0000 0000 0000 0000 0000 0000 0001"
                + " ff02 0000 0000 0000 0000 0000 0000 0001"), b.toByteArray());
        b.release();
    }

    @Test
    void truncatedHeaderIsRejected() {
        byte[] full = hex(NS_HEADER);
        PacketBuffer b = buffer(Arrays.copyOf(full, 39));
        assertNull(Ipv6Packet.wrap(b, 0));
        b.release();
        b = buffer(full);
        assertNotNull(Ipv6Packet.wrap(b, 0));
        assertNull(Ipv6Packet.wrap(b, 1));
        assertNull(Ipv6Packet.wrap(b, -1));
        b.release();
    }
}
