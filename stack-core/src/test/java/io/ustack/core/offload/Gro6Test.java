package io.ustack.core.offload;

import static io.ustack.core.testing.Frames.ETH_P_IPV6;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PooledBufferTest;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.TcpSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GRO over IPv6 against ipv6_gro_receive's and tcp6_gro_receive's rules: a flow is also its flow label;
 * another traffic class or hop limit ends a merge; a segment behind an extension header or with a bad
 * checksum is no candidate and goes on at once; the super-packet is left as tcp6_gro_complete leaves it.
 */
class Gro6Test extends PooledBufferTest {
    private static final int MSS = 1428;
    private static final int ISN = 2_000_000;
    private static final int IP = 14;
    private static final int TCP = IP + 40;
    private static final byte[] HOST = ip6("fd00:77::1");
    private static final byte[] STACK = ip6("fd00:77::2");
    private static final byte[] TIMESTAMPS = {1, 1, 8, 10, 0, 0, 0, 100, 0, 0, 0, (byte) 200};
    private static final int TCP_HEADER = 20 + TIMESTAMPS.length;

    private final FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
    private final List<PacketBuffer> out = new ArrayList<>();
    private final Gro gro = new Gro(out::add);

    @AfterEach
    void releaseDelivered() {
        gro.flush();
        out.forEach(PacketBuffer::release);
    }

    /** One segment of the host's flow to port 80, with the IPv6 fields a test may change. */
    private static final class Seg {
        int seq = ISN;
        int flowLabel = 0x12345;
        int trafficClass;
        int hopLimit = 64;
        int len = MSS;
        UnaryOperator<byte[]> mangle = f -> f;

        Seg next() {
            Seg n = new Seg();
            n.seq = seq + len;
            n.flowLabel = flowLabel;
            n.trafficClass = trafficClass;
            n.hopLimit = hopLimit;
            return n;
        }

        byte[] frame() {
            byte[] tcp = Frames.tcp6(HOST, STACK, 40000, 80, seq, 5000, TcpSegment.ACK, TIMESTAMPS, payload(seq, len));
            byte[] ip = Frames.ipv6(HOST, STACK, 6, hopLimit, trafficClass, tcp);
            ip[1] |= (byte) (flowLabel >>> 16);
            ip[2] = (byte) (flowLabel >>> 8);
            ip[3] = (byte) flowLabel;
            return mangle.apply(eth(STACK_MAC, HOST_MAC, ETH_P_IPV6, ip));
        }
    }

    /** The stream's bytes from {@code seq} on, each saying where it lies. */
    private static byte[] payload(int seq, int len) {
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) ((seq + i) * 131 + ((seq + i) >>> 8));
        }
        return d;
    }

    private void receive(Seg s) {
        byte[] f = s.frame();
        PacketBuffer b = pool.allocate(f.length);
        b.copyIn(b.put(f.length), f, 0, f.length);
        b.setDev(dev);
        gro.receive(b);
    }

    /** Each packet delivered as the segments it holds, numbered by sequence: "1-3" for one of all three. */
    private List<String> describe() {
        List<String> d = new ArrayList<>();
        for (PacketBuffer p : out) {
            int tcp = TCP + (p.u8(p.data() + IP + 6) == 0 ? 8 : 0); // past a hop-by-hop header
            int first = 1 + (p.i32(p.data() + tcp + 4) - ISN) / MSS;
            d.add(p.isGso() ? first + "-" + (first + p.gsoSegs() - 1) : String.valueOf(first));
        }
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergesAndFlushesAsIpv6GroReceive(String name, Consumer<Seg> change, List<String> delivered, int beforeFlush) {
        Seg first = new Seg();
        Seg changed = first.next();
        change.accept(changed);
        List.of(first, changed, changed.next()).forEach(this::receive);
        assertEquals(beforeFlush, out.size(), "delivered before the poll's end: " + describe());
        gro.flush();
        assertEquals(delivered, describe());
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("in order", (Consumer<Seg>) s -> { }, List.of("1-3"), 0),
                // another flow label is another flow: both are held, side by side
                Arguments.of("another flow label", (Consumer<Seg>) s -> s.flowLabel = 0x54321, List.of("1", "2-3"), 0),
                Arguments.of("another traffic class", (Consumer<Seg>) s -> s.trafficClass = 0x10, List.of("1", "2-3"), 1),
                Arguments.of("CE marked", (Consumer<Seg>) s -> s.trafficClass = 0x03, List.of("1", "2-3"), 1),
                Arguments.of("another hop limit", (Consumer<Seg>) s -> s.hopLimit = 63, List.of("1", "2-3"), 1),
                Arguments.of("a bad TCP checksum", (Consumer<Seg>) s -> s.mangle = f -> flip(f, TCP + 16),
                        List.of("2", "1", "3"), 2),
                Arguments.of("a hop-by-hop header first", (Consumer<Seg>) s -> s.mangle = Gro6Test::withHopByHop,
                        List.of("2", "1", "3"), 2),
                // ends the merge, but cannot join: the payload length short of the frame (padding)
                Arguments.of("a padded frame", (Consumer<Seg>) s -> s.mangle = f -> Arrays.copyOf(f, f.length + 6),
                        List.of("1", "2", "3"), 2));
    }

    @Test
    void threeSegmentsBecomeOneSuperPacketAsTcp6GroCompleteLeavesIt() {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        receive(s1);
        receive(s2);
        receive(s2.next());
        gro.flush();

        assertEquals(1, out.size());
        PacketBuffer p = out.get(0);
        byte[] f = p.toByteArray();
        assertEquals(TCP + TCP_HEADER + 3 * MSS, f.length);
        assertEquals(TCP_HEADER + 3 * MSS, u16(f, IP + 4), "the payload length of all three");
        assertArrayEquals(Arrays.copyOfRange(s1.frame(), 0, IP + 4), Arrays.copyOfRange(f, 0, IP + 4),
                "the first segment's Ethernet header, version, traffic class and flow label");
        assertEquals(ISN, i32(f, TCP + 4));
        assertArrayEquals(payload(ISN, 3 * MSS), Arrays.copyOfRange(f, TCP + TCP_HEADER, f.length));
        assertEquals(IpSummed.PARTIAL, p.ipSummed());
        assertEquals(p.data() + TCP, p.csumStart());
        assertEquals(16, p.csumOffset());
        // finished as a device would: the sum of the bytes from the TCP header on, the field among them
        byte[] segment = Arrays.copyOfRange(f, TCP, f.length);
        int sum = Frames.checksum(segment, 0, segment.length);
        segment[16] = (byte) (sum >> 8);
        segment[17] = (byte) sum;
        assertEquals(0, Frames.checksum6(HOST, STACK, 6, segment),
                "the field held the IPv6 pseudo-header's sum: finished, it checks out");
        assertEquals(MSS, p.gsoSize());
        assertEquals(3, p.gsoSegs());
        assertEquals(PacketBuffer.SKB_GSO_TCPV6, p.gsoType());
        assertEquals(FlowHash.ofFlow6(Ipv6Address.fromBytes(HOST, 0), Ipv6Address.fromBytes(STACK, 0), 6, 40000, 80), p.hash(),
                "the hash RPS would compute for the flow");
        assertEquals(1, dev.stats().rxGroPackets.sum());
        assertEquals(3, dev.stats().rxGroWirePackets.sum());
    }

    @Test
    void aSuperPacketStopsAtAPayloadOf65535Bytes() {
        Seg s = new Seg();
        int segments = 0;
        for (int i = 0; i < 50; i++) {
            receive(s);
            s = s.next();
            segments++;
        }
        gro.flush();
        int total = 0;
        for (PacketBuffer p : out) {
            assertEquals(p.len() - TCP, p.u16(p.data() + IP + 4));
            assertTrue(p.len() - TCP <= 65535);
            total += p.isGso() ? p.gsoSegs() : 1;
        }
        assertEquals(segments, total);
        assertEquals(List.of("1-45", "46-50"), describe(), "45 segments of 1428 and their headers fit 65535 bytes");
    }

    private static byte[] flip(byte[] f, int at) {
        byte[] c = f.clone();
        c[at] ^= 0x01;
        return c;
    }

    /** The frame with an empty hop-by-hop header (PadN) between the IPv6 and TCP headers. */
    private static byte[] withHopByHop(byte[] f) {
        byte[] hbh = {6, 0, 1, 4, 0, 0, 0, 0};
        byte[] c = new byte[f.length + 8];
        System.arraycopy(f, 0, c, 0, TCP);
        System.arraycopy(hbh, 0, c, TCP, 8);
        System.arraycopy(f, TCP, c, TCP + 8, f.length - TCP);
        c[IP + 6] = 0;
        int len = u16(f, IP + 4) + 8;
        c[IP + 4] = (byte) (len >> 8);
        c[IP + 5] = (byte) len;
        return c;
    }
}
