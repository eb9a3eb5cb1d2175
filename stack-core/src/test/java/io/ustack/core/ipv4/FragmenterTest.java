package io.ustack.core.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FragmenterTest {
    private static final int SRC = Ipv4Address.parse("10.77.0.2");
    private static final int DST = Ipv4Address.parse("10.77.0.1");

    private final BufferPool pool = new BufferPool();
    private final MibCounters mib = new MibCounters();
    private final Fragmenter fragmenter = new Fragmenter(pool, mib);
    private final List<PacketBuffer> out = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        out.forEach(PacketBuffer::release);
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    private static byte[] payload(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 7 + i / 251);
        }
        return p;
    }

    /** An IPv4 packet (data at its header) with the given options, frag_off field and payload. */
    private PacketBuffer packet(byte[] options, int fragOffField, byte[] payload) {
        int hlen = 20 + options.length;
        PacketBuffer b = pool.allocate(BufferPool.DEFAULT_HEADROOM + hlen + payload.length);
        b.reserve(BufferPool.DEFAULT_HEADROOM);
        b.copyIn(b.put(payload.length), payload, 0, payload.length);
        b.copyIn(b.push(options.length), options, 0, options.length);
        Ipv4Packet ip = Ipv4Packet.push(b, 0x10, hlen + payload.length, 0xbeef, fragOffField, 64,
                Ipv4Packet.IPPROTO_UDP, SRC, DST);
        b.setU8(ip.offset(), 0x40 | hlen / 4);
        ip.updateChecksum();
        return b;
    }

    private static byte[] payloadOf(PacketBuffer f) {
        Ipv4Packet ip = Ipv4Packet.wrap(f, f.data());
        return Arrays.copyOfRange(f.toByteArray(), ip.headerLength(), ip.totalLength());
    }

    @Test
    void datagramOf8028BytesAtMtu1500() {
        byte[] data = payload(8008);
        PacketBuffer pkt = packet(new byte[0], 0, data);
        assertEquals(8028, pkt.len());
        pkt.setMark(42);
        pkt.setHash(0x5eed);
        pkt.setProtocol(0x0800);

        assertTrue(fragmenter.fragment(pkt, 1500, out::add));
        assertTrue(pkt.isReleased(), "fragment takes ownership of the original");

        int[] sizes = {1480, 1480, 1480, 1480, 1480, 608};
        assertEquals(sizes.length, out.size());
        byte[] joined = new byte[0];
        for (int i = 0; i < sizes.length; i++) {
            PacketBuffer f = out.get(i);
            Ipv4Packet ip = Ipv4Packet.wrap(f, f.data());
            String at = "fragment " + i;
            assertEquals(f.data(), f.networkHeader(), at);
            assertEquals(20 + sizes[i], f.len(), at);
            assertEquals(20 + sizes[i], ip.totalLength(), at);
            assertTrue(ip.totalLength() <= 1500, at);
            assertEquals(185 * i, ip.fragOffField() & Ipv4Packet.IP_OFFSET, at);
            assertEquals(1480 * i, ip.fragmentOffset(), at);
            assertEquals(i < sizes.length - 1, ip.moreFragments(), at);
            assertEquals((i < sizes.length - 1 ? Ipv4Packet.IP_MF : 0) | 185 * i, ip.fragOffField(), at);
            assertTrue(ip.checksumOk(), at);
            assertEquals(4, ip.version());
            assertEquals(5, ip.ihl());
            assertEquals(0x10, ip.tos());
            assertEquals(0xbeef, ip.id());
            assertEquals(64, ip.ttl());
            assertEquals(Ipv4Packet.IPPROTO_UDP, ip.protocol());
            assertEquals(SRC, ip.saddr());
            assertEquals(DST, ip.daddr());
            assertEquals(42, f.mark(), at);
            assertTrue(f.hashValid());
            assertEquals(0x5eed, f.hash(), at);
            assertEquals(0x0800, f.protocol(), at);
            assertTrue(f.headroom() >= 14, "room for the Ethernet header");
            byte[] p = payloadOf(f);
            byte[] j = Arrays.copyOf(joined, joined.length + p.length);
            System.arraycopy(p, 0, j, joined.length, p.length);
            joined = j;
        }
        assertArrayEquals(data, joined);
        assertEquals(6, mib.get(Mib.IpFragCreates));
        assertEquals(1, mib.get(Mib.IpFragOKs));
        assertEquals(0, mib.get(Mib.IpFragFails));
    }

    @Test
    void payloadThatDividesEvenlyEndsWithoutMf() {
        PacketBuffer pkt = packet(new byte[0], 0, payload(2960));
        assertTrue(fragmenter.fragment(pkt, 1500, out::add));
        assertEquals(2, out.size());
        assertEquals(Ipv4Packet.IP_MF, Ipv4Packet.wrap(out.get(0), out.get(0).data()).fragOffField());
        assertEquals(185, Ipv4Packet.wrap(out.get(1), out.get(1).data()).fragOffField());
        assertEquals(1500, out.get(1).len());
    }

    @Test
    void mtuThatIsNotAMultipleOfEightRoundsDown() {
        byte[] data = payload(3000);
        PacketBuffer pkt = packet(new byte[0], 0, data);
        assertTrue(fragmenter.fragment(pkt, 1006, out::add)); // (1006 - 20) & ~7 = 984
        assertEquals(4, out.size());
        int[] offsets = {0, 123, 246, 369};
        for (int i = 0; i < 4; i++) {
            Ipv4Packet ip = Ipv4Packet.wrap(out.get(i), out.get(i).data());
            assertEquals(offsets[i], ip.fragOffField() & Ipv4Packet.IP_OFFSET);
            assertEquals(i < 3 ? 1004 : 20 + 3000 - 3 * 984, ip.totalLength());
        }
    }

    @Test
    void aFragmentThatIsNotLastKeepsItsOffsetAndMfOnEveryPiece() {
        byte[] data = payload(3000);
        PacketBuffer pkt = packet(new byte[0], Ipv4Packet.IP_MF | 370, data);
        assertTrue(fragmenter.fragment(pkt, 1500, out::add));
        assertEquals(3, out.size());
        int[] offsets = {370, 555, 740};
        int[] lens = {1480, 1480, 40};
        for (int i = 0; i < 3; i++) {
            Ipv4Packet ip = Ipv4Packet.wrap(out.get(i), out.get(i).data());
            assertEquals(Ipv4Packet.IP_MF | offsets[i], ip.fragOffField(), "piece " + i);
            assertEquals(20 + lens[i], ip.totalLength());
            assertTrue(ip.checksumOk());
        }
        assertArrayEquals(Arrays.copyOfRange(data, 2960, 3000), payloadOf(out.get(2)));
    }

    @Test
    void theLastFragmentKeepsItsOffsetAndEndsWithoutMf() {
        PacketBuffer pkt = packet(new byte[0], 370, payload(3000));
        assertTrue(fragmenter.fragment(pkt, 1500, out::add));
        assertEquals(3, out.size());
        assertEquals(Ipv4Packet.IP_MF | 370, Ipv4Packet.wrap(out.get(0), out.get(0).data()).fragOffField());
        assertEquals(Ipv4Packet.IP_MF | 555, Ipv4Packet.wrap(out.get(1), out.get(1).data()).fragOffField());
        assertEquals(740, Ipv4Packet.wrap(out.get(2), out.get(2).data()).fragOffField());
    }

    @Test
    void optionsWithoutTheCopiedFlagBecomeNoopsAfterTheFirstFragment() {
        // Record Route (7, not copied, 7 bytes), NOOP, Router Alert (0x94, copied, 4 bytes): IHL 8.
        byte[] options = HexFormat.of().parseHex("07070400000000" + "01" + "94040000");
        byte[] laterOptions = HexFormat.of().parseHex("0101010101010101" + "94040000");
        byte[] data = payload(3000);
        PacketBuffer pkt = packet(options, 0, data);
        assertTrue(fragmenter.fragment(pkt, 1500, out::add)); // (1500 - 32) & ~7 = 1464
        assertEquals(3, out.size());
        int[] lens = {1464, 1464, 72};
        byte[] joined = new byte[0];
        for (int i = 0; i < 3; i++) {
            PacketBuffer f = out.get(i);
            Ipv4Packet ip = Ipv4Packet.wrap(f, f.data());
            assertEquals(32, ip.headerLength(), "the header keeps its length");
            assertEquals(32 + lens[i], ip.totalLength());
            assertEquals(183 * i, ip.fragOffField() & Ipv4Packet.IP_OFFSET);
            assertTrue(ip.checksumOk());
            byte[] opts = Arrays.copyOfRange(f.toByteArray(), 20, 32);
            assertArrayEquals(i == 0 ? options : laterOptions, opts, "options of fragment " + i);
            byte[] p = payloadOf(f);
            byte[] j = Arrays.copyOf(joined, joined.length + p.length);
            System.arraycopy(p, 0, j, joined.length, p.length);
            joined = j;
        }
        assertArrayEquals(data, joined);
    }

    @Test
    void optionsAfterEndOfListAreLeftAlone() {
        // Timestamp-like option (0x44, not copied, 4 bytes), END, then bytes that are not options.
        byte[] options = HexFormat.of().parseHex("44040500" + "00070000");
        PacketBuffer pkt = packet(options, 0, payload(200));
        assertTrue(fragmenter.fragment(pkt, 100, out::add));
        byte[] second = Arrays.copyOfRange(out.get(1).toByteArray(), 20, 28);
        assertArrayEquals(HexFormat.of().parseHex("01010101" + "00070000"), second);
    }

    @Test
    void fragmentsCarryOnlyOffsetAndMfNotTheReservedBit() {
        PacketBuffer p = packet(new byte[0], 0x8000, payload(3000));
        assertTrue(fragmenter.fragment(p, 1500, out::add));
        for (PacketBuffer f : out) {
            assertEquals(0, Ipv4Packet.wrap(f, f.data()).fragOffField() & 0xc000, "reserved and DF bits clear");
        }
    }

    @Test
    void mtuTooSmallReturnsFalseAndKeepsThePacket() {
        PacketBuffer pkt = packet(new byte[0], 0, payload(100));
        assertFalse(fragmenter.fragment(pkt, 27, out::add));
        assertFalse(fragmenter.fragment(pkt, 20, out::add));
        assertFalse(fragmenter.fragment(pkt, 0, out::add));
        assertFalse(pkt.isReleased(), "the caller still owns it");
        assertTrue(out.isEmpty());
        assertEquals(0, mib.get(Mib.IpFragCreates));
        assertEquals(0, mib.get(Mib.IpFragOKs));
        pkt.release();

        PacketBuffer withOptions = packet(new byte[8], 0, payload(100));
        assertFalse(fragmenter.fragment(withOptions, 35, out::add), "28-byte header, 7 bytes left");
        withOptions.release();
    }

    @Test
    void smallestMtuCarriesEightBytesAPiece() {
        byte[] data = payload(100);
        PacketBuffer pkt = packet(new byte[0], 0, data);
        assertTrue(fragmenter.fragment(pkt, 28, out::add));
        assertEquals(13, out.size());
        for (int i = 0; i < 13; i++) {
            Ipv4Packet ip = Ipv4Packet.wrap(out.get(i), out.get(i).data());
            assertEquals(i, ip.fragOffField() & Ipv4Packet.IP_OFFSET);
            assertEquals(i < 12 ? 28 : 24, ip.totalLength());
            assertEquals(i < 12, ip.moreFragments());
        }
        assertEquals(13, mib.get(Mib.IpFragCreates));
        assertEquals(1, mib.get(Mib.IpFragOKs));
    }

    @Test
    void fragmentsOfAFragmentReassembleIntoTheOriginal() {
        // Fragment at 4000, then fragment the first piece again at 1000: a router further down the path.
        byte[] data = payload(7000);
        PacketBuffer pkt = packet(new byte[0], 0, data);
        List<PacketBuffer> first = new ArrayList<>();
        assertTrue(fragmenter.fragment(pkt, 4000, first::add));
        for (PacketBuffer f : first) {
            assertTrue(fragmenter.fragment(f, 1000, out::add));
        }
        byte[] joined = new byte[data.length];
        int expectOffset = 0;
        for (int i = 0; i < out.size(); i++) {
            Ipv4Packet ip = Ipv4Packet.wrap(out.get(i), out.get(i).data());
            assertEquals(expectOffset, ip.fragmentOffset(), "piece " + i);
            assertEquals(i < out.size() - 1, ip.moreFragments(), "piece " + i);
            byte[] p = payloadOf(out.get(i));
            System.arraycopy(p, 0, joined, expectOffset, p.length);
            expectOffset += p.length;
        }
        assertEquals(data.length, expectOffset);
        assertArrayEquals(data, joined);
        // 7000 at 4000: 3976 + 3024; then at 1000: 4 x 976 + 72 and 3 x 976 + 96.
        assertEquals(9, out.size());
        assertEquals(3, mib.get(Mib.IpFragOKs), "one per packet fragmented");
        assertEquals(2 + 9, mib.get(Mib.IpFragCreates));
    }
}
