package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // tcp_rtt_estimator: SRTT = R, mdev = R/2, rttvar_us = max(4 mdev, rto_min) = 200 ms; RTO = 100 + 200 ms
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        assertTrue(e.hasSample());
        assertEquals(100 * MS, e.srttNanos());
        assertEquals(50 * MS, e.rttvarNanos());
        assertEquals(300 * MS, e.rtoNanos());
    }

    @Test
    void laterSamplesFollowLinuxsFormulasWorkedByHand() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        // R' = 120: error 20, SRTT = 100 + 20/8 = 102.5; 4 mdev = 200 + (20 - 50) = 170 (mdev 42.5);
        // rttvar_us stays at rto_min, 200: RTO = 302.5 ms, rounded up to the jiffy
        e.sample(120 * MS);
        assertEquals(42_500_000L, e.rttvarNanos());
        assertEquals(102_500_000L, e.srttNanos());
        assertEquals(303 * MS, e.rtoNanos());
        // R' = 62.5: error -40, SRTT = 97.5; |error| - mdev = 40 - 42.5 < 0, taken whole: 4 mdev = 167.5
        e.sample(62_500_000L);
        assertEquals(41_875_000L, e.rttvarNanos());
        assertEquals(97_500_000L, e.srttNanos());
        assertEquals(298 * MS, e.rtoNanos(), "97.5 + 200");
    }

    @Test
    void aFallingRttMovesTheDeviationByAnEighthOfTheUsualStep() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * MS);
        // R' = 20: error -80, SRTT = 90; |error| - mdev = 80 - 50 = 30 > 0, so only 30/8 = 3.75 goes into
        // 4 mdev: 203.75 (RFC 6298 would say 230); it passes rttvar_us, which takes it at once
        e.sample(20 * MS);
        assertEquals(90 * MS, e.srttNanos());
        assertEquals(50_937_000L, e.rttvarNanos(), "203.75 / 4 in whole microseconds, as tcpi_rttvar");
        assertEquals(294 * MS, e.rtoNanos(), "90 + 203.75, rounded up");
    }

    @Test
    void rttvarDecaysOncePerFlightTowardTheLargestDeviationSeen() {
        RtoEstimator e = new RtoEstimator();
        e.sample(300 * MS, 1001, 2001); // rttvar_us = 4 mdev = 600 ms; the flight ends at 2001
        assertEquals(900 * MS, e.rtoNanos());
        e.sample(300 * MS, 1501, 2501); // within the flight: 4 mdev falls to 450, rttvar_us stays
        assertEquals(900 * MS, e.rtoNanos());
        // past the flight: rttvar_us loses a quarter of its excess over the flight's largest, 600: none.
        // A new flight begins at 3001 with mdev_max back at rto_min
        e.sample(300 * MS, 2101, 3001);
        assertEquals(900 * MS, e.rtoNanos());
        // 4 mdev 253.125 is the new flight's largest; past it, rttvar_us = 600 - (600 - 253.125) / 4 = 513.282
        e.sample(300 * MS, 3101, 4001);
        assertEquals(814 * MS, e.rtoNanos(), "300 + 513.282, rounded up");
    }

    @Test
    void aSteadyRttConvergesAndTheVarianceDecaysToRtoMin() {
        RtoEstimator e = new RtoEstimator();
        for (int i = 0; i < 200; i++) {
            e.sample(150 * MS);
        }
        assertEquals(150 * MS, e.srttNanos());
        assertTrue(e.rttvarNanos() < 1000, "mdev decays toward zero: " + e.rttvarNanos());
        // rttvar_us settles a few microseconds above rto_min (the integer quarter stops at 3 us): SRTT + 200 ms,
        // rounded up to the millisecond
        assertEquals(351 * MS, e.rtoNanos());
    }

    @Test
    void rtoMinIsAddedToSrttNotAFloorOfTheSum() {
        RtoEstimator e = new RtoEstimator();
        e.sample(10 * MS); // a 10 ms path: 10 + max(20, 200)
        assertEquals(210 * MS, e.rtoNanos());
        RtoEstimator lan = new RtoEstimator();
        lan.sample(MS); // 1 + max(2, 200) = 201 ms
        assertEquals(201 * MS, lan.rtoNanos());
        lan.sample(50_000); // a 50 us LAN: SRTT 881 us, still 200 ms above it
        assertEquals(201 * MS, lan.rtoNanos());
    }

    @Test
    void theCeilingIsTcpRtoMax() {
        RtoEstimator e = new RtoEstimator();
        e.sample(100 * S); // 100 + 4 * 50 s
        assertEquals(120 * S, e.rtoNanos());
        assertEquals(120 * S, e.baseRtoNanos());
    }

    @Test
    void theRtoIsRoundedUpToTheClocksGranularity() {
        // no floor, a 10 ms clock: the RTO is rounded up to it, as usecs_to_jiffies rounds up
        RtoEstimator e = new RtoEstimator(1, 10 * MS);
        e.sample(50 * MS);
        assertEquals(150 * MS, e.rtoNanos(), "50 + 4 * 25 ms");
        for (int i = 0; i < 100; i++) {
            e.sample(50 * MS);
        }
        assertEquals(60 * MS, e.rtoNanos(), "50 ms and a few microseconds, rounded up");
    }

    @Test
    void aRouteRtoMinReplacesTheDefaultFloor() {
        RtoEstimator e = new RtoEstimator(5 * MS, RtoEstimator.DEFAULT_GRANULARITY_NANOS);
        e.sample(MS);
        assertEquals(6 * MS, e.rtoNanos(), "1 + max(2, 5) = 6 ms");
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
        e.sample(100 * MS); // mdev 37.5, SRTT 100, rttvar_us still rto_min
        assertEquals(0, e.backoffs());
        assertEquals(300 * MS, e.rtoNanos());
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
        assertTrue(e.hasSample(), "srtt_us is kept at least 1 (an eighth of a microsecond) so 0 still means no sample");
        assertEquals(125, e.srttNanos());
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
