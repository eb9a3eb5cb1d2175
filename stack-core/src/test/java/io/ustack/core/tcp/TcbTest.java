package io.ustack.core.tcp;

import io.ustack.core.wire.TcpSegment;
import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.RST;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.tcp.TcpScript.Seg;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TCP state machine, scripted segment by segment in the manner of packetdrill. */
class TcbTest {
    /** No options but MSS: sequence and length arithmetic stays plain. */
    private static final TcpConfig PLAIN = TcpConfig.defaults().withOptions(false, false, false).withCongestion("reno");
    private static final TcpConfig LINUX = TcpConfig.defaults();

    /** A client handshake with plain options, left ESTABLISHED. */
    private static TcpScript establishedClient(TcpConfig cfg) {
        return TcpScript.establishedClient(cfg, Seg.of(SYN | ACK, 0, 1).mss(1460));
    }

    @Test
    void activeOpenNegotiatesEveryOption() {
        TcpScript s = TcpScript.client(LINUX);
        Segment syn = s.expect(SYN, 0, -1, 0);
        assertEquals(1460, syn.mss());
        assertEquals(10, syn.wscale(), "the smallest shift that offers the 32 MiB autotuning may grow the buffer to");
        assertTrue(syn.sackPermitted());
        assertTrue(syn.timestamps());
        assertEquals(TcpState.SYN_SENT, s.tcb.state());
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1400).wscale(7).sackOk().ts(5000, syn.tsVal()));
        Segment ack = s.expect(ACK, 1, 1, 0);
        assertEquals(5000, ack.tsEcr(), "the peer's timestamp echoed");
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        assertEquals(List.of("established"), s.takeEvents());
        assertEquals(1400 - 12, s.tcb.sndMss(), "the smaller MSS, less the timestamp option");
        assertEquals(7, s.tcb.sndWscale());
        assertTrue(s.tcb.sack() && s.tcb.timestamps());
    }

    /**
     * tcp_min_snd_mss (CVE-2019-11479): a peer's MSS under 48 is raised to 48. Taken as it came, with the
     * timestamp option's 12 bytes off, an MSS of 1 made ours negative and data never left; one of 13 made
     * it 1, a segment per byte (found by HostileInputTest).
     */
    @Test
    void aTinyMssFromThePeerIsRaisedToTcpMinSndMss() {
        TcpScript s = TcpScript.server(LINUX, Seg.of(SYN, 0, 0).mss(1).ts(100, 0));
        Segment synAck = s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(ACK, 1, 1).ts(101, synAck.tsVal()).win(1000));
        assertEquals(48 - 12, s.tcb.sndMss());
        s.tcb.write(new byte[100], 0, 100, s.now);
        s.expect(ACK, 1, 1, 36);
        s.expect(ACK, 37, 1, 36);
        s.expect(ACK | PSH, 73, 1, 28);
        s.expectNothing();
    }

    @Test
    void optionsTheSynAckDoesNotOfferAreOff() {
        TcpScript s = TcpScript.client(LINUX);
        s.out();
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1460));
        Segment ack = s.expect(ACK, 1, 1, 0);
        assertFalse(ack.timestamps());
        assertEquals(0, s.tcb.sndWscale());
        assertEquals(0, s.tcb.rcvWscale(), "scaling needs both sides");
        assertEquals(1460, s.tcb.sndMss());
    }

    /**
     * tcp_check_req's embryonic_reset: in SYN_RECEIVED a SYN that is not the first one again, inside the
     * window, resets the connection (RST|ACK at sequence 0, acknowledging the new SYN) and ends it, as Linux's
     * request socket does; the first SYN again only brings the SYN-ACK back.
     */
    @Test
    void aNewSynInSynReceivedResetsTheConnection() {
        TcpScript s = TcpScript.server(LINUX, Seg.of(SYN, 0, 0).mss(1460));
        s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(SYN, 0, 0).mss(1460));
        s.expect(SYN | ACK, 0, 1, 0); // the first SYN again: our SYN-ACK again
        s.in(Seg.of(SYN, 5000, 0).mss(1460));
        Segment rst = s.out();
        assertEquals(RST | ACK, rst.flags() & (RST | ACK | SYN));
        assertEquals(0, rst.seq());
        assertEquals(TcpScript.PEER_ISS + 5001, rst.ack(), "it acknowledges the new SYN");
        assertEquals(TcpState.CLOSED, s.tcb.state());
        s.expectNothing();
    }

    @Test
    void passiveOpenAnswersTheSynAndCompletesOnItsAck() {
        TcpScript s = TcpScript.server(LINUX, Seg.of(SYN, 0, 0).mss(1460).wscale(7).sackOk().ts(100, 0));
        Segment synAck = s.expect(SYN | ACK, 0, 1, 0);
        assertEquals(100, synAck.tsEcr());
        assertTrue(synAck.sackPermitted());
        assertEquals(10, synAck.wscale(), "our own scale, for tcp_rmem[2] 32 MiB");
        assertEquals(TcpState.SYN_RECEIVED, s.tcb.state());
        s.in(Seg.of(ACK, 1, 1).ts(101, synAck.tsVal()).win(1000));
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        assertEquals(1000 << 7, s.tcb.sndWnd(), "the first scaled window");
        s.expectNothing();
    }

    @Test
    void synLostIsRetransmittedWithBackoffThenTheConnectTimesOut() {
        TcpScript s = TcpScript.client(PLAIN);
        s.expect(SYN, 0, -1, 0);
        long[] gaps = {1000, 2000, 4000, 8000, 16000, 32000};
        for (long gap : gaps) {
            s.advanceMs(gap - 1);
            s.expectNothing();
            s.advanceMs(1);
            s.expect(SYN, 0, -1, 0);
        }
        s.advanceMs(64_000);
        assertEquals(TcpState.CLOSED, s.tcb.state());
        assertEquals(List.of("closed connection timed out"), s.takeEvents(), "tcp_syn_retries is 6: 127 s");
    }

    @Test
    void synAckLostIsResentOnTimeoutAndOnTheRetransmittedSyn() {
        TcpScript s = TcpScript.server(PLAIN, Seg.of(SYN, 0, 0).mss(1460));
        s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(SYN, 0, 0).mss(1460)); // the client's SYN again: it never saw our SYN-ACK
        s.expect(SYN | ACK, 0, 1, 0);
        s.advanceMs(1000);
        s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(ACK, 1, 1));
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
    }

    @Test
    void lostFinalAckIsStandedInForByTheFirstDataSegment() {
        TcpScript s = TcpScript.server(PLAIN, Seg.of(SYN, 0, 0).mss(1460));
        s.out();
        s.in(Seg.of(ACK | PSH, 1, 1).data(100));
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        assertEquals(100, s.tcb.readable());
    }

    @Test
    void refusedConnect() {
        TcpScript s = TcpScript.client(PLAIN);
        s.out();
        s.in(Seg.of(RST | ACK, 0, 1));
        assertEquals(List.of("closed connection refused"), s.takeEvents());
    }

    @Test
    void simultaneousOpen() {
        TcpScript s = TcpScript.client(PLAIN);
        s.expect(SYN, 0, -1, 0);
        s.in(Seg.of(SYN, 0, 0).mss(1460));
        s.expect(SYN | ACK, 0, 1, 0);
        assertEquals(TcpState.SYN_RECEIVED, s.tcb.state());
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1460));
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
    }

    /**
     * close(2) in SYN_RECEIVED (a simultaneous open) queues the FIN until our SYN is acknowledged (RFC 9293
     * 3.10.4). Sent at once it sat behind the unacknowledged SYN in FIN_WAIT_1, and the retransmission timer,
     * resending from snd_una, read the send buffer at offset -1 (found by HostileInputTest).
     */
    @Test
    void closeInSynReceivedSendsTheFinOnceTheSynIsAcknowledged() {
        TcpScript s = TcpScript.client(PLAIN);
        s.expect(SYN, 0, -1, 0);
        s.in(Seg.of(SYN, 0, 0).mss(1460));
        s.expect(SYN | ACK, 0, 1, 0);
        s.tcb.close(s.now);
        s.advanceMs(1000);
        s.expect(SYN | ACK, 0, 1, 0); // the timeout resends the SYN-ACK, as in any SYN_RECEIVED
        s.expectNothing();
        assertEquals(TcpState.SYN_RECEIVED, s.tcb.state());
        s.in(Seg.of(ACK, 1, 1));
        s.expect(FIN | ACK, 1, 1, 0);
        assertEquals(TcpState.FIN_WAIT_1, s.tcb.state());
        s.in(Seg.of(FIN | ACK, 1, 2));
        s.expect(ACK, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, s.tcb.state());
    }

    @Test
    void dataIsSegmentedByMssAndFreedByAcks() {
        TcpScript s = establishedClient(PLAIN);
        byte[] data = new byte[4000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        assertEquals(4000, s.tcb.write(data, 0, data.length, s.now));
        Segment a = s.expect(ACK, 1, 1, 1460);
        s.expect(ACK, 1461, 1, 1460);
        Segment c = s.expect(ACK | PSH, 2921, 1, 1080);
        assertArrayEquals(java.util.Arrays.copyOf(data, 1460), TcpScript.data(a));
        assertEquals((byte) 2920, TcpScript.data(c)[0]);
        assertEquals(4000, s.tcb.unacknowledged());
        s.in(Seg.of(ACK, 1, 2921));
        assertEquals(1080, s.tcb.unacknowledged());
        assertEquals(List.of("writable"), s.takeEvents());
        s.in(Seg.of(ACK, 1, 4001));
        assertEquals(0, s.tcb.unacknowledged());
        s.advanceMs(10_000);
        s.expectNothing();
    }

    @Test
    void nagleHoldsSmallSegmentsWhileDataIsInFlight() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.write(new byte[10], 0, 10, s.now);
        s.expect(ACK | PSH, 1, 1, 10);
        s.tcb.write(new byte[10], 0, 10, s.now);
        s.tcb.write(new byte[10], 0, 10, s.now);
        s.expectNothing();
        s.in(Seg.of(ACK, 1, 11));
        s.expect(ACK | PSH, 11, 1, 20);
        TcpScript nd = establishedClient(PLAIN.withNoDelay(true));
        nd.tcb.write(new byte[10], 0, 10, nd.now);
        nd.tcb.write(new byte[10], 0, 10, nd.now);
        nd.expect(ACK | PSH, 1, 1, 10);
        nd.expect(ACK | PSH, 11, 1, 10);
    }

    /**
     * tcp_event_data_recv: the first data starts quick-ACK mode, rcv_wnd / (2 * rcv_mss) ACKs at most 16
     * (rcv_mss 536 from tcp_initialize_rcv_mss, a window of 64 KB), each sent at once; then a short segment
     * waits TCP_DELACK_MIN, and two full ones (more than rcv_mss unacknowledged) are ACKed at once.
     */
    @Test
    void quickAckModeAcksTheFirstSixteenSegmentsThenAcksAreDelayed() {
        TcpScript s = establishedClient(PLAIN);
        int seq = 1;
        for (int i = 0; i < Receiver.MAX_QUICKACKS; i++) {
            s.in(Seg.of(ACK | PSH, seq, 1).data(100));
            seq += 100;
            s.expect(ACK, 1, seq, 0);
        }
        s.in(Seg.of(ACK | PSH, seq, 1).data(100));
        seq += 100;
        s.expectNothing();
        s.advanceMs(39);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 1, seq, 0);
        s.advanceMs(100); // a gap longer than the RTO would start quick-ACK mode again
        s.in(Seg.of(ACK, seq, 1).data(1460));
        s.expectNothing(); // one full segment: rcv_nxt - rcv_wup is not more than rcv_mss
        s.in(Seg.of(ACK, seq + 1460, 1).data(1460));
        s.expect(ACK, 1, seq + 2920, 0);
        s.in(Seg.of(ACK | PSH, seq + 2920, 1).data(1000));
        s.expectNothing();
        s.advanceMs(10);
        s.in(Seg.of(ACK | PSH, seq + 3920, 1).data(1000));
        s.expect(ACK, 1, seq + 4920, 0); // 2000 bytes since the last ACK: more than rcv_mss (1460)
    }

    /**
     * Pingpong (tcp_event_data_sent, inet_csk_inc_pingpong_cnt): a reply sent within ato of the data it
     * answers makes the connection interactive, so the next request's ACK waits and rides on the reply;
     * a request left unanswered gets its ACK from the delayed ACK timer at 40 ms, which ends interactive
     * mode (tcp_delack_timer_handler), and the quick ACKs left count again.
     */
    @Test
    void aReplyWithinAtoMakesTheConnectionInteractiveAndItsAcksRideOnTheReplies() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK | PSH, 1, 1).data(100));
        s.expect(ACK, 1, 101, 0); // quick-ACK mode
        s.advanceMs(5);
        s.tcb.write(new byte[50], 0, 50, s.now);
        s.expect(ACK | PSH, 1, 101, 50);
        s.advanceMs(5);
        s.in(Seg.of(ACK | PSH, 101, 51).data(100));
        s.expectNothing(); // interactive: the ACK waits for the reply
        s.advanceMs(20);
        s.tcb.write(new byte[50], 0, 50, s.now);
        s.expect(ACK | PSH, 51, 201, 50);
        s.advanceMs(100);
        s.expectNothing();
        s.in(Seg.of(ACK | PSH, 201, 101).data(100));
        s.advanceMs(39);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 101, 301, 0); // no reply came: the timer's ACK, and interactive mode ends
        s.advanceMs(100);
        s.in(Seg.of(ACK | PSH, 301, 101).data(100));
        s.expect(ACK, 101, 401, 0); // quick ACKs are left, and the connection is not interactive now
    }

    /**
     * tcp_cleanup_rbuf: a read that leaves most of the window offered open sends nothing (the next data's
     * ACK carries the window); an ACK held back for a pushed segment goes when the read empties the buffer.
     */
    @Test
    void readsSendAnAckOnlyForPushedDataOrAWindowThatReopens() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK, 1, 1).data(1460));
        s.expect(ACK, 1, 1461, 0); // quick-ACK mode
        s.tcb.read(new byte[2000], 0, 2000);
        s.tcb.windowUpdate(s.now);
        s.expectNothing();
        for (int i = 1; i < Receiver.MAX_QUICKACKS; i++) {
            s.in(Seg.of(ACK, 1 + 1460 * i, 1).data(1460));
            s.out();
        }
        s.advanceMs(100);
        int seq = 1 + 1460 * Receiver.MAX_QUICKACKS;
        s.in(Seg.of(ACK, seq, 1).data(1460));
        s.expectNothing(); // one segment: the ACK is delayed
        s.tcb.windowUpdate(s.now);
        s.expectNothing(); // not more than rcv_mss held back, and nothing pushed
        s.advanceMs(200);
        s.expect(ACK, 1, seq + 1460, 0); // the delayed ACK
        s.in(Seg.of(ACK | PSH, seq + 1460, 1).data(100));
        s.expectNothing();
        s.tcb.read(new byte[20_000], 0, 20_000);
        s.tcb.windowUpdate(s.now);
        s.expectNothing(); // data still waits to be read
        s.tcb.read(new byte[20_000], 0, 20_000);
        s.tcb.windowUpdate(s.now);
        s.expect(ACK, 1, seq + 1560, 0); // ICSK_ACK_PUSHED: the read emptied the buffer after a pushed segment
    }

    /** tcp_fin in ESTABLISHED enters pingpong mode: the FIN's ACK is delayed, and rides on our FIN if it comes in time. */
    @Test
    void theAckOfAFinIsDelayedAndRidesOnTheApplicationsFin() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK | PSH, 1, 1).data(10));
        s.expect(ACK, 1, 11, 0);
        s.advanceMs(100);
        s.in(Seg.of(FIN | ACK, 11, 1));
        assertEquals(TcpState.CLOSE_WAIT, s.tcb.state());
        s.advanceMs(39);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 1, 12, 0); // ato, 40 ms
        TcpScript c = establishedClient(PLAIN);
        c.in(Seg.of(ACK | PSH, 1, 1).data(10));
        c.expect(ACK, 1, 11, 0);
        c.advanceMs(100);
        c.in(Seg.of(FIN | ACK, 11, 1));
        c.advanceMs(10);
        c.tcb.close(c.now);
        c.expect(FIN | ACK, 1, 12, 0);
        c.advanceMs(100);
        c.expectNothing();
    }

    @Test
    void outOfOrderDataIsAckedAtOnceWithSackAndJoinedWhenTheGapFills() {
        TcpScript s = TcpScript.server(TcpConfig.defaults().withOptions(false, false, true),
                Seg.of(SYN, 0, 0).mss(1460).sackOk());
        s.out();
        s.in(Seg.of(ACK, 1, 1));
        s.in(Seg.of(ACK, 1001, 1).data(500));
        Segment dup = s.expect(ACK, 1, 1, 0);
        assertEquals(2, dup.sack().length);
        assertEquals(TcpScript.PEER_ISS + 1001, dup.sack()[0]);
        assertEquals(TcpScript.PEER_ISS + 1501, dup.sack()[1]);
        s.in(Seg.of(ACK, 1, 1).data(1000));
        Segment full = s.expect(ACK, 1, 1501, 0);
        assertEquals(0, full.sack().length);
        byte[] buf = new byte[2000];
        assertEquals(1500, s.tcb.read(buf, 0, buf.length));
        assertEquals((byte) (TcpScript.PEER_ISS + 1001), buf[1000], "bytes land at their sequence positions");
    }

    /**
     * The handshake gives the first RTT sample (tcp_clean_rtx_queue on the SYN, tcp_synack_rtt_meas on the
     * SYN-ACK), so the first data's RTO is RTT + TCP_RTO_MIN (tcp_rtt_estimator, __tcp_set_rto): 210 ms on
     * a 10 ms path, where it was the initial second. A handshake whose SYN went twice gives no sample, and
     * tcp_init_metrics falls back to 3 s.
     */
    @Test
    void theFirstDataRetransmissionComesAfterRttPlusRtoMin() {
        TcpScript c = TcpScript.client(PLAIN);
        c.expect(SYN, 0, -1, 0);
        c.advanceMs(10);
        c.in(Seg.of(SYN | ACK, 0, 1).mss(1460));
        c.expect(ACK, 1, 1, 0);
        c.tcb.write(new byte[100], 0, 100, c.now);
        c.expect(ACK | PSH, 1, 1, 100);
        c.advanceMs(209);
        c.expectNothing();
        c.advanceMs(1);
        c.expect(ACK | PSH, 1, 1, 100);

        TcpScript srv = TcpScript.server(PLAIN, Seg.of(SYN, 0, 0).mss(1460));
        srv.expect(SYN | ACK, 0, 1, 0);
        srv.advanceMs(30);
        srv.in(Seg.of(ACK, 1, 1));
        assertEquals(30_000_000L, srv.tcb.srttNanos(), "the SYN-ACK's RTT");
        assertEquals(230_000_000L, srv.tcb.rtoNanos());

        TcpScript lost = TcpScript.client(PLAIN);
        lost.expect(SYN, 0, -1, 0);
        lost.advanceMs(1000);
        lost.expect(SYN, 0, -1, 0);
        lost.in(Seg.of(SYN | ACK, 0, 1).mss(1460));
        lost.expect(ACK, 1, 1, 0);
        assertEquals(3_000_000_000L, lost.tcb.rtoNanos(), "RFC 6298 5.7: TCP_TIMEOUT_FALLBACK");
    }

    @Test
    void retransmissionTimeoutBacksOffAndCollapsesTheWindow() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.write(new byte[3000], 0, 3000, s.now);
        s.out();
        s.out();
        s.out();
        // the handshake's RTT sample (0 here) makes the RTO SRTT + rttvar_us = 200 ms, not the initial 1 s
        s.advanceMs(199);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 1, 1, 1460);
        s.expectNothing();
        assertEquals(1, s.retransmissions);
        assertEquals(1460, s.tcb.cwnd(), "one segment after a timeout");
        assertEquals(2920, s.tcb.ssthresh(), "half the flight");
        s.advanceMs(399);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 1, 1, 1460);
        s.in(Seg.of(ACK, 1, 1461));
        s.expect(ACK, 1461, 1, 1460);
        s.expect(ACK | PSH, 2921, 1, 80);
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndNewRenoRecovery() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.write(new byte[1460 * 8], 0, 1460 * 8, s.now);
        for (int i = 0; i < 8; i++) {
            s.out();
        }
        s.in(Seg.of(ACK, 1, 1));
        s.in(Seg.of(ACK, 1, 1));
        s.expectNothing();
        s.in(Seg.of(ACK, 1, 1));
        s.expect(ACK, 1, 1, 1460);
        assertEquals(1460 * 4, s.tcb.ssthresh());
        s.in(Seg.of(ACK, 1, 1 + 1460 * 3)); // a partial ACK: the segment at 4381 was lost too
        s.expect(ACK, 1 + 1460 * 3, 1, 1460);
        s.in(Seg.of(ACK, 1, 1 + 1460 * 8)); // everything: recovery ends
        assertEquals(1460 * 4, s.tcb.cwnd(), "cwnd deflates to ssthresh");
    }

    /**
     * rcv_ssthresh (tcp_grow_window, __tcp_select_window): a new connection offers the window its SYN-ACK
     * offered, not its whole 128 KiB buffer, and each segment of 128 bytes or more opens it by two segments
     * (or twice its length); a small one does not. As Linux advertises it at wscale 10: 64, then 67.
     */
    @Test
    void theWindowOpensFromTheSynAcksAsDataArrives() {
        TcpScript s = TcpScript.server(LINUX.withOptions(true, false, true), Seg.of(SYN, 0, 0).mss(1460).wscale(7).sackOk());
        Segment synAck = s.expect(SYN | ACK, 0, 1, 0);
        assertEquals(64_240, synAck.window());
        assertEquals(10, synAck.wscale());
        s.in(Seg.of(ACK, 1, 1).win(1000));
        s.in(Seg.of(ACK | PSH, 1, 1).data(100));
        assertEquals(63, s.expect(ACK, 1, 101, 0).window(), "64240 aligned up to 1 KiB is 63 units; 100 bytes open nothing");
        s.in(Seg.of(ACK | PSH, 101, 1).data(1460));
        assertEquals(66, s.expect(ACK, 1, 1561, 0).window(), "64240 + 2 * 1460 = 67160, 66 units rounded up");
    }

    @Test
    void windowScalingAtItsLimits() {
        TcpScript s = TcpScript.client(PLAIN.withOptions(true, false, false).withBuffers(1 << 30, 1 << 20));
        Segment syn = s.expect(SYN, 0, -1, 0);
        assertEquals(14, syn.wscale(), "a 1 GiB buffer needs the largest shift");
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1460).wscale(15)); // RFC 7323 2.3: beyond 14 is taken as 14
        Segment ack = s.expect(ACK, 1, 1, 0);
        assertEquals(14, s.tcb.sndWscale());
        assertEquals(4, ack.window(), "the window opens from the SYN's (rcv_ssthresh 65535), rounded up to 2^14 units "
                + "as __tcp_select_window's ALIGN does, not the whole 1 GiB buffer at once");
        s.in(Seg.of(ACK, 1, 1).win(65_535));
        assertEquals(65_535 << 14, s.tcb.sndWnd(), "just under 1 GiB, no overflow");
        s.tcb.write(new byte[100_000], 0, 100_000, s.now);
        for (int i = 0; i < 10; i++) {
            s.expect(ACK, 1 + 1460 * i, 1, 1460); // the initial window, not the peer's, limits
        }
        s.expectNothing();
        s.in(Seg.of(ACK, 1, 1 + 14_600).win(1)); // one unit of 2^14 bytes
        assertEquals(16_384, s.tcb.sndWnd());
        for (int i = 0; i < 11; i++) {
            s.expect(ACK, 1 + 14_600 + 1460 * i, 1, 1460);
        }
        s.expectNothing(); // the 324 bytes left in the window wait for room for a full segment
        s.in(Seg.of(ACK, 1, 1 + 14_600 + 16_060).win(0));
        assertEquals(0, s.tcb.sndWnd());
        s.expectNothing();
        s.advanceMs(1000);
        s.expect(ACK, 14_600 + 16_060, 1, 0); // the zero-window probe
    }

    @Test
    void theWindowOfferedNeverShrinksAndAnAckAtItsEdgeIsHeard() {
        TcpScript s = TcpScript.server(PLAIN.withBuffers(3000, 65_536).withMss(1000), Seg.of(SYN, 0, 0).mss(1460));
        assertEquals(3000, s.expect(SYN | ACK, 0, 1, 0).window());
        s.in(Seg.of(ACK, 1, 1));
        s.tcb.write(new byte[100], 0, 100, s.now);
        s.expect(ACK | PSH, 1, 1, 100);
        s.in(Seg.of(ACK | PSH, 1, 1).data(1000));
        s.in(Seg.of(ACK | PSH, 2001, 1).data(1000)); // ahead of a lost segment; the app reads nothing
        Segment dup = s.expect(ACK, 101, 1001, 0);
        assertEquals(2000, dup.window(), "held data sits inside the window offered: the edge stays at 3001");
        s.in(Seg.of(ACK, 3001, 101)); // a peer that filled the window numbers its ACK at the edge
        assertEquals(0, s.tcb.unacknowledged(), "the ACK was heard, though the buffer has room for 1000 only");
    }

    /**
     * tcp_fin_timeout: a connection the application has closed (an orphan) waits 60 s in FIN_WAIT_2 for the
     * peer's FIN, then goes. Before, a peer that acknowledged our FIN and never sent its own kept it for ever.
     */
    @Test
    void anOrphanWaitsInFinWait2ForTcpFinTimeoutOnly() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.close(s.now);
        s.tcb.orphan(s.now);
        s.expect(FIN | ACK, 1, 1, 0);
        s.in(Seg.of(ACK, 1, 2));
        assertEquals(TcpState.FIN_WAIT_2, s.tcb.state());
        s.advanceMs(59_999);
        assertEquals(TcpState.FIN_WAIT_2, s.tcb.state());
        s.advanceMs(1);
        assertEquals(TcpState.CLOSED, s.tcb.state());
        assertEquals(List.of("closed null"), s.takeEvents());
        s.expectNothing();
    }

    /** After shutdown(SHUT_WR) the socket is still the application's: FIN_WAIT_2 lasts until it closes it. */
    @Test
    void aHalfClosedConnectionWaitsInFinWait2UntilTheApplicationClosesIt() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.close(s.now);
        s.expect(FIN | ACK, 1, 1, 0);
        s.in(Seg.of(ACK, 1, 2));
        s.advanceMs(3_600_000);
        assertEquals(TcpState.FIN_WAIT_2, s.tcb.state(), "the peer may still send, and we still read");
        s.tcb.orphan(s.now);
        s.advanceMs(60_000);
        assertEquals(TcpState.CLOSED, s.tcb.state());
    }

    @Test
    void passiveCloseReadsEndOfStreamThenLastAck() throws Exception {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK | PSH, 1, 1).data(5));
        s.expect(ACK, 1, 6, 0); // quick-ACK mode
        s.in(Seg.of(FIN | ACK, 6, 1));
        s.expectNothing(); // tcp_fin: pingpong, the FIN's ACK waits for our answer
        assertEquals(TcpState.CLOSE_WAIT, s.tcb.state());
        byte[] b = new byte[10];
        assertEquals(5, s.tcb.read(b, 0, 10));
        assertEquals(-1, s.tcb.read(b, 0, 10));
        s.tcb.write(new byte[3], 0, 3, s.now);
        s.expect(ACK | PSH, 1, 7, 3);
        s.tcb.close(s.now);
        s.expect(FIN | ACK, 4, 7, 0);
        assertEquals(TcpState.LAST_ACK, s.tcb.state());
        s.in(Seg.of(ACK, 7, 5));
        assertEquals(TcpState.CLOSED, s.tcb.state());
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.close(s.now);
        s.expect(FIN | ACK, 1, 1, 0);
        s.in(Seg.of(FIN | ACK, 1, 1));
        s.expect(ACK, 2, 2, 0);
        assertEquals(TcpState.CLOSING, s.tcb.state());
        s.in(Seg.of(ACK, 2, 2));
        assertEquals(TcpState.TIME_WAIT, s.tcb.state());
    }

    @Test
    void finAheadOfMissingDataWaitsForIt() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(FIN | ACK, 101, 1));
        assertEquals(TcpState.ESTABLISHED, s.tcb.state(), "data before the FIN is still missing");
        s.out();
        s.in(Seg.of(ACK, 1, 1).data(100));
        s.expect(ACK, 1, 102, 0);
        assertEquals(TcpState.CLOSE_WAIT, s.tcb.state());
    }

    /**
     * RFC 5961 5.2 as tcp_ack applies it: an ACK older than snd_una by more than the peer's largest window,
     * or than all it ever acknowledged (min(max_window, bytes_acked)), is answered with a challenge ACK and
     * its data dropped; one merely old is taken with its data. An ACK above snd_nxt is dropped and answered, in
     * every state with a rate-limited ACK, as Linux 6.18 answers it (seen by DiffProbeIT against the kernel).
     */
    @Test
    void acksFarBelowSndUnaOrAboveSndNxtAreDroppedWithTheirData() {
        TcpScript s = establishedClient(PLAIN);
        s.tcb.write(new byte[3000], 0, 3000, s.now);
        s.out();
        s.out();
        s.out();
        s.in(Seg.of(ACK, 1, 3001));
        // bytes_acked 3001 (the SYN and the data): an ACK below 3001 - 3001 = 0 is too old
        s.in(Seg.of(ACK | PSH, 1, -1).data(10));
        s.expect(ACK, 3001, 1, 0); // the challenge ACK
        assertEquals(0, s.tcb.readable(), "its data was not taken");
        assertEquals(1, s.mib.get(Mib.TcpExtTCPChallengeACK));
        s.in(Seg.of(ACK | PSH, 1, 0).data(10)); // old, but within the window
        s.expect(ACK, 3001, 11, 0);
        assertEquals(10, s.tcb.readable());
        s.in(Seg.of(ACK | PSH, 11, 3002).data(10)); // acknowledges what we never sent
        s.expectNothing(); // its ACK is a challenge ACK, and one went out less than 500 ms ago
        assertEquals(10, s.tcb.readable(), "dropped, data and all");
        s.advanceMs(500);
        s.in(Seg.of(ACK | PSH, 11, 3002).data(10));
        s.expect(ACK, 3001, 11, 0); // Linux 6.18 answers it in ESTABLISHED too
        assertEquals(10, s.tcb.readable(), "still dropped");

        TcpScript c = establishedClient(PLAIN);
        c.in(Seg.of(ACK | PSH, 1, 1).data(10));
        c.expect(ACK, 1, 11, 0);
        c.in(Seg.of(FIN | ACK, 11, 1));
        c.advanceMs(40);
        c.expect(ACK, 1, 12, 0);
        assertEquals(TcpState.CLOSE_WAIT, c.tcb.state());
        c.in(Seg.of(ACK, 12, 5));
        c.expect(ACK, 1, 12, 0); // in CLOSE_WAIT a challenge ACK answers it
        c.in(Seg.of(ACK, 12, 5));
        c.expectNothing(); // at most one per tcp_invalid_ratelimit
        assertEquals(1, c.mib.get(Mib.TcpExtTCPACKSkippedChallenge));
    }

    private static String read(TcpScript s, int len) {
        byte[] b = new byte[len];
        int n = s.tcb.read(b, 0, len);
        return n <= 0 ? "" : new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * tcp_urg, tcp_check_urg and tcp_recvmsg: with SO_OOBINLINE off the urgent byte (the one before the urgent
     * pointer, tcp_stdurg 0) is kept out of the stream: a read stops at it, the next skips it, and MSG_OOB
     * (tcp_recv_urg) returns it, once. With SO_OOBINLINE the byte stays in the stream, reads still stopping
     * at the mark.
     */
    @Test
    void urgentDataIsKeptOutOfTheStream() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK | PSH, 1, 1).data("abcdefghij".getBytes()).urg(5));
        assertEquals(10, s.tcb.readable(), "the urgent byte counts until it is at the head");
        assertEquals("abcd", read(s, 100), "the read stops at the urgent mark");
        assertEquals(5, s.tcb.readable(), "the urgent byte at the head is skipped, not read");
        assertEquals('e', s.tcb.readUrgent(true), "MSG_OOB | MSG_PEEK");
        assertEquals('e', s.tcb.readUrgent(false), "MSG_OOB");
        assertEquals(-1, s.tcb.readUrgent(false), "EINVAL: already read");
        assertEquals("fghij", read(s, 100));
        // the pointer arrives before its byte: EAGAIN until the byte does
        s.in(Seg.of(ACK | TcpSegment.URG, 11, 1).data("kl".getBytes()).urg(4));
        assertEquals(-2, s.tcb.readUrgent(false));
        s.in(Seg.of(ACK, 13, 1).data("mno".getBytes()));
        assertEquals('n', s.tcb.readUrgent(false));
        assertEquals("klm", read(s, 100));
        assertEquals("o", read(s, 100));

        TcpScript in = establishedClient(PLAIN);
        in.tcb.oobInline(true);
        in.in(Seg.of(ACK | PSH, 1, 1).data("abcdefghij".getBytes()).urg(5));
        assertEquals("abcd", read(in, 100));
        assertEquals(-1, in.tcb.readUrgent(false), "EINVAL with SO_OOBINLINE");
        assertEquals("efghij", read(in, 100), "the urgent byte stays in the stream");
    }

    @Test
    void resetsFollowRfc5961() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(RST, 500, 0)); // in the window but not rcv_nxt: a challenge
        s.expect(ACK, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        s.in(Seg.of(RST, 1_000_000, 0)); // outside the window: ignored
        s.expectNothing();
        s.in(Seg.of(SYN, 1, 0)); // a SYN on an open connection: a challenge, never a reset...
        s.expectNothing(); // ...but not two within tcp_invalid_ratelimit
        assertEquals(1, s.mib.get(Mib.TcpExtTCPACKSkippedChallenge));
        s.advanceMs(500);
        s.in(Seg.of(SYN, 1, 0));
        s.expect(ACK, 1, 1, 0);
        assertEquals(2, s.mib.get(Mib.TcpExtTCPChallengeACK));
        assertEquals(2, s.mib.get(Mib.TcpExtTCPSYNChallenge));
        s.in(Seg.of(RST, 1, 0)); // exactly rcv_nxt: the connection is reset
        assertEquals(List.of("closed connection reset by peer"), s.takeEvents());
    }

    @Test
    void outOfWindowAcksAreAnsweredAtMostTwiceASecondButDataAlways() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK, 1_000_000, 1)); // far outside the window: a duplicate ACK says where we are
        s.expect(ACK, 1, 1, 0);
        for (int i = 0; i < 100; i++) {
            s.in(Seg.of(ACK, 1_000_000 + i, 1)); // a flood of them draws nothing more (no ACK loop)
        }
        s.expectNothing();
        assertEquals(100, s.mib.get(Mib.TcpExtTCPACKSkippedSeq));
        s.in(Seg.of(ACK | PSH, -99, 1).data(100)); // old data is always answered: its sender waits for it
        s.expect(ACK, 1, 1, 0);
        s.advanceMs(500);
        s.in(Seg.of(ACK, 1_000_000, 1));
        s.expect(ACK, 1, 1, 0);
    }

    @Test
    void oldDuplicateDataIsAnsweredWithADuplicateAck() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK, 1, 1).data(100));
        s.in(Seg.of(ACK, 1, 1).data(100)); // retransmitted: already have it
        s.expect(ACK, 1, 101, 0);
        assertEquals(100, s.tcb.readable());
    }

    /**
     * tcp_probe_timer: a zero window is probed for as long as the peer answers (RFC 1122 4.2.2.17), but after
     * tcp_retries2 probes in a row go unanswered the connection times out. Before, a peer that shut its
     * window and fell silent kept the connection, and its send buffer, for ever.
     */
    @Test
    void zeroWindowProbesThatGoUnansweredEndTheConnection() {
        TcpScript s = establishedClient(PLAIN.withRetries(6, 5, 3));
        s.in(Seg.of(ACK, 1, 1).win(0));
        s.tcb.write(new byte[100], 0, 100, s.now);
        for (long gap : new long[] {200, 400, 800}) {
            s.advanceMs(gap);
            s.expect(ACK, 0, 1, 0);
            s.expectNothing();
        }
        s.in(Seg.of(ACK, 1, 1).win(0)); // an answer: the peer lives, its window still shut
        for (long gap : new long[] {1600, 3200, 6400}) {
            s.advanceMs(gap);
            s.expect(ACK, 0, 1, 0);
        }
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        s.advanceMs(12_800);
        s.expectNothing();
        assertEquals(TcpState.CLOSED, s.tcb.state());
        assertEquals(List.of("closed connection timed out"), s.takeEvents());
    }

    /**
     * tcp_sync_mss with tcp_bound_to_half_wnd: a peer whose largest window is 500 bytes gets 500-byte segments
     * at once, each as the window allows, where a 1460-byte segment would never fit and the data would wait
     * for the persist timer; one that offered 1000 (over TCP_MSS_DEFAULT) gets segments of half that. A
     * larger window later raises the segment size again, cwnd keeping its count of segments.
     */
    @Test
    void aPeerWithASmallWindowGetsSegmentsThatFitItAtOnce() {
        TcpScript s = TcpScript.establishedClient(PLAIN, Seg.of(SYN | ACK, 0, 1).mss(1460).win(500));
        assertEquals(500, s.tcb.sndMss());
        s.tcb.write(new byte[3000], 0, 3000, s.now);
        s.expect(ACK, 1, 1, 500);
        s.expectNothing();
        s.in(Seg.of(ACK, 1, 501).win(500));
        s.expect(ACK, 501, 1, 500);
        s.expectNothing();

        TcpScript h = TcpScript.establishedClient(PLAIN, Seg.of(SYN | ACK, 0, 1).mss(1460).win(1000));
        assertEquals(500, h.tcb.sndMss(), "half of a window over 536");
        assertEquals(5000, h.tcb.cwnd());
        h.tcb.write(new byte[3000], 0, 3000, h.now);
        h.expect(ACK, 1, 1, 500);
        h.expect(ACK, 501, 1, 500);
        h.expectNothing();
        h.in(Seg.of(ACK, 1, 1001).win(65535));
        assertEquals(1460, h.tcb.sndMss(), "synced again to the larger window");
        h.expect(ACK, 1001, 1, 1460);
        h.expect(ACK | PSH, 2461, 1, 540);
    }

    /**
     * The window left is under a segment and the update that would widen it was lost: silly window
     * avoidance holds the data, nothing is in flight, so only the persist timer can move it (tcp_write_wakeup
     * sends what fits). Without it both ends of an echo wait for each other forever.
     */
    @Test
    void aWindowSmallerThanASegmentIsFilledWhenThePersistTimerFires() {
        TcpScript s = establishedClient(PLAIN);
        s.in(Seg.of(ACK, 1, 1).win(500));
        s.tcb.write(new byte[3000], 0, 3000, s.now);
        s.expectNothing();
        s.advanceMs(199);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 1, 1, 500);
        s.expectNothing();
        s.in(Seg.of(ACK, 1, 501).win(500));
        s.expectNothing();
        s.advanceMs(200); // one RTO, at its 200 ms floor after the instant sample
        s.expect(ACK, 501, 1, 500);
        s.in(Seg.of(ACK, 1, 1001).win(65535));
        s.expect(ACK, 1001, 1, 1460);
        s.expect(ACK | PSH, 2461, 1, 540);
    }

    @Test
    void receiveWindowShrinksAsTheBufferFillsAndReopensOnRead() {
        TcpScript s = TcpScript.server(TcpConfig.defaults().withOptions(false, false, false).withBuffers(4000, 4000).withMss(1000),
                Seg.of(SYN, 0, 0).mss(1000));
        assertEquals(4000, s.out().window());
        s.in(Seg.of(ACK, 1, 1));
        // quick-ACK mode: rcv_mss measured as 1000, so 4000 / (2 * 1000) = 2 ACKs at once
        s.in(Seg.of(ACK, 1, 1).data(1000));
        assertEquals(3000, s.expect(ACK, 1, 1001, 0).window());
        s.in(Seg.of(ACK, 1001, 1).data(1000));
        assertEquals(2000, s.expect(ACK, 1, 2001, 0).window());
        s.in(Seg.of(ACK, 2001, 1).data(1000));
        s.expectNothing(); // not more than rcv_mss unacknowledged
        s.in(Seg.of(ACK, 3001, 1).data(1000));
        assertEquals(0, s.expect(ACK, 1, 4001, 0).window());
        s.in(Seg.of(ACK, 4001, 1).data(1000)); // ignoring the window: not accepted
        s.expect(ACK, 1, 4001, 0);
        byte[] b = new byte[4000];
        s.tcb.read(b, 0, 4000);
        s.tcb.windowUpdate(s.now);
        assertEquals(4000, s.expect(ACK, 1, 4001, 0).window(), "the reopened window is announced");
    }

    @Test
    void theRightEdgeMovesByAWholeSegmentOrNotAtAll() {
        TcpScript s = TcpScript.server(TcpConfig.defaults().withOptions(false, false, false).withBuffers(4000, 4000).withMss(1000),
                Seg.of(SYN, 0, 0).mss(1000));
        s.out(); // the SYN-ACK
        s.in(Seg.of(ACK, 1, 1));
        s.in(Seg.of(ACK, 1, 1).data(1000));
        assertEquals(3000, s.expect(ACK, 1, 1001, 0).window()); // quick-ACK mode, two of them
        s.in(Seg.of(ACK, 1001, 1).data(1000));
        assertEquals(2000, s.expect(ACK, 1, 2001, 0).window());
        s.tcb.read(new byte[300], 0, 300);
        s.in(Seg.of(ACK, 2001, 1).data(500));
        s.advanceMs(500);
        assertEquals(1500, s.expect(ACK, 1, 2501, 0).window(), "300 bytes read: the edge stays where it was");
        s.tcb.read(new byte[800], 0, 800);
        s.in(Seg.of(ACK, 2501, 1).data(100));
        s.advanceMs(500);
        assertEquals(4000 - (2600 - 1100), s.expect(ACK, 1, 2601, 0).window(), "1100 bytes read: it moves");
    }

    @Test
    void pawsDropsAnOldTimestamp() {
        TcpScript s = TcpScript.server(LINUX, Seg.of(SYN, 0, 0).mss(1460).ts(1000, 0));
        Segment synAck = s.out();
        s.in(Seg.of(ACK, 1, 1).ts(1001, synAck.tsVal()));
        s.in(Seg.of(ACK, 1, 1).ts(900, synAck.tsVal()).data(10));
        s.expect(ACK, 1, 1, 0);
        assertEquals(0, s.tcb.readable(), "an old duplicate by its timestamp");
    }

    /**
     * With timestamps on, the ACK's echo measures the round trip (no segment is timed by sequence number):
     * a 10 ms handshake, then an ACK whose echo is 30 ms old, moved SRTT and RTTVAR as RFC 6298 2.2-2.3 say.
     */
    @Test
    void timestampsGiveRttSamples() {
        TcpScript s = TcpScript.client(LINUX);
        Segment syn = s.out();
        s.advanceMs(10);
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1460).ts(1, syn.tsVal()).wscale(0));
        s.out();
        assertEquals(10_000_000L, s.tcb.srttNanos(), "the handshake's RTT: SRTT = R");
        assertEquals(5_000_000L, s.tcb.rttvarNanos(), "mdev = R/2");
        assertEquals(210_000_000L, s.tcb.rtoNanos(), "SRTT + max(4 mdev, TCP_RTO_MIN)");
        s.tcb.write(new byte[100], 0, 100, s.now);
        Segment d = s.out();
        s.advanceMs(30);
        s.in(Seg.of(ACK, 1, 101).ts(2, d.tsVal()));
        assertEquals(8_750_000L, s.tcb.rttvarNanos(), "mdev = 3/4 * 5 ms + 1/4 * |10 ms - 30 ms|");
        assertEquals(12_500_000L, s.tcb.srttNanos(), "SRTT = 7/8 * 10 ms + 1/8 * 30 ms");
        assertEquals(213_000_000L, s.tcb.rtoNanos(), "12.5 ms + rttvar_us (TCP_RTO_MIN), rounded up to the ms");
    }

    /**
     * Sends {@code rounds} rounds of {@code segments} full segments from the peer, one RTT (1 ms) apart,
     * reading everything after each round when {@code reads}; returns the largest window offered, in bytes.
     */
    private static long peerStreams(TcpConfig cfg, int rounds, int segments, boolean reads) {
        TcpScript s = TcpScript.server(cfg, Seg.of(SYN, 0, 0).mss(1460).wscale(7));
        s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(ACK, 1, 1));
        int rel = 1;
        long widest = 0;
        byte[] sink = new byte[1 << 20];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < segments; i++, rel += 1460) {
                s.in(Seg.of(ACK, rel, 1).data(1460));
            }
            if (reads) {
                while (s.tcb.read(sink, 0, sink.length) > 0) {
                    // drained
                }
                s.tcb.windowUpdate(s.now);
            }
            while (!s.sent.isEmpty()) {
                widest = Math.max(widest, (long) s.out().window() << s.tcb.rcvWscale());
            }
            s.advanceMs(1);
        }
        return widest;
    }

    /** tcp_rcv_space_adjust: a reader that keeps up with 80 segments an RTT gets a window past the first 128 KiB. */
    @Test
    void aFastReaderGrowsTheReceiveWindow() {
        long widest = peerStreams(LINUX, 4, 80, true);
        assertTrue(widest > 131_072, "the window grew past tcp_rmem[1]: " + widest);
        assertTrue(widest <= 6_291_456, "and stays within tcp_rmem[2]: " + widest);
    }

    /** A reader that reads nothing keeps the buffer it started with, and the window closes. */
    @Test
    void aReaderThatDoesNotReadKeepsItsFirstBuffer() {
        assertTrue(peerStreams(LINUX, 4, 20, false) <= 131_072);
    }

    /** SO_RCVBUF (withBuffers) fixes the buffer: no autotuning, as SOCK_RCVBUF_LOCK has it. */
    @Test
    void aFixedReceiveBufferIsNotAutotuned() {
        assertTrue(peerStreams(LINUX.withBuffers(65_536, 262_144), 4, 40, true) <= 65_536);
    }
}
