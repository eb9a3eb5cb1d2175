package io.ustack.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.buffer.PacketBuffer;
import java.util.HexFormat;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class EthernetFrameTest extends PooledBufferTest {
    /** An ARP who-has as tcpdump -xx shows it: broadcast destination, QEMU's 52:54:00 source, type 0x0806. */
    static final String ARP_FRAME_HEADER = "ffffffffffff 525400123456 0806";
    static final String IP_FRAME_HEADER = "525400123456 0242ac110002 0800";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    @Test
    void knownBytesToFields() {
        PacketBuffer b = buffer(hex(ARP_FRAME_HEADER));
        EthernetFrame f = EthernetFrame.wrap(b, 0);
        assertNotNull(f);
        assertEquals(0, f.offset());
        assertEquals(MacAddress.BROADCAST, f.destination());
        assertEquals(0x5254_0012_3456L, f.source());
        assertEquals(EthernetFrame.ETH_P_ARP, f.etherType());
        b.release();

        b = buffer(hex(IP_FRAME_HEADER));
        f = EthernetFrame.wrap(b, 0);
        assertEquals(0x5254_0012_3456L, f.destination());
        assertEquals(0x0242_ac11_0002L, f.source());
        assertEquals(0x0800, f.etherType());
        b.release();
    }

    @Test
    void wrapAtAnOffsetReadsFromThere() {
        PacketBuffer b = buffer(hex("aabb" + IP_FRAME_HEADER.replace(" ", "")));
        EthernetFrame f = EthernetFrame.wrap(b, 2);
        assertEquals(2, f.offset());
        assertEquals(0x0242_ac11_0002L, f.source());
        assertEquals(EthernetFrame.ETH_P_IP, f.etherType());
        b.release();
    }

    @Test
    void pushProducesIdenticalBytes() {
        PacketBuffer b = pool.allocate(64);
        b.reserve(EthernetFrame.HEADER_LEN);
        EthernetFrame f = EthernetFrame.push(b, MacAddress.BROADCAST, 0x5254_0012_3456L, EthernetFrame.ETH_P_ARP);
        assertEquals(0, b.data());
        assertEquals(0, b.macHeader());
        assertEquals(0, f.offset());
        assertArrayEquals(hex(ARP_FRAME_HEADER), b.toByteArray());
        b.release();
    }

    @Test
    void settersProduceIdenticalBytes() {
        PacketBuffer b = buffer(new byte[14]);
        EthernetFrame f = EthernetFrame.wrap(b, 0);
        f.setDestination(0x5254_0012_3456L);
        f.setSource(0x0242_ac11_0002L);
        f.setEtherType(EthernetFrame.ETH_P_IP);
        assertArrayEquals(hex(IP_FRAME_HEADER), b.toByteArray());
        b.release();
    }

    @Test
    void truncatedInputIsRejected() {
        PacketBuffer b = buffer(hex("ffffffffffff 525400123456 08"));
        assertNull(EthernetFrame.wrap(b, 0));
        b.release();
        b = buffer(hex(ARP_FRAME_HEADER));
        assertNotNull(EthernetFrame.wrap(b, 0));
        assertNull(EthernetFrame.wrap(b, 1));
        assertNull(EthernetFrame.wrap(b, -1));
        b.release();
    }

    @Test
    void pushWithoutHeadroomThrows() {
        PacketBuffer b = pool.allocate(64);
        b.reserve(13);
        try {
            assertThrows(IllegalStateException.class, () -> EthernetFrame.push(b, 1, 2, 3));
        } finally {
            b.release();
        }
    }
}
