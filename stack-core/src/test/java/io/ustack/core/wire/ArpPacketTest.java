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

class ArpPacketTest extends PooledBufferTest {
    /** "who-has 192.168.0.2 tell 192.168.0.1" from 52:54:00:12:34:56, after its Ethernet header. */
    static final String REQUEST = "0001 0800 06 04 0001 525400123456 c0a80001 000000000000 c0a80002";
    /** "192.168.0.2 is-at 02:42:ac:11:00:02" back to the asker. */
    static final String REPLY = "0001 0800 06 04 0002 0242ac110002 c0a80002 525400123456 c0a80001";

    @Test
    void requestBytesToFields() {
        PacketBuffer b = buffer(hex(EthernetFrameTest.ARP_FRAME_HEADER + REQUEST));
        assertEquals(42, b.len());
        ArpPacket a = ArpPacket.wrap(b, EthernetFrame.HEADER_LEN);
        assertNotNull(a);
        assertEquals(ArpPacket.ARPHRD_ETHER, a.hardwareType());
        assertEquals(0x0800, a.protocolType());
        assertEquals(6, a.hardwareLength());
        assertEquals(4, a.protocolLength());
        assertTrue(a.isEthernetIpv4());
        assertEquals(ArpPacket.ARPOP_REQUEST, a.operation());
        assertEquals(0x5254_0012_3456L, a.senderMac());
        assertEquals(0xc0a8_0001, a.senderIp());
        assertEquals(0L, a.targetMac());
        assertEquals(0xc0a8_0002, a.targetIp());
        b.release();
    }

    @Test
    void replyBytesToFields() {
        PacketBuffer b = buffer(hex(REPLY));
        ArpPacket a = ArpPacket.wrap(b, 0);
        assertEquals(ArpPacket.ARPOP_REPLY, a.operation());
        assertEquals(0x0242_ac11_0002L, a.senderMac());
        assertEquals(Ipv4Address.parse("192.168.0.2"), a.senderIp());
        assertEquals(0x5254_0012_3456L, a.targetMac());
        assertEquals(Ipv4Address.parse("192.168.0.1"), a.targetIp());
        b.release();
    }

    @Test
    void appendProducesIdenticalBytes() {
        PacketBuffer b = pool.allocate(64);
        b.reserve(EthernetFrame.HEADER_LEN);
        ArpPacket a = ArpPacket.append(b, ArpPacket.ARPOP_REQUEST, 0x5254_0012_3456L, 0xc0a8_0001, 0L, 0xc0a8_0002);
        EthernetFrame.push(b, MacAddress.BROADCAST, 0x5254_0012_3456L, EthernetFrame.ETH_P_ARP);
        assertArrayEquals(hex(EthernetFrameTest.ARP_FRAME_HEADER + REQUEST), b.toByteArray());
        assertEquals(ArpPacket.ARPOP_REQUEST, a.operation());
        b.release();

        b = pool.allocate(64);
        ArpPacket.append(b, ArpPacket.ARPOP_REPLY, 0x0242_ac11_0002L, 0xc0a8_0002, 0x5254_0012_3456L, 0xc0a8_0001);
        assertArrayEquals(hex(REPLY), b.toByteArray());
        b.release();
    }

    @Test
    void truncatedInputIsRejected() {
        byte[] full = hex(REQUEST);
        PacketBuffer b = pool.allocate(64);
        int at = b.put(27);
        b.copyIn(at, full, 0, 27);
        assertNull(ArpPacket.wrap(b, 0));
        b.put(1);
        assertNotNull(ArpPacket.wrap(b, 0));
        assertNull(ArpPacket.wrap(b, 1));
        assertNull(ArpPacket.wrap(b, -1));
        b.release();
    }

    @Test
    void formatCheckRejectsOtherHardwareAndProtocols() {
        String[] bad = {
            "0006 0800 06 04 0001 525400123456 c0a80001 000000000000 c0a80002", // IEEE 802 hardware
            "0001 86dd 06 04 0001 525400123456 c0a80001 000000000000 c0a80002", // IPv6 protocol type
            "0001 0800 08 04 0001 525400123456 c0a80001 000000000000 c0a80002", // hardware length 8
            "0001 0800 06 10 0001 525400123456 c0a80001 000000000000 c0a80002", // protocol length 16
        };
        for (String s : bad) {
            PacketBuffer b = buffer(hex(s));
            assertFalse(ArpPacket.wrap(b, 0).isEthernetIpv4(), s);
            b.release();
        }
    }
}
