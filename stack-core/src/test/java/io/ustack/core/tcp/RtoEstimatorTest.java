package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RtoEstimatorTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void beforeAnySampleTheRtoIsOneSecond() {
        RtoEstimator e = new RtoEstimator();
        assertFalse(e.hasSample());
        assertEquals(0, e.srttNanos());
        assertEquals(0, e.rttvarNanos());
        assertEquals(S, e.rtoNanos());
        assertEquals(S, e.baseRtoNanos());
        assertEquals(0, e.backoffs());
    }

    @Test
    void firstSampleSetsSrttAndHalfOfItAsRttvar() {
        // RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) = 100 + 200 ms
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        assertTrue(e.hasSample());
        assertEquals(100 * MS, e.srttNanos());
        assertEquals(50 * MS, e.rttvarNanos());
        assertEquals(300 * MS, e.rtoNanos());
    }

    @Test
    void laterSamplesFollowTheRfcFormulasWorkedByHand() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        // R' = 120: RTTVAR = 3/4 * 50 + 1/4 * |100 - 120| = 42.5; SRTT = 7/8 * 100 + 1/8 * 120 = 102.5
        e.sample(120 * MS);
        assertEquals(42_500_000L, e.rttvarNanos());
        assertEquals(102_500_000L, e.srttNanos());
        assertEquals(102_500_000L + 170 * MS, e.rtoNanos());
        // R' = 62.5: |102.5 - 62.5| = 40, RTTVAR = 31.875 + 10 = 41.875; SRTT = 89.6875 + 7.8125 = 97.5
        e.sample(62_500_000L);
        assertEquals(41_875_000L, e.rttvarNanos());
        assertEquals(97_500_000L, e.srttNanos());
        assertEquals(97_500_000L + 167_500_000L, e.rtoNanos());
    }

    @Test
    void matchesTheRfcFormulasInDoubleOverRandomSamples() {
        Random rnd = new Random(6298);
        for (int run = 0; run < 200; run++) {
            RtoEstimator e = new RtoEstimator();
            double srtt = 0;
            double rttvar = 0;
            long base = (1 + rnd.nextInt(500)) * MS;
            for (int i = 0; i < 200; i++) {
                long r = Math.max(0, base + (long) (rnd.nextGaussian() * base / 3));
                if (i == 0) {
                    srtt = r;
                    rttvar = r / 2.0;
                } else {
                    rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
                    srtt = 0.875 * srtt + 0.125 * r;
                }
                e.sample(r);
                double rto = Math.min(Math.max(srtt + Math.max(RtoEstimator.DEFAULT_GRANULARITY_NANOS, 4 * rttvar),
                        RtoEstimator.MIN_RTO_NANOS), RtoEstimator.MAX_RTO_NANOS);
                // integer division loses under a nanosecond a step; the errors decay geometrically
                assertEquals(srtt, e.srttNanos(), 10, "srtt run " + run + " sample " + i);
                assertEquals(rttvar, e.rttvarNanos(), 10, "rttvar run " + run + " sample " + i);
                assertEquals(rto, e.rtoNanos(), 50, "rto run " + run + " sample " + i);
            }
        }
    }

    @Test
    void aSteadyRttConvergesAndTheVarianceDecays() {
        RtoEstimator e = new RtoEstimator();
        for (int i = 0; i < 200; i++) {
            e.sample(150 * MS);
        }
        assertEquals(150 * MS, e.srttNanos());
        assertTrue(e.rttvarNanos() < 1000, "rttvar decays toward zero: " + e.rttvarNanos());
        // SRTT + max(G, ~0) = 151 ms, under the 200 ms floor
        assertEquals(RtoEstimator.MIN_RTO_NANOS, e.rtoNanos());
    }

    @Test
    void theFloorIsTcpRtoMin() {
        RtoEstimator e = new RtoEstimator();
        e.sample(MS); // 1 + 4 * 0.5 = 3 ms
        assertEquals(200 * MS, e.rtoNanos());
        e.sample(50_000); // a 50 us LAN
        assertEquals(200 * MS, e.rtoNanos());
    }

    @Test
    void theCeilingIsTcpRtoMax() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * S); // 100 + 4 * 50 s
        assertEquals(120 * S, e.rtoNanos());
        assertEquals(120 * S, e.baseRtoNanos());
    }

    @Test
    void granularityBoundsTheVarianceTermFromBelow() {
        // a 1 ns floor so the clock granularity shows: RTO = SRTT + max(G, 4 RTTVAR) -> SRTT + G once RTTVAR ~ 0
        RtoEstimator e = new RtoEstimator(1, 10 * MS);
        e.sample(50 * MS);
        assertEquals(150 * MS, e.rtoNanos(), "4 RTTVAR = 100 ms > G");
        for (int i = 0; i < 100; i++) {
            e.sample(50 * MS);
        }
        assertEquals(60 * MS, e.rtoNanos());
    }

    @Test
    void aRouteRtoMinReplacesTheDefaultFloor() {
        RtoEstimator e = new RtoEstimator(5 * MS, RtoEstimator.DEFAULT_GRANULARITY_NANOS);
        e.sample(MS);
        assertEquals(5 * MS, e.rtoNanos(), "1 + max(1, 2) = 3 ms, floored at 5");
    }

    @Test
    void backoffDoublesUpToTheCeilingWithoutOverflow() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS); // 300 ms
        long expected = 300 * MS;
        for (int i = 1; i <= 9; i++) {
            e.backoff();
            expected *= 2;
            assertEquals(i, e.backoffs());
            assertEquals(Math.min(expected, 120 * S), e.rtoNanos(), "after " + i + " backoffs");
        }
        assertEquals(120 * S, e.rtoNanos(), "300 ms * 512 = 153.6 s, capped");
        for (int i = 0; i < 200; i++) {
            e.backoff();
        }
        assertEquals(120 * S, e.rtoNanos(), "no shift overflow after 209 backoffs");
        assertEquals(300 * MS, e.baseRtoNanos(), "the estimate itself is untouched");
    }

    @Test
    void theInitialRtoBacksOffLikeLinuxSynRetries() {
        // tcp_syn_retries = 6 from a 1 s RTO: 1, 2, 4, 8, 16, 32, 64 s, then the connection gives up
        RtoEstimator e = new RtoEstimator();
        long[] expected = {1, 2, 4, 8, 16, 32, 64};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] * S, e.rtoNanos(), "try " + i);
            e.backoff();
        }
        assertEquals(120 * S, e.rtoNanos());
    }

    @Test
    void aValidSampleClearsTheBackoff() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        e.backoff();
        e.backoff();
        assertEquals(1200 * MS, e.rtoNanos());
        e.sample(100 * MS); // RTTVAR 37.5, SRTT 100
        assertEquals(0, e.backoffs());
        assertEquals(250 * MS, e.rtoNanos());
    }

    @Test
    void resetBackoffKeepsTheEstimate() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        e.backoff();
        e.resetBackoff();
        assertEquals(0, e.backoffs());
        assertEquals(300 * MS, e.rtoNanos());
        assertEquals(100 * MS, e.srttNanos());
    }

    @Test
    void fallbackAfterHandshakeLossOnlyWithoutASample() {
        RtoEstimator e = new RtoEstimator();
        e.backoff(); // the SYN was retransmitted once
        e.fallbackAfterHandshakeLoss();
        e.resetBackoff();
        assertEquals(3 * S, e.rtoNanos());
        e.sample(100 * MS);
        assertEquals(300 * MS, e.rtoNanos(), "the first sample replaces the fallback");
        e.fallbackAfterHandshakeLoss();
        assertEquals(300 * MS, e.rtoNanos(), "no fallback once a sample exists");
    }

    @Test
    void aZeroSampleCountsAsASample() {
        RtoEstimator e = new RtoEstimator();
        e.sample(0);
        assertTrue(e.hasSample(), "srtt is kept at least 1 ns so 0 still means no sample");
        assertEquals(1, e.srttNanos());
        assertEquals(200 * MS, e.rtoNanos());
        e.sample(10 * MS);
        assertTrue(e.srttNanos() > MS, "the zero was not taken for 'no sample' and overwritten");
    }

    @Test
    void impossibleSamplesAreIgnored() {
        RtoEstimator e = new RtoEstimator();
        assertTrue(e.sample(100 * MS));
        e.backoff();
        assertFalse(e.sample(-1), "a timestamp echo from the future");
        assertFalse(e.sample(Long.MIN_VALUE));
        assertFalse(e.sample(120 * S + 1), "longer than any timeout could wait");
        assertFalse(e.sample(Long.MAX_VALUE), "and no overflow");
        assertEquals(100 * MS, e.srttNanos());
        assertEquals(50 * MS, e.rttvarNanos());
        assertEquals(1, e.backoffs(), "an ignored sample does not clear the backoff");
        assertTrue(e.sample(120 * S), "the ceiling itself is a sample");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RtoEstimator(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RtoEstimator(121 * S, 0));
        assertThrows(IllegalArgumentException.class, () -> new RtoEstimator(MS, -1));
    }
}
