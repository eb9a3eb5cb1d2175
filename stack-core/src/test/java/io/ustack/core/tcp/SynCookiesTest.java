package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.core.testing.StackHarness;
import io.ustack.core.time.ManualClock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A full SYN queue answers with SYN cookies, and a returning cookie makes the connection with no state kept. */
class SynCookiesTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int RST = 0x04;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private byte[] sendTcp(int sport, int seq, int ack, int flags, byte[] data) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, sport, 80, seq, ack, flags, data)));
        List<byte[]> out = h.sent();
        return out.isEmpty() ? null : out.get(out.size() - 1);
    }

    @Test
    void aFullSynQueueIsAnsweredWithCookiesThatComeBackAsConnections() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 1)) {
            byte[] normal = sendTcp(1000, 5000, 0, SYN, new byte[0]);
            assertEquals(SYN | ACK, u8(normal, 34 + 13));
            assertEquals(1, l.synQueueLength());

            byte[] cookieSynAck = sendTcp(1001, 7000, 0, SYN, new byte[0]);
            assertEquals(SYN | ACK, u8(cookieSynAck, 34 + 13));
            assertEquals(24, (u8(cookieSynAck, 34 + 12) >> 4) * 4, "a cookie SYN-ACK carries the MSS alone");
            assertEquals(7001, i32(cookieSynAck, 34 + 8));
            assertEquals(1, h.counter("TcpExtSyncookiesSent"));
            assertEquals(1, l.synQueueLength(), "the cookie kept no state");

            int cookie = i32(cookieSynAck, 34 + 4);
            sendTcp(1001, 7001, cookie + 1, ACK, "hi".getBytes());
            assertEquals(1, h.counter("TcpExtSyncookiesRecv"));
            TcpSocket s = l.tryAccept();
            assertNotNull(s, "the cookie's connection reached the accept queue");
            assertEquals(1001, s.remotePort());
            byte[] buf = new byte[10];
            assertEquals(2, s.tryRead(buf, 0, buf.length), "with the data the ACK carried");
            assertEquals(TcpState.ESTABLISHED, s.info().state());
        }
    }

    /**
     * An ECN-setup SYN (ECE and CWR, 0xc2) gets a SYN-ACK with ECE (0x52) and TOS 0, from the SYN queue and
     * from a cookie alike: Linux decides ECN before it chooses a cookie.
     */
    @Test
    void anEcnSetupSynGetsEceOnTheSynAckAndOnACookieSynAck() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 1)) {
            byte[] normal = sendTcp(1000, 5000, 0, 0xc2, new byte[0]);
            assertEquals(0x52, u8(normal, 34 + 13));
            assertEquals(0, u8(normal, 14 + 1), "the SYN-ACK's TOS: not ECT");
            byte[] cookieSynAck = sendTcp(1001, 7000, 0, 0xc2, new byte[0]);
            assertEquals(1, h.counter("TcpExtSyncookiesSent"));
            assertEquals(0x52, u8(cookieSynAck, 34 + 13));
            assertEquals(0, u8(cookieSynAck, 14 + 1));
        }
    }

    @Test
    void aForgedCookieIsRefusedWithAReset() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 1)) {
            byte[] rst = sendTcp(2000, 9000, 0x12345678, ACK, new byte[0]);
            assertEquals(RST, u8(rst, 34 + 13));
            assertEquals(0x12345678, i32(rst, 34 + 4), "the reset carries the ACK's number as its sequence");
            assertEquals(1, h.counter("TcpExtSyncookiesFailed"));
            assertNull(l.tryAccept());
        }
    }

    @Test
    void cookiesExpireAfterTwoMinutes() {
        ManualClock clock = new ManualClock();
        SynCookies c = new SynCookies(new IsnGenerator(clock, new Random(7)), clock);
        int cookie = c.make(1, 80, 2, 1000, 41, 1460);
        assertEquals(1460, c.check(1, 80, 2, 1000, 42, cookie + 1));
        assertEquals(-1, c.check(1, 80, 2, 1001, 42, cookie + 1), "another four-tuple");
        clock.advanceMillis(60_000);
        assertEquals(1460, c.check(1, 80, 2, 1000, 42, cookie + 1), "a minute old: still good");
        clock.advanceMillis(120_000);
        assertEquals(-1, c.check(1, 80, 2, 1000, 42, cookie + 1), "three minutes: expired");
        assertEquals(536, c.check(1, 80, 2, 1000, 42, c.make(1, 80, 2, 1000, 41, 600) + 1), "the largest table MSS under the offer");
    }
}
