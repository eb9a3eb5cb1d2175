package io.ustack.core.tcp;

import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.tcp.TcpScript.Seg;
import org.junit.jupiter.api.Test;

/**
 * Slow start as Linux 6.12 runs it, in the numbers of its own packetdrill selftests (tcp_slow_start_*.pkt):
 * MSS 1000, an initial window of ten segments, the peer ACKing every other segment.
 */
class TcpSlowStartTest {
    private static final int MSS = 1000;
    private static final TcpConfig PLAIN = TcpConfig.defaults().withOptions(false, false, false);

    /** A client whose peer announced MSS 1000 and a large window, ESTABLISHED after an RTT of 100 ms. */
    private static TcpScript connection(TcpConfig cfg) {
        TcpScript s = TcpScript.client(cfg);
        s.expect(SYN, 0, -1, 0);
        s.advanceMs(100);
        s.in(Seg.of(SYN | ACK, 0, 1).mss(MSS).win(65535));
        s.expect(ACK, 1, 1, 0);
        s.takeEvents();
        assertEquals(10 * MSS, s.tcb.cwnd());
        return s;
    }

    /** Writes {@code len} bytes, expects them sent in full segments, then ACKs them two segments at a time. */
    private static int[] cwndAfterEachAck(TcpConfig cfg, int len) {
        TcpScript s = connection(cfg);
        s.tcb.write(new byte[len], 0, len, s.now);
        for (int seq = 1; seq <= len; seq += MSS) {
            s.expect(seq + MSS > len ? ACK | PSH : ACK, seq, 1, MSS);
        }
        s.expectNothing();
        s.advanceMs(100);
        int acks = (len / MSS + 1) / 2;
        int[] cwnd = new int[acks];
        for (int i = 0; i < acks; i++) {
            s.in(Seg.of(ACK, 1, 1 + Math.min(len, (i + 1) * 2 * MSS)).win(65535));
            cwnd[i] = s.tcb.cwnd() / MSS;
        }
        s.expectNothing();
        return cwnd;
    }

    /**
     * tcp_slow_start grows cwnd by the segments an ACK newly acknowledges (two here, not RFC 3465's one), and
     * tcp_is_cwnd_limited lets it grow only while the connection uses its window: cwnd-limited (all ten
     * segments out), or in slow start while cwnd is under twice the most that was in flight
     * (tcp_cwnd_validate's max_packets_out). slow-start-app-limited.pkt, -app-limited-9-packets-out.pkt,
     * -ack-per-2pkt-send-6pkt.pkt and -send-5pkt.pkt.
     */
    @Test
    void cwndGrowsByWhatIsAckedWhileTheWindowIsUsed() {
        assertEquals("[12, 14, 16, 18, 20]", java.util.Arrays.toString(cwndAfterEachAck(PLAIN, 10 * MSS)),
                "all ten segments out: cwnd-limited, two segments per ACK");
        assertEquals("[12, 14, 16, 18, 18]", java.util.Arrays.toString(cwndAfterEachAck(PLAIN, 9 * MSS)),
                "nine out: cwnd grows to twice that, 18");
        assertEquals("[12, 12, 12]", java.util.Arrays.toString(cwndAfterEachAck(PLAIN, 6 * MSS)),
                "six out: to 12, twice six");
        assertEquals("[10, 10, 10]", java.util.Arrays.toString(cwndAfterEachAck(PLAIN, 5 * MSS)),
                "five out: ten is already twice that");
    }

    /**
     * A sender that keeps its window full grows it by every segment acknowledged, so it doubles each round
     * trip and what each ACK releases is the ACKed segments and as many again
     * (slow-start-ack-per-2pkt.pkt, with tcp_tso_win_divisor 100).
     */
    @Test
    void aBulkSenderDoublesItsWindowEachRoundTrip() {
        TcpScript s = connection(PLAIN);
        s.tcb.write(new byte[30 * MSS], 0, 30 * MSS, s.now);
        for (int seq = 1; seq <= 10 * MSS; seq += MSS) {
            s.expect(ACK, seq, 1, MSS);
        }
        s.expectNothing();
        s.advanceMs(105);
        int next = 10 * MSS + 1;
        for (int acked = 2 * MSS; acked <= 10 * MSS; acked += 2 * MSS) {
            s.in(Seg.of(ACK, 1, 1 + acked).win(65535));
            for (int i = 0; i < 4; i++, next += MSS) {
                s.expect(next + MSS > 30 * MSS ? ACK | PSH : ACK, next, 1, MSS);
            }
            s.expectNothing();
            s.advanceMs(5);
        }
        assertEquals(20 * MSS, s.tcb.cwnd());
    }

    /** Sends {@code len} bytes on a connection whose device takes super-segments; returns their lengths. */
    private static String superSegments(TcpScript s, int len) {
        s.tcb.write(new byte[len], 0, len, s.now);
        StringBuilder b = new StringBuilder();
        while (!s.sent.isEmpty()) {
            b.append(b.length() == 0 ? "" : " ").append(s.out().dataLength());
        }
        return b.toString();
    }

    /**
     * tcp_cwnd_test gives one transmission at most half of cwnd, so the initial window goes as two
     * super-segments of five segments each when tcp_min_tso_segs lets them be that large
     * (slow-start-after-idle.pkt, tcp_min_tso_segs 10); with the default 2 and an RTT of 100 ms,
     * tcp_tso_autosize's pacing term is under a segment and super-segments are two segments long.
     */
    @Test
    void aWindowGoesAsSuperSegmentsOfAtMostHalfOfIt() {
        TcpConfig gso = PLAIN.withGsoMaxSize(TcpConfig.GSO_MAX_SIZE);
        assertEquals("5000 5000", superSegments(connection(gso.withMinTsoSegs(10)), 26 * MSS));
        assertEquals("2000 2000 2000 2000 2000", superSegments(connection(gso), 26 * MSS));
    }

    /**
     * tcp_tso_autosize starts from the pacing rate tcp_update_pacing_rate would set: in slow start
     * tcp_pacing_ss_ratio percent of cwnd per SRTT. On a 20 ms path the default 200% makes under a
     * segment per 2^-10 s, so super-segments are tcp_min_tso_segs long; 1000% makes four segments' worth.
     */
    @Test
    void superSegmentsFollowThePacingRatio() {
        TcpConfig gso = PLAIN.withGsoMaxSize(TcpConfig.GSO_MAX_SIZE);
        assertEquals("2000 2000 2000 2000 2000", superSegments(connectionWithRtt(gso, 20), 26 * MSS));
        assertEquals("4000 4000 2000", superSegments(connectionWithRtt(gso.withPacingRatios(1000, 120), 20), 26 * MSS));
    }

    private static TcpScript connectionWithRtt(TcpConfig cfg, long rttMs) {
        TcpScript s = TcpScript.client(cfg);
        s.expect(SYN, 0, -1, 0);
        s.advanceMs(rttMs);
        s.in(Seg.of(SYN | ACK, 0, 1).mss(MSS).win(65535));
        s.expect(ACK, 1, 1, 0);
        return s;
    }

    /**
     * On a short path (an RTT of 100 us, under tcp_tso_rtt_log's 512 us) tcp_tso_autosize allows the device's
     * whole super-segment size, so only cwnd's halves cut what goes: a fast path is not held to small ones.
     */
    @Test
    void aShortRttAllowsWholeSuperSegments() {
        TcpScript s = TcpScript.client(PLAIN.withGsoMaxSize(TcpConfig.GSO_MAX_SIZE));
        s.expect(SYN, 0, -1, 0);
        s.now += 100_000; // 100 us
        s.in(Seg.of(SYN | ACK, 0, 1).mss(MSS).win(65535));
        s.expect(ACK, 1, 1, 0);
        s.in(Seg.of(ACK, 1, 1).win(65535 * 4));
        assertEquals("5000 5000", superSegments(s, 100 * MSS), "cwnd, not the size goal, cuts them");
        s.in(Seg.of(ACK, 1, 1 + 10 * MSS).win(65535 * 4));
        StringBuilder b = new StringBuilder();
        while (!s.sent.isEmpty()) {
            b.append(b.length() == 0 ? "" : " ").append(s.out().dataLength());
        }
        assertEquals("10000 10000", b.toString(), "cwnd 20: two halves of ten segments");
    }

    /** What was sent since the last call, as payload lengths. */
    private static String drain(TcpScript s) {
        StringBuilder b = new StringBuilder();
        while (!s.sent.isEmpty()) {
            b.append(b.length() == 0 ? "" : " ").append(s.out().dataLength());
        }
        return b.toString();
    }

    /** slow-start-after-idle.pkt's first 0.3 s: 26 segments written, cwnd grown to 36 and all acknowledged. */
    private static TcpScript grownTo36(TcpConfig cfg) {
        TcpScript s = connection(cfg);
        assertEquals("5000 5000", superSegments(s, 26 * MSS));
        s.advanceMs(100);
        s.in(Seg.of(ACK, 1, 1 + 10 * MSS).win(65535));
        assertEquals(20 * MSS, s.tcb.cwnd());
        assertEquals("10000 6000", drain(s));
        s.advanceMs(100);
        s.in(Seg.of(ACK, 1, 1 + 26 * MSS).win(65535));
        assertEquals(36 * MSS, s.tcb.cwnd(), "16 out of 20 is under half: still growing, by all 16");
        return s;
    }

    /**
     * tcp_slow_start_after_idle_check: data written after an idle spell longer than the RTO (2 s, the RTO
     * about 300 ms) restarts the window (tcp_cwnd_restart): 36 halves once per RTO down to the initial ten,
     * of which half goes in the first super-segment (slow-start-after-idle.pkt). With the sysctl off, as
     * packetdrill's defaults.sh sets it, the window is kept.
     */
    @Test
    void dataAfterAnIdleSpellRestartsFromTheInitialWindow() {
        TcpConfig cfg = PLAIN.withGsoMaxSize(TcpConfig.GSO_MAX_SIZE).withMinTsoSegs(10);
        TcpScript s = grownTo36(cfg);
        s.advanceMs(2000);
        assertEquals("5000 5000", superSegments(s, 20 * MSS));
        assertEquals(10 * MSS, s.tcb.cwnd());
        assertEquals(Integer.MAX_VALUE, s.tcb.ssthresh(),
                "tcp_current_ssthresh: the larger of ssthresh and three quarters of cwnd, so still infinite");

        TcpScript off = grownTo36(cfg.withSlowStartAfterIdle(false));
        off.advanceMs(2000);
        assertEquals("10000 10000", superSegments(off, 20 * MSS));
        assertEquals(36 * MSS, off.tcb.cwnd());

        TcpScript brief = grownTo36(cfg);
        brief.advanceMs(150); // 250 ms since data last left, under the RTO of 300
        superSegments(brief, 20 * MSS);
        assertEquals(36 * MSS, brief.tcb.cwnd(), "idle for less than the RTO: nothing changes");
    }

    /**
     * The same restart when a zero window opens on data that waited through the persist timer's probes:
     * tcp_ack_update_window runs the check, since no data left for 3.3 s (slow-start-after-win-update.pkt).
     * The probes carry no data, so they do not count as sending.
     */
    @Test
    void aWindowThatOpensAfterAnIdleSpellRestartsTheWindow() {
        TcpScript s = connection(PLAIN.withGsoMaxSize(TcpConfig.GSO_MAX_SIZE).withMinTsoSegs(10));
        assertEquals("5000 5000", superSegments(s, 26 * MSS));
        s.advanceMs(100);
        s.in(Seg.of(ACK, 1, 1 + 10 * MSS).win(65535));
        assertEquals("10000 6000", drain(s));
        s.advanceMs(100);
        s.in(Seg.of(ACK, 1, 1 + 26 * MSS).win(0));
        assertEquals(36 * MSS, s.tcb.cwnd());
        assertEquals("", superSegments(s, 20 * MSS));
        s.advanceMs(2100);
        assertEquals("0 0 0", drain(s), "three zero-window probes");
        assertEquals(36 * MSS, s.tcb.cwnd(), "probes leave cwnd alone");
        s.advanceMs(900);
        s.in(Seg.of(ACK, 1, 1 + 26 * MSS).win(65535));
        assertEquals(10 * MSS, s.tcb.cwnd());
        assertEquals(5 * MSS, s.out().dataLength());
    }
}
