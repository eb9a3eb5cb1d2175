package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.testing.StackHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The IP ID of TCP's packets as Linux 6.x sets it: a connection's packets count up from a random start
 * (inet_id, ip_select_ident_segs), by the segments each holds; what a listener (its request socket), a
 * TIME_WAIT socket or the control socket sends goes with DF and ID 0.
 */
class TcpIpIdTest {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    /** The IP header's ID and flags in a sent frame, after 14 bytes of Ethernet. */
    private static final int IP_ID = 14 + 4;
    private static final int IP_FLAGS = 14 + 6;
    private static final int TCP = 14 + 20;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private List<byte[]> in(int sport, int seq, int ack, int flags, byte[] data) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, sport, 80, seq, ack, flags, data)));
        return h.sent();
    }

    private static int id(byte[] frame) {
        return u16(frame, IP_ID);
    }

    private static boolean df(byte[] frame) {
        return (u8(frame, IP_FLAGS) & 0x40) != 0;
    }

    @Test
    void aConnectionCountsUpFromARandomStartAndTheListenerAndResetsSendZero() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 8)) {
            byte[] synAck = in(40000, 1000, 0, SYN, new byte[0]).get(0);
            assertEquals(0, id(synAck), "a request socket's SYN-ACK");
            assertEquals(true, df(synAck));
            int iss = i32(synAck, TCP + 4);
            in(40000, 1001, iss + 1, ACK, new byte[0]);
            TcpSocket s = l.tryAccept();
            byte[] ack1 = in(40000, 1001, iss + 1, ACK | PSH, new byte[100]).get(0);
            byte[] ack2 = in(40000, 1101, iss + 1, ACK | PSH, new byte[100]).get(0);
            int start = id(ack1);
            assertEquals((start + 1) & 0xffff, id(ack2), "inet_id counts up");
            assertEquals(true, df(ack1));
            s.write(new byte[3000], 0, 3000); // six segments of 536 (the SYN named no MSS), cut from super-segments
            int segs = 0;
            for (byte[] f : h.sent()) {
                assertEquals((start + 2 + segs) & 0xffff, id(f), "one ID a segment, super-segments included");
                segs++;
            }
            assertEquals(6, segs);

            byte[] rst = in(40001, 5000, 777, ACK, new byte[0]).get(0);
            assertEquals(RST, u8(rst, TCP + 13));
            assertEquals(0, id(rst), "the control socket's reset");

            // our FIN, the peer's FIN: the last ACK from the full socket, a repeat from TIME_WAIT's
            in(40000, 1201, iss + 3001, ACK, new byte[0]);
            assertEquals(200, s.tryRead(new byte[1000], 0, 1000), "read all, or close would reset");
            s.close();
            byte[] fin = h.sent().get(0);
            assertEquals(FIN | ACK, u8(fin, TCP + 13));
            assertEquals((start + 8) & 0xffff, id(fin));
            byte[] lastAck = in(40000, 1201, iss + 3002, FIN | ACK, new byte[0]).get(0);
            assertEquals((start + 9) & 0xffff, id(lastAck));
            byte[] twAck = in(40000, 1201, iss + 3002, FIN | ACK, new byte[0]).get(0);
            assertEquals(0, id(twAck), "TIME_WAIT's ACK (tcp_v4_timewait_ack)");
        }
    }

    @Test
    void anActiveOpenCountsFromItsSyn() throws Exception {
        h.hostArps();
        TcpSocket s = h.stack.tcp().connect(HOST_IP, 80);
        byte[] syn = h.sent().get(0);
        int iss = i32(syn, TCP + 4);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0,
                tcp(HOST_IP, STACK_IP, 80, s.localPort(), 5000, iss + 1, SYN | ACK, new byte[0])));
        byte[] ack = h.sent().get(0);
        assertEquals((id(syn) + 1) & 0xffff, id(ack));
        s.close();
    }
}
