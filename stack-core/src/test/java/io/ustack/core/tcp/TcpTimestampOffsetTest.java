package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ustack.core.tcp.TcpScript.Seg;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.time.ManualClock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RFC 7323 section 7.1 as Linux follows it (secure_tcp_ts_off): TSval is the millisecond clock plus a random
 * offset per address pair, so TSvals reveal neither uptime nor how connections relate, and RTT samples from
 * the echo are unaffected by it.
 */
class TcpTimestampOffsetTest {
    private static final long MS = 1_000_000L;

    @Test
    void tsvalIsTheMillisecondClockPlusTheConnectionsOffset() {
        TcpScript s = new TcpScript();
        int offset = 0x7654_3210;
        s.now = 5 * 1_000_000_000L;
        s.tcb = Tcb.connect(TcpConfig.defaults(), s, s, s.mib, TcpScript.LOCAL, 40000, TcpScript.REMOTE, 80,
                TcpScript.ISS, offset, s.now);
        Segment syn = s.expect(SYN, 0, -1, 0);
        assertEquals(5000 + offset, syn.tsVal());
        s.advanceMs(20);
        s.in(Seg.of(SYN | ACK, 0, 1).mss(1460).wscale(7).sackOk().ts(777, syn.tsVal()));
        Segment ack = s.expect(ACK, 1, 1, 0);
        assertEquals(5020 + offset, ack.tsVal());
        assertEquals(777, ack.tsEcr());
        assertEquals(20 * MS, s.tcb.srttNanos());
        s.tcb.write(new byte[100], 0, 100, s.now);
        Segment d = s.expect(ACK | PSH, 1, 1, 100);
        s.advanceMs(30);
        s.in(Seg.of(ACK, 1, 101).ts(778, d.tsVal()));
        assertEquals(21_250_000L, s.tcb.srttNanos(), "the echo's 30 ms, the offset cancelled: 20 + 10 / 8");
    }

    @Test
    void theOffsetIsKeyedByTheAddressPairAndSecret() {
        ManualClock clock = new ManualClock();
        IsnGenerator a = new IsnGenerator(clock, new Random(1));
        int pair = a.tsOffset(0x0a00_0002, 0x0a00_0001);
        assertEquals(pair, a.tsOffset(0x0a00_0002, 0x0a00_0001), "one offset for every connection of a pair");
        assertNotEquals(pair, a.tsOffset(0x0a00_0002, 0x0a00_0003));
        assertNotEquals(pair, new IsnGenerator(clock, new Random(2)).tsOffset(0x0a00_0002, 0x0a00_0001));
    }

    @Test
    void aStacksSynCarriesTheOffsetClock() throws Exception {
        try (StackHarness h = new StackHarness()) {
            h.hostArps();
            h.clock.advanceMillis(3000);
            TcpSocket s1 = h.stack.tcp().connect(HOST_IP, 80);
            TcpSocket s2 = h.stack.tcp().connect(HOST_IP, 81);
            List<byte[]> out = h.sent();
            assertEquals(2, out.size());
            // Ethernet 14, IP 20, TCP 20, then mss (4), sackOK (2), TS kind and length (2): TSval at 62
            int ts1 = i32(out.get(0), 62);
            int ts2 = i32(out.get(1), 62);
            assertEquals(ts1, ts2, "the same pair, the same offset");
            assertNotEquals(3000, ts1, "the clock is not sent bare");
            s1.close();
            s2.close();
        }
    }
}
