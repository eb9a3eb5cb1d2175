package io.ustack.core.tcp;

import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.tcp.TcpScript.Seg;
import org.junit.jupiter.api.Test;

/**
 * SACK both ways, scripted: the sender's scoreboard and RFC 6675 recovery of several holes, data-carrying
 * ACKs that SACK, timeouts that skip what the peer holds, reneging; the receiver's block order and D-SACK.
 */
class TcbSackTest {
    private static final int MSS = 1460;
    /** SACK on, timestamps and scaling off: sequence arithmetic stays plain. Reno: halving is exact. */
    private static final TcpConfig SACK = TcpConfig.defaults().withOptions(false, false, true).withCongestion("reno");

    private static TcpScript establishedClient(TcpConfig cfg) {
        return TcpScript.establishedClient(cfg, Seg.of(SYN | ACK, 0, 1).mss(MSS).sackOk());
    }

    /** Our segment i: [1 + MSS*i, 1 + MSS*(i+1)). */
    private static int seg(int i) {
        return 1 + MSS * i;
    }

    /** Writes {@code n} full segments and takes them off the wire. */
    private static void sendSegments(TcpScript s, int n) {
        s.tcb.write(new byte[MSS * n], 0, MSS * n, s.now);
        for (int i = 0; i < n; i++) {
            s.expect(ACK | (i == n - 1 ? PSH : 0), seg(i), 1, MSS);
        }
    }

    @Test
    void threeHolesAreRecoveredFromTheScoreboardWithoutATimeout() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 10); // 1, 4 and 7 will be lost
        s.in(Seg.of(ACK, 1, seg(1)));
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(3)));
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(4)));
        s.expectNothing();
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(5), seg(6), seg(2), seg(4)));
        s.expect(ACK, seg(1), 1, MSS); // the third duplicate: the first hole goes at once
        assertEquals(MSS * 9 / 2, s.tcb.ssthresh(), "half of the nine segments in flight");
        assertEquals(s.tcb.ssthresh(), s.tcb.cwnd(), "RFC 6675: no inflation");
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(5), seg(7), seg(2), seg(4)));
        s.expectNothing(); // the hole at 4 has one segment SACKed above: not yet lost
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(8), seg(9), seg(2), seg(4), seg(5), seg(7)));
        s.expect(ACK, seg(4), 1, MSS); // now three ranges above it: lost, and the pipe has room
        s.expectNothing(); // segment 7's hole has one range above: not lost, and new data there is none
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(8), seg(10), seg(2), seg(4), seg(5), seg(7)));
        s.expect(ACK, seg(7), 1, MSS); // rule 3: a hole below SACKed data, with nothing new to send
        s.in(Seg.of(ACK, 1, seg(4)).sack(seg(5), seg(7), seg(8), seg(10)));
        s.in(Seg.of(ACK, 1, seg(7)).sack(seg(8), seg(10)));
        s.expectNothing();
        s.in(Seg.of(ACK, 1, seg(10)));
        assertEquals(0, s.tcb.unacknowledged());
        assertEquals(s.tcb.ssthresh(), s.tcb.cwnd(), "recovery ends at ssthresh");
        assertEquals(3, s.retransmissions, "each hole once, nothing SACKed sent again");
        assertEquals(1, s.mib.get(Mib.TcpExtTCPSackRecovery));
        assertEquals(3, s.mib.get(Mib.TcpExtTCPFastRetrans));
        assertEquals(0, s.mib.get(Mib.TcpExtTCPSackRecoveryFail));
    }

    @Test
    void acksThatCarryDataStillStartRecoveryBySacking() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 6); // 0 lost; the peer is echoing, so every ACK carries data
        s.in(Seg.of(ACK | PSH, 1, 1).data(100).sack(seg(1), seg(2)));
        s.expect(ACK, seg(6), 101, 0); // the first data received: quick-ACK mode ACKs it at once
        s.in(Seg.of(ACK | PSH, 101, 1).data(100).sack(seg(1), seg(3)));
        s.expect(ACK, seg(6), 201, 0);
        s.in(Seg.of(ACK | PSH, 201, 1).data(100).sack(seg(1), seg(4)));
        s.expect(ACK, seg(0), 201, MSS); // the ACK is processed before the data it came with (tcp_ack first)
        assertEquals(1, s.mib.get(Mib.TcpExtTCPSackRecovery));
    }

    @Test
    void aTimeoutResendsOnlyWhatThePeerDoesNotHold() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 8); // 1 and 4 lost, and both fast retransmissions too
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(4), seg(5), seg(8)));
        s.expect(ACK, seg(1), 1, MSS); // three segments SACKed above each hole: both lost at once
        s.expect(ACK, seg(4), 1, MSS);
        s.expectNothing();
        s.advanceMs(3);
        s.expect(ACK, seg(7), 1, MSS); // a loss probe: the last segment, for news; none comes
        s.advanceMs(200); // the RTO, at its 200 ms floor after a handshake with no delay
        s.expect(ACK, seg(1), 1, MSS); // cwnd is one segment, from snd_una
        s.expectNothing();
        assertEquals(1, s.mib.get(Mib.TcpExtTCPSackRecoveryFail));
        s.in(Seg.of(ACK, 1, seg(4)).sack(seg(5), seg(8)));
        s.expect(ACK, seg(4), 1, MSS); // then 4, skipping 2 and 3 the peer holds; never 5 to 7
        s.expectNothing();
        s.in(Seg.of(ACK, 1, seg(8)));
        assertEquals(0, s.tcb.unacknowledged());
        s.advanceMs(60_000);
        s.expectNothing();
        assertEquals(5, s.retransmissions, "1 and 4 by recovery, 7 by the probe, then 1 and 4 after the timeout");
    }

    @Test
    void aRetransmissionLostAgainIsSeenWhenLaterDataIsSackedAndGoesAtOnce() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 10); // 0 lost, and then its retransmission
        s.tcb.write(new byte[MSS * 10], 0, MSS * 10, s.now);
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(2)));
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(3)));
        s.expect(ACK, seg(10), 1, MSS); // SACKed segments have left the network: new data may go
        s.expect(ACK, seg(11), 1, MSS);
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(4)));
        s.expect(ACK, seg(0), 1, MSS); // the third: fast retransmit
        s.expectNothing();
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(10)));
        assertEquals(seg(12), s.expect(ACK, seg(12), 1, MSS).seq() - TcpScript.ISS, "new data, after the retransmission");
        s.sent.clear();
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(13))); // 12 arrived, the retransmission did not
        s.expect(ACK, seg(0), 1, MSS); // lost again: at once, not at the timeout
        assertEquals(1, s.mib.get(Mib.TcpExtTCPLostRetransmit));
        s.sent.clear();
        s.in(Seg.of(ACK, 1, seg(0)).sack(seg(1), seg(14)));
        assertTrue(s.sent.stream().noneMatch(g -> g.seq() == TcpScript.ISS + seg(0)),
                "sent again after segment 13 went: that 13 is SACKed says nothing of the new copy");
        s.in(Seg.of(ACK, 1, seg(20)));
        assertEquals(1, s.mib.get(Mib.TcpExtTCPLostRetransmit));
        assertEquals(0, s.mib.get(Mib.TcpExtTCPTimeouts));
    }

    @Test
    void duringRecoveryAProbeBringsTheNewsALostAckWithheld() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 1);
        s.in(Seg.of(ACK, 1, seg(1))); // an RTT sample
        s.tcb.write(new byte[MSS * 6], 0, MSS * 6, s.now);
        for (int i = 1; i < 7; i++) {
            s.out();
        }
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(6))); // 1 lost: recovery, at once
        s.expect(ACK, seg(1), 1, MSS);
        s.sent.clear();
        s.advanceMs(3); // the ACK for that retransmission (and for 6) is lost: no news at all
        s.expect(ACK, seg(6), 1, MSS); // the probe, not the timeout 200 ms on
        s.in(Seg.of(ACK, 1, seg(7)).sack(seg(6), seg(7)));
        assertEquals(0, s.tcb.unacknowledged());
        assertEquals(0, s.mib.get(Mib.TcpExtTCPTimeouts));
    }

    @Test
    void aPeerThatRenegesOnItsSacksGetsEverythingAgain() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 4);
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(4)));
        s.in(Seg.of(ACK, 1, seg(2))); // stops where SACKed data starts: the receiver dropped it
        assertEquals(1, s.mib.get(Mib.TcpExtTCPSACKReneging));
        s.advanceMs(3);
        s.expect(ACK, seg(3), 1, MSS); // the tail loss probe: the last segment again, nothing new to send
        s.advanceMs(200); // the RTO, at its 200 ms floor after a handshake with no delay, from the probe
        s.expect(ACK, seg(2), 1, MSS);
        s.in(Seg.of(ACK, 1, seg(3)));
        s.expect(ACK | PSH, seg(3), 1, MSS); // sent again although it had been SACKed
    }

    @Test
    void aFlightWhoseAcksAreAllLostIsProbedNotLeftToTheTimeout() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 1);
        s.in(Seg.of(ACK, 1, seg(1))); // an RTT sample: without one there is no probe
        s.tcb.write(new byte[MSS * 4], 0, MSS * 4, s.now);
        for (int i = 1; i < 5; i++) {
            s.out();
        }
        s.advanceMs(1);
        s.expectNothing();
        s.advanceMs(2); // two smoothed RTTs (next to nothing here) and 2 ms
        s.expect(ACK, seg(4), 1, MSS); // the last segment again draws an ACK for everything
        s.in(Seg.of(ACK, 1, seg(5)).sack(seg(4), seg(5))); // with a D-SACK: it had arrived
        assertEquals(0, s.tcb.unacknowledged());
        s.advanceMs(1000);
        s.expectNothing();
        assertEquals(1, s.mib.get(Mib.TcpExtTCPLossProbes));
        assertEquals(0, s.mib.get(Mib.TcpExtTCPTimeouts));
    }

    @Test
    void theProbeRepeatsTheLastSegmentEvenWithNewDataWaiting() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 1);
        s.in(Seg.of(ACK, 1, seg(1)));
        s.tcb.write(new byte[MSS * 30], 0, MSS * 30, s.now);
        int flight = 0;
        while (!s.sent.isEmpty()) {
            s.out();
            flight++;
        }
        s.advanceMs(3);
        s.expect(ACK, seg(flight), 1, MSS); // the last segment sent: answered at once, never a delayed ACK
        s.advanceMs(3);
        s.expectNothing(); // one probe until an ACK brings news
        assertEquals(1, s.mib.get(Mib.TcpExtTCPLossProbes));
    }

    @Test
    void bogusBlocksAreCountedAndChangeNothing() {
        TcpScript s = establishedClient(SACK);
        sendSegments(s, 4);
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(9))); // beyond anything sent
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(0), seg(1))); // below the ACK: a D-SACK
        s.expectNothing();
        assertEquals(1, s.mib.get(Mib.TcpExtTCPSACKDiscard));
        assertEquals(1, s.mib.get(Mib.TcpExtTCPDSACKRecv));
    }

    @Test
    void theReceiverReportsTheNewestBlockFirstAndDuplicatesOnce() {
        TcpScript s = TcpScript.server(SACK, Seg.of(SYN, 0, 0).mss(MSS).sackOk());
        s.out();
        s.in(Seg.of(ACK, 1, 1));
        s.in(Seg.of(ACK, 1001, 1).data(100));
        s.in(Seg.of(ACK, 3001, 1).data(100));
        Segment second = s.expect(ACK, 1, 1, 0);
        second = s.expect(ACK, 1, 1, 0);
        assertArrayEquals(blocks(3001, 3101, 1001, 1101), rel(second.sack()), "the newest range first");
        s.in(Seg.of(ACK, 2001, 1).data(100));
        assertArrayEquals(blocks(2001, 2101, 1001, 1101, 3001, 3101), rel(s.expect(ACK, 1, 1, 0).sack()));
        s.in(Seg.of(ACK, 1, 1).data(1000));
        s.expect(ACK, 1, 1101, 0);
        s.in(Seg.of(ACK, 1, 1).data(500)); // all of it here already
        Segment dup = s.expect(ACK, 1, 1101, 0);
        assertArrayEquals(blocks(1, 501, 2001, 2101, 3001, 3101), rel(dup.sack()), "a D-SACK first, then the rest");
        s.in(Seg.of(ACK, 1101, 1).data(100));
        assertArrayEquals(blocks(2001, 2101, 3001, 3101), rel(s.expect(ACK, 1, 1201, 0).sack()), "the D-SACK only once");
    }

    /** SACK blocks of the peer's sequence space, relative to its ISN. */
    private static int[] rel(int[] blocks) {
        int[] r = new int[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            r[i] = blocks[i] - TcpScript.PEER_ISS;
        }
        return r;
    }

    private static int[] blocks(int... relative) {
        return relative;
    }

    @Test
    void withoutSackNothingIsRecorded() {
        TcpScript s = TcpScript.client(SACK);
        s.out();
        s.in(Seg.of(SYN | ACK, 0, 1).mss(MSS)); // no SACK-permitted
        s.out();
        assertFalse(s.tcb.sack());
        sendSegments(s, 4);
        s.in(Seg.of(ACK, 1, seg(1)).sack(seg(2), seg(4)));
        s.expectNothing();
        assertTrue(s.mib.get(Mib.TcpExtTCPSackRecovery) == 0 && s.mib.get(Mib.TcpExtTCPSACKDiscard) == 0);
    }
}
