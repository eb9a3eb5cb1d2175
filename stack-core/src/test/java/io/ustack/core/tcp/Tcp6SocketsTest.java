package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.checksum6;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.net.BindException;
import java.net.SocketException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An IPv6 TCP socket's two ways past IPv6 alone: a listener on :: without IPV6_V6ONLY taking IPv4 as
 * v4-mapped connections (bindv6only 0), and link-local peers, whose connections keep their interface.
 */
class Tcp6SocketsTest {
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;
    private final StackHarness h = new StackHarness();
    private final TcpProtocol tcp = h.stack.tcp();

    Tcp6SocketsTest() {
        h.addIpv6();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** An IPv4 segment from the host; what the stack sent in answer. */
    private List<byte[]> in4(int sport, int dport, int seq, int ack, int flags) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, sport, dport, seq, ack, flags, new byte[0])));
        return h.sent();
    }

    @Test
    void aListenerOnAnyTakesIpv4AsAV4MappedConnection() throws Exception {
        h.hostArps();
        try (TcpListener l = tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            assertFalse(l.v6only(), "net.ipv6.bindv6only is 0");
            byte[] synAck = in4(40000, 80, 1000, 0, SYN).get(0);
            assertEquals(0x0800, u16(synAck, 12), "answered over IPv4");
            assertEquals(SYN | ACK, u8(synAck, 14 + 20 + 13));
            assertEquals(1460, u16(synAck, 14 + 20 + 22), "IPv4's MSS: the connection is IPv4's");
            int iss = i32(synAck, 14 + 20 + 4);
            assertTrue(in4(40000, 80, 1001, iss + 1, ACK).isEmpty());
            TcpSocket s = l.tryAccept();
            assertNotNull(s);
            assertTrue(s.isV4Mapped());
            assertEquals(Ipv6Address.parse("::ffff:10.0.0.2"), s.localAddress6());
            assertEquals(Ipv6Address.parse("::ffff:10.0.0.1"), s.remoteAddress6());
            assertEquals(HOST_IP, s.remoteAddress());
            assertEquals(1, h.counter("TcpPassiveOpens"));
        }
    }

    @Test
    void aV6OnlyListenerLeavesIpv4ToNobody() throws Exception {
        h.hostArps();
        try (TcpListener l = tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8, true)) {
            byte[] rst = in4(40000, 80, 1000, 0, SYN).get(0);
            assertEquals(RST | ACK, u8(rst, 14 + 20 + 13));
            assertEquals(0, l.acceptQueueLength());
        }
    }

    @Test
    void anIpv4ListenerComesBeforeAnIpv6OneAndSharesThePortOnlyWithV6Only() throws Exception {
        h.hostArps();
        try (TcpListener v4 = tcp.listen(0, 80, 8)) {
            assertThrows(BindException.class, () -> tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8, false));
            try (TcpListener v6 = tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8, true)) {
                int iss = i32(in4(40000, 80, 1000, 0, SYN).get(0), 14 + 20 + 4);
                in4(40000, 80, 1001, iss + 1, ACK);
                TcpSocket s = v4.tryAccept();
                assertFalse(s.isV4Mapped());
                assertEquals(null, s.localAddress6(), "an IPv4 socket's connection");
                assertEquals(null, v6.tryAccept());
            }
        }
        try (TcpListener dual = tcp.listen6(Ipv6Address.UNSPECIFIED, 81, 8, false)) {
            assertThrows(BindException.class, () -> tcp.listen(0, 81, 8), "the dual listener holds 0.0.0.0:81 too");
        }
        assertThrows(BindException.class, () -> tcp.listen6(Ipv6Address.v4Mapped(STACK_IP), 82, 8, true), "EINVAL");
    }

    @Test
    void bindv6onlyIsTheDefaultOfNewListeners() throws Exception {
        h.stack.setBindV6Only(true);
        try (TcpListener l = tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            assertTrue(l.v6only());
        }
    }

    @Test
    void connect6ToAV4MappedAddressIsAnIpv4ConnectionNamedV4Mapped() throws Exception {
        h.hostArps();
        TcpSocket s = tcp.connect6(Ipv6Address.v4Mapped(HOST_IP), 80);
        byte[] syn = h.sent().get(0);
        assertEquals(0x0800, u16(syn, 12), "tcp_v4_connect's SYN, over IPv4");
        assertEquals(SYN, u8(syn, 14 + 20 + 13));
        assertTrue(s.isV4Mapped());
        assertEquals(Ipv6Address.v4Mapped(STACK_IP), s.localAddress6());
        assertEquals(Ipv6Address.v4Mapped(HOST_IP), s.remoteAddress6());
        s.close();
        h.sent();
        h.stack.setBindV6Only(true);
        assertThrows(java.net.NoRouteToHostException.class, () -> tcp.connect6(Ipv6Address.v4Mapped(HOST_IP), 80),
                "ENETUNREACH with IPV6_V6ONLY");
    }

    /** Checks a segment the stack sent to the host's link-local address and returns its TCP part. */
    private static byte[] toLinkLocal(byte[] frame) {
        assertEquals(0x86dd, u16(frame, 12));
        assertArrayEquals(STACK_LL, bytes(frame, 14 + 8, 16), "from our link-local address");
        assertArrayEquals(HOST_LL, bytes(frame, 14 + 24, 16));
        byte[] seg = bytes(frame, 14 + 40, frame.length - 14 - 40);
        assertEquals(0, checksum6(STACK_LL, HOST_LL, 6, seg));
        return seg;
    }

    @Test
    void aConnectionFromALinkLocalPeerKeepsItsInterface() throws Exception {
        h.hostSolicits(HOST_LL, STACK_LL);
        try (TcpListener l = tcp.listen6(Ipv6Address.UNSPECIFIED, 80, 8)) {
            h.injectIp6(ipv6(HOST_LL, STACK_LL, 6, 64, tcp6(HOST_LL, STACK_LL, 40000, 80, 1000, 0, SYN, new byte[0])));
            byte[] synAck = toLinkLocal(h.sent().get(0));
            assertEquals(SYN | ACK, u8(synAck, 13));
            int iss = i32(synAck, 4);
            h.injectIp6(ipv6(HOST_LL, STACK_LL, 6, 64, tcp6(HOST_LL, STACK_LL, 40000, 80, 1001, iss + 1, ACK, new byte[0])));
            TcpSocket s = l.tryAccept();
            assertSame(h.dev, s.boundDevice());
            s.write(new byte[10], 0, 10);
            byte[] data = toLinkLocal(h.sent().get(0));
            assertEquals(iss + 1, i32(data, 4));
        }
    }

    @Test
    void connectingToALinkLocalPeerNeedsItsScopeId() throws Exception {
        h.hostSolicits(HOST_LL, STACK_LL);
        Ipv6Address peer = Ipv6Address.fromBytes(HOST_LL, 0);
        assertThrows(SocketException.class, () -> tcp.connect6(peer, 80), "EINVAL");
        TcpSocket s = tcp.connect6(peer, h.dev.ifindex(), 80);
        byte[] syn = toLinkLocal(h.sent().get(0));
        assertEquals(SYN, u8(syn, 13));
        assertSame(h.dev, s.boundDevice());
        s.close();
        h.sent();
    }
}
