package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The send ring (written, its payload views copied out by offset, freed by ACKs) and the receive ring with its
 * ofo queue; payload bytes going between packets and rings with no array in between, either side of a wrap.
 */
class TcpBuffersTest extends PooledBufferTest {

    private static byte[] bytes(int from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static Payload payload(int from, int len) {
        return Payload.of(bytes(from, len));
    }

    /** Reads {@code len} bytes from {@code rb}, which must be all of {@code bytes(from, len)}. */
    private static void assertReads(ReceiveBuffer rb, int from, int len) {
        byte[] out = new byte[len];
        assertEquals(len, rb.read(out, 0, len));
        assertArrayEquals(bytes(from, len), out);
    }

    @Test
    void sendBufferWrapsGrowsAndFrees() {
        SendBuffer sb = new SendBuffer(32);
        assertEquals(10, sb.write(bytes(0, 10), 0, 10));
        sb.consume(6);
        assertEquals(20, sb.write(bytes(10, 20), 0, 20));
        assertEquals(24, sb.size());
        assertEquals(8, sb.free());
        byte[] out = new byte[24];
        sb.payloadAt(0).copyTo(0, out, 0, 24);
        assertArrayEquals(bytes(6, 24), out);
        assertEquals(8, sb.write(bytes(30, 50), 0, 50), "only what fits the limit");
        byte[] mid = new byte[5];
        sb.payloadAt(20).copyTo(0, mid, 0, 5);
        assertArrayEquals(bytes(26, 5), mid);
        assertThrows(IndexOutOfBoundsException.class, () -> sb.payloadAt(30).copyTo(0, new byte[5], 0, 5));
        assertThrows(IllegalArgumentException.class, () -> sb.consume(33));
    }

    @Test
    void inOrderDataIsReadableAndShrinksTheWindow() {
        ReceiveBuffer rb = new ReceiveBuffer(100);
        assertEquals(30, rb.accept(0, payload(0, 30), 0, 30));
        assertEquals(70, rb.window());
        assertReads(rb, 0, 30);
        assertEquals(100, rb.window());
    }

    @Test
    void aGapIsHeldUntilFilledAndReportedAsARange() {
        ReceiveBuffer rb = new ReceiveBuffer(1000);
        assertEquals(0, rb.accept(100, payload(100, 50), 0, 50));
        assertEquals(0, rb.accept(200, payload(200, 50), 0, 50));
        assertEquals(0, rb.accept(150, payload(150, 50), 0, 50));
        List<int[]> ranges = rb.outOfOrderRanges();
        assertEquals(1, ranges.size());
        assertArrayEquals(new int[] {100, 250}, ranges.get(0), "touching segments merge");
        assertEquals(850, rb.window(), "held bytes count against the window");
        assertEquals(250, rb.accept(0, payload(0, 100), 0, 100), "filling the gap brings the rest in");
        assertEquals(0, rb.outOfOrderRanges().size());
        assertReads(rb, 0, 250);
    }

    @Test
    void overlapsAndRetransmissionsAreTrimmed() {
        ReceiveBuffer rb = new ReceiveBuffer(1000);
        rb.accept(0, payload(0, 100), 0, 100);
        assertEquals(20, rb.accept(-50, payload(50, 70), 0, 70), "the old part is ignored");
        assertEquals(0, rb.accept(-10, payload(110, 10), 0, 10), "all old");
        rb.accept(30, payload(150, 40), 0, 40);
        assertEquals(70, rb.accept(0, payload(120, 60), 0, 60), "overlaps the held segment");
        assertReads(rb, 0, 190);
    }

    @Test
    void nothingBeyondTheCapacityIsTaken() {
        ReceiveBuffer rb = new ReceiveBuffer(100);
        assertEquals(100, rb.accept(0, payload(0, 150), 0, 150));
        assertEquals(0, rb.window());
        assertEquals(0, rb.accept(0, payload(100, 10), 0, 10));
        assertEquals(0, rb.accept(5, payload(105, 10), 0, 10), "not even held out of order");
    }

    @Test
    void overlappingCopiesHeldOutOfOrderNeverTakeMoreThanTheBuffer() {
        ReceiveBuffer rb = new ReceiveBuffer(4000);
        for (int off = 1; off < 3000; off++) {
            rb.accept(off, payload(off, 1000), 0, 1000); // a hostile peer: the same bytes shifted by one, again and again
        }
        assertEquals(0, rb.window(), "four copies fill the buffer, and no more are taken");
        assertEquals(1004, rb.accept(0, payload(0, 1), 0, 1), "the gap filled: the held copies join the stream, overlaps trimmed");
        byte[] out = new byte[4000];
        assertEquals(1004, rb.read(out, 0, out.length));
        assertEquals((byte) 1003, out[1003]);
        assertEquals(4000, rb.window());
    }

    @Test
    void randomSegmentsInAnyOrderReassembleTheStream() {
        Random r = new Random(5);
        byte[] stream = new byte[20_000];
        r.nextBytes(stream);
        ReceiveBuffer rb = new ReceiveBuffer(65_536);
        int[] starts = new int[40];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = i * 500;
        }
        for (int i = starts.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = starts[i];
            starts[i] = starts[j];
            starts[j] = t;
        }
        long in = 0;
        for (int s : starts) {
            int len = Math.min(500 + r.nextInt(200), stream.length - s); // segments overlap their successors
            in += rb.accept((int) (s - in), Payload.of(stream), s, len);
        }
        assertEquals(stream.length, in);
        byte[] out = new byte[stream.length];
        rb.read(out, 0, out.length);
        assertArrayEquals(stream, out);
        assertEquals(Arrays.hashCode(stream), Arrays.hashCode(out));
    }

    /** A packet holding {@code bytes(from, len)} after {@code skip} bytes of something else (the headers). */
    private PacketBuffer packet(int skip, int from, int len) {
        byte[] b = new byte[skip + len];
        Arrays.fill(b, 0, skip, (byte) 0xee);
        System.arraycopy(bytes(from, len), 0, b, skip, len);
        return buffer(b);
    }

    @Test
    void receivedBytesGoFromThePacketStraightIntoTheRingAcrossItsWrap() {
        ReceiveBuffer rb = new ReceiveBuffer(100);
        rb.accept(0, payload(0, 60), 0, 60);
        rb.read(new byte[60], 0, 60); // the ring's head is now 60 bytes in: the next 80 bytes wrap
        PacketBuffer pkt = packet(40, 60, 80);
        assertEquals(80, rb.accept(0, Payload.of(pkt, pkt.data() + 40), 0, 80));
        pkt.release();
        assertReads(rb, 60, 80);
    }

    @Test
    void bytesHeldOutOfOrderAreTheirOwnCopyOnceThePacketIsGone() {
        ReceiveBuffer rb = new ReceiveBuffer(1000);
        PacketBuffer ahead = packet(20, 100, 50);
        assertEquals(0, rb.accept(100, Payload.of(ahead, ahead.data() + 20), 0, 50));
        ahead.fill(ahead.data(), ahead.len(), (byte) 0); // released, a pooled buffer's bytes are the next packet's
        ahead.release();
        assertEquals(150, rb.accept(0, payload(0, 100), 0, 100));
        assertReads(rb, 0, 150);
    }

    @Test
    void sentBytesGoFromTheRingStraightIntoThePacketAcrossItsWrap() {
        SendBuffer sb = new SendBuffer(100);
        sb.write(bytes(0, 60), 0, 60);
        sb.consume(60); // acknowledged: the next 80 bytes wrap
        sb.write(bytes(60, 80), 0, 80);
        PacketBuffer pkt = pool.allocate(200);
        int at = pkt.put(70);
        sb.payloadAt(10).copyTo(0, pkt, at, 70);
        byte[] out = new byte[70];
        pkt.copyOut(at, out, 0, 70);
        pkt.release();
        assertArrayEquals(bytes(70, 70), out);
    }
}
