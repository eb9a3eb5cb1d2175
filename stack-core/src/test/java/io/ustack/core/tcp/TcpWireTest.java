package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.testing.Frames;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.TcpSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A segment built into a packet parses back to the same segment, options and payload included. */
class TcpWireTest {
    private final BufferPool pool = new BufferPool();
    private final TcpWire wire = new TcpWire();

    @AfterEach
    void leakCheck() {
        assertEquals(0, pool.outstanding());
    }

    private Segment roundTrip(Segment seg) {
        PacketBuffer built = wire.build(pool, seg, 0x0a000002, 80, 0x0a000001, 40000, Integer.MAX_VALUE);
        TcpSegment tcp = TcpSegment.wrap(built, built.data());
        assertEquals(PacketBuffer.IpSummed.PARTIAL, built.ipSummed(), "the checksum is left to the device");
        assertEquals(tcp.offset(), built.csumStart());
        assertEquals(TcpSegment.CSUM_OFFSET, built.csumOffset());
        assertFalse(built.isGso());
        assertTrue(PartialChecksum.complete(built));
        assertTrue(tcp.checksumOk(0x0a000002, 0x0a000001, built.len()));
        byte[] bytes = built.toByteArray();
        byte[] pseudo = new byte[12 + bytes.length];
        assertEquals(0, Frames.checksum(withPseudo(bytes, pseudo), 0, pseudo.length), "an independent checksum agrees");
        // the TOS byte IP would carry; the parsed payload borrows the packet, so it is copied before the release
        Segment back = TcpScript.copyOf(wire.parse(built, tcp, seg.ipEcn()));
        built.release();
        return back;
    }

    private static byte[] withPseudo(byte[] tcp, byte[] out) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out);
        b.putInt(0x0a000002).putInt(0x0a000001).put((byte) 0).put((byte) 6).putShort((short) tcp.length).put(tcp);
        return out;
    }

    @Test
    void synWithEveryOption() {
        Segment syn = new Segment(123, 0, TcpSegment.SYN, 65535, 1460, 7, true, true, 1111, 0, Segment.NO_SACK,
                Payload.NONE, 0);
        Segment back = roundTrip(syn);
        assertEquals(syn.toString(), back.toString());
    }

    @Test
    void dataWithTimestampsAndSack() {
        byte[] data = Frames.pattern(1000);
        Segment seg = new Segment(-5, 77, TcpSegment.ACK | TcpSegment.PSH, 512, -1, -1, false, true, 9, 8,
                new int[] {100, 200, 300, 400}, Payload.of(data), data.length);
        Segment back = roundTrip(seg);
        assertEquals(seg.toString(), back.toString());
        assertArrayEquals(data, TcpScript.data(back));
    }

    @Test
    void aPayloadOverGsoSizeIsASuperSegmentCutAtIt() {
        byte[] data = Frames.pattern(5000);
        Segment seg = new Segment(1, 2, TcpSegment.ACK | TcpSegment.PSH, 512, -1, -1, false, true, 9, 8,
                Segment.NO_SACK, Payload.of(data), data.length);
        PacketBuffer built = wire.build(pool, seg, 0x0a000002, 80, 0x0a000001, 40000, 1448);
        assertTrue(built.isGso());
        assertEquals(1448, built.gsoSize());
        assertEquals(4, built.gsoSegs(), "1448 + 1448 + 1448 + 656");
        assertEquals(PacketBuffer.SKB_GSO_TCPV4, built.gsoType());
        assertEquals(PacketBuffer.IpSummed.PARTIAL, built.ipSummed());
        built.release();
    }

    /**
     * The IP ECN field rides in the segment's flags above the TCP bits: the TCP header's flag byte gets only
     * the eight control bits (ECE 0x40, CWR 0x80), and the TOS byte's low two bits come back in on parse.
     */
    @Test
    void ecnBitsSplitBetweenTheTcpFlagsAndTheTosByte() {
        byte[] data = Frames.pattern(100);
        Segment seg = new Segment(1, 2, TcpSegment.ACK | TcpSegment.ECE | TcpSegment.CWR | Segment.IP_ECT0, 512, -1,
                -1, false, false, 0, 0, Segment.NO_SACK, Payload.of(data), data.length);
        assertEquals(2, seg.ipEcn());
        PacketBuffer built = wire.build(pool, seg, 0x0a000002, 80, 0x0a000001, 40000, Integer.MAX_VALUE);
        TcpSegment tcp = TcpSegment.wrap(built, built.data());
        assertEquals(0xd0, tcp.flags(), "CWR, ECE and ACK on the wire; nothing of the IP field");
        assertEquals(0xd0, built.toByteArray()[13] & 0xff);
        Segment ce = wire.parse(built, tcp, 0x03);
        assertEquals(3, ce.ipEcn(), "the TOS byte's CE");
        assertEquals(TcpSegment.ACK | TcpSegment.ECE | TcpSegment.CWR | Segment.IP_CE, ce.flags());
        assertEquals("[EW.] seq 1:101 ack 2 win 512 length 100 [ce]", ce.toString());
        assertEquals(0, wire.parse(built, tcp, 0xb8).ipEcn(), "DSCP EF, not ECN-capable");
        assertEquals(1, wire.parse(built, tcp, 0x01).ipEcn(), "ECT(1)");
        built.release();
    }

    /** tcp_ecn_send: a super-segment carrying CWR is SKB_GSO_TCP_ECN, so GSO leaves CWR on its first segment only. */
    @Test
    void aSuperSegmentWithCwrIsGsoTcpEcn() {
        byte[] data = Frames.pattern(3000);
        Segment seg = new Segment(1, 2, TcpSegment.ACK | TcpSegment.CWR | Segment.IP_ECT0, 512, -1, -1, false,
                false, 0, 0, Segment.NO_SACK, Payload.of(data), data.length);
        PacketBuffer built = wire.build(pool, seg, 0x0a000002, 80, 0x0a000001, 40000, 1448);
        assertEquals(PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_TCP_ECN, built.gsoType());
        built.release();
    }

    /**
     * tcp_v6_send_check and an SKB_GSO_TCPV6 super-segment: the checksum field holds the IPv6 pseudo-header's
     * sum over the whole TCP length (finished over the bytes, it checks out), PSH is set as on every GSO packet.
     */
    @Test
    void overIpv6APayloadOverGsoSizeIsATcpv6SuperSegmentWithAPartialChecksum() {
        byte[] src = Frames.ip6("fd00:77::2");
        byte[] dst = Frames.ip6("fd00:77::1");
        byte[] data = Frames.pattern(5000);
        Segment seg = new Segment(1, 2, TcpSegment.ACK, 512, -1, -1, false, true, 9, 8, Segment.NO_SACK,
                Payload.of(data), data.length);
        PacketBuffer built = wire.build6(pool, seg, Ipv6Address.fromBytes(src, 0), 80, Ipv6Address.fromBytes(dst, 0),
                40000, 1428);
        assertEquals(PacketBuffer.SKB_GSO_TCPV6, built.gsoType());
        assertEquals(1428, built.gsoSize());
        assertEquals(4, built.gsoSegs());
        assertEquals(PacketBuffer.IpSummed.PARTIAL, built.ipSummed());
        assertEquals(built.data(), built.csumStart());
        byte[] bytes = built.toByteArray();
        assertEquals(TcpSegment.ACK | TcpSegment.PSH, bytes[13], "PSH on the super-segment");
        int sum = Frames.checksum(bytes, 0, bytes.length);
        bytes[16] = (byte) (sum >> 8);
        bytes[17] = (byte) sum;
        assertEquals(0, Frames.checksum6(src, dst, 6, bytes), "the field held the IPv6 pseudo-header's sum");
        built.release();

        PacketBuffer small = wire.build6(pool, seg, Ipv6Address.fromBytes(src, 0), 80, Ipv6Address.fromBytes(dst, 0),
                40000, TcpProtocol.NO_GSO);
        assertFalse(small.isGso(), "no GSO on the route: one segment, however long");
        small.release();
    }
}
