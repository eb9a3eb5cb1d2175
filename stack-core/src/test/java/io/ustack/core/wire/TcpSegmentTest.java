package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class TcpSegmentTest extends PooledBufferTest {
    /*
     * Captured with tcpdump on a veth pair between two network namespaces, Linux 6.18 on both ends, transmit
     * checksum offload switched off so the checksums on the wire are the kernel's own: a Python client on
     * 10.77.0.1:43210 sends an HTTP/1.0 request to a Python server on 10.77.0.2:80. Only the TCP header and
     * payload are kept.
     */
    static final int CLIENT = Ipv4Address.parse("10.77.0.1");
    static final int SERVER = Ipv4Address.parse("10.77.0.2");
    /** [S] seq 3014665745 win 64240 [mss 1460,sackOK,TS val 175884730 ecr 0,nop,wscale 10]. */
    static final String SYN = "a8ca 0050 b3b02611 00000000 a002 faf0 e15d 0000"
            + " 020405b4 0402080a 0a7bc9ba 00000000 0103030a";
    /** [S.] seq 1130533304 ack 3014665746 win 65160 [mss 1460,sackOK,TS val 1275058852 ecr 175884730,nop,wscale 10]. */
    static final String SYN_ACK = "0050 a8ca 436291b8 b3b02612 a012 fe88 e1f5 0000"
            + " 020405b4 0402080a 4bffdaa4 0a7bc9ba 0103030a";
    /** [P.] seq 1:19 ack 1 win 63 [nop,nop,TS val 175884780 ecr 1275058852], "GET / HTTP/1.0\r\n\r\n". */
    static final String DATA = "a8ca 0050 b3b02612 436291b9 8018 003f 3023 0000"
            + " 0101080a 0a7bc9ec 4bffdaa4"
            + " 474554202f20485454502f312e300d0a0d0a";
    /** [.] ack 24 win 63 [nop,nop,TS val 175885025 ecr 1275059103]: the client's ACK of the server's FIN. */
    static final String ACK_OF_FIN = "a8ca 0050 b3b02624 436291d0 8010 003f 0cc4 0000 0101080a 0a7bcae1 4bffdb9f";
    /** [F.] seq 19 ack 24 win 63 [nop,nop,TS val 175885081 ecr 1275059103]: the client's FIN, 56 ms later. */
    static final String FIN_ACK = "a8ca 0050 b3b02624 436291d0 8011 003f 0c8b 0000 0101080a 0a7bcb19 4bffdb9f";
    /** A SYN without options (data offset 5), built by hand; its checksum computed separately in Python. */
    static final String BARE_SYN = "3039 0050 00000001 00000000 5002 0200 68bc 0000";

    /**
     * The textbook TCP checksum, independent of Checksum: the 12-byte pseudo-header (RFC 9293 3.1) laid out
     * as bytes, then the segment, summed sixteen bits at a time with end-around carry and complemented.
     */
    static int referenceChecksum(int saddr, int daddr, byte[] segment) {
        byte[] all = new byte[12 + segment.length];
        for (int i = 0; i < 4; i++) {
            all[i] = (byte) (saddr >>> (24 - 8 * i));
            all[4 + i] = (byte) (daddr >>> (24 - 8 * i));
        }
        all[9] = 6;
        all[10] = (byte) (segment.length >>> 8);
        all[11] = (byte) segment.length;
        System.arraycopy(segment, 0, all, 12, segment.length);
        long sum = 0;
        for (int i = 0; i < all.length; i += 2) {
            sum += ((all[i] & 0xff) << 8) | (i + 1 < all.length ? all[i + 1] & 0xff : 0);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static byte[] withChecksumZeroed(byte[] segment) {
        byte[] c = segment.clone();
        c[16] = 0;
        c[17] = 0;
        return c;
    }

    @Test
    void capturedChecksumsAgreeWithTheIndependentComputation() {
        String[][] segs = {{SYN, "c"}, {SYN_ACK, "s"}, {DATA, "c"}, {ACK_OF_FIN, "c"}, {FIN_ACK, "c"}, {BARE_SYN, "c"}};
        for (String[] s : segs) {
            byte[] seg = hex(s[0]);
            int src = s[1].equals("c") ? CLIENT : SERVER;
            int dst = s[1].equals("c") ? SERVER : CLIENT;
            int stored = ((seg[16] & 0xff) << 8) | (seg[17] & 0xff);
            assertEquals(stored, referenceChecksum(src, dst, withChecksumZeroed(seg)), s[0]);
            assertEquals(0, referenceChecksum(src, dst, seg), "a correct segment sums to zero: " + s[0]);

            PacketBuffer b = buffer(seg);
            TcpSegment t = TcpSegment.wrap(b, 0);
            assertTrue(t.checksumOk(src, dst, seg.length), s[0]);
            assertFalse(t.checksumOk(dst, src ^ 1, seg.length), "another pseudo-header: " + s[0]);
            assertFalse(t.checksumOk(src, dst, seg.length - 2), "another length: " + s[0]);
            t.updateChecksum(src, dst, seg.length);
            assertEquals(stored, t.checksum(), s[0]);
            b.release();
        }
    }

    @Test
    void synToFields() {
        PacketBuffer b = buffer(hex(SYN));
        TcpSegment t = TcpSegment.wrap(b, 0);
        assertNotNull(t);
        assertEquals(0, t.offset());
        assertEquals(43210, t.sourcePort());
        assertEquals(80, t.destinationPort());
        assertEquals(3014665745L, Integer.toUnsignedLong(t.seq()));
        assertEquals(0, t.ackSeq());
        assertEquals(10, t.dataOffset());
        assertEquals(40, t.headerLength());
        assertEquals(20, t.optionsOffset());
        assertEquals(20, t.optionsLength());
        assertEquals(40, t.payloadOffset());
        assertEquals(TcpSegment.SYN, t.flags());
        assertTrue(t.hasFlags(TcpSegment.SYN));
        assertFalse(t.hasFlags(TcpSegment.ACK));
        assertEquals(64240, t.window());
        assertEquals(0xe15d, t.checksum());
        assertEquals(0, t.urgentPointer());
        assertEquals(0x02, b.u8(t.optionsOffset()), "the options start with MSS");
        b.release();
    }

    @Test
    void synAckToFields() {
        PacketBuffer b = buffer(hex(SYN_ACK));
        TcpSegment t = TcpSegment.wrap(b, 0);
        assertEquals(80, t.sourcePort());
        assertEquals(43210, t.destinationPort());
        assertEquals(1130533304L, Integer.toUnsignedLong(t.seq()));
        assertEquals(3014665746L, Integer.toUnsignedLong(t.ackSeq()));
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, t.flags());
        assertTrue(t.hasFlags(TcpSegment.SYN | TcpSegment.ACK));
        assertEquals(65160, t.window());
        assertEquals(40, t.headerLength());
        assertTrue(t.checksumOk(SERVER, CLIENT, 40));
        b.release();
    }

    @Test
    void dataSegmentToFieldsAndPayload() {
        byte[] seg = hex(DATA);
        PacketBuffer b = buffer(seg);
        TcpSegment t = TcpSegment.wrap(b, 0);
        assertEquals(TcpSegment.PSH | TcpSegment.ACK, t.flags());
        assertEquals(8, t.dataOffset());
        assertEquals(32, t.headerLength());
        assertEquals(12, t.optionsLength());
        assertEquals(32, t.payloadOffset());
        assertEquals(0xb3b02612, t.seq());
        assertEquals(0x436291b9, t.ackSeq());
        assertEquals(63, t.window(), "unscaled: 63 << 10 bytes");
        byte[] payload = new byte[seg.length - t.payloadOffset()];
        b.copyOut(t.payloadOffset(), payload, 0, payload.length);
        assertEquals("GET / HTTP/1.0\r\n\r\n", new String(payload, StandardCharsets.US_ASCII));
        assertTrue(t.checksumOk(CLIENT, SERVER, seg.length));
        b.release();
    }

    @Test
    void finAckFlags() {
        PacketBuffer b = buffer(hex(FIN_ACK));
        TcpSegment t = TcpSegment.wrap(b, 0);
        assertEquals(TcpSegment.FIN | TcpSegment.ACK, t.flags());
        assertTrue(t.hasFlags(TcpSegment.FIN));
        assertFalse(t.hasFlags(TcpSegment.FIN | TcpSegment.RST));
        b.release();
    }

    @Test
    void theEightControlBitsAreDistinct() {
        int[] bits = {TcpSegment.FIN, TcpSegment.SYN, TcpSegment.RST, TcpSegment.PSH, TcpSegment.ACK,
            TcpSegment.URG, TcpSegment.ECE, TcpSegment.CWR};
        PacketBuffer b = buffer(hex(BARE_SYN));
        TcpSegment t = TcpSegment.wrap(b, 0);
        for (int i = 0; i < 8; i++) {
            assertEquals(1 << i, bits[i]);
            t.setFlags(bits[i]);
            assertEquals(bits[i], b.u8(13), "byte 13 carries the bit");
            assertEquals(0x50, b.u8(12), "the data offset byte is untouched");
        }
        t.setFlags(TcpSegment.SYN | TcpSegment.ECE | TcpSegment.CWR); // an ECN-setup SYN (RFC 3168)
        assertEquals(0xc2, t.flags());
        b.release();
    }

    @Test
    void wrapAtAnOffsetReadsFromThere() {
        byte[] ip = hex("4500 0046 3e5c 4000 4006 e7b9 0a4d0001 0a4d0002"); // the capture's IP header
        byte[] seg = hex(DATA);
        byte[] pkt = Arrays.copyOf(ip, ip.length + seg.length);
        System.arraycopy(seg, 0, pkt, ip.length, seg.length);
        PacketBuffer b = buffer(pkt);
        TcpSegment t = TcpSegment.wrap(b, 20);
        assertEquals(20, t.offset());
        assertEquals(43210, t.sourcePort());
        assertEquals(40, t.optionsOffset());
        assertEquals(52, t.payloadOffset());
        Ipv4Packet iph = Ipv4Packet.wrap(b, 0);
        assertTrue(iph.checksumOk());
        assertTrue(t.checksumOk(iph.saddr(), iph.daddr(), iph.totalLength() - iph.headerLength()));
        b.release();
    }

    @Test
    void pushProducesIdenticalBytes() {
        byte[] expected = hex(SYN);
        PacketBuffer b = pool.allocate(128);
        b.reserve(64);
        TcpSegment t = TcpSegment.push(b, 43210, 80, 0xb3b02611, 0, TcpSegment.SYN, 64240, 20);
        assertEquals(24, b.data());
        assertEquals(24, b.transportHeader());
        assertEquals(24, t.offset());
        assertEquals(40, b.len());
        assertEquals(40, t.headerLength());
        assertEquals(0, t.checksum(), "push leaves the checksum to updateChecksum");
        b.copyIn(t.optionsOffset(), expected, 20, 20); // the options, as TcpOptions would write them
        t.updateChecksum(CLIENT, SERVER, b.len());
        assertArrayEquals(expected, b.toByteArray());
        b.release();
    }

    @Test
    void pushInFrontOfPayloadProducesIdenticalBytes() {
        byte[] expected = hex(DATA);
        byte[] payload = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        PacketBuffer b = pool.allocate(256);
        b.reserve(BufferPool.DEFAULT_HEADROOM);
        b.copyIn(b.put(payload.length), payload, 0, payload.length);
        b.fill(b.data() - 32, 32, (byte) 0xee); // stale bytes from an earlier packet must not leak through
        TcpSegment t = TcpSegment.push(b, 43210, 80, 0xb3b02612, 0x436291b9, TcpSegment.PSH | TcpSegment.ACK, 63, 12);
        b.copyIn(t.optionsOffset(), expected, 20, 12);
        t.updateChecksum(CLIENT, SERVER, b.len());
        assertArrayEquals(expected, b.toByteArray());
        assertEquals(t.offset() + 32, t.payloadOffset());
        b.release();
    }

    @Test
    void pushWithoutOptions() {
        PacketBuffer b = pool.allocate(64);
        b.reserve(40);
        TcpSegment t = TcpSegment.push(b, 12345, 80, 1, 0, TcpSegment.SYN, 512, 0);
        t.updateChecksum(CLIENT, SERVER, b.len());
        assertArrayEquals(hex(BARE_SYN), b.toByteArray());
        b.release();
    }

    @Test
    void pushRefusesOptionLengthsTheHeaderCannotCarry() {
        PacketBuffer b = pool.allocate(128);
        b.reserve(100);
        for (int bad : new int[] {-4, 1, 2, 3, 22, 44}) {
            assertThrows(IllegalArgumentException.class,
                    () -> TcpSegment.push(b, 1, 2, 0, 0, TcpSegment.SYN, 0, bad), "options " + bad);
            assertEquals(100, b.data(), "nothing pushed for " + bad);
        }
        TcpSegment t = TcpSegment.push(b, 1, 2, 0, 0, TcpSegment.SYN, 0, 40);
        assertEquals(15, t.dataOffset());
        assertEquals(TcpSegment.MAX_HEADER_LEN, t.headerLength());
        b.release();
    }

    @Test
    void settersProduceIdenticalBytes() {
        // the ACK of the FIN becomes the client's own FIN: flags, the timestamp, the checksum
        PacketBuffer b = buffer(hex(ACK_OF_FIN));
        TcpSegment t = TcpSegment.wrap(b, 0);
        t.setFlags(TcpSegment.FIN | TcpSegment.ACK);
        b.setI32(t.optionsOffset() + 4, 0x0a7bcb19);
        t.updateChecksum(CLIENT, SERVER, 32);
        assertArrayEquals(hex(FIN_ACK), b.toByteArray());

        // and every field through its setter, to the server's view of the bare SYN
        t.setSourcePort(12345);
        t.setDestinationPort(80);
        t.setSeq(1);
        t.setAckSeq(0);
        t.setFlags(TcpSegment.SYN);
        t.setWindow(512);
        t.setUrgentPointer(0);
        b.setU8(12, 0x50);
        b.trim(20);
        t.updateChecksum(CLIENT, SERVER, 20);
        assertArrayEquals(hex(BARE_SYN), b.toByteArray());
        t.setUrgentPointer(0xbeef);
        assertEquals(0xbeef, t.urgentPointer());
        assertEquals(0xbeef, b.u16(18));
        b.release();
    }

    @Test
    void everySingleBitFlipBreaksTheChecksum() {
        byte[] seg = hex(DATA);
        for (int bit = 0; bit < seg.length * 8; bit++) {
            byte[] c = seg.clone();
            c[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            PacketBuffer b = buffer(c);
            assertFalse(TcpSegment.wrap(b, 0).checksumOk(CLIENT, SERVER, c.length), "bit " + bit);
            b.release();
        }
    }

    @Test
    void aComputedZeroIsSentAsZero() {
        // Adjust the last payload word so the segment's sum comes to 0xffff: the checksum is then 0, which
        // TCP sends as is (UDP alone reserves 0 for "none").
        byte[] seg = hex(DATA);
        int c = referenceChecksum(CLIENT, SERVER, withChecksumZeroed(seg));
        int last = seg.length - 2;
        long word = (((seg[last] & 0xff) << 8) | (seg[last + 1] & 0xff)) + (long) c;
        word = (word & 0xffff) + (word >>> 16);
        seg[last] = (byte) (word >>> 8);
        seg[last + 1] = (byte) word;
        assertEquals(0, referenceChecksum(CLIENT, SERVER, withChecksumZeroed(seg)));
        PacketBuffer b = buffer(seg);
        TcpSegment t = TcpSegment.wrap(b, 0);
        t.updateChecksum(CLIENT, SERVER, seg.length);
        assertEquals(0, t.checksum());
        assertTrue(t.checksumOk(CLIENT, SERVER, seg.length));
        b.release();
    }

    @Test
    void anOddLengthSegmentPadsWithZero() {
        // one payload byte: the checksum covers 21 bytes (opts4 capture: [P.] seq 1:2 "x", no options)
        byte[] seg = hex("a8d4 0050 fc613bf0 12b7ae92 5018 003f 802f 0000 78");
        PacketBuffer b = buffer(seg);
        TcpSegment t = TcpSegment.wrap(b, 0);
        assertEquals(0x802f, referenceChecksum(CLIENT, SERVER, withChecksumZeroed(seg)));
        assertTrue(t.checksumOk(CLIENT, SERVER, 21));
        t.updateChecksum(CLIENT, SERVER, 21);
        assertEquals(0x802f, t.checksum());
        b.release();
    }

    @Test
    void truncatedInputIsRejected() {
        byte[] h = hex(BARE_SYN);
        PacketBuffer b = pool.allocate(64);
        b.copyIn(b.put(19), h, 0, 19);
        assertNull(TcpSegment.wrap(b, 0));
        b.put(1);
        b.copyIn(19, h, 19, 1);
        assertNotNull(TcpSegment.wrap(b, 0));
        assertNull(TcpSegment.wrap(b, 1));
        assertNull(TcpSegment.wrap(b, -1));
        b.release();
    }

    @Test
    void aBogusDataOffsetIsReportedNotTrusted() {
        // doff 4 (below the minimum) and doff 15 over a 20-byte buffer: tcp_v4_rcv's checks to make
        PacketBuffer b = buffer(hex(BARE_SYN));
        TcpSegment t = TcpSegment.wrap(b, 0);
        b.setU8(12, 0x40);
        assertEquals(4, t.dataOffset());
        assertEquals(16, t.headerLength());
        assertEquals(-4, t.optionsLength());
        b.setU8(12, 0xf0);
        assertEquals(60, t.headerLength());
        assertEquals(60, t.payloadOffset());
        assertTrue(t.payloadOffset() > b.tail(), "the receive path sees the header overrun the packet");
        b.setU8(12, 0x5f); // reserved bits set: not part of the data offset
        assertEquals(5, t.dataOffset());
        b.release();
    }
}
