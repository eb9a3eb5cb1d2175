package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.ustack.core.testing.StackHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection the stack closed first waits in TIME_WAIT; a new SYN from the same port with a higher
 * sequence number starts a new connection at once (RFC 1122 4.2.2.13), numbered above the old one, as
 * Linux's tcp_timewait_state_process allows. An old SYN does not.
 */
class TimeWaitReuseTest {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int TCP = 34;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private byte[] send(int seq, int ack, int flags) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, 1000, 80, seq, ack, flags, new byte[0])));
        List<byte[]> out = h.sent();
        return out.isEmpty() ? null : out.get(out.size() - 1);
    }

    @Test
    void aNewerSynReopensAConnectionInTimeWait() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 8)) {
            int iss = i32(send(5000, 0, SYN), TCP + 4);
            send(5001, iss + 1, ACK);
            TcpSocket s = l.tryAccept();
            assertNotNull(s);
            assertEquals(1, h.counter("TcpCurrEstab"));
            s.close(); // our FIN: we close first, so we wait
            send(5001, iss + 2, ACK | FIN);
            assertEquals(TcpState.TIME_WAIT, s.info().state());
            assertEquals(0, h.counter("TcpCurrEstab"), "the gauge counts ESTABLISHED and CLOSE_WAIT only");

            byte[] old = send(4000, 0, SYN);
            assertEquals(ACK, u8(old, TCP + 13), "an old SYN gets an ACK, TIME_WAIT goes on");
            assertEquals(TcpState.TIME_WAIT, s.info().state());

            byte[] synAck = send(90_000, 0, SYN);
            assertEquals(SYN | ACK, u8(synAck, TCP + 13));
            assertEquals(90_001, i32(synAck, TCP + 8));
            assertEquals(iss + 2 + 65_537, i32(synAck, TCP + 4), "the new ISN lies a window above the old");
            send(90_001, iss + 2 + 65_538, ACK);
            TcpSocket again = l.tryAccept();
            assertNotNull(again, "the new connection reached the accept queue");
            assertEquals(TcpState.ESTABLISHED, again.info().state());
            assertEquals(1, h.counter("TcpCurrEstab"));
            again.close();
        }
    }
}
