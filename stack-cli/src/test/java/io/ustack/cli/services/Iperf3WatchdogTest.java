package io.ustack.cli.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Address;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The iperf3 service's step limit on the test harness's manual clock with RPS off: loopback delivers on
 * the calling thread, so the client's bytes have been answered when its write returns, and the watchdog
 * fires exactly when the clock says. (The grace after a timed test is in Iperf3ServerTest, on real time.)
 */
class Iperf3WatchdogTest {
    private static final int LO = Ipv4Address.parse("127.0.0.1");
    private static final byte[] COOKIE = "abcdefghijklmnopqrstuvwxyz234567abcd\0".getBytes(StandardCharsets.US_ASCII);
    private final StackHarness h = new StackHarness();
    private final Iperf3Server server = new Iperf3Server();

    @BeforeEach
    void up() throws Exception {
        server.start(h.stack);
    }

    @AfterEach
    void down() {
        server.close();
        h.close();
    }

    /**
     * A client that has sent its cookie and been asked for its parameters. With RPS off the SYN-ACK comes back
     * over loopback before connect has finished sending the SYN, and is not taken; the SYN sent again after
     * the initial RTO (1 s) completes the handshake.
     */
    private TcpSocket claim() throws Exception {
        TcpSocket c = h.stack.tcp().connect(LO, Iperf3.PORT);
        after(1000);
        c.awaitConnected(1000);
        c.setReadTimeout(5000);
        c.write(COOKIE, 0, COOKIE.length);
        assertEquals(Iperf3.PARAM_EXCHANGE, (byte) c.inputStream().read());
        return c;
    }

    /** Moves the clock on and runs what is due (the harness has no housekeeping thread). */
    private void after(long ms) {
        h.clock.advanceMillis(ms);
        h.stack.runTimers();
    }

    @Test
    void aClientSilentAfterItsCookieIsCutOffAfterTenSeconds() throws Exception {
        TcpSocket c = claim();
        after(9_990);
        assertNotNull(server.current(), "still its test");
        after(20);
        assertNull(server.current(), "the server is free");
        assertEquals(-1, c.inputStream().read(), "closed with a FIN");
        c.close();
    }
}
