package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.time.ManualClock;
import io.ustack.core.wire.Ipv6Address;
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
            assertCookieConnection(l, 1001);
        }
    }

    /** The connection a cookie made is in {@code l}'s accept queue, established, with the "hi" its ACK carried. */
    private static void assertCookieConnection(TcpListener l, int remotePort) throws Exception {
        TcpSocket s = l.tryAccept();
        assertNotNull(s, "the cookie's connection reached the accept queue");
        assertEquals(remotePort, s.remotePort());
        byte[] buf = new byte[10];
        assertEquals(2, s.tryRead(buf, 0, buf.length), "with the data the ACK carried");
        assertEquals(TcpState.ESTABLISHED, s.info().state());
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

    /**
     * cookie_v6_init_sequence and cookie_v6_check: over IPv6 a full SYN queue answers with a cookie too, and
     * the ACK that returns it makes the connection, with the MSS of the IPv6 table (1440, the 1500-byte link's).
     */
    @Test
    void overIpv6AFullSynQueueIsAnsweredWithCookiesThatComeBackAsConnections() throws Exception {
        StackHarness h6 = new StackHarness();
        try {
            h6.addIpv6();
            h6.hostSolicits();
            int tcp = 14 + 40;
            try (TcpListener l = h6.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 1)) {
                sendTcp6(h6, 1000, 5000, 0, SYN, new byte[0]);
                assertEquals(1, l.synQueueLength());
                byte[] cookieSynAck = sendTcp6(h6, 1001, 7000, 0, SYN, new byte[0]);
                assertEquals(SYN | ACK, u8(cookieSynAck, tcp + 13));
                assertEquals(24, (u8(cookieSynAck, tcp + 12) >> 4) * 4, "a cookie SYN-ACK carries the MSS alone");
                assertEquals(1440, Frames.u16(cookieSynAck, tcp + 22), "the link's MSS over IPv6");
                assertEquals(7001, i32(cookieSynAck, tcp + 8));
                assertEquals(1, h6.counter("TcpExtSyncookiesSent"));
                assertEquals(0, h6.counter("TcpExtListenDrops"), "the SYN was answered, not dropped");

                int cookie = i32(cookieSynAck, tcp + 4);
                sendTcp6(h6, 1001, 7001, cookie + 1, ACK, "hi".getBytes());
                assertEquals(1, h6.counter("TcpExtSyncookiesRecv"));
                assertCookieConnection(l, 1001);

                byte[] rst = sendTcp6(h6, 2000, 9000, 0x12345678, ACK, new byte[0]);
                assertEquals(RST, u8(rst, tcp + 13), "a forged cookie is refused");
                assertEquals(1, h6.counter("TcpExtSyncookiesFailed"));
            }
        } finally {
            h6.close();
        }
    }

    private static byte[] sendTcp6(StackHarness h6, int sport, int seq, int ack, int flags, byte[] data) {
        h6.injectIp6(Frames.ipv6(HOST_IP6, STACK_IP6, 6, 64, Frames.tcp6(HOST_IP6, STACK_IP6, sport, 80, seq, ack, flags, data)));
        List<byte[]> out = h6.sent();
        return out.isEmpty() ? null : out.get(out.size() - 1);
    }

    @Test
    void ipv6CookiesSayTheMssOfTheIpv6Table() {
        ManualClock clock = new ManualClock();
        SynCookies c = new SynCookies(new IsnGenerator(clock, new Random(7)), clock);
        Ipv6Address l = Ipv6Address.parse("fd00:77::2");
        Ipv6Address r = Ipv6Address.parse("fd00:77::1");
        for (int[] offerAndSaid : new int[][] {{8940, 8940}, {1440, 1440}, {1460, 1440}, {1420, 1420}, {1300, 1220}, {536, 1220}}) {
            int cookie = c.make6(l, 80, r, 1000, 41, offerAndSaid[0]);
            assertEquals(offerAndSaid[1], c.check6(l, 80, r, 1000, 42, cookie + 1), "offered " + offerAndSaid[0]);
        }
        int cookie = c.make6(l, 80, r, 1000, 41, 1440);
        assertEquals(-1, c.check6(l, 80, Ipv6Address.parse("fd00:77::3"), 1000, 42, cookie + 1), "another address");
        clock.advanceMillis(180_000);
        assertEquals(-1, c.check6(l, 80, r, 1000, 42, cookie + 1), "three minutes: expired");
    }
}
