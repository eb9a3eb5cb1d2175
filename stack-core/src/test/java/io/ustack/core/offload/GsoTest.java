package io.ustack.core.offload;

import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_DODGY;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCPV4;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCPV6;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCP_ECN;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCP_FIXEDID;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_UDP_L4;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PoolHost;
import io.ustack.core.testing.PooledBufferTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Software GSO against frames built whole by {@link Frames}: each segment must be, byte for byte, the frame
 * a sender that never had super-packets would have sent in its place, with its own IP ID, lengths, sequence
 * number, flags and checksums. A super-packet that lies is a counted drop, never an exception or a leak.
 */
class GsoTest extends PooledBufferTest {
    static final long DST_MAC = 0x02_00_00_00_00_01L;
    static final long SRC_MAC = 0x02_00_00_00_00_02L;
    private static final int A = ip("10.0.0.2");
    private static final int B = ip("10.0.0.1");
    /** IDs and sequence numbers near the top of their range, so the segments' wrap around. */
    private static final int ID = 0xfffe;
    static final int SEQ = 0xffff_fc00;
    static final int ACK_SEQ = 0x0102_0304;
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;
    static final int CWR = 0x80;
    /** NOP, NOP, timestamps: options every segment of an established connection carries. */
    static final byte[] TIMESTAMPS = {1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78};
    static final int TCP_HLEN = 20 + TIMESTAMPS.length;

    private final PoolHost host = new PoolHost(pool);
    private final PacketDrops drops = host.drops();
    private final List<PacketBuffer> out = new ArrayList<>();

    @AfterEach
    void releaseSegments() {
        out.forEach(PacketBuffer::release);
    }

    // ---- building super-packets and the segments expected of them ----

    /** {@code ipPacket} in an Ethernet frame as the transmit path leaves it: data at the MAC header, offsets set. */
    private PacketBuffer frame(byte[] ipPacket) {
        byte[] f = eth(DST_MAC, SRC_MAC, Frames.ETH_P_IP, ipPacket);
        PacketBuffer b = pool.allocateWithHeadroom(f.length);
        int at = b.put(f.length);
        b.copyIn(at, f, 0, f.length);
        b.setMacHeader(at);
        b.setNetworkHeader(at + 14);
        b.setTransportHeader(at + 14 + (ipPacket[0] & 0x0f) * 4);
        return b;
    }

    private static byte[] tcpPacket(int id, int seq, int flags, byte[] payload, boolean partial) {
        byte[] seg = tcp(A, B, 40000, 80, seq, ACK_SEQ, flags, 64240, TIMESTAMPS, payload);
        return ipv4(A, B, 6, 64, id, 0x4000, partial ? partialChecksum(A, B, 6, 16, seg) : seg);
    }

    private static byte[] udpPacket(int id, byte[] payload, boolean partial) {
        byte[] d = udp(A, B, 5000, 4433, payload);
        return ipv4(A, B, 17, 64, id, 0, partial ? partialChecksum(A, B, 17, 6, d) : d);
    }

    /** A TCP super-packet, its checksum PARTIAL as __tcp_v4_send_check leaves it, to be cut at {@code mss}. */
    private PacketBuffer tcpSuper(int flags, byte[] payload, int mss, int moreType) {
        PacketBuffer b = frame(tcpPacket(ID, SEQ, flags, payload, true));
        b.setChecksumPartial(b.transportHeader(), 16);
        b.setGso(mss, Math.max(1, (payload.length + mss - 1) / mss), SKB_GSO_TCPV4 | moreType);
        return b;
    }

    /** A UDP super-packet (UDP_SEGMENT), its checksum PARTIAL, to be cut into datagrams of {@code mss}. */
    private PacketBuffer udpSuper(byte[] payload, int mss) {
        PacketBuffer b = frame(udpPacket(ID, payload, true));
        b.setChecksumPartial(b.transportHeader(), 6);
        b.setGso(mss, Math.max(1, (payload.length + mss - 1) / mss), SKB_GSO_UDP_L4);
        return b;
    }

    private static byte[] chunk(byte[] payload, int n, int mss) {
        return Arrays.copyOfRange(payload, n * mss, Math.min(payload.length, (n + 1) * mss));
    }

    /** Segment {@code n} as a sender without super-packets builds it, carrying {@code flags}. */
    private static byte[] expectedTcp(int n, int flags, byte[] payload, int mss, boolean partial) {
        return eth(DST_MAC, SRC_MAC, Frames.ETH_P_IP, tcpPacket(ID + n, SEQ + n * mss, flags, chunk(payload, n, mss), partial));
    }

    private static byte[] expectedUdp(int n, byte[] payload, int mss, boolean partial) {
        return eth(DST_MAC, SRC_MAC, Frames.ETH_P_IP, udpPacket(ID + n, chunk(payload, n, mss), partial));
    }

    /** The checks every segment passes: a fresh ordinary packet, headers where they belong, checksum as asked. */
    private static void assertSegmentShape(PacketBuffer s, int transportLen, int csumOffset, boolean hwCsum) {
        assertFalse(s.isGso(), "gso cleared");
        assertEquals(BufferPool.DEFAULT_HEADROOM, s.headroom());
        assertEquals(s.data(), s.macHeader());
        assertEquals(s.data() + 14, s.networkHeader());
        assertEquals(s.data() + 14 + 20, s.transportHeader());
        assertEquals(s.tail(), s.transportHeader() + transportLen);
        if (hwCsum) {
            assertEquals(IpSummed.PARTIAL, s.ipSummed());
            assertEquals(s.transportHeader(), s.csumStart());
            assertEquals(csumOffset, s.csumOffset());
        } else {
            assertEquals(IpSummed.NONE, s.ipSummed());
        }
    }

    // ---- TCP ----

    /** Cuts an ACK|PSH super-packet of 2448 bytes at 1000, checking each segment against the frame expected. */
    private byte[] cutIntoThree(boolean hwCsum) {
        byte[] payload = pattern(2 * 1000 + 448);
        Gso.segment(tcpSuper(ACK | PSH, payload, 1000, 0), host, hwCsum, out::add);
        assertEquals(3, out.size());
        for (int n = 0; n < 3; n++) {
            int flags = n == 2 ? ACK | PSH : ACK;
            assertArrayEquals(expectedTcp(n, flags, payload, 1000, hwCsum), out.get(n).toByteArray(), "segment " + n);
            assertSegmentShape(out.get(n), TCP_HLEN + (n == 2 ? 448 : 1000), 16, hwCsum);
        }
        return payload;
    }

    @Test
    void threeTcpSegmentsWithTheirChecksumsFinishedHere() {
        cutIntoThree(false);
        byte[] last = out.get(2).toByteArray();
        assertEquals(20 + TCP_HLEN + 448, u16(last, 14 + 2), "the last segment's total length is its own");
        assertEquals(0, u16(last, 14 + 4), "IDs count on from 0xfffe and wrap: 0xfffe, 0xffff, 0");
        assertEquals(SEQ + 2000, Frames.i32(last, 34 + 4), "sequence numbers advance by gso_size and wrap");
        assertTrue(drops.snapshot().isEmpty());
    }

    @Test
    void threeTcpSegmentsWithTheirChecksumsLeftToTheDevice() {
        byte[] payload = cutIntoThree(true);
        for (int n = 0; n < 3; n++) {
            assertTrue(PartialChecksum.complete(out.get(n)));
            assertArrayEquals(expectedTcp(n, n == 2 ? ACK | PSH : ACK, payload, 1000, false), out.get(n).toByteArray(),
                    "segment " + n + " finished: the checksum of the segment");
        }
    }

    @Test
    void finAndPshGoOnTheLastSegmentOnlyAndCwrOnTheFirstOnly() {
        byte[] payload = pattern(4 * 536);
        Gso.segment(tcpSuper(CWR | ACK | PSH | FIN, payload, 536, SKB_GSO_TCP_ECN), host, false, out::add);
        assertEquals(4, out.size());
        int[] flags = {CWR | ACK, ACK, ACK, ACK | PSH | FIN};
        for (int n = 0; n < 4; n++) {
            assertArrayEquals(expectedTcp(n, flags[n], payload, 536, false), out.get(n).toByteArray(), "segment " + n);
            assertEquals(TCP_HLEN + 536, out.get(n).tail() - out.get(n).transportHeader(), "a whole multiple: every segment full");
        }
    }

    @Test
    void aFixedIdSuperPacketGivesEverySegmentTheSameIpId() {
        // what GRO builds from a sender that does not count its IDs up (RFC 6864 atomic datagrams)
        byte[] payload = pattern(3 * 500);
        Gso.segment(tcpSuper(ACK, payload, 500, SKB_GSO_TCP_FIXEDID), host, false, out::add);
        assertEquals(3, out.size());
        for (int n = 0; n < 3; n++) {
            byte[] expected = eth(DST_MAC, SRC_MAC, Frames.ETH_P_IP, tcpPacket(ID, SEQ + n * 500, ACK, chunk(payload, n, 500), false));
            assertArrayEquals(expected, out.get(n).toByteArray(), "segment " + n + " keeps ID " + ID);
        }
    }

    @Test
    void theLargestSuperPacketBecomesFullSegmentsThatAllCheckOut() {
        int mss = 1448;
        byte[] payload = pattern(65535 - 20 - TCP_HLEN);
        Gso.segment(tcpSuper(ACK, payload, mss, SKB_GSO_DODGY), host, false, out::add);
        assertEquals((payload.length + mss - 1) / mss, out.size());
        int total = 0;
        for (PacketBuffer s : out) {
            byte[] f = s.toByteArray();
            byte[] ipPacket = Arrays.copyOfRange(f, 14, f.length);
            assertEquals(0, Frames.checksum(ipPacket, 0, 20), "IP header checksum");
            assertEquals(0, Frames.tcpChecksum(A, B, Arrays.copyOfRange(ipPacket, 20, ipPacket.length)), "TCP checksum");
            assertTrue(f.length <= 14 + 20 + TCP_HLEN + mss);
            total += ipPacket.length - 20 - TCP_HLEN;
        }
        assertEquals(payload.length, total);
    }

    @Test
    void ipOptionsAreCopiedIntoEverySegment() {
        byte[] routerAlert = {(byte) 0x94, 4, 0, 0};
        byte[] payload = pattern(1500);
        PacketBuffer skb = frame(withIpOptions(tcpPacket(ID, SEQ, ACK, payload, true), routerAlert));
        skb.setChecksumPartial(skb.transportHeader(), 16);
        skb.setGso(1000, 2, SKB_GSO_TCPV4);
        Gso.segment(skb, host, false, out::add);
        assertEquals(2, out.size());
        for (int n = 0; n < 2; n++) {
            byte[] expected = eth(DST_MAC, SRC_MAC, Frames.ETH_P_IP,
                    withIpOptions(tcpPacket(ID + n, SEQ + n * 1000, ACK, chunk(payload, n, 1000), false), routerAlert));
            assertArrayEquals(expected, out.get(n).toByteArray(), "segment " + n);
            assertEquals(out.get(n).networkHeader() + 24, out.get(n).transportHeader());
        }
    }

    /** {@code packet} (a 20-byte header) with {@code options} after its header, its IHL, length and checksum to match. */
    private static byte[] withIpOptions(byte[] packet, byte[] options) {
        byte[] p = new byte[packet.length + options.length];
        System.arraycopy(packet, 0, p, 0, 20);
        System.arraycopy(options, 0, p, 20, options.length);
        System.arraycopy(packet, 20, p, 20 + options.length, packet.length - 20);
        p[0] = (byte) (0x40 | (20 + options.length) / 4);
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        return Frames.refreshIpChecksum(p);
    }

    @Test
    void aSuperPacketWithAFinishedChecksumGetsItsPseudoHeaderSumFirst() {
        // what GRO leaves: the first segment's checksum in a merged header, vouched for by the device
        byte[] payload = pattern(3000);
        PacketBuffer skb = frame(tcpPacket(ID, SEQ, ACK, payload, false));
        skb.setIpSummed(IpSummed.UNNECESSARY);
        skb.setGso(1500, 2, SKB_GSO_TCPV4);
        Gso.segment(skb, host, false, out::add);
        assertEquals(2, out.size());
        for (int n = 0; n < 2; n++) {
            assertArrayEquals(expectedTcp(n, ACK, payload, 1500, false), out.get(n).toByteArray(), "segment " + n);
        }
    }

    @Test
    void segmentsCarryTheSuperPacketsMetadata() {
        PacketBuffer skb = tcpSuper(ACK, pattern(300), 100, 0);
        skb.setMark(7);
        skb.setHash(0x5eed);
        skb.setProtocol(Frames.ETH_P_IP);
        Gso.segment(skb, host, true, out::add);
        assertEquals(3, out.size());
        for (PacketBuffer s : out) {
            assertEquals(7, s.mark());
            assertTrue(s.hashValid());
            assertEquals(0x5eed, s.hash());
            assertEquals(Frames.ETH_P_IP, s.protocol());
        }
    }

    @Test
    void aSuperPacketThatFitsOneSegmentIsHandedOnItself() {
        byte[] payload = pattern(1000);
        PacketBuffer skb = tcpSuper(ACK | PSH, payload, 1000, 0);
        Gso.segment(skb, host, false, out::add);
        assertEquals(1, out.size());
        assertSame(skb, out.get(0), "nothing to cut, nothing to copy");
        assertFalse(skb.isGso());
        assertEquals(IpSummed.NONE, skb.ipSummed());
        assertArrayEquals(expectedTcp(0, ACK | PSH, payload, 1000, false), skb.toByteArray());
    }

    // ---- UDP ----

    @Test
    void udpSegmentationMakesWholeDatagramsBothWays() {
        byte[] payload = pattern(2 * 1200 + 101);
        for (boolean hwCsum : new boolean[] {false, true}) {
            Gso.segment(udpSuper(payload, 1200), host, hwCsum, out::add);
            assertEquals(3, out.size());
            for (int n = 0; n < 3; n++) {
                PacketBuffer s = out.get(n);
                int len = n == 2 ? 101 : 1200;
                assertArrayEquals(expectedUdp(n, payload, 1200, hwCsum), s.toByteArray(), "datagram " + n + ", hwCsum " + hwCsum);
                assertSegmentShape(s, 8 + len, 6, hwCsum);
                assertEquals(8 + len, u16(s.toByteArray(), 34 + 4), "its own UDP length");
                assertTrue(PartialChecksum.complete(s));
                assertArrayEquals(expectedUdp(n, payload, 1200, false), s.toByteArray());
            }
            releaseSegments();
            out.clear();
        }
    }

    @Test
    void udpSegmentationStopsAtUdpMaxSegments() {
        Gso.segment(udpSuper(pattern(Gso.UDP_MAX_SEGMENTS * 10), 10), host, false, out::add);
        assertEquals(Gso.UDP_MAX_SEGMENTS, out.size(), "128 datagrams may be cut from one");
        Gso.segment(udpSuper(pattern(Gso.UDP_MAX_SEGMENTS * 10 + 1), 10), host, false, out::add);
        assertEquals(Gso.UDP_MAX_SEGMENTS, out.size(), "129 may not");
        assertEquals(1, drops.count(DropReason.SKB_GSO_SEG));
    }

    // ---- super-packets that lie ----

    /** A way a super-packet can lie: applied to a valid TCP (or UDP) one of {@code payload} bytes cut at 100. */
    private record Lie(String name, boolean udp, int payload, Consumer<PacketBuffer> how) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> lies() {
        return Stream.of(
                new Lie("no gso_size", false, 300, PacketBuffer::clearGso),
                new Lie("TCPV4 and UDP_L4 at once", false, 300, b -> b.setGso(100, 3, SKB_GSO_TCPV4 | SKB_GSO_UDP_L4)),
                new Lie("a gso_type bit nobody knows", false, 300, b -> b.setGso(100, 3, SKB_GSO_TCPV4 | 1 << 5)),
                new Lie("TCPV4 and TCPV6 at once", false, 300, b -> b.setGso(100, 3, SKB_GSO_TCPV4 | SKB_GSO_TCPV6)),
                new Lie("TCPV6 for TCP over IPv4", false, 300, b -> b.setGso(100, 3, SKB_GSO_TCPV6)),
                new Lie("UDP_L4 for a TCP packet", false, 300, b -> b.setGso(100, 3, SKB_GSO_UDP_L4)),
                new Lie("TCPV4 for a UDP packet", true, 300, b -> b.setGso(100, 3, SKB_GSO_TCPV4)),
                new Lie("TCP_ECN on UDP", true, 300, b -> b.setGso(100, 3, SKB_GSO_UDP_L4 | SKB_GSO_TCP_ECN)),
                new Lie("TCP_FIXEDID on UDP", true, 300, b -> b.setGso(100, 3, SKB_GSO_UDP_L4 | SKB_GSO_TCP_FIXEDID)),
                new Lie("shorter than an Ethernet header", false, 300, b -> b.trim(10)),
                new Lie("not IPv4 by its EtherType", false, 300, b -> b.setU16(b.data() + 12, Frames.ETH_P_ARP)),
                new Lie("the network header not after the Ethernet header", false, 300, b -> b.setNetworkHeader(b.data() + 18)),
                new Lie("IP version 6", false, 300, b -> b.setU8(b.networkHeader(), 0x65)),
                new Lie("IHL below 5", false, 300, b -> b.setU8(b.networkHeader(), 0x44)),
                new Lie("IHL past the data", false, 0, b -> {
                    b.trim(14 + 40);
                    b.setU8(b.networkHeader(), 0x4f);
                }),
                new Lie("the transport header not after the IP header", false, 300, b -> b.setTransportHeader(b.transportHeader() + 4)),
                new Lie("an IP total length short of the frame", false, 300, b -> b.setU16(b.networkHeader() + 2, b.tail() - b.networkHeader() - 1)),
                new Lie("an IP total length past the frame", false, 300, b -> b.trim(b.len() - 1)),
                new Lie("more fragments", false, 300, b -> b.setU16(b.networkHeader() + 6, 0x2000)),
                new Lie("a fragment offset", false, 300, b -> b.setU16(b.networkHeader() + 6, 0x0001)),
                new Lie("UDP inside, TCPV4 outside", false, 300, b -> b.setU8(b.networkHeader() + 9, 17)),
                new Lie("a TCP data offset below 5", false, 300, b -> b.setU8(b.transportHeader() + 12, 0x40)),
                new Lie("a TCP header past the data", false, 8, b -> b.setU8(b.transportHeader() + 12, 0xf0)),
                new Lie("a partial checksum that is not the transport header's", false, 300,
                        b -> b.setChecksumPartial(b.transportHeader() + 4, 16)),
                new Lie("a partial checksum at UDP's offset in TCP", false, 300, b -> b.setChecksumPartial(b.transportHeader(), 6)),
                new Lie("a UDP length short of the datagram", true, 300, b -> b.setU16(b.transportHeader() + 4, 8 + 299)),
                new Lie("a UDP checksum that is not partial", true, 300, b -> b.setIpSummed(IpSummed.NONE)),
                new Lie("more UDP segments than UDP_MAX_SEGMENTS", true, 129 * 100, b -> { }))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lies")
    void aSuperPacketThatLiesIsACountedDrop(Lie lie) {
        byte[] payload = pattern(lie.payload);
        PacketBuffer skb = lie.udp ? udpSuper(payload, 100) : tcpSuper(ACK, payload, 100, 0);
        lie.how.accept(skb);
        assertCountedDrop(skb, host, out);
    }

    /** Cuts {@code skb}, which lies about itself: nothing goes on, one SKB_GSO_SEG drop, the buffer released. */
    static void assertCountedDrop(PacketBuffer skb, PoolHost host, List<PacketBuffer> out) {
        Gso.segment(skb, host, true, out::add);
        assertTrue(out.isEmpty(), "nothing handed on");
        assertEquals(1, host.drops().count(DropReason.SKB_GSO_SEG));
        assertTrue(skb.isReleased());
    }
}
