package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import java.util.Arrays;
import java.util.Random;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest extends PooledBufferTest {
    /**
     * `ping -c1 8.8.8.8` from 10.0.2.15: DF, TTL 64, ID 0x3c5a, total length 84. The checksum 0xe230 was
     * computed with an independent RFC 1071 implementation.
     */
    static final String PING_IP_HEADER = "4500 0054 3c5a 4000 4001 e230 0a00020f 08080808";
    /** The RFC 791 / Wikipedia worked example: UDP from 192.168.0.1 to 192.168.0.199, checksum 0xb861. */
    static final String WIKI_HEADER = "4500 0073 0000 4000 4011 b861 c0a80001 c0a800c7";
    /** The first fragment of a 3000-byte UDP datagram: MF, offset 0. */
    static final String FIRST_FRAGMENT = "4500 05dc 1c46 2000 4011 b6b2 c0a80001 c0a800c7";
    /** A later fragment of it: no MF, offset 185 (1480 bytes). */
    static final String LAST_FRAGMENT = "4500 027c 1c46 00b9 4011 d959 c0a80001 c0a800c7";
    /** An IGMP-style header with the Router Alert option (IHL 6), TTL 1. */
    static final String ROUTER_ALERT_HEADER = "4600 0020 0000 4000 0102 d0d5 0a000001 0a000002 94040000";

    @Test
    void pingHeaderToFields() {
        PacketBuffer b = buffer(hex(PING_IP_HEADER));
        Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
        assertNotNull(ip);
        assertEquals(0, ip.offset());
        assertEquals(4, ip.version());
        assertEquals(5, ip.ihl());
        assertEquals(20, ip.headerLength());
        assertEquals(0, ip.tos());
        assertEquals(84, ip.totalLength());
        assertEquals(0x3c5a, ip.id());
        assertEquals(0x4000, ip.fragOffField());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(Ipv4Packet.IPPROTO_ICMP, ip.protocol());
        assertEquals(0xe230, ip.checksum());
        assertEquals(Ipv4Address.parse("10.0.2.15"), ip.saddr());
        assertEquals(Ipv4Address.parse("8.8.8.8"), ip.daddr());
        assertTrue(ip.checksumOk());
        b.release();
    }

    @Test
    void knownChecksumsVerify() {
        for (String h : new String[] {PING_IP_HEADER, WIKI_HEADER, FIRST_FRAGMENT, LAST_FRAGMENT, ROUTER_ALERT_HEADER}) {
            PacketBuffer b = buffer(hex(h));
            Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
            assertTrue(ip.checksumOk(), h);
            int stored = ip.checksum();
            ip.updateChecksum();
            assertEquals(stored, ip.checksum(), h);
            b.release();
        }
    }

    @Test
    void everySingleBitFlipBreaksTheChecksum() {
        byte[] h = hex(WIKI_HEADER);
        for (int bit = 0; bit < h.length * 8; bit++) {
            byte[] c = h.clone();
            c[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            PacketBuffer b = buffer(c);
            assertFalse(Ipv4Packet.wrap(b, 0).checksumOk(), "bit " + bit);
            b.release();
        }
    }

    @Test
    void fragmentFields() {
        PacketBuffer b = buffer(hex(FIRST_FRAGMENT));
        Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
        assertTrue(ip.moreFragments());
        assertFalse(ip.dontFragment());
        assertEquals(0, ip.fragmentOffset());
        assertTrue(ip.isFragment());
        assertEquals(1500, ip.totalLength());
        assertEquals(Ipv4Packet.IPPROTO_UDP, ip.protocol());
        b.release();

        b = buffer(hex(LAST_FRAGMENT));
        ip = Ipv4Packet.wrap(b, 0);
        assertFalse(ip.moreFragments());
        assertEquals(185, ip.fragOffField() & Ipv4Packet.IP_OFFSET);
        assertEquals(1480, ip.fragmentOffset());
        assertTrue(ip.isFragment());
        assertEquals(636, ip.totalLength());
        b.release();
    }

    @Test
    void headerWithOptions() {
        PacketBuffer b = buffer(hex(ROUTER_ALERT_HEADER));
        Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(1, ip.ttl());
        assertEquals(2, ip.protocol());
        assertEquals(32, ip.totalLength());
        assertTrue(ip.checksumOk());
        b.release();
    }

    @Test
    void pushProducesIdenticalBytes() {
        byte[] expected = hex(PING_IP_HEADER);
        PacketBuffer b = pool.allocate(128);
        b.reserve(40);
        b.put(64); // the ICMP message, not part of this comparison
        Ipv4Packet ip = Ipv4Packet.push(b, 0, 84, 0x3c5a, Ipv4Packet.IP_DF, 64, Ipv4Packet.IPPROTO_ICMP,
                Ipv4Address.parse("10.0.2.15"), Ipv4Address.parse("8.8.8.8"));
        assertEquals(20, b.data());
        assertEquals(20, b.networkHeader());
        assertEquals(20, ip.offset());
        assertEquals(84, b.len());
        assertEquals(0, ip.checksum(), "push leaves the checksum to updateChecksum");
        ip.updateChecksum();
        assertArrayEquals(expected, Arrays.copyOf(b.toByteArray(), 20));
        b.release();
    }

    @Test
    void settersProduceIdenticalBytes() {
        PacketBuffer b = buffer(hex(PING_IP_HEADER));
        Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
        ip.setTos(0);
        ip.setTotalLength(0x73);
        ip.setId(0);
        ip.setFragOffField(Ipv4Packet.IP_DF);
        ip.setTtl(64);
        ip.setProtocol(Ipv4Packet.IPPROTO_UDP);
        ip.setSaddr(Ipv4Address.parse("192.168.0.1"));
        ip.setDaddr(Ipv4Address.parse("192.168.0.199"));
        ip.updateChecksum();
        assertArrayEquals(hex(WIKI_HEADER), b.toByteArray());
        ip.setTos(0xb8);
        assertEquals(0xb8, b.u8(1));
        b.release();
    }

    @Test
    void truncatedInputIsRejected() {
        byte[] h = hex(PING_IP_HEADER);
        PacketBuffer b = pool.allocate(64);
        int at = b.put(19);
        b.copyIn(at, h, 0, 19);
        assertNull(Ipv4Packet.wrap(b, 0));
        b.put(1);
        assertNotNull(Ipv4Packet.wrap(b, 0));
        assertNull(Ipv4Packet.wrap(b, 1));
        assertNull(Ipv4Packet.wrap(b, -1));
        b.release();
    }

    @Test
    void decreaseTtlKeepsTheChecksumValid() {
        PacketBuffer b = buffer(hex(PING_IP_HEADER));
        Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
        for (int ttl = 64; ttl > 1; ttl--) {
            ip.decreaseTtl();
            assertEquals(ttl - 1, ip.ttl());
            assertEquals(Ipv4Packet.IPPROTO_ICMP, ip.protocol());
            assertTrue(ip.checksumOk(), "ttl " + (ttl - 1));
        }
        // 0x3c5a header at TTL 63: worked out from the stored checksum by hand, e230 + 0100 = e330.
        b.release();
        b = buffer(hex(PING_IP_HEADER));
        ip = Ipv4Packet.wrap(b, 0);
        ip.decreaseTtl();
        assertEquals(0xe330, ip.checksum());
        b.release();
    }

    /** ip_forward's ip_decrease_ttl changes the TTL and the checksum only: a CE or ECT mark goes on as it came. */
    @Test
    void decreaseTtlLeavesTheEcnFieldAlone() {
        for (int ecn = 0; ecn < 4; ecn++) {
            byte[] h = hex(PING_IP_HEADER);
            h[1] = (byte) (0xb8 | ecn); // DSCP EF and the ECN codepoint
            PacketBuffer b = buffer(h);
            Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
            ip.updateChecksum();
            assertTrue(ip.checksumOk());
            ip.decreaseTtl();
            assertEquals(0xb8 | ecn, ip.tos());
            assertTrue(ip.checksumOk());
            b.release();
        }
    }

    @Test
    void decreaseTtlEqualsFullRecomputationOnRandomHeaders() {
        Random rnd = new Random(1071);
        for (int i = 0; i < 5000; i++) {
            byte[] h = new byte[20];
            rnd.nextBytes(h);
            h[0] = 0x45;
            h[8] = (byte) (1 + rnd.nextInt(255)); // TTL 1..255
            PacketBuffer b = buffer(h);
            Ipv4Packet ip = Ipv4Packet.wrap(b, 0);
            ip.updateChecksum();
            ip.decreaseTtl();
            int incremental = ip.checksum();
            assertTrue(ip.checksumOk(), "header " + i);
            ip.updateChecksum();
            assertEquals(ip.checksum(), incremental, "header " + i);
            b.release();
        }
    }
}
