package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class Ipv6ExtHeaderTest extends PooledBufferTest {
    /** Destination options (PadN of 4) to a routing header of type 0, one segment left, to a fragment header. */
    private static final String CHAIN = "2b00 0104 0000 0000"
            + " 2c02 0001 0000 0000 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 3a00 0599 1234 5678";

    @Test
    void knownBytesToFields() {
        PacketBuffer b = buffer(hex(CHAIN));
        Ipv6ExtHeader dest = Ipv6ExtHeader.wrap(b, 0, Ipv6Packet.NEXTHDR_DEST);
        assertEquals(Ipv6Packet.NEXTHDR_ROUTING, dest.nextHeader());
        assertEquals(8, dest.length());
        Ipv6ExtHeader rt = Ipv6ExtHeader.wrap(b, 8, Ipv6Packet.NEXTHDR_ROUTING);
        assertEquals(24, rt.length());
        assertEquals(0, rt.routingType());
        assertEquals(1, rt.segmentsLeft());
        Ipv6ExtHeader frag = Ipv6ExtHeader.wrap(b, 32, Ipv6Packet.NEXTHDR_FRAGMENT);
        assertEquals(Ipv6Packet.NEXTHDR_ICMP, frag.nextHeader());
        assertEquals(8, frag.length());
        assertEquals(0x0598, frag.fragmentOffset());
        assertTrue(frag.moreFragments());
        assertEquals(0x12345678, frag.identification());
        b.release();
    }

    @Test
    void fragmentHeaderToIdenticalBytes() {
        PacketBuffer b = pool.allocate(8);
        b.put(8);
        Ipv6ExtHeader.writeFragment(b, b.data(), Ipv6Packet.NEXTHDR_ICMP, 0x0598, true, 0x12345678);
        assertArrayEquals(hex("3a00 0599 1234 5678"), b.toByteArray());
        b.release();
    }

    @Test
    void truncatedHeaderIsRejected() {
        PacketBuffer b = buffer(hex(CHAIN));
        assertNull(Ipv6ExtHeader.wrap(b, 18, Ipv6Packet.NEXTHDR_HOP), "a length (0xb8) past tail");
        assertNull(Ipv6ExtHeader.wrap(b, 34, Ipv6Packet.NEXTHDR_FRAGMENT), "fewer than 8 bytes");
        assertNull(Ipv6ExtHeader.wrap(b, -1, Ipv6Packet.NEXTHDR_DEST));
        b.release();
    }

    @Test
    void skipWalksToTheUpperLayerOrStopsAtALaterFragment() {
        PacketBuffer b = buffer(hex(CHAIN.replace("0599", "0001")));
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(b, 0, Ipv6Packet.NEXTHDR_DEST);
        assertEquals(40, s.offset());
        assertEquals(Ipv6Packet.NEXTHDR_ICMP, s.nexthdr());
        assertEquals(1, s.fragOff(), "a first fragment, M set");
        b.release();

        b = buffer(hex(CHAIN));
        s = Ipv6ExtHeader.skip(b, 0, Ipv6Packet.NEXTHDR_DEST);
        assertEquals(32, s.offset(), "a later fragment ends the walk on itself");
        assertEquals(Ipv6Packet.NEXTHDR_FRAGMENT, s.nexthdr());
        b.release();

        b = buffer(hex("3b00 0000 0000 0000"));
        assertEquals(-1, Ipv6ExtHeader.skip(b, 0, Ipv6Packet.NEXTHDR_DEST).offset(), "no next header");
        assertEquals(-1, Ipv6ExtHeader.skip(b, 6, Ipv6Packet.NEXTHDR_DEST).offset(), "runs out");
        assertFalse(Ipv6ExtHeader.isExtension(Ipv6Packet.NEXTHDR_ICMP));
        b.release();
    }
}
