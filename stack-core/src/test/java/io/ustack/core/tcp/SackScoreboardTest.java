package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import org.junit.jupiter.api.Test;

/** The sender's SACK scoreboard: recording blocks, and RFC 6675's IsLost, pipe and NextSeg over it. */
class SackScoreboardTest {
    private static final int MSS = 1000;
    /** Near the top of the sequence space, so ranges wrap past zero. */
    private static final int UNA = -5_000;
    private static final int MAX = UNA + 10 * MSS;

    private final MibCounters mib = new MibCounters();
    private final SackScoreboard sb = new SackScoreboard(mib);

    /** Blocks as offsets from UNA. */
    private static int[] blocks(int... offsets) {
        int[] b = new int[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            b[i] = UNA + offsets[i];
        }
        return b;
    }

    @Test
    void blocksMergeAndOnlyNewBytesCount() {
        assertEquals(1000, sb.update(blocks(2000, 3000), UNA, MAX));
        assertEquals(1000, sb.update(blocks(4000, 5000), UNA, MAX));
        assertEquals(1000, sb.update(blocks(2500, 5000), UNA, MAX), "the gap between them");
        assertEquals(0, sb.update(blocks(2000, 5000), UNA, MAX), "all known");
        assertEquals(3000, sb.sackedBytes());
        assertEquals(UNA + 5000, sb.skipSacked(UNA + 2000));
        assertEquals(UNA + 1000, sb.skipSacked(UNA + 1000), "not SACKed: stays");
        assertEquals(UNA + 2000, sb.nextSackedStart(UNA, MAX));
        assertEquals(MAX, sb.nextSackedStart(UNA + 2000, MAX), "nothing SACKed starts above");
        assertEquals(3000, sb.sackedBetween(UNA, MAX));
        assertEquals(500, sb.sackedBetween(UNA + 4500, UNA + 6000));
    }

    @Test
    void blocksBeyondWhatWasSentOrEmptyAreDiscardedAndCounted() {
        assertEquals(0, sb.update(blocks(9000, 11_000), UNA, MAX));
        assertEquals(0, sb.update(blocks(3000, 3000), UNA, MAX));
        assertEquals(0, sb.update(blocks(3000, 2000), UNA, MAX));
        assertTrue(sb.isEmpty());
        assertEquals(3, mib.get(Mib.TcpExtTCPSACKDiscard));
    }

    @Test
    void dsackBlocksAreCountedNotRecorded() {
        assertEquals(0, sb.update(blocks(-1000, 0), UNA, MAX), "below the cumulative ACK");
        assertEquals(2000, sb.update(blocks(2500, 3000, 2000, 4000), UNA, MAX), "the first block lies inside the second");
        assertEquals(2, mib.get(Mib.TcpExtTCPDSACKRecv));
        assertEquals(2000, sb.sackedBytes(), "the second block counts as an ordinary one");
        assertEquals(0, mib.get(Mib.TcpExtTCPSACKDiscard));
    }

    @Test
    void theCumulativeAckTrimsAndRenegingIsSeen() {
        sb.update(blocks(2000, 3000, 5000, 6000), UNA, MAX);
        sb.advance(UNA + 2500);
        assertEquals(1500, sb.sackedBytes());
        assertTrue(sb.reneged(UNA + 2500), "an ACK that stops where SACKed data starts");
        sb.advance(UNA + 4000);
        assertFalse(sb.reneged(UNA + 4000));
        assertEquals(1000, sb.sackedBytes());
        sb.advance(UNA + 6000);
        assertTrue(sb.isEmpty());
    }

    @Test
    void aHostilePeerCannotMakeItGrowPastItsBound() {
        int limit = UNA + 1000 * MSS;
        for (int i = 0; i < 500; i++) {
            sb.update(new int[] {UNA + 2 * i * 100 + 100, UNA + 2 * i * 100 + 150}, UNA, limit);
        }
        assertEquals(SackScoreboard.MAX_RANGES * 50, sb.sackedBytes(), "only the lowest ranges are kept");
        sb.update(new int[] {UNA + 50, UNA + 60}, UNA, limit);
        assertEquals((SackScoreboard.MAX_RANGES - 1) * 50 + 10, sb.sackedBytes(), "a lower range pushes out the highest");
        assertEquals(UNA + 50, sb.nextSackedStart(UNA, limit));
    }

    @Test
    void isLostNeedsMoreThanTwoSegmentsOrThreeRangesAbove() {
        sb.update(blocks(1000, 3000), UNA, MAX);
        assertFalse(sb.headLost(UNA, MSS), "two segments above");
        sb.update(blocks(3000, 3001), UNA, MAX);
        assertTrue(sb.headLost(UNA, MSS), "a byte more than two segments");
        sb.clear();
        sb.update(blocks(1000, 1100, 2000, 2100, 3000, 3100), UNA, MAX);
        assertTrue(sb.headLost(UNA, MSS), "three separate ranges");
    }

    @Test
    void pipeCountsHolesNotLostOnceAndRetransmittedBytesAgain() {
        // holes: [0,1000) lost (3 segments above), [4000,5000) not lost (1 above), tail [6000,10000)
        sb.update(blocks(1000, 4000, 5000, 6000), UNA, MAX);
        assertEquals(1000 + 4000, sb.pipe(UNA, MAX, UNA, MSS));
        assertEquals(1000 + 1000 + 4000, sb.pipe(UNA, MAX, UNA + 1000, MSS), "the lost hole, sent again");
        assertEquals(1000 + 1000 + 4000 + 500, sb.pipe(UNA, MAX, UNA + 4500, MSS), "half the other hole sent again");
    }

    @Test
    void nextHoleFindsLostHolesThenAnyBelowSackedData() {
        sb.update(blocks(1000, 4000, 5000, 6000), UNA, MAX);
        assertEquals(UNA, (int) sb.nextHole(UNA, MSS, false));
        assertEquals(-1, sb.nextHole(UNA + 1000, MSS, false), "the hole at 4000 is not lost");
        assertEquals(UNA + 4000, (int) sb.nextHole(UNA + 1000, MSS, true), "rule 3 takes it");
        assertEquals(UNA + 4500, (int) sb.nextHole(UNA + 4500, MSS, true));
        assertEquals(-1, sb.nextHole(UNA + 5000, MSS, true), "the tail lies above every SACK");
    }
}
