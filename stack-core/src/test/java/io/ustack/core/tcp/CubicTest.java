package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CUBIC's window against RFC 9438's formulas, with time given, not read. */
class CubicTest {
    private static final int MSS = 1000;
    private static final long SEC = 1_000_000_000L;

    /** Acknowledges one window's worth of data per RTT for {@code seconds}, starting at {@code start}. */
    private static int grow(Cubic c, int cwnd, int ssthresh, long start, double seconds, long rtt) {
        for (long t = start; t < start + (long) (seconds * SEC); t += rtt) {
            int segs = cwnd / MSS;
            for (int i = 0; i < segs; i++) {
                cwnd = c.congAvoid(cwnd, ssthresh, MSS, MSS, t, rtt);
            }
        }
        return cwnd;
    }

    @Test
    void aLossBacksOffToBetaAndRemembersTheWindow() {
        Cubic c = new Cubic();
        int ssthresh = c.ssthresh(100 * MSS, 100 * MSS, MSS, 0);
        assertEquals(70 * MSS, ssthresh, "β_cubic = 0.7");
        assertEquals(100, c.wMax(), 1e-9);
        c.congAvoid(ssthresh, ssthresh, MSS, MSS, 0, 0);
        assertEquals(Math.cbrt(100 * 0.3 / 0.4), c.k(), 1e-9, "K = cbrt(W_max (1 - β) / C)");
    }

    @Test
    void theWindowClimbsBackToWMaxAroundKThenProbesBeyond() {
        Cubic c = new Cubic();
        int cwnd = c.ssthresh(100 * MSS, 100 * MSS, MSS, 0);
        int ssthresh = cwnd;
        long rtt = 100_000_000L; // long enough that the cubic curve, not the Reno-friendly estimate, leads
        double k = Math.cbrt(100 * 0.3 / 0.4); // about 4.2 s
        int atHalfK = grow(c, cwnd, ssthresh, 0, k / 2, rtt);
        assertTrue(atHalfK > 90 * MSS && atHalfK < 100 * MSS, "concave: most of the way back by K/2: " + atHalfK);
        int atK = grow(c, atHalfK, ssthresh, (long) (k / 2 * SEC), k / 2, rtt);
        assertTrue(Math.abs(atK - 100 * MSS) < 3 * MSS, "back at W_max at K: " + atK);
        int later = grow(c, atK, ssthresh, (long) (k * SEC), 2, rtt);
        assertTrue(later > 101 * MSS, "convex beyond: probing for more: " + later);
    }

    /**
     * cubictcp_cwnd_event (CA_EVENT_TX_START): after the sender sat idle, the epoch moves on by the idle time,
     * so the window continues along the curve from where it was rather than jumping by the time that passed;
     * never past now.
     */
    @Test
    void anIdleSpellMovesTheEpochOn() {
        Cubic c = new Cubic();
        int cwnd = c.ssthresh(100 * MSS, 100 * MSS, MSS, 0);
        c.congAvoid(cwnd, cwnd, MSS, MSS, SEC, 0);
        assertEquals(SEC, c.epochStart());
        c.onTxStart(3 * SEC, 5 * SEC);
        assertEquals(4 * SEC, c.epochStart(), "moved on by the 3 s idle");
        c.onTxStart(3 * SEC, 5 * SEC);
        assertEquals(5 * SEC, c.epochStart(), "never past now");
        Cubic fresh = new Cubic();
        fresh.onTxStart(3 * SEC, 5 * SEC);
        assertEquals(0, fresh.epochStart(), "no epoch yet: nothing to move");
    }

    @Test
    void withAShortRttTheRenoFriendlyEstimateLeads() {
        Cubic c = new Cubic();
        int cwnd = c.ssthresh(100 * MSS, 100 * MSS, MSS, 0);
        int after = grow(c, cwnd, cwnd, 0, 1, 10_000_000L); // 100 round trips in a second
        assertTrue(after > 110 * MSS, "never slower than Reno, which would be past W_max by now: " + after);
    }

    @Test
    void fastConvergenceLowersTheTargetWhenLossesComeSooner() {
        Cubic c = new Cubic();
        c.ssthresh(100 * MSS, 100 * MSS, MSS, 0);
        c.ssthresh(80 * MSS, 80 * MSS, MSS, 0);
        assertEquals(80 * 1.7 / 2, c.wMax(), 1e-9, "W_max = cwnd (1 + β) / 2 when the window shrank");
    }

    /**
     * tcp_slow_start: cwnd grows by all an ACK newly acknowledged (Linux applies no RFC 3465 limit), up to
     * ssthresh; the rest of that ACK goes to congestion avoidance.
     */
    @Test
    void slowStartGrowsByEverythingAckedUpToSsthresh() {
        Cubic c = new Cubic();
        assertEquals(11 * MSS, c.congAvoid(10 * MSS, Integer.MAX_VALUE, MSS, MSS, 0, 0));
        assertEquals(15 * MSS, new Reno().congAvoid(10 * MSS, Integer.MAX_VALUE, 5 * MSS, MSS, 0, 0),
                "an ACK of five segments adds five");
        assertEquals(12 * MSS + MSS * MSS / (12 * MSS), new Reno().congAvoid(10 * MSS, 12 * MSS, 5 * MSS, MSS, 0, 0),
                "capped at ssthresh, the rest grows it as congestion avoidance would");
    }

    @Test
    void cubicIsTheDefaultAndUnknownNamesAreRefused() {
        assertEquals("cubic", CongestionControl.named(TcpConfig.defaults().congestion()).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpConfig.defaults().withCongestion("bbr"));
        assertEquals("no congestion control named 'bbr' (cubic or reno)", e.getMessage());
    }
}
