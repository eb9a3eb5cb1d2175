package io.ustack.core.udp;

import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.fragHeader;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.Frames.udp6;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** udpv6_rcv and udpv6_sendmsg as a Linux peer over IPv6 sees them. */
class Udp6PathTest {
    private static final int UDP = 17;
    private static final int FRAG = 44;
    private static final Ipv6Address HOST = Ipv6Address.fromBytes(HOST_IP6, 0);

    private final StackHarness h = new StackHarness();
    private final UdpProtocol udp = h.stack.udp();

    Udp6PathTest() {
        h.addIpv6();
        h.hostSolicits();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void fromHost(int sport, int dport, byte[] payload) {
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, UDP, 64, udp6(HOST_IP6, STACK_IP6, sport, dport, payload)));
    }

    /** The IPv6 packets of the frames the stack sent. */
    private List<byte[]> sentPackets() {
        return h.sent().stream().map(f -> Arrays.copyOfRange(f, 14, f.length)).toList();
    }

    @Test
    void echoComesBackByteForByte() throws Exception {
        byte[] payload = "hello over IPv6\n".getBytes();
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            fromHost(40000, 7, payload);
            UdpDatagramReceived d = s.receive(1, TimeUnit.SECONDS);
            assertTrue(d.isIpv6());
            assertEquals(HOST, d.sourceAddress6());
            assertEquals(Ipv6Address.fromBytes(STACK_IP6, 0), d.destinationAddress6());
            assertEquals(40000, d.sourcePort());
            assertArrayEquals(payload, d.data());
            s.reply(d, d.data(), 0, d.data().length);
        }
        List<byte[]> out = sentPackets();
        assertEquals(1, out.size());
        byte[] p = out.get(0);
        assertEquals(UDP, u8(p, 6), "next header");
        assertEquals(64, u8(p, 7), "hop limit");
        assertArrayEquals(STACK_IP6, Arrays.copyOfRange(p, 8, 24), "from the address it was sent to");
        assertArrayEquals(HOST_IP6, Arrays.copyOfRange(p, 24, 40));
        assertArrayEquals(udp6(STACK_IP6, HOST_IP6, 7, 40000, payload), Arrays.copyOfRange(p, 40, p.length));
        assertEquals(1, h.counter("Udp6InDatagrams"));
        assertEquals(1, h.counter("Udp6OutDatagrams"));
        assertEquals(0, h.counter("UdpInDatagrams"), "the IPv4 counters are IPv4's");
    }

    @Test
    void zeroChecksumIsDroppedAndCounted() throws Exception {
        byte[] d = udp6(HOST_IP6, STACK_IP6, 40000, 7, pattern(32));
        d[6] = 0;
        d[7] = 0;
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, UDP, 64, d));
            assertNull(s.poll());
        }
        assertEquals(1, h.counter("Udp6InCsumErrors"));
        assertEquals(1, h.counter("Udp6InErrors"));
        assertEquals(0, h.counter("Udp6InDatagrams"));
        assertEquals(0, h.sent().size(), "no error about it");
    }

    @Test
    void wrongChecksumIsDroppedAndCounted() throws Exception {
        byte[] d = udp6(HOST_IP6, STACK_IP6, 40000, 7, pattern(32));
        d[20] ^= 1;
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, UDP, 64, d));
            assertNull(s.poll());
        }
        assertEquals(1, h.counter("Udp6InCsumErrors"));
    }

    @Test
    void noSocketIsAnsweredByPortUnreachableQuotingTheDatagram() {
        byte[] sent = ipv6(HOST_IP6, STACK_IP6, UDP, 64, udp6(HOST_IP6, STACK_IP6, 40000, 9999, pattern(20)));
        h.injectIp6(sent);
        List<byte[]> out = sentPackets();
        assertEquals(1, out.size());
        byte[] p = out.get(0);
        assertEquals(58, u8(p, 6), "ICMPv6");
        assertArrayEquals(STACK_IP6, Arrays.copyOfRange(p, 8, 24));
        assertArrayEquals(HOST_IP6, Arrays.copyOfRange(p, 24, 40));
        assertEquals(1, u8(p, 40), "destination unreachable");
        assertEquals(4, u8(p, 41), "port unreachable");
        assertEquals(0, Frames.checksum6(STACK_IP6, HOST_IP6, 58, Arrays.copyOfRange(p, 40, p.length)), "checksum");
        assertArrayEquals(sent, Arrays.copyOfRange(p, 48, p.length), "the whole datagram quoted");
        assertEquals(1, h.counter("Udp6NoPorts"));
        assertEquals(1, h.counter("Icmp6OutDestUnreachs"));
    }

    @Test
    void portUnreachablesAreRateLimited() {
        for (int i = 0; i < 10; i++) {
            fromHost(40000, 9999, pattern(8));
        }
        assertEquals(6, h.sent().size(), "a burst of six");
        assertEquals(10, h.counter("Udp6NoPorts"));
        assertEquals(4, h.counter("Icmp6OutRateLimitHost"));
        h.clock.advanceMillis(250);
        fromHost(40000, 9999, pattern(8));
        assertEquals(1, h.sent().size(), "one more a token later");
    }

    @Test
    void noSocketForAGroupIsAnsweredByNothing() {
        byte[] all = ip6("ff02::1");
        h.dev.inject(Frames.eth(0x3333_0000_0001L, StackHarness.HOST_MAC, Frames.ETH_P_IPV6,
                ipv6(HOST_IP6, all, UDP, 1, udp6(HOST_IP6, all, 40000, 9999, pattern(8)))));
        assertEquals(0, h.sent().size());
        assertEquals(1, h.counter("Udp6NoPorts"));
    }

    @Test
    void datagramOverTheMtuLeavesInFragments() throws Exception {
        byte[] payload = pattern(3000);
        int sport;
        try (UdpSocket s = udp.open6()) {
            s.sendTo6(payload, 0, payload.length, HOST, 9000);
            sport = s.localPort();
        }
        List<byte[]> frags = sentPackets();
        assertEquals(3, frags.size(), "3008 bytes in 1448-byte pieces");
        ByteArrayOutputStream upper = new ByteArrayOutputStream();
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            assertTrue(f.length <= 1500, "fits the MTU");
            assertEquals(FRAG, u8(f, 6));
            assertEquals(UDP, u8(f, 40), "the fragment header names UDP");
            assertEquals(upper.size(), u16(f, 42) & 0xfff8, "offset");
            assertEquals(i < frags.size() - 1 ? 1 : 0, u16(f, 42) & 1, "M");
            upper.write(f, 48, f.length - 48);
        }
        assertArrayEquals(udp6(STACK_IP6, HOST_IP6, sport, 9000, payload), upper.toByteArray());
        assertEquals(1, h.counter("Udp6OutDatagrams"));
        assertEquals(3, h.counter("Ip6FragCreates"));
    }

    @Test
    void fragmentedDatagramIsReassembledAndDelivered() throws Exception {
        byte[] payload = pattern(2500);
        byte[] d = udp6(HOST_IP6, STACK_IP6, 40000, 7, payload);
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, FRAG, 64, concat(fragHeader(UDP, 1400, false, 77),
                    Arrays.copyOfRange(d, 1400, d.length))));
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, FRAG, 64, concat(fragHeader(UDP, 0, true, 77),
                    Arrays.copyOfRange(d, 0, 1400))));
            assertArrayEquals(payload, s.receive(1, TimeUnit.SECONDS).data());
        }
        assertEquals(1, h.counter("Ip6ReasmOKs"));
        assertEquals(1, h.counter("Udp6InDatagrams"));
    }

    @Test
    void withV6OnlyTheFamiliesShareThePortSpaceWithoutConflict() throws Exception {
        try (UdpSocket v4 = udp.open(); UdpSocket v6 = udp.open6(); UdpSocket again = udp.open6()) {
            v4.bind(0, 7);
            v6.setV6Only(true);
            again.setV6Only(true);
            v6.bind6(Ipv6Address.UNSPECIFIED, 7);
            assertThrows(BindException.class, () -> again.bind6(Ipv6Address.fromBytes(STACK_IP6, 0), 7));
            h.injectIp(ipv4(HOST_IP, STACK_IP, UDP, 64, 1, 0, udp(HOST_IP, STACK_IP, 40000, 7, pattern(4))));
            fromHost(40000, 7, pattern(6));
            assertEquals(4, v4.poll().data().length, "IPv4 to the IPv4 socket");
            assertNull(v4.poll());
            assertEquals(6, v6.poll().data().length, "IPv6 to the IPv6 socket");
            assertNull(v6.poll());
        }
    }

    @Test
    void aConnectedSocketTakesItsPeerOnly() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 5000);
            s.connect6(HOST, 6000);
            fromHost(6001, 5000, pattern(3));
            assertNull(s.poll(), "another port of the peer");
            fromHost(6000, 5000, pattern(3));
            assertEquals(3, s.poll().data().length);
            s.send(pattern(5), 0, 5);
        }
        byte[] p = sentPackets().stream().filter(x -> u8(x, 6) == UDP).findFirst().orElseThrow();
        assertArrayEquals(udp6(STACK_IP6, HOST_IP6, 5000, 6000, pattern(5)), Arrays.copyOfRange(p, 40, p.length));
    }

    /** The one UDP packet the stack sent (whatever ND sent beside it left out). */
    private byte[] sentDatagram() {
        return sentPackets().stream().filter(x -> u8(x, 6) == UDP).findFirst().orElseThrow();
    }

    /** An ICMPv6 error from the host about {@code quoted}, {@code rest} in the rest of its header. */
    private void errorFromHost(int type, int code, int rest, byte[] quoted) {
        byte[] body = concat(java.nio.ByteBuffer.allocate(4).putInt(rest).array(), quoted);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, Frames.icmpv6(HOST_IP6, STACK_IP6, type, code, body)));
    }

    @Test
    void portUnreachableFailsTheConnectedSocketsNextCallOnce() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.connect6(HOST, 6000);
            s.send(pattern(5), 0, 5);
            errorFromHost(1, 4, 0, sentDatagram());
            assertTrue(s.errorPending());
            assertThrows(PortUnreachableException.class, () -> s.receive(1, TimeUnit.SECONDS));
            assertNull(s.poll(), "reported once");
        }
    }

    @Test
    void anUnconnectedSocketHearsOfNoError() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.sendTo6(pattern(5), 0, 5, HOST, 6000);
            errorFromHost(1, 4, 0, sentDatagram());
            assertTrue(!s.errorPending());
            s.sendTo6(pattern(5), 0, 5, HOST, 6000);
        }
    }

    @Test
    void anErrorAboutNoSocketCountsIcmp6InErrors() {
        errorFromHost(1, 4, 0, ipv6(STACK_IP6, HOST_IP6, UDP, 64, udp6(STACK_IP6, HOST_IP6, 1234, 6000, pattern(5))));
        assertEquals(1, h.counter("Icmp6InErrors"));
    }

    @Test
    void packetTooBigAboutADatagramLowersThePathMtu() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.sendTo6(pattern(1400), 0, 1400, HOST, 6000);
            errorFromHost(2, 0, 1280, Arrays.copyOf(sentDatagram(), 1232));
            s.sendTo6(pattern(1400), 0, 1400, HOST, 6000);
            List<byte[]> frags = sentPackets();
            assertEquals(2, frags.size(), "fragmented to the new path MTU");
            assertTrue(frags.stream().allMatch(f -> f.length <= 1280 && u8(f, 6) == FRAG));
            assertTrue(!s.errorPending(), "unconnected: no EMSGSIZE");
        }
    }

    @Test
    void aSocketTakesTheCallsOfItsFamilyOnly() {
        try (UdpSocket v6 = udp.open6(); UdpSocket v4 = udp.open()) {
            assertThrows(SocketException.class, () -> v6.bind(0, 7));
            assertThrows(SocketException.class, () -> v6.sendTo(pattern(1), 0, 1, HOST_IP, 7));
            assertThrows(SocketException.class, () -> v4.sendTo6(pattern(1), 0, 1, HOST, 7));
        }
    }

    @Test
    void aSocketOnAnyTakesIpv4AsV4MappedAndAnswersOverIpv4() throws Exception {
        h.hostArps();
        try (UdpSocket s = udp.open6()) {
            assertFalse(s.v6only(), "net.ipv6.bindv6only is 0");
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp(ipv4(HOST_IP, STACK_IP, UDP, 64, 1, 0, udp(HOST_IP, STACK_IP, 40000, 7, pattern(4))));
            UdpDatagramReceived d = s.receive(1, TimeUnit.SECONDS);
            assertEquals(Ipv6Address.parse("::ffff:10.0.0.1"), d.sourceAddress6(), "recvfrom's sockaddr_in6");
            assertEquals(Ipv6Address.parse("::ffff:10.0.0.2"), d.destinationAddress6());
            assertEquals(HOST_IP, d.sourceAddress());
            s.reply(d, d.data(), 0, d.data().length);
            fromHost(40000, 7, pattern(6));
            assertEquals(6, s.poll().data().length, "and IPv6 too");
        }
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(0x0800, u16(f, 12), "the answer leaves over IPv4");
        byte[] ip = Arrays.copyOfRange(f, 14, f.length);
        assertArrayEquals(udp(STACK_IP, HOST_IP, 7, 40000, pattern(4)), Arrays.copyOfRange(ip, 20, ip.length));
        assertEquals(1, h.counter("UdpInDatagrams"), "counted as IPv4's, as udp_rcv counts it");
        assertEquals(1, h.counter("UdpOutDatagrams"));
        assertEquals(1, h.counter("Udp6InDatagrams"));
    }

    @Test
    void withoutV6OnlyASocketOnAnyHoldsItsPortInBothFamilies() throws Exception {
        try (UdpSocket dual = udp.open6(); UdpSocket v4 = udp.open(); UdpSocket other = udp.open()) {
            dual.bind6(Ipv6Address.UNSPECIFIED, 7);
            assertThrows(SocketException.class, () -> dual.setV6Only(true), "EINVAL once bound");
            assertThrows(BindException.class, () -> v4.bind(STACK_IP, 7));
            other.bind(0, 8);
            try (UdpSocket late = udp.open6()) {
                assertThrows(BindException.class, () -> late.bind6(Ipv6Address.UNSPECIFIED, 8), "0.0.0.0:8 is taken");
            }
        }
    }

    @Test
    void aV6OnlySocketTakesNoIpv4AndSendsNoneToAV4MappedAddress() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.setV6Only(true);
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp(ipv4(HOST_IP, STACK_IP, UDP, 64, 1, 0, udp(HOST_IP, STACK_IP, 40000, 7, pattern(4))));
            assertNull(s.poll());
            assertEquals(1, h.counter("UdpNoPorts"));
            assertThrows(NoRouteToHostException.class,
                    () -> s.sendTo6(pattern(1), 0, 1, Ipv6Address.v4Mapped(HOST_IP), 7), "ENETUNREACH");
        }
    }

    @Test
    void bindv6onlyIsTheDefaultOfNewSockets() throws Exception {
        h.stack.setBindV6Only(true);
        try (UdpSocket s = udp.open6()) {
            assertTrue(s.v6only());
            assertThrows(SocketException.class, () -> s.bind6(Ipv6Address.v4Mapped(STACK_IP), 7), "EINVAL");
        }
    }

    @Test
    void aSocketBoundToAV4MappedAddressTakesThatIpv4AddressAlone() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.v4Mapped(STACK_IP), 7);
            h.injectIp(ipv4(HOST_IP, STACK_IP, UDP, 64, 1, 0, udp(HOST_IP, STACK_IP, 40000, 7, pattern(4))));
            fromHost(40000, 7, pattern(6));
            assertEquals(4, s.poll().data().length);
            assertNull(s.poll(), "no IPv6");
        }
    }

    @Test
    void aLinkLocalPeerIsReachedOutTheInterfaceItsScopeIdNames() throws Exception {
        Ipv6Address peer = Ipv6Address.fromBytes(HOST_LL, 0);
        h.hostSolicits(HOST_LL, STACK_LL);
        try (UdpSocket s = udp.open6()) {
            assertThrows(SocketException.class, () -> s.sendTo6(pattern(3), 0, 3, peer, 7000), "EINVAL without a scope");
            assertThrows(SocketException.class, () -> s.sendTo6(pattern(3), 0, 3, peer, 99, 7000), "ENODEV");
            s.sendTo6(pattern(3), 0, 3, peer, h.dev.ifindex(), 7000);
        }
        byte[] p = sentDatagram();
        assertArrayEquals(STACK_LL, Arrays.copyOfRange(p, 8, 24), "from the link-local address");
        assertArrayEquals(HOST_LL, Arrays.copyOfRange(p, 24, 40));
        assertArrayEquals(udp6(STACK_LL, HOST_LL, u16(p, 40), 7000, pattern(3)), Arrays.copyOfRange(p, 40, p.length));
    }

    @Test
    void aReplyToALinkLocalPeerLeavesByTheInterfaceItCameBy() throws Exception {
        h.hostSolicits(HOST_LL, STACK_LL);
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            h.injectIp6(ipv6(HOST_LL, STACK_LL, UDP, 64, udp6(HOST_LL, STACK_LL, 40000, 7, pattern(5))));
            UdpDatagramReceived d = s.receive(1, TimeUnit.SECONDS);
            assertEquals(h.dev.ifindex(), d.ifindex());
            s.reply(d, d.data(), 0, d.data().length);
        }
        byte[] p = sentDatagram();
        assertArrayEquals(udp6(STACK_LL, HOST_LL, 7, 40000, pattern(5)), Arrays.copyOfRange(p, 40, p.length));
    }

    /** Bytes this thread allocates for 100 000 IPv4 lookups of port 7 (after as many to warm up), or -1 off HotSpot. */
    private long ipv4LookupBytes(UdpSocket expected) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "not HotSpot: nothing counts a thread's allocations");
        com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
        UdpTable t = udp.table();
        Runnable lookups = () -> {
            for (int i = 0; i < 100_000; i++) {
                if (t.lookup(HOST_IP, 40000, STACK_IP, 7) != expected) {
                    throw new AssertionError("the lookup found another socket");
                }
            }
        };
        lookups.run();
        // the fewest bytes of five rounds: a round the JIT recompiles in (later on a loaded machine, where
        // compilation lags) allocates what the compiled lookup does not, and says nothing about the lookup
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = hs.getThreadAllocatedBytes(Thread.currentThread().getId());
            lookups.run();
            fewest = Math.min(fewest, hs.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        return fewest;
    }

    @Test
    void anIpv4LookupFindsASocketThatTakesIpv4AsCheaplyAsAnIpv4One() throws Exception {
        long v4;
        try (UdpSocket s = udp.open()) {
            s.bind(0, 7);
            v4 = ipv4LookupBytes(s);
        }
        long dual;
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 7);
            dual = ipv4LookupBytes(s);
        }
        assertTrue(dual <= v4 + 16 * 1024, "100 000 lookups: " + dual + " bytes for [::]:7, " + v4 + " for 0.0.0.0:7");
    }
}
