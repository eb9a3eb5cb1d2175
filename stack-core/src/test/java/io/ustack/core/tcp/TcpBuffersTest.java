package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The send ring (written, copied out by offset, freed by ACKs) and the receive ring with its ofo queue. */
class TcpBuffersTest {

    private static byte[] bytes(int from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
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
        sb.copyOut(0, out, 0, 24);
        assertArrayEquals(bytes(6, 24), out);
        assertEquals(8, sb.write(bytes(30, 50), 0, 50), "only what fits the limit");
        byte[] mid = new byte[5];
        sb.copyOut(20, mid, 0, 5);
        assertArrayEquals(bytes(26, 5), mid);
        assertThrows(IndexOutOfBoundsException.class, () -> sb.copyOut(30, new byte[5], 0, 5));
        assertThrows(IllegalArgumentException.class, () -> sb.consume(33));
    }

    @Test
    void inOrderDataIsReadableAndShrinksTheWindow() {
        ReceiveBuffer rb = new ReceiveBuffer(100);
        assertEquals(30, rb.accept(0, bytes(0, 30), 0, 30));
        assertEquals(70, rb.window());
        byte[] out = new byte[30];
        assertEquals(30, rb.read(out, 0, 30));
        assertArrayEquals(bytes(0, 30), out);
        assertEquals(100, rb.window());
    }

    @Test
    void aGapIsHeldUntilFilledAndReportedAsARange() {
        ReceiveBuffer rb = new ReceiveBuffer(1000);
        assertEquals(0, rb.accept(100, bytes(100, 50), 0, 50));
        assertEquals(0, rb.accept(200, bytes(200, 50), 0, 50));
        assertEquals(0, rb.accept(150, bytes(150, 50), 0, 50));
        List<int[]> ranges = rb.outOfOrderRanges();
        assertEquals(1, ranges.size());
        assertArrayEquals(new int[] {100, 250}, ranges.get(0), "touching segments merge");
        assertEquals(850, rb.window(), "held bytes count against the window");
        assertEquals(250, rb.accept(0, bytes(0, 100), 0, 100), "filling the gap brings the rest in");
        assertEquals(0, rb.outOfOrderRanges().size());
        byte[] out = new byte[250];
        rb.read(out, 0, 250);
        assertArrayEquals(bytes(0, 250), out);
    }

    @Test
    void overlapsAndRetransmissionsAreTrimmed() {
        ReceiveBuffer rb = new ReceiveBuffer(1000);
        rb.accept(0, bytes(0, 100), 0, 100);
        assertEquals(20, rb.accept(-50, bytes(50, 70), 0, 70), "the old part is ignored");
        assertEquals(0, rb.accept(-10, bytes(110, 10), 0, 10), "all old");
        rb.accept(30, bytes(150, 40), 0, 40);
        assertEquals(70, rb.accept(0, bytes(120, 60), 0, 60), "overlaps the held segment");
        byte[] out = new byte[190];
        assertEquals(190, rb.read(out, 0, 190));
        assertArrayEquals(bytes(0, 190), out);
    }

    @Test
    void nothingBeyondTheCapacityIsTaken() {
        ReceiveBuffer rb = new ReceiveBuffer(100);
        assertEquals(100, rb.accept(0, bytes(0, 150), 0, 150));
        assertEquals(0, rb.window());
        assertEquals(0, rb.accept(0, bytes(100, 10), 0, 10));
        assertEquals(0, rb.accept(5, bytes(105, 10), 0, 10), "not even held out of order");
    }

    @Test
    void overlappingCopiesHeldOutOfOrderNeverTakeMoreThanTheBuffer() {
        ReceiveBuffer rb = new ReceiveBuffer(4000);
        for (int off = 1; off < 3000; off++) {
            rb.accept(off, bytes(off, 1000), 0, 1000); // a hostile peer: the same bytes shifted by one, again and again
        }
        assertEquals(0, rb.window(), "four copies fill the buffer, and no more are taken");
        assertEquals(1004, rb.accept(0, bytes(0, 1), 0, 1), "the gap filled: the held copies join the stream, overlaps trimmed");
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
            in += rb.accept((int) (s - in), stream, s, len);
        }
        assertEquals(stream.length, in);
        byte[] out = new byte[stream.length];
        rb.read(out, 0, out.length);
        assertArrayEquals(stream, out);
        assertEquals(Arrays.hashCode(stream), Arrays.hashCode(out));
    }
}
