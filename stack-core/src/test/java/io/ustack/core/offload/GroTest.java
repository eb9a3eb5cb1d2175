package io.ustack.core.offload;

import static io.ustack.core.testing.Frames.ETH_P_IP;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PooledBufferTest;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GRO against the kernel's merge and flush rules: frames built byte by byte ({@link Frames}) go into a
 * {@link Gro} on a fake device; what it delivers is read back with plain byte arithmetic. Every buffer is
 * released by the end of each test (the leak check of {@link PooledBufferTest}).
 */
class GroTest extends PooledBufferTest {
    private static final int MSS = 1448;
    private static final int ISN = 1_000_000;
    private static final int IP = 14;
    private static final int TCP = IP + 20;
    /** NOP, NOP, timestamps: what Linux puts in every data segment. */
    private static final int TCP_HEADER = 32;

    private final FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
    private final List<PacketBuffer> out = new ArrayList<>();
    private final Gro gro = new Gro(out::add);
    /** Which segment of a test an IP ID stands for, to read the deliveries back. */
    private final Map<Integer, Integer> segmentById = new HashMap<>();

    @AfterEach
    void releaseDelivered() {
        gro.flush();
        out.forEach(PacketBuffer::release);
    }

    // ---- what merges and what flushes ----

    /**
     * Three segments where the second is changed by {@code change} (the third follows the second in order):
     * the packets delivered, each as the segments it holds ("1-3" for one super-packet of all three), in the
     * order they went on, and how many went on before the poll's end.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergesAndFlushesAsTheKernel(String name, Consumer<Seg> change, List<String> delivered, int beforeFlush) {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        change.accept(s2);
        Seg s3 = s2.next();
        receive(s1);
        receive(s2);
        receive(s3);
        assertEquals(beforeFlush, out.size(), "delivered before the poll's end: " + describe());
        gro.flush();
        assertEquals(delivered, describe());
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("in order", s -> { }, List.of("1-3"), 0),
                row("a gap in the sequence", s -> s.seq += 1, List.of("1", "2-3"), 1),
                row("another ACK", s -> s.ack += 1, List.of("1", "2-3"), 1),
                row("another window", s -> s.window += 1, List.of("1", "2-3"), 1),
                row("another timestamp", s -> s.options = timestamps(101, 200), List.of("1", "2-3"), 1),
                row("another TTL", s -> s.ttl = 63, List.of("1", "2-3"), 1),
                row("another TOS", s -> s.tos = 0x10, List.of("1", "2-3"), 1),
                row("CE marked (ECN): the TOS differs", s -> s.tos = 0x03, List.of("1", "2-3"), 1),
                row("DF cleared", s -> s.fragOff = 0, List.of("1", "2-3"), 1),
                row("IP ID out of step", s -> s.id += 5, List.of("1", "2-3"), 1),
                row("ECE set", s -> s.flags |= TcpSegment.ECE, List.of("1", "2-3"), 1),
                row("PSH in the middle", s -> s.flags |= TcpSegment.PSH, List.of("1-2", "3"), 1),
                row("FIN", s -> s.flags |= TcpSegment.FIN, List.of("1-2", "3"), 1),
                row("short segment", s -> s.len = 100, List.of("1-2", "3"), 1),
                row("longer than the first", s -> s.len = MSS + 8, List.of("1", "2-3"), 1),
                row("no payload", s -> s.len = 0, List.of("1", "2", "3"), 3),
                row("SYN", s -> s.flags = TcpSegment.SYN | TcpSegment.ACK, List.of("1", "2", "3"), 3),
                row("RST", s -> s.flags |= TcpSegment.RST, List.of("1", "2", "3"), 3),
                row("URG", s -> s.flags |= TcpSegment.URG, List.of("1", "2", "3"), 3),
                row("CWR", s -> s.flags |= TcpSegment.CWR, List.of("1", "2", "3"), 2),
                // ends the merge, but cannot join: IP length field short of the frame (Ethernet padding)
                row("padded frame", s -> s.mangle = f -> Arrays.copyOf(f, f.length + 6), List.of("1", "2", "3"), 2),
                // not mergeable at all: goes on at once, before the packet held for its flow, as in the kernel
                row("bad TCP checksum", s -> s.mangle = f -> flip(f, TCP + 16), List.of("2", "1", "3"), 2),
                row("bad IP header checksum", s -> s.mangle = f -> flip(f, IP + 10), List.of("2", "1", "3"), 2),
                row("IP options", s -> s.mangle = GroTest::withIpOptions, List.of("2", "1", "3"), 2),
                // the third is a fragment too: both pass the packet held, which waits for the poll's end
                row("a fragment", s -> s.fragOff = Ipv4Packet.IP_MF, List.of("2", "3", "1"), 2),
                row("TCP data offset below 5", s -> s.mangle = f -> withTcpChecksum(set(f, TCP + 12, 0x40)),
                        List.of("2", "1", "3"), 2));
    }

    private static Arguments row(String name, Consumer<Seg> change, List<String> delivered, int beforeFlush) {
        return Arguments.of(name, change, delivered, beforeFlush);
    }

    @Test
    void threeSegmentsBecomeOneSuperPacketAsTcp4GroCompleteLeavesIt() {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        Seg s3 = s2.next();
        receive(s1);
        receive(s2);
        receive(s3);
        assertEquals(0, out.size());
        assertEquals(1, gro.heldPackets());
        gro.flush();

        assertEquals(1, out.size());
        PacketBuffer p = out.get(0);
        byte[] f = p.toByteArray();
        assertEquals(TCP + TCP_HEADER + 3 * MSS, f.length);
        assertEquals(20 + TCP_HEADER + 3 * MSS, u16(f, IP + 2), "IP total length");
        assertEquals(s1.id, u16(f, IP + 4), "the first segment's IP ID");
        assertEquals(0, Frames.checksum(f, IP, 20), "IP header checksum");
        assertEquals(ISN, i32(f, TCP + 4));
        assertEquals(TcpSegment.ACK, f[TCP + 13]);
        assertArrayEquals(withoutLengthAndChecksums(s1.frame()), withoutLengthAndChecksums(f),
                "headers but lengths and checksums as the first segment's");
        assertArrayEquals(stream(ISN, 3 * MSS), Arrays.copyOfRange(f, TCP + TCP_HEADER, f.length));

        assertEquals(IpSummed.PARTIAL, p.ipSummed());
        assertEquals(p.data() + TCP, p.csumStart());
        assertEquals(16, p.csumOffset());
        assertEquals(0, Frames.tcpChecksum(HOST_IP, STACK_IP, Arrays.copyOfRange(finishChecksum(f), TCP, f.length)),
                "the checksum field holds the pseudo-header's sum: finished, it checks out");
        assertEquals(MSS, p.gsoSize());
        assertEquals(3, p.gsoSegs());
        assertEquals(PacketBuffer.SKB_GSO_TCPV4, p.gsoType());
        assertSame(dev, p.dev());

        assertEquals(1, dev.stats().rxGroPackets.sum());
        assertEquals(3, dev.stats().rxGroWirePackets.sum());
        assertEquals(1L, dev.stats().snapshot().get("rx_gro_packets"));
        assertEquals(3L, dev.stats().snapshot().get("rx_gro_wire_packets"));
    }

    @Test
    void theFirstMergeMovesAFrameSizedBufferIntoALargeOneWithItsMetadata() {
        Seg s1 = new Seg();
        PacketBuffer first = receive(s1);
        assertEquals(BufferPool.SMALL_CAPACITY, first.end());
        int hash = first.hash();
        receive(s1.next());
        gro.flush();

        PacketBuffer p = out.get(0);
        assertTrue(first.isReleased(), "the small buffer went back to the pool");
        assertEquals(BufferPool.LARGE_CAPACITY, p.end());
        assertSame(dev, p.dev());
        assertTrue(p.hashValid());
        assertEquals(hash, p.hash());
        assertEquals(FlowHash.ofFlow(HOST_IP, STACK_IP, Ipv4Packet.IPPROTO_TCP, s1.sport, 80), hash,
                "the hash RPS would compute, so it need not");
        assertEquals(2, p.gsoSegs());
    }

    @Test
    void aFrameWithMoreHeadroomThanALargeBufferSparesMovesCloserToItsHead() {
        Seg s1 = new Seg();
        receive(s1.frame(), 200, b -> { });
        receive(s1.next().frame(), 200, b -> { });
        gro.flush();
        PacketBuffer p = out.get(0);
        assertEquals(BufferPool.DEFAULT_HEADROOM, p.data());
        assertEquals(p.data() + TCP, p.csumStart());
        assertEquals(2, p.gsoSegs());
        assertArrayEquals(stream(ISN, 2 * MSS), Arrays.copyOfRange(p.toByteArray(), TCP + TCP_HEADER, p.len()));
    }

    @Test
    void mergesUpTo65535BytesOfIpPacket() {
        Seg s = new Seg();
        int fit = (Ipv4Packet.MAX_PACKET_LEN - 20 - TCP_HEADER) / MSS;
        for (int i = 0; i <= fit; i++) {
            receive(s);
            s = s.next();
        }
        assertEquals(1, out.size(), "the segment that does not fit ends the merge and is held in its place");
        PacketBuffer p = out.get(0);
        assertEquals(fit, p.gsoSegs());
        assertEquals(20 + TCP_HEADER + fit * MSS, p.u16(p.data() + IP + 2));
        assertTrue(p.u16(p.data() + IP + 2) + MSS > Ipv4Packet.MAX_PACKET_LEN);
        assertArrayEquals(stream(ISN, fit * MSS), Arrays.copyOfRange(p.toByteArray(), TCP + TCP_HEADER, p.len()));
        gro.flush();
        assertEquals(2, out.size());
        assertEquals(ISN + fit * MSS, out.get(1).i32(out.get(1).data() + TCP + 4));
    }

    @Test
    void aNinthFlowInABucketSendsTheOldestOn() {
        List<Integer> ports = portsInOneBucket(Gro.MAX_GRO_SKBS + 1);
        for (int port : ports) {
            receive(new Seg().from(port));
        }
        assertEquals(1, out.size());
        assertEquals((int) ports.get(0), sourcePort(out.get(0)), "the oldest flow went on");
        assertEquals(Gro.MAX_GRO_SKBS, gro.heldPackets());
        gro.flush();
        assertEquals(ports, out.stream().map(GroTest::sourcePort).toList(), "then the others, oldest first");
    }

    @Test
    void flowsInOtherBucketsAreHeldBesideEachOther() {
        List<Integer> ports = new ArrayList<>();
        for (int port = 40000; ports.size() < Gro.GRO_HASH_BUCKETS + 1; port++) {
            if (bucket(port) == ports.size() % Gro.GRO_HASH_BUCKETS) {
                ports.add(port);
            }
        }
        for (int port : ports) {
            Seg s = new Seg().from(port);
            receive(s);
            receive(s.next());
        }
        assertEquals(0, out.size());
        assertEquals(ports.size(), gro.heldPackets());
        gro.flush();
        assertEquals(ports.size(), out.size());
        assertTrue(out.stream().allMatch(p -> p.gsoSegs() == 2));
    }

    @Test
    void flushAtThePollsEndDeliversEverythingHeldOnce() {
        Seg a = new Seg();
        Seg b = new Seg().from(41000);
        receive(a);
        receive(b);
        receive(a.next());
        assertEquals(0, out.size());
        gro.flush();
        assertEquals(2, out.size());
        assertEquals(0, gro.heldPackets());
        gro.flush();
        assertEquals(2, out.size(), "a second flush has nothing to send");
        assertEquals(1, dev.stats().rxGroPackets.sum(), "only the merged one counts");
        assertEquals(2, dev.stats().rxGroWirePackets.sum());
    }

    @Test
    void aSegmentAloneGoesOnAsItCameWithItsChecksumVerified() {
        Seg s = new Seg();
        byte[] frame = s.frame();
        PacketBuffer b = receive(s);
        gro.flush();
        assertSame(b, out.get(0));
        assertArrayEquals(frame, b.toByteArray());
        assertFalse(b.isGso());
        assertEquals(IpSummed.UNNECESSARY, b.ipSummed(), "skb_gro_checksum_validate marks what it verified");
        assertEquals(0, dev.stats().rxGroPackets.sum());
    }

    @Test
    void checksumsTheDeviceVouchedForOrLeftPartialAreTrusted() {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        Seg s3 = s2.next();
        s2.mangle = f -> flip(f, TCP + 16);
        receive(s1, b -> b.setIpSummed(IpSummed.UNNECESSARY));
        receive(s2, b -> b.setIpSummed(IpSummed.UNNECESSARY));
        receive(s3, b -> b.setChecksumPartial(b.data() + TCP, 16));
        gro.flush();
        assertEquals(List.of("1-3"), describe());
    }

    @Test
    void aPartialChecksumThatStartsBeforeTheTcpHeaderIsVerified() {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        s2.mangle = f -> flip(f, TCP + 16);
        receive(s1);
        receive(s2, b -> b.setChecksumPartial(b.data() + IP, 16));
        gro.flush();
        assertEquals(List.of("2", "1"), describe());
    }

    @Test
    void fixedIpIdsWithDfMergeAndAreMarkedSo() {
        Seg s1 = new Seg();
        Seg s2 = s1.next();
        Seg s3 = s2.next();
        s2.id = s1.id;
        s3.id = s1.id;
        receive(s1);
        receive(s2);
        receive(s3);
        gro.flush();
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).gsoSegs());
        assertEquals(PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_TCP_FIXEDID, out.get(0).gsoType());
    }

    @Test
    void ipIdsCountOnPastTheirWrap() {
        Seg s1 = new Seg();
        s1.id = 0xffff;
        Seg s2 = s1.next();
        receive(s1);
        receive(s2);
        receive(s2.next());
        gro.flush();
        assertEquals(List.of("1-3"), describe());
    }

    @Test
    void fixedIpIdsWithoutDfDoNotMerge() {
        Seg s1 = new Seg();
        s1.fragOff = 0;
        Seg s2 = s1.next();
        s2.id = s1.id;
        receive(s1);
        receive(s2);
        gro.flush();
        assertEquals(2, out.size());
        assertFalse(out.get(0).isGso());
    }

    @Test
    void aSuperPacketFromTheHostGoesOnAsItIsAndEndsItsFlowsMerge() {
        Seg s1 = new Seg();
        Seg big = s1.next();
        big.len = 4 * MSS;
        byte[] frame = big.frame();
        receive(s1);
        PacketBuffer b = receive(frame, p -> p.setGso(MSS, 4, PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_DODGY));
        assertEquals(2, out.size());
        assertSame(b, out.get(1));
        assertArrayEquals(frame, b.toByteArray());
        assertEquals(4, b.gsoSegs());
        assertEquals(PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_DODGY, b.gsoType());
    }

    @Test
    void aTrustedSuperPacketWithCwrIsCompletedWithTheEcnBit() {
        Seg s = new Seg();
        s.len = 2 * MSS;
        s.flags |= TcpSegment.CWR;
        receive(s.frame(), p -> p.setGso(MSS, 2, PacketBuffer.SKB_GSO_TCPV4));
        assertEquals(0, out.size(), "a trusted super-packet is held like a segment");
        gro.flush();
        PacketBuffer p = out.get(0);
        assertEquals(PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_TCP_ECN, p.gsoType());
        assertEquals(2, p.gsoSegs());
        assertEquals(MSS, p.gsoSize());
        assertEquals(IpSummed.PARTIAL, p.ipSummed());
    }

    @Test
    void otherFramesPassThroughUntouched() {
        byte[] arp = eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP, Frames.arp(1, HOST_MAC, HOST_IP, 0, STACK_IP));
        byte[] udp = eth(STACK_MAC, HOST_MAC, ETH_P_IP, Frames.ipv4(HOST_IP, STACK_IP, Ipv4Packet.IPPROTO_UDP, 64, 1,
                0, Frames.udp(HOST_IP, STACK_IP, 5000, 53, Frames.pattern(100))));
        byte[] icmp = eth(STACK_MAC, HOST_MAC, ETH_P_IP, Frames.ipv4(HOST_IP, STACK_IP, Ipv4Packet.IPPROTO_ICMP, 64,
                2, 0, Frames.icmpEcho(8, 1, 1, Frames.pattern(56))));
        Seg held = new Seg();
        receive(held);
        for (byte[] frame : List.of(arp, udp, icmp)) {
            PacketBuffer b = receive(frame);
            assertSame(b, out.get(out.size() - 1), "went on at once");
            assertArrayEquals(frame, b.toByteArray());
            assertEquals(IpSummed.NONE, b.ipSummed());
        }
        assertEquals(1, gro.heldPackets(), "the TCP flow is still held");
    }

    @Test
    void withGroOffEveryFrameGoesStraightOn() {
        dev.setFeatures(dev.features() & ~NetdevFeatures.GRO);
        Seg s1 = new Seg();
        receive(s1);
        receive(s1.next());
        assertEquals(List.of("1", "2"), describe());
        assertEquals(0, gro.heldPackets());
    }

    @Test
    void everyTruncationOfASegmentGoesOnOnceWithoutAnException() {
        byte[] frame = new Seg().frame();
        for (int len = 0; len < frame.length; len++) {
            byte[] cut = Arrays.copyOf(frame, len);
            PacketBuffer b = receive(cut);
            assertSame(b, out.get(out.size() - 1), "length " + len);
            assertArrayEquals(cut, b.toByteArray());
        }
        assertEquals(0, gro.heldPackets());
    }

    @Test
    void aTcpHeaderLongerThanTheFrameGoesOn() {
        Seg s = new Seg();
        s.len = 0;
        s.mangle = f -> withTcpChecksum(set(f, TCP + 12, 0xf0));
        receive(s);
        assertEquals(1, out.size());
        assertEquals(0, gro.heldPackets());
    }

    // ---- frames ----

    /** One segment from the host to the stack (port 80). {@link #next} is the one that follows it in order. */
    private static final class Seg {
        int sport = 40000;
        int seq = ISN;
        int ack = 5000;
        int flags = TcpSegment.ACK;
        int window = 502;
        byte[] options = timestamps(100, 200);
        int id = 7;
        int fragOff = Ipv4Packet.IP_DF;
        int ttl = 64;
        int tos;
        int len = MSS;
        int index = 1;
        /** A change to the finished frame's bytes, for what the fields cannot say. */
        UnaryOperator<byte[]> mangle = f -> f;

        Seg next() {
            Seg n = new Seg();
            n.sport = sport;
            n.seq = seq + len;
            n.ack = ack;
            n.flags = flags & ~(TcpSegment.PSH | TcpSegment.FIN);
            n.window = window;
            n.options = options;
            n.id = (id + 1) & 0xffff;
            n.fragOff = fragOff;
            n.ttl = ttl;
            n.tos = tos;
            n.len = len;
            n.index = index + 1;
            return n;
        }

        Seg from(int port) {
            sport = port;
            return this;
        }

        byte[] frame() {
            byte[] ip = Frames.ipv4(HOST_IP, STACK_IP, Ipv4Packet.IPPROTO_TCP, ttl, id, fragOff,
                    Frames.tcp(HOST_IP, STACK_IP, sport, 80, seq, ack, flags, window, options, stream(seq, len)));
            ip[1] = (byte) tos;
            return mangle.apply(eth(STACK_MAC, HOST_MAC, ETH_P_IP, Frames.refreshIpChecksum(ip)));
        }
    }

    private PacketBuffer receive(Seg s) {
        return receive(s, b -> { });
    }

    private PacketBuffer receive(Seg s, Consumer<PacketBuffer> device) {
        segmentById.put(s.id, s.index);
        return receive(s.frame(), device);
    }

    private PacketBuffer receive(byte[] frame) {
        return receive(frame, b -> { });
    }

    /** Hands {@code frame} to GRO as a driver would, with the offload state {@code device} sets. */
    private PacketBuffer receive(byte[] frame, Consumer<PacketBuffer> device) {
        return receive(frame, 0, device);
    }

    /** As a driver that reads frames {@code headroom} bytes into its buffers. */
    private PacketBuffer receive(byte[] frame, int headroom, Consumer<PacketBuffer> device) {
        PacketBuffer b = pool.allocate(headroom + frame.length);
        b.reserve(headroom);
        b.copyIn(b.put(frame.length), frame, 0, frame.length);
        b.setDev(dev);
        device.accept(b);
        gro.receive(b);
        return b;
    }

    /** What was delivered, each packet as the segments it holds: "2", or "1-3" for a super-packet. */
    private List<String> describe() {
        List<String> d = new ArrayList<>();
        for (PacketBuffer p : out) {
            int first = segmentById.get(p.u16(p.data() + IP + 4));
            d.add(p.isGso() ? first + "-" + (first + p.gsoSegs() - 1) : String.valueOf(first));
        }
        return d;
    }

    /** The stream's bytes from sequence number {@code seq} on: each byte says where it lies. */
    private static byte[] stream(int seq, int len) {
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) ((seq + i) * 131 + ((seq + i) >>> 8));
        }
        return d;
    }

    /** NOP, NOP, timestamps (kind 8, length 10). */
    private static byte[] timestamps(int tsval, int tsecr) {
        return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(tsval)
                .putInt(tsecr).array();
    }

    /** The frame with four bytes of IP options (NOP, NOP, NOP, end) and its header fixed up. */
    private static byte[] withIpOptions(byte[] f) {
        byte[] g = new byte[f.length + 4];
        System.arraycopy(f, 0, g, 0, TCP);
        g[TCP] = 1;
        g[TCP + 1] = 1;
        g[TCP + 2] = 1;
        System.arraycopy(f, TCP, g, TCP + 4, f.length - TCP);
        g[IP] = 0x46;
        int len = u16(f, IP + 2) + 4;
        g[IP + 2] = (byte) (len >> 8);
        g[IP + 3] = (byte) len;
        byte[] ip = Arrays.copyOfRange(g, IP, g.length);
        Frames.refreshIpChecksum(ip);
        System.arraycopy(ip, 0, g, IP, ip.length);
        return g;
    }

    private static byte[] flip(byte[] f, int off) {
        f[off] ^= (byte) 0xff;
        return f;
    }

    private static byte[] set(byte[] f, int off, int v) {
        f[off] = (byte) v;
        return f;
    }

    /** The headers of a delivered frame with the IP length, IP checksum and TCP checksum zeroed. */
    private static byte[] withoutLengthAndChecksums(byte[] f) {
        byte[] h = Arrays.copyOf(f, TCP + TCP_HEADER);
        for (int off : new int[] {IP + 2, IP + 10, TCP + 16}) {
            h[off] = 0;
            h[off + 1] = 0;
        }
        return h;
    }

    /**
     * skb_checksum_help on a copy of a CHECKSUM_PARTIAL frame: the sum of the TCP bytes from the header on,
     * the pseudo-header's sum already in the checksum field, complemented into that field.
     */
    private static byte[] finishChecksum(byte[] f) {
        byte[] g = f.clone();
        int c = Frames.checksum(g, TCP, g.length - TCP);
        g[TCP + 16] = (byte) (c >> 8);
        g[TCP + 17] = (byte) c;
        return g;
    }

    /** The frame with its TCP checksum computed anew, after a test changed the header on purpose. */
    private static byte[] withTcpChecksum(byte[] f) {
        f[TCP + 16] = 0;
        f[TCP + 17] = 0;
        int c = Frames.tcpChecksum(HOST_IP, STACK_IP, Arrays.copyOfRange(f, TCP, f.length));
        f[TCP + 16] = (byte) (c >> 8);
        f[TCP + 17] = (byte) c;
        return f;
    }

    private static int bucket(int sport) {
        return FlowHash.ofFlow(HOST_IP, STACK_IP, Ipv4Packet.IPPROTO_TCP, sport, 80) & (Gro.GRO_HASH_BUCKETS - 1);
    }

    /** {@code n} source ports whose flows hash to the same bucket. */
    private static List<Integer> portsInOneBucket(int n) {
        List<Integer> ports = new ArrayList<>();
        for (int port = 40000; ports.size() < n; port++) {
            if (bucket(port) == bucket(40000)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static int sourcePort(PacketBuffer p) {
        return p.u16(p.data() + TCP);
    }
}
