package io.ustack.core.udp;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.Frames.udpChecksum;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import java.io.ByteArrayOutputStream;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** udp_rcv, udp_err and udp_sendmsg as a Linux peer sees them. */
class UdpPathTest {
    private final StackHarness h = new StackHarness();
    private final UdpProtocol udp = h.stack.udp();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void fromHost(int sport, int dport, byte[] payload) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, sport, dport, payload)));
    }

    @Test
    void datagramReachesTheBoundSocket() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 7);
            fromHost(40000, 7, "hello\n".getBytes());
            UdpDatagramReceived d = s.receive(1, TimeUnit.SECONDS);
            assertEquals(HOST_IP, d.sourceAddress());
            assertEquals(40000, d.sourcePort());
            assertEquals(STACK_IP, d.destinationAddress());
            assertArrayEquals("hello\n".getBytes(), d.data());
            assertEquals(1, h.counter("UdpInDatagrams"));
        }
    }

    @Test
    void zeroChecksumIsAcceptedAndABadOneIsNot() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 9);
            byte[] noCsum = udp(HOST_IP, STACK_IP, 1, 9, pattern(10));
            noCsum[6] = 0;
            noCsum[7] = 0;
            h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, noCsum));
            byte[] bad = udp(HOST_IP, STACK_IP, 1, 9, pattern(10));
            bad[7] ^= 0x11;
            h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 2, 0, bad));
            assertArrayEquals(pattern(10), s.poll().data());
            assertNull(s.poll());
            assertEquals(1, h.counter("UdpInCsumErrors"));
            assertEquals(1, h.counter("DropReasonUDP_CSUM"));
        }
    }

    @Test
    void lengthFieldThatLiesIsDropped() {
        byte[] longer = udp(HOST_IP, STACK_IP, 1, 9, pattern(10));
        longer[5] = 40; // claims 40 bytes, carries 18
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, longer));
        byte[] shorter = udp(HOST_IP, STACK_IP, 1, 9, pattern(10));
        shorter[5] = 4; // under the header
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 2, 0, shorter));
        assertEquals(2, h.counter("DropReasonUDP_LEN"));
        assertEquals(2, h.counter("UdpInErrors"));
    }

    @Test
    void closedPortIsRefusedWithPortUnreachable() {
        h.hostArps();
        byte[] dgram = udp(HOST_IP, STACK_IP, 5555, 4444, pattern(12));
        byte[] pkt = ipv4(HOST_IP, STACK_IP, 17, 64, 9, 0, dgram);
        h.injectIp(pkt);
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(3, u8(out.get(0), 34));
        assertEquals(3, u8(out.get(0), 35), "port unreachable");
        assertArrayEquals(pkt, Arrays.copyOfRange(out.get(0), 42, 42 + pkt.length));
        assertEquals(1, h.counter("UdpNoPorts"));
        assertEquals(1, h.counter("DropReasonNO_SOCKET"));
    }

    @Test
    void sentDatagramHasTheRightHeaderAndChecksum() throws Exception {
        h.hostArps();
        try (UdpSocket s = udp.open()) {
            s.sendTo("ping".getBytes(), 0, 4, HOST_IP, 7);
            assertTrue(s.localPort() >= UdpTable.EPHEMERAL_LOW && s.localPort() <= UdpTable.EPHEMERAL_HIGH);
            byte[] f = h.sent().get(0);
            assertEquals(17, u8(f, 23));
            assertEquals(STACK_IP, i32(f, 26));
            assertEquals(HOST_IP, i32(f, 30));
            byte[] dgram = Arrays.copyOfRange(f, 34, f.length);
            assertEquals(s.localPort(), u16(dgram, 0));
            assertEquals(7, u16(dgram, 2));
            assertEquals(12, u16(dgram, 4));
            assertEquals(0, udpChecksum(STACK_IP, HOST_IP, dgram), "checksum verifies with the pseudo-header");
            assertEquals(1, h.counter("UdpOutDatagrams"));
        }
    }

    @Test
    void largeDatagramLeavesFragmented() throws Exception {
        h.hostArps();
        byte[] payload = pattern(20_000);
        try (UdpSocket s = udp.open()) {
            s.sendTo(payload, 0, payload.length, HOST_IP, 9);
            List<byte[]> frags = h.sent();
            assertEquals((20_008 + 1479) / 1480, frags.size());
            TreeMap<Integer, byte[]> byOffset = new TreeMap<>();
            for (byte[] f : frags) {
                assertEquals(0, checksum(f, 14, 20));
                byOffset.put((u16(f, 20) & 0x1fff) * 8, Arrays.copyOfRange(f, 34, 14 + u16(f, 16)));
            }
            ByteArrayOutputStream dgram = new ByteArrayOutputStream();
            byOffset.values().forEach(dgram::writeBytes);
            byte[] d = dgram.toByteArray();
            assertEquals(20_008, d.length);
            assertEquals(0, udpChecksum(STACK_IP, HOST_IP, d));
            assertArrayEquals(payload, Arrays.copyOfRange(d, 8, d.length));
        }
        assertThrows(SocketException.class, () -> {
            try (UdpSocket big = udp.open()) {
                big.sendTo(new byte[65_508], 0, 65_508, HOST_IP, 9);
            }
        }, "65507 bytes is the most a datagram holds");
    }

    @Test
    void refusedSendFailsTheNextCallOnceOnAConnectedSocket() throws Exception {
        h.hostArps();
        try (UdpSocket s = udp.open()) {
            s.connect(HOST_IP, 7777);
            s.send(new byte[] {1}, 0, 1);
            byte[] sent = h.sent().get(0);
            byte[] quoted = Arrays.copyOfRange(sent, 14, 14 + 20 + 8);
            byte[] icmp = new byte[8 + quoted.length];
            icmp[0] = 3;
            icmp[1] = 3;
            System.arraycopy(quoted, 0, icmp, 8, quoted.length);
            int c = checksum(icmp, 0, icmp.length);
            icmp[2] = (byte) (c >> 8);
            icmp[3] = (byte) c;
            h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 3, 0, icmp));
            assertThrows(PortUnreachableException.class, () -> s.send(new byte[] {2}, 0, 1));
            s.send(new byte[] {3}, 0, 1); // reported once, as sock_error does
            assertEquals(1, h.sent().size());
        }
    }

    @Test
    void aSocketBoundToARemovedAddressStaysButCannotSendFromIt() throws Exception {
        h.hostArps();
        Ipv4Prefix second = Ipv4Prefix.parse("10.0.0.7/24");
        h.stack.addAddress(h.dev, second);
        h.sent(); // its gratuitous ARP
        try (UdpSocket s = udp.open()) {
            s.bind(second.address(), 5353);
            s.sendTo(new byte[] {1}, 0, 1, HOST_IP, 7);
            assertEquals(second.address(), i32(h.sent().get(0), 14 + 12));
            h.stack.fib().removeAddress(h.dev, second);
            assertThrows(NoRouteToHostException.class, () -> s.sendTo(new byte[] {2}, 0, 1, HOST_IP, 7));
            assertEquals(List.of(), h.sent(), "nothing leaves from an address that is not ours");
            assertEquals(1, h.counter("IpOutNoRoutes"));
            assertEquals(1, h.counter("DropReasonIP_OUTNOROUTES"));
        }
    }

    @Test
    void unconnectedSocketDoesNotHearOfErrors() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 0);
            udp.err(3, 3, 0, STACK_IP, HOST_IP, s.localPort(), 7);
            s.sendTo(new byte[] {1}, 0, 1, HOST_IP, 7);
        }
    }

    @Test
    void fullReceiveBufferDropsAndCounts() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 9);
            for (int i = 0; i < 200; i++) {
                fromHost(1, 9, pattern(100));
            }
            int kept = UdpSocket.DEFAULT_RCVBUF / 2048;
            assertEquals(kept, h.counter("UdpInDatagrams"));
            assertEquals(200 - kept, h.counter("UdpRcvbufErrors"));
            assertEquals(200 - kept, h.counter("DropReasonSOCKET_RCVBUFF"));
        } // close releases what is queued: the harness's leak check proves it
    }

    @Test
    void bindConflicts() throws Exception {
        try (UdpSocket a = udp.open(); UdpSocket b = udp.open(); UdpSocket c = udp.open(); UdpSocket d = udp.open()) {
            a.bind(STACK_IP, 53);
            assertThrows(BindException.class, () -> b.bind(0, 53), "a wildcard clashes with a specific address");
            c.bind(ip("127.0.0.1"), 53);
            d.bind(0, 54);
            assertThrows(SocketException.class, () -> d.bind(0, 55), "already bound");
        }
    }

    @Test
    void connectedSocketOnlyHearsItsPeerAndSpecificBeatsWildcard() throws Exception {
        try (UdpSocket any = udp.open(); UdpSocket peer = udp.open()) {
            any.bind(0, 1000);
            peer.bind(STACK_IP, 1001);
            peer.connect(HOST_IP, 2000);
            fromHost(2000, 1001, new byte[] {1});
            fromHost(2001, 1001, new byte[] {2}); // not the connected peer: nobody else has 1001
            fromHost(3000, 1000, new byte[] {3});
            assertArrayEquals(new byte[] {1}, peer.poll().data());
            assertNull(peer.poll());
            assertArrayEquals(new byte[] {3}, any.poll().data());
            assertEquals(1, h.counter("UdpNoPorts"));
        }
    }

    @Test
    void socketsTalkOverLoopback() throws Exception {
        try (UdpSocket server = udp.open(); UdpSocket client = udp.open()) {
            server.bind(0, 7);
            client.sendTo("x".getBytes(), 0, 1, ip("127.0.0.1"), 7);
            UdpDatagramReceived d = server.receive(1, TimeUnit.SECONDS);
            assertEquals(ip("127.0.0.1"), d.sourceAddress());
            assertEquals(client.localPort(), d.sourcePort());
            assertTrue(h.sent().isEmpty());
        }
    }

    @Test
    void readinessCallbackAndNonBlockingReads() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 7);
            AtomicInteger calls = new AtomicInteger();
            List<byte[]> got = new ArrayList<>();
            s.onReadable(() -> {
                calls.incrementAndGet();
                try {
                    for (UdpDatagramReceived d; (d = s.poll()) != null; ) {
                        got.add(d.data());
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            fromHost(1, 7, new byte[] {7});
            fromHost(1, 7, new byte[] {8});
            assertEquals(2, calls.get());
            assertEquals(2, got.size());
            assertThrows(SocketTimeoutException.class, () -> s.receive(10, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void theIngressInterfaceIsReported() throws Exception {
        io.ustack.core.testing.FakeDevice eth1 = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.0.1.1/24");
        try (UdpSocket s = udp.open()) {
            s.bind(0, 67);
            fromHost(68, 67, pattern(4));
            assertEquals(h.dev.ifindex(), s.poll().ifindex());
            // a broadcast from 0.0.0.0, as a DHCP client without an address sends it, on the second link
            eth1.inject(io.ustack.core.testing.Frames.eth(-1L >>> 16, 0x02_00_00_00_00_0cL, io.ustack.core.testing.Frames.ETH_P_IP,
                    ipv4(0, -1, 17, 64, 1, 0, udp(0, -1, 68, 67, pattern(4)))));
            UdpDatagramReceived d = s.poll();
            assertEquals(eth1.ifindex(), d.ifindex());
            assertEquals(0, d.sourceAddress());
            assertEquals(-1, d.destinationAddress());
        }
    }

    @Test
    void aLimitedBroadcastLeavesTheChosenDeviceOnly() throws Exception {
        io.ustack.core.testing.FakeDevice eth1 = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.0.1.1/24");
        try (UdpSocket s = udp.open()) {
            s.bind(0, 67);
            s.sendBroadcast(pattern(10), 0, 10, eth1, ip("10.0.1.1"), 68);
            assertEquals(List.of(), h.sent());
            List<byte[]> out = eth1.drain();
            assertEquals(1, out.size());
            byte[] f = out.get(0);
            assertEquals(-1L >>> 16, io.ustack.core.testing.Frames.mac(f, 0));
            assertEquals(ip("10.0.1.1"), i32(f, 14 + 12));
            assertEquals(-1, i32(f, 14 + 16));
            assertEquals(0, checksum(f, 14, 20), "a correct IP header checksum");
            assertEquals(67, u16(f, 34));
            assertEquals(68, u16(f, 36));
            byte[] datagram = Arrays.copyOfRange(f, 34, f.length);
            assertEquals(0, udpChecksum(ip("10.0.1.1"), -1, datagram), "a checksum that verifies");
            assertArrayEquals(pattern(10), Arrays.copyOfRange(f, 42, 52));
            assertEquals(1, h.counter("IpExtOutBcastPkts"));
        }
    }
}
