package io.ustack.core.offload;

import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCPV4;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCPV6;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_TCP_ECN;
import static io.ustack.core.buffer.PacketBuffer.SKB_GSO_UDP_L4;
import static io.ustack.core.offload.GsoTest.ACK;
import static io.ustack.core.offload.GsoTest.ACK_SEQ;
import static io.ustack.core.offload.GsoTest.CWR;
import static io.ustack.core.offload.GsoTest.DST_MAC;
import static io.ustack.core.offload.GsoTest.FIN;
import static io.ustack.core.offload.GsoTest.PSH;
import static io.ustack.core.offload.GsoTest.SEQ;
import static io.ustack.core.offload.GsoTest.SRC_MAC;
import static io.ustack.core.offload.GsoTest.TCP_HLEN;
import static io.ustack.core.offload.GsoTest.TIMESTAMPS;
import static io.ustack.core.testing.Frames.ETH_P_IPV6;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.partialChecksum6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.stats.DropReason;
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
 * Software GSO over IPv6 (ipv6_gso_segment with tcp6_gso_segment and __udp_gso_segment): each segment must be,
 * byte for byte, the frame a sender without super-packets would have sent in its place, with its own payload
 * length, sequence number, flags and checksum; nothing in an IPv6 header is counted up (there is no ID).
 */
class Gso6Test extends PooledBufferTest {
    private static final byte[] A = ip6("fd00:77::2");
    private static final byte[] B = ip6("fd00:77::1");
    private static final int L4 = 14 + 40;

    private final PoolHost host = new PoolHost(pool);
    private final List<PacketBuffer> out = new ArrayList<>();

    @AfterEach
    void releaseSegments() {
        out.forEach(PacketBuffer::release);
    }

    /** {@code ipPacket} in an Ethernet frame as the transmit path leaves it: data at the MAC header, offsets set. */
    private PacketBuffer frame(byte[] ipPacket) {
        byte[] f = eth(DST_MAC, SRC_MAC, ETH_P_IPV6, ipPacket);
        PacketBuffer b = pool.allocateWithHeadroom(f.length);
        int at = b.put(f.length);
        b.copyIn(at, f, 0, f.length);
        b.setMacHeader(at);
        b.setNetworkHeader(at + 14);
        b.setTransportHeader(at + L4);
        return b;
    }

    private static byte[] tcpPacket(int seq, int flags, byte[] payload, boolean partial) {
        byte[] seg = tcp6(A, B, 40000, 80, seq, ACK_SEQ, flags, TIMESTAMPS, payload);
        return ipv6(A, B, 6, 64, partial ? partialChecksum6(A, B, 6, 16, seg) : seg);
    }

    private static byte[] udpPacket(byte[] payload, boolean partial) {
        byte[] d = udp6(A, B, 5000, 4433, payload);
        return ipv6(A, B, 17, 64, partial ? partialChecksum6(A, B, 17, 6, d) : d);
    }

    /** A TCP/IPv6 super-packet as TcpWire.build6 leaves it: checksum PARTIAL over the IPv6 pseudo-header. */
    private PacketBuffer tcpSuper(int flags, byte[] payload, int mss, int moreType) {
        PacketBuffer b = frame(tcpPacket(SEQ, flags, payload, true));
        b.setChecksumPartial(b.transportHeader(), 16);
        b.setGso(mss, (payload.length + mss - 1) / mss, SKB_GSO_TCPV6 | moreType);
        return b;
    }

    private PacketBuffer udpSuper(byte[] payload, int mss) {
        PacketBuffer b = frame(udpPacket(payload, true));
        b.setChecksumPartial(b.transportHeader(), 6);
        b.setGso(mss, (payload.length + mss - 1) / mss, SKB_GSO_UDP_L4);
        return b;
    }

    private static byte[] chunk(byte[] payload, int n, int mss) {
        return Arrays.copyOfRange(payload, n * mss, Math.min(payload.length, (n + 1) * mss));
    }

    private static byte[] expectedTcp(int n, int flags, byte[] payload, int mss, boolean partial) {
        return eth(DST_MAC, SRC_MAC, ETH_P_IPV6, tcpPacket(SEQ + n * mss, flags, chunk(payload, n, mss), partial));
    }

    @Test
    void aTcpSuperPacketBecomesTheSegmentsASenderWithoutTsoSends() {
        byte[] payload = pattern(2 * 1000 + 448);
        for (boolean hwCsum : new boolean[] {false, true}) {
            Gso.segment(tcpSuper(ACK | PSH, payload, 1000, 0), host, hwCsum, out::add);
            assertEquals(3, out.size());
            for (int n = 0; n < 3; n++) {
                PacketBuffer s = out.get(n);
                int len = n == 2 ? 448 : 1000;
                assertArrayEquals(expectedTcp(n, n == 2 ? ACK | PSH : ACK, payload, 1000, hwCsum), s.toByteArray(),
                        "segment " + n + ", hwCsum " + hwCsum);
                assertFalse(s.isGso());
                assertEquals(s.data() + 14, s.networkHeader());
                assertEquals(s.data() + L4, s.transportHeader());
                assertEquals(TCP_HLEN + len, u16(s.toByteArray(), 14 + 4), "its own payload length");
                assertEquals(hwCsum ? IpSummed.PARTIAL : IpSummed.NONE, s.ipSummed());
                assertTrue(PartialChecksum.complete(s));
                byte[] f = s.toByteArray();
                assertEquals(0, Frames.checksum6(A, B, 6, Arrays.copyOfRange(f, L4, f.length)), "the TCP checksum checks out");
            }
            releaseSegments();
            out.clear();
        }
        assertTrue(host.drops().snapshot().isEmpty());
    }

    @Test
    void finAndPshGoOnTheLastSegmentOnlyAndCwrOnTheFirstOnly() {
        byte[] payload = pattern(4 * 536);
        Gso.segment(tcpSuper(CWR | ACK | PSH | FIN, payload, 536, SKB_GSO_TCP_ECN), host, false, out::add);
        int[] flags = {CWR | ACK, ACK, ACK, ACK | PSH | FIN};
        assertEquals(4, out.size());
        for (int n = 0; n < 4; n++) {
            assertArrayEquals(expectedTcp(n, flags[n], payload, 536, false), out.get(n).toByteArray(), "segment " + n);
        }
    }

    @Test
    void theLargestTcpSuperPacketBecomesFullSegmentsThatAllCheckOut() {
        int mss = 1428;
        byte[] payload = pattern(65535 - TCP_HLEN);
        Gso.segment(tcpSuper(ACK, payload, mss, 0), host, false, out::add);
        assertEquals((payload.length + mss - 1) / mss, out.size());
        int total = 0;
        for (PacketBuffer s : out) {
            byte[] f = s.toByteArray();
            assertEquals(0, Frames.checksum6(A, B, 6, Arrays.copyOfRange(f, L4, f.length)));
            assertTrue(f.length <= L4 + TCP_HLEN + mss);
            total += f.length - L4 - TCP_HLEN;
        }
        assertEquals(payload.length, total);
    }

    @Test
    void aGroMergedSuperPacketGetsItsIpv6PseudoHeaderSumFirst() {
        byte[] payload = pattern(3000);
        PacketBuffer skb = frame(tcpPacket(SEQ, ACK, payload, false));
        skb.setIpSummed(IpSummed.UNNECESSARY); // as GRO leaves it: the first segment's checksum, vouched for
        skb.setGso(1500, 2, SKB_GSO_TCPV6);
        Gso.segment(skb, host, false, out::add);
        assertArrayEquals(expectedTcp(0, ACK, payload, 1500, false), out.get(0).toByteArray());
        assertArrayEquals(expectedTcp(1, ACK, payload, 1500, false), out.get(1).toByteArray());
        assertEquals(2, out.size());
    }

    @Test
    void aUdpSuperPacketOverIpv6BecomesDatagramsOfItsOwnLengthAndChecksum() {
        byte[] payload = pattern(2 * 1200 + 101);
        Gso.segment(udpSuper(payload, 1200), host, false, out::add);
        assertEquals(3, out.size());
        for (int n = 0; n < 3; n++) {
            byte[] expected = eth(DST_MAC, SRC_MAC, ETH_P_IPV6, udpPacket(chunk(payload, n, 1200), false));
            assertArrayEquals(expected, out.get(n).toByteArray(), "datagram " + n);
        }
    }

    private record Lie(String name, boolean udp, Consumer<PacketBuffer> how) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> lies() {
        return Stream.of(
                new Lie("TCPV4 for TCP over IPv6", false, b -> b.setGso(100, 3, SKB_GSO_TCPV4)),
                new Lie("IP version 4 in an IPv6 EtherType", false, b -> b.setU8(b.networkHeader(), 0x45)),
                new Lie("a payload length short of the frame", false, b -> b.setU16(b.networkHeader() + 4, 300)),
                new Lie("an extension header first", false, b -> b.setU8(b.networkHeader() + 6, 0)),
                new Lie("UDP inside, TCPV6 outside", false, b -> b.setU8(b.networkHeader() + 6, 17)),
                new Lie("TCP inside, UDP_L4 outside", true, b -> b.setU8(b.networkHeader() + 6, 6)),
                new Lie("the transport header not after the IPv6 header", false,
                        b -> b.setTransportHeader(b.transportHeader() + 8)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lies")
    void anIpv6SuperPacketThatLiesIsACountedDrop(Lie lie) {
        PacketBuffer skb = lie.udp ? udpSuper(pattern(300), 100) : tcpSuper(ACK, pattern(300), 100, 0);
        lie.how.accept(skb);
        GsoTest.assertCountedDrop(skb, host, out);
    }
}
