package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** tcp_wstamp_ns as tcp_update_skb_after_send moves it. */
class PacerTest {
    private static final long MS = 1_000_000L;
    /** 2,920 bytes at this rate take exactly 10 ms. */
    private static final long RATE = 292_000;

    @Test
    void theFirstTenSegmentsGoUnpacedThenEachWaitsForItsPredecessorsLength() {
        Pacer p = new Pacer(true);
        long now = 200 * MS;
        for (int i = 0; i < 4; i++) {
            assertEquals(now, p.departure(now));
            p.sent(2920, 2, RATE);
        }
        assertEquals(now, p.departure(now));
        p.sent(2920, 2, RATE); // the tenth segment: from here on the stamp moves
        assertEquals(now + 10 * MS, p.departure(now));
        p.sent(2920, 2, RATE);
        assertEquals(now + 20 * MS, p.departure(now + MS), "a segment handed down early waits for its time");
    }

    @Test
    void timeLostWhileIdleEarnsAtMostHalfASegmentsLength() {
        Pacer p = new Pacer(true);
        for (int i = 0; i < 5; i++) {
            p.departure(0);
            p.sent(2920, 2, RATE);
        }
        // the stamp stood at 10 ms; the next segment comes 95 ms later: it leaves at once and the one after
        // it half a length later (the kernel's OS-jitter credit)
        assertEquals(105 * MS, p.departure(105 * MS));
        p.sent(2920, 2, RATE);
        assertEquals(110 * MS, p.departure(105 * MS));
    }

    @Test
    void pureAcksAndUnpacedRoutesLeaveNow() {
        Pacer off = new Pacer(false);
        for (int i = 0; i < 20; i++) {
            assertEquals(i * MS, off.departure(i * MS));
            off.sent(2920, 2, RATE);
        }
        Pacer on = new Pacer(true);
        for (int i = 0; i < 20; i++) {
            assertEquals(i * MS, on.departure(i * MS));
            on.sent(0, 0, RATE); // an ACK carries no data: no pacing debt
        }
        Pacer noRate = new Pacer(true);
        for (int i = 0; i < 20; i++) {
            assertEquals(0, noRate.departure(0));
            noRate.sent(2920, 2, Long.MAX_VALUE); // no RTT yet: sk_pacing_rate is ~0UL
        }
    }
}
