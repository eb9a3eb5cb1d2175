package io.ustack.core.tcp;

import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.tcp.TcpScript.Seg;
import org.junit.jupiter.api.Test;

/** SO_KEEPALIVE, scripted: probes after the idle time, answered or not, and none while data is outstanding. */
class KeepaliveTest {
    private static final TcpConfig PLAIN = TcpConfig.defaults().withOptions(false, false, false);
    /** Ten seconds idle, probes a second apart, three of them. */
    private static final Keepalive SHORT = new Keepalive(10_000, 1_000, 3);

    private static TcpScript established() {
        return TcpScript.establishedClient(PLAIN, Seg.of(SYN | ACK, 0, 1).mss(1460));
    }

    @Test
    void anIdleConnectionIsProbedAndAnAnswerStartsTheIdleTimeAgain() {
        TcpScript s = established();
        s.tcb.keepalive(SHORT, s.now);
        s.advanceMs(9_999);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 0, 1, 0); // one below snd_una: the peer must answer with an ACK
        s.in(Seg.of(ACK, 1, 1));
        s.advanceMs(9_999);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 0, 1, 0);
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        assertEquals(2, s.mib.get(Mib.TcpExtTCPKeepAlive));
    }

    @Test
    void aPeerThatNeverAnswersIsDeclaredDeadAfterTheLastProbe() {
        TcpScript s = established();
        s.tcb.keepalive(SHORT, s.now);
        s.advanceMs(10_000);
        s.expect(ACK, 0, 1, 0);
        s.advanceMs(1_000);
        s.expect(ACK, 0, 1, 0);
        s.advanceMs(1_000);
        s.expect(ACK, 0, 1, 0);
        s.advanceMs(999);
        assertEquals(TcpState.ESTABLISHED, s.tcb.state());
        s.advanceMs(1);
        s.expectNothing();
        assertEquals(TcpState.CLOSED, s.tcb.state());
        assertTrue(s.takeEvents().contains("closed connection timed out"));
    }

    @Test
    void dataFromThePeerCountsAsHearingFromIt() {
        TcpScript s = established();
        s.tcb.keepalive(SHORT, s.now);
        s.advanceMs(6_000);
        s.in(Seg.of(ACK | PSH, 1, 1).data(10));
        s.advanceMs(40);
        s.expect(ACK, 1, 11, 0); // the delayed ACK
        s.advanceMs(9_959);
        s.expectNothing();
        s.advanceMs(1);
        s.expect(ACK, 0, 11, 0);
    }

    @Test
    void noProbeWhileDataIsOutstandingTheRetransmissionTimerWatchesThen() {
        TcpScript s = established();
        s.tcb.keepalive(SHORT, s.now);
        s.tcb.write(new byte[100], 0, 100, s.now);
        s.expect(ACK | PSH, 1, 1, 100);
        s.advanceMs(10_000);
        assertEquals(0, s.mib.get(Mib.TcpExtTCPKeepAlive), "only retransmissions went out");
        s.sent.clear();
        s.in(Seg.of(ACK, 1, 101));
        s.advanceMs(10_000);
        s.expect(ACK, 100, 1, 0);
    }

    @Test
    void turningItOffStopsTheProbesAndBadSettingsAreRefused() {
        TcpScript s = established();
        s.tcb.keepalive(SHORT, s.now);
        s.tcb.keepalive(null, s.now);
        s.advanceMs(3_600_000);
        s.expectNothing();
        assertThrows(IllegalArgumentException.class, () -> new Keepalive(0, 1, 1));
        assertEquals(7_200_000, Keepalive.LINUX.idleMs());
    }
}
