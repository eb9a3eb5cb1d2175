package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SeqNumTest {
    /** 0xffff_fff0 and 0x10 straddle the wrap, 32 apart. */
    private static final int NEAR_END = 0xffff_fff0;
    private static final int PAST_WRAP = 0x0000_0010;

    @Test
    void orderWithoutWrap() {
        assertTrue(SeqNum.before(1, 2));
        assertFalse(SeqNum.before(2, 1));
        assertTrue(SeqNum.after(2, 1));
        assertFalse(SeqNum.after(1, 2));
        assertFalse(SeqNum.before(5, 5), "strict");
        assertFalse(SeqNum.after(5, 5), "strict");
    }

    @Test
    void orderAcrossTheWrap() {
        assertTrue(SeqNum.before(NEAR_END, PAST_WRAP));
        assertTrue(SeqNum.after(PAST_WRAP, NEAR_END));
        assertFalse(SeqNum.after(NEAR_END, PAST_WRAP));
        assertTrue(SeqNum.before(-1, 0), "0xffffffff then 0");
        assertTrue(SeqNum.after(0, -1));
        // across the signed-int boundary, which is not special for sequence numbers
        assertTrue(SeqNum.before(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(SeqNum.after(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void halfTheSpaceApartIsTheLimit() {
        int a = 0x1234_5678;
        assertTrue(SeqNum.before(a, a + 0x7fff_ffff), "2^31 - 1 ahead is after");
        assertTrue(SeqNum.after(a, a + 0x8000_0001), "2^31 + 1 ahead is behind");
        // exactly 2^31 apart: each is before the other, as the kernel's before() says
        assertTrue(SeqNum.before(a, a + 0x8000_0000));
        assertTrue(SeqNum.before(a + 0x8000_0000, a));
    }

    @Test
    void betweenIncludesBothEndsAndSpansTheWrap() {
        assertTrue(SeqNum.between(5, 5, 10));
        assertTrue(SeqNum.between(10, 5, 10));
        assertTrue(SeqNum.between(7, 5, 10));
        assertFalse(SeqNum.between(4, 5, 10));
        assertFalse(SeqNum.between(11, 5, 10));

        assertTrue(SeqNum.between(NEAR_END, NEAR_END, PAST_WRAP));
        assertTrue(SeqNum.between(-1, NEAR_END, PAST_WRAP));
        assertTrue(SeqNum.between(0, NEAR_END, PAST_WRAP));
        assertTrue(SeqNum.between(PAST_WRAP, NEAR_END, PAST_WRAP));
        assertFalse(SeqNum.between(PAST_WRAP + 1, NEAR_END, PAST_WRAP));
        assertFalse(SeqNum.between(NEAR_END - 1, NEAR_END, PAST_WRAP));
        assertFalse(SeqNum.between(0x8000_0000, NEAR_END, PAST_WRAP));

        assertTrue(SeqNum.between(42, 42, 42), "a one-number range");
        assertFalse(SeqNum.between(43, 42, 42));
        // the whole space but one number: between is defined beyond 2^31, unlike before/after
        assertTrue(SeqNum.between(0x9000_0000, 0, -2));
        assertFalse(SeqNum.between(-1, 0, -2));
    }

    @Test
    void maxAndMinFollowSequenceOrder() {
        assertEquals(PAST_WRAP, SeqNum.max(NEAR_END, PAST_WRAP));
        assertEquals(PAST_WRAP, SeqNum.max(PAST_WRAP, NEAR_END));
        assertEquals(NEAR_END, SeqNum.min(NEAR_END, PAST_WRAP));
        assertEquals(NEAR_END, SeqNum.min(PAST_WRAP, NEAR_END));
        assertEquals(9, SeqNum.max(9, 9));
        assertEquals(9, SeqNum.min(9, 9));
        assertEquals(3, SeqNum.max(2, 3));
        assertEquals(2, SeqNum.min(2, 3));
    }

    @Test
    void addAndDiffWrap() {
        assertEquals(PAST_WRAP, SeqNum.add(NEAR_END, 32));
        assertEquals(NEAR_END, SeqNum.add(PAST_WRAP, -32));
        assertEquals(32, SeqNum.diff(PAST_WRAP, NEAR_END));
        assertEquals(-32, SeqNum.diff(NEAR_END, PAST_WRAP));
        assertEquals(0, SeqNum.add(-1, 1));
        assertEquals(1, SeqNum.diff(0, -1));
    }

    @Test
    void agreesWithUnsignedModularReference() {
        Random rnd = new Random(9293);
        for (int i = 0; i < 100_000; i++) {
            int a = rnd.nextInt();
            int d = rnd.nextInt(); // any distance
            int b = a + d;
            long forward = ((long) b - a) & 0xffff_ffffL; // distance from a forward to b, 0 .. 2^32 - 1
            if (forward != 0 && forward != 0x8000_0000L) {
                assertEquals(forward < 0x8000_0000L, SeqNum.before(a, b), a + " " + b);
                assertEquals(forward < 0x8000_0000L, SeqNum.after(b, a), a + " " + b);
                assertEquals(SeqNum.before(a, b) ? b : a, SeqNum.max(a, b));
            }
            assertEquals(b, SeqNum.add(a, d));
            assertEquals(d, SeqNum.diff(b, a));
            int seq = a + rnd.nextInt();
            long off = ((long) seq - a) & 0xffff_ffffL;
            assertEquals(off <= forward, SeqNum.between(seq, a, b), seq + " in [" + a + ", " + b + "]");
        }
    }
}
