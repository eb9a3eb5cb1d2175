package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.checksum6;
import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** tcp_v6_rcv and TCP's segments out through ip6_xmit, as a Linux peer over IPv6 sees them. */
class Tcp6PathTest {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    /** The TCP header in a sent frame: after 14 bytes of Ethernet and the 40 of IPv6. */
    private static final int TCP = 14 + 40;
    private final StackHarness h = new StackHarness();

    Tcp6PathTest() {
        h.addIpv6();
        h.hostSolicits();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private List<byte[]> in(int sport, int dport, int seq, int ack, int flags, byte[] data) {
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, sport, dport, seq, ack, flags, data)));
        return h.sent();
    }

    /** Checks what every segment the stack sends must be (IPv6 to the host, next header 6, a right checksum). */
    private static byte[] segment(byte[] frame) {
        assertEquals(0x86dd, u16(frame, 12));
        assertEquals(6, u8(frame, 14 + 6), "next header TCP");
        assertArrayEquals(STACK_IP6, bytes(frame, 14 + 8, 16));
        assertArrayEquals(HOST_IP6, bytes(frame, 14 + 24, 16));
        byte[] seg = bytes(frame, TCP, frame.length - TCP);
        assertEquals(u16(frame, 14 + 4), seg.length, "payload length");
        assertEquals(0, checksum6(STACK_IP6, HOST_IP6, 6, seg), "checksum over the IPv6 pseudo-header");
        return seg;
    }

    private static int flags(byte[] seg) {
        return u8(seg, 13);
    }

    private static int payloadLength(byte[] seg) {
        return seg.length - (u8(seg, 12) >> 4) * 4;
    }

    @Test
    void handshakeDataBothWaysAndFin() throws Exception {
        try (TcpListener l = h.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            byte[] synAck = segment(in(40000, 80, 1000, 0, SYN, new byte[0]).get(0));
            assertEquals(SYN | ACK, flags(synAck));
            assertEquals(1001, i32(synAck, 8));
            // the MSS option, first: the link's 1500 less 40 of IPv6 and 20 of TCP
            assertEquals(2, u8(synAck, 20));
            assertEquals(1440, u16(synAck, 22));
            int iss = i32(synAck, 4);
            assertTrue(in(40000, 80, 1001, iss + 1, ACK, new byte[0]).isEmpty());
            TcpSocket s = l.tryAccept();
            assertNotNull(s, "established and in the accept queue");
            assertEquals(Ipv6Address.fromBytes(HOST_IP6, 0), s.remoteAddress6());

            byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes();
            byte[] ack = segment(in(40000, 80, 1001, iss + 1, ACK | PSH, request).get(0));
            assertEquals(1001 + request.length, i32(ack, 8));
            byte[] got = new byte[100];
            assertEquals(request.length, s.tryRead(got, 0, got.length));

            // the SYN named no MSS, so 536 (RFC 9293 3.7.1); no super-segments over IPv6
            s.write(new byte[3000], 0, 3000);
            int sent = 0;
            for (byte[] f : h.sent()) {
                byte[] seg = segment(f);
                assertTrue(payloadLength(seg) <= 536);
                assertEquals(iss + 1 + sent, i32(seg, 4));
                sent += payloadLength(seg);
            }
            assertEquals(3000, sent);

            in(40000, 80, 1001 + request.length, iss + 3001, ACK, new byte[0]);
            s.close();
            byte[] fin = segment(h.sent().get(0));
            assertEquals(FIN | ACK, flags(fin));
            byte[] lastAck = segment(in(40000, 80, 1001 + request.length, iss + 3002, FIN | ACK, new byte[0]).get(0));
            assertEquals(ACK, flags(lastAck));
            assertEquals(1001 + request.length + 1, i32(lastAck, 8));
        }
    }

    /** An ICMPv6 error from the host about {@code quoted}, {@code rest} in the rest of its header. */
    private void errorFromHost(int type, int code, int rest, byte[] quoted) {
        byte[] body = concat(ByteBuffer.allocate(4).putInt(rest).array(), quoted);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, type, code, body)));
    }

    @Test
    void packetTooBigShrinksTheConnectionsSegments() throws Exception {
        try (TcpListener l = h.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            byte[] mss1440 = {2, 4, 0x05, (byte) 0xa0};
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, 40000, 80, 1000, 0, SYN, mss1440, new byte[0])));
            byte[] synAckFrame = h.sent().get(0);
            int iss = i32(segment(synAckFrame), 4);
            in(40000, 80, 1001, iss + 1, ACK, new byte[0]);
            TcpSocket s = l.tryAccept();
            s.write(new byte[3000], 0, 3000);
            int largest = 0;
            for (byte[] f : h.sent()) {
                largest = Math.max(largest, payloadLength(segment(f)));
            }
            assertEquals(1440, largest, "1500 less 60");
            errorFromHost(2, 0, 1280, bytes(synAckFrame, 14, synAckFrame.length - 14));
            // what was in flight goes again, cut to the new MSS (tcp_v6_mtu_reduced, tcp_simple_retransmit)
            List<byte[]> again = h.sent();
            assertTrue(!again.isEmpty());
            for (byte[] f : again) {
                assertTrue(payloadLength(segment(f)) <= 1280 - 60, "within the path MTU");
            }
        }
    }

    @Test
    void connectOverIpv6AndPortUnreachableFailsIt() throws Exception {
        Ipv6Address host = Ipv6Address.fromBytes(HOST_IP6, 0);
        TcpSocket ok = h.stack.tcp().connect6(host, 5000);
        byte[] syn = segment(h.sent().get(0));
        assertEquals(SYN, flags(syn));
        assertEquals(5000, u16(syn, 2));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, 5000, u16(syn, 0), 9000,
                i32(syn, 4) + 1, SYN | ACK, new byte[0])));
        assertEquals(ACK, flags(segment(h.sent().get(0))));
        ok.awaitConnected(1000);
        assertEquals(host, ok.remoteAddress6());
        ok.reset();
        h.sent();

        TcpSocket refused = h.stack.tcp().connect6(host, 5001);
        byte[] synFrame = h.sent().get(0);
        errorFromHost(1, 4, 0, bytes(synFrame, 14, synFrame.length - 14));
        assertThrows(IOException.class, () -> refused.awaitConnected(1000));
    }

    @Test
    void anErrorAboutNoConnectionCountsIcmp6InErrors() {
        long before = h.counter("Icmp6InErrors");
        errorFromHost(1, 4, 0, ipv6(STACK_IP6, HOST_IP6, 6, 64, tcp6(STACK_IP6, HOST_IP6, 40000, 5000, 1, 0, SYN, new byte[0])));
        assertEquals(before + 1, h.counter("Icmp6InErrors"));
    }

    @Test
    void aNewerSynReopensAConnectionInTimeWaitOverIpv6() throws Exception {
        try (TcpListener l = h.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            int iss = i32(segment(in(1000, 80, 5000, 0, SYN, new byte[0]).get(0)), 4);
            in(1000, 80, 5001, iss + 1, ACK, new byte[0]);
            TcpSocket s = l.tryAccept();
            s.close();
            in(1000, 80, 5001, iss + 2, ACK | FIN, new byte[0]);
            assertEquals(TcpState.TIME_WAIT, s.info().state());
            // tcp_v6_rcv's TCP_TW_SYN: the IPv6 listener takes it, not the IPv4 one (there is none)
            byte[] synAck = segment(in(1000, 80, 90_000, 0, SYN, new byte[0]).get(0));
            assertEquals(SYN | ACK, flags(synAck));
            assertEquals(90_001, i32(synAck, 8));
            in(1000, 80, 90_001, i32(synAck, 4) + 1, ACK, new byte[0]);
            TcpSocket again = l.tryAccept();
            assertNotNull(again, "the new connection reached the accept queue");
            assertEquals(Ipv6Address.fromBytes(HOST_IP6, 0), again.remoteAddress6());
            again.close();
        }
    }

    @Test
    void aClosedPortIsRefusedWithAReset() {
        long rsts = h.counter("TcpOutRsts");
        byte[] rst = segment(in(40000, 81, 7000, 0, SYN, new byte[0]).get(0));
        assertEquals(RST | ACK, flags(rst));
        assertEquals(7001, i32(rst, 8));
        assertEquals(rsts + 1, h.counter("TcpOutRsts"));
        assertTrue(in(40000, 81, 7001, 0, RST, new byte[0]).isEmpty(), "a reset is never answered");
    }

    @Test
    void anIpv4ListenerTakesNoIpv6Syn() throws Exception {
        try (TcpListener l = h.stack.tcp().listen(0, 80, 8)) {
            assertEquals(RST | ACK, flags(segment(in(40000, 80, 1000, 0, SYN, new byte[0]).get(0))));
        }
    }

    @Test
    void aBadChecksumIsDroppedAndCounted() throws Exception {
        long csum = h.counter("TcpInCsumErrors");
        long errs = h.counter("TcpInErrs");
        try (TcpListener l = h.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            byte[] seg = tcp6(HOST_IP6, STACK_IP6, 40000, 80, 1000, 0, SYN, new byte[0]);
            seg[17] ^= 1;
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, seg));
            assertTrue(h.sent().isEmpty());
            assertEquals(0, l.synQueueLength());
        }
        assertEquals(csum + 1, h.counter("TcpInCsumErrors"));
        assertEquals(errs + 1, h.counter("TcpInErrs"));
    }
}
