package io.ustack.core.neigh;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.mac;
import static io.ustack.core.testing.Frames.nsBody;
import static io.ustack.core.testing.Frames.rsBody;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The router's Router Advertisements (RFC 4861 6.2) on a manual clock: what they carry, when they go, how
 * solicitations are checked and answered, and the final one.
 */
class RouterAdvertiserTest {
    private static final byte[] ALL_NODES = ip6("ff02::1");
    private static final byte[] ALL_ROUTERS = ip6("ff02::2");
    private static final long ALL_ROUTERS_MAC = 0x3333_0000_0002L;
    private static final Ipv6Address HOST_LINK_LOCAL = Ipv6Address.fromBytes(HOST_LL, 0);
    /** The body after the checksum of the RA ustack sends on eth0 (fd00:77::2/64, MTU 1500), lifetime 1800 s. */
    private static final byte[] RA_BODY = HexFormat.of().parseHex("40000708" + "00000000" + "00000000"
            + "0101020000000002" + "05010000000005dc" + "030440c000278d0000093a8000000000" + "fd000077000000000000000000000000");

    private final StackHarness h = new StackHarness();
    /** The manual clock's time when the test began: every time below is counted from it. */
    private final long t0 = h.clock.nanos();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** A router advertising on eth0 (fd00:77::2/64) whose first RA went at time 0 and was drained. */
    private void router() {
        h.addIpv6();
        h.stack.setForwarding6(true);
        h.stack.setRouterAdvertisements(h.dev, true);
        h.stack.runTimers();
        assertEquals(1, ras(h.dev.drain()).size(), "the first RA goes at once");
    }

    /** The RAs among {@code frames}, each as its IPv6 packet. */
    private static List<byte[]> ras(List<byte[]> frames) {
        return frames.stream().filter(f -> u16(f, 12) == 0x86dd && u8(f, 20) == 58 && u8(f, 54) == 134)
                .map(f -> bytes(f, 14, f.length - 14)).toList();
    }

    /** Milliseconds since the test began. */
    private long now() {
        return (h.clock.nanos() - t0) / 1_000_000;
    }

    /** Moves the clock in steps of {@code stepMillis} up to {@code untilMillis}; when RAs went, in ms. */
    private List<Long> raTimes(long untilMillis, long stepMillis) {
        List<Long> times = new ArrayList<>();
        while (now() < untilMillis) {
            h.clock.advanceMillis(stepMillis);
            h.stack.runTimers();
            if (!ras(h.dev.drain()).isEmpty()) {
                times.add(now());
            }
        }
        return times;
    }

    private void injectRs(byte[] src, int hopLimit, int code, byte[] body) {
        h.dev.inject(eth(ALL_ROUTERS_MAC, HOST_MAC, 0x86dd, ipv6(src, ALL_ROUTERS, 58, hopLimit,
                icmpv6(src, ALL_ROUTERS, 133, code, body))));
    }

    @Test
    void theAdvertisementCarriesWhatSlaacNeeds() {
        h.addIpv6();
        h.stack.addAddress(h.dev, Ipv6Prefix.parse("fd00:77::3/64")); // the same /64: one option
        h.stack.addAddress(h.dev, Ipv6Prefix.parse("fd00:99::1/48")); // no /64: no address can be made from it
        h.stack.addAddress(h.dev, Ipv6Prefix.parse("fd00:88::1/64"));
        h.stack.setForwarding6(true);
        h.stack.setRouterAdvertisements(h.dev, true);
        h.stack.runTimers();
        List<byte[]> frames = h.dev.drain();
        assertEquals(1, frames.size());
        byte[] f = frames.get(0);
        assertEquals(0x3333_0000_0001L, mac(f, 0), "to all-nodes' group MAC");
        assertEquals(STACK_MAC, mac(f, 6));
        byte[] body = concat(RA_BODY, HexFormat.of().parseHex("030440c000278d0000093a8000000000"
                + "fd000088000000000000000000000000"));
        assertArrayEquals(ipv6(STACK_LL, ALL_NODES, 58, 255, icmpv6(STACK_LL, ALL_NODES, 134, 0, body)), bytes(f, 14, f.length - 14),
                "from the link-local address, hop limit 255, radvd's defaults, one option per global /64");
        assertEquals(1, h.counter("Icmp6OutRouterAdvertisements"));
    }

    @Test
    void unsolicitedAdvertisementsFollowRfc4861Timing() {
        router();
        List<Long> times = raTimes(4_000_000, 1000);
        assertEquals(List.of(16_000L, 32_000L), times.subList(0, 2),
                "MAX_INITIAL_RTR_ADVERTISEMENTS: three at most 16 s apart (the random interval is always longer)");
        for (int i = 2; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            // sent at the first 1 s step at or past the due time
            assertTrue(gap >= 200_000 && gap <= 601_000, "MinRtrAdvInterval..MaxRtrAdvInterval: " + gap + " ms");
        }
        assertTrue(times.size() >= 2 + (4_000_000 - 32_000) / 601_000, times.toString());
    }

    @Test
    void aSolicitationIsAnsweredToAllNodesWithinHalfASecond() {
        router();
        h.clock.advanceMillis(10_000);
        injectRs(HOST_LL, 255, 0, rsBody(HOST_MAC));
        long asked = now();
        List<Long> times = raTimes(asked + 600, 10);
        assertEquals(1, times.size(), "one answer, and the initial RA due at 16 s is not sent besides");
        assertTrue(times.get(0) - asked <= 500, "MAX_RA_DELAY_TIME: " + (times.get(0) - asked) + " ms");
        Neighbour n = h.stack.ndTable().lookup(h.dev, HOST_LINK_LOCAL);
        assertEquals(NudState.STALE, n.state(), "the asker's link-layer address is learnt");
        assertEquals(HOST_MAC, n.mac());
        assertEquals(1, h.counter("Icmp6InRouterSolicits"));
        assertTrue(h.stack.drops().snapshot().isEmpty(), h.stack.drops().snapshot().toString());
    }

    @Test
    void answersAreRateLimitedToOneEveryThreeSeconds() {
        router();
        h.clock.advanceMillis(1000);
        injectRs(HOST_LL, 255, 0, rsBody(HOST_MAC));
        injectRs(ip6("::"), 255, 0, rsBody(-1)); // from a host without an address yet: valid, one answer serves both
        List<Long> times = raTimes(3600, 10);
        assertEquals(1, times.size());
        assertTrue(times.get(0) >= 3000, "MIN_DELAY_BETWEEN_RAS after the RA at 0: " + times);
        long last = times.get(0);
        injectRs(HOST_LL, 255, 0, rsBody(HOST_MAC));
        times = raTimes(last + 3600, 10);
        assertEquals(1, times.size());
        assertTrue(times.get(0) - last >= 3000 && times.get(0) - last <= 3500, times.toString());
    }

    @Test
    void aSolicitedAdvertisementRestartsTheInterval() {
        router();
        h.clock.advanceMillis(10_000);
        injectRs(HOST_LL, 255, 0, rsBody(HOST_MAC));
        List<Long> times = raTimes(30_000, 100);
        assertEquals(2, times.size(), times.toString());
        assertEquals(16_000, times.get(1) - times.get(0), "the next initial one 16 s after the answer, not at 16 s");
    }

    static Stream<Arguments> invalidSolicitations() {
        byte[] rs = rsBody(HOST_MAC);
        byte[] zeroLength = rs.clone();
        zeroLength[5] = 0;
        byte[] pastTheEnd = rs.clone();
        pastTheEnd[5] = 2;
        byte[] longLladdr = HexFormat.of().parseHex("00000000" + "01020200000000010000000000000000");
        return Stream.of(
                Arguments.of("hop limit 254 (from beyond a router)", HOST_LL, 254, 0, rs, "IPV6_NDISC_HOP_LIMIT"),
                Arguments.of("code 1", HOST_LL, 255, 1, rs, "IPV6_NDISC_BAD_CODE"),
                Arguments.of("an option of length 0", HOST_LL, 255, 0, zeroLength, "IPV6_NDISC_BAD_OPTIONS"),
                Arguments.of("an option past the message", HOST_LL, 255, 0, pastTheEnd, "IPV6_NDISC_BAD_OPTIONS"),
                Arguments.of("from :: with a link-layer address", ip6("::"), 255, 0, rs, "IPV6_NDISC_INVALID"),
                Arguments.of("a 16-byte link-layer address option", HOST_LL, 255, 0, longLladdr, "IPV6_NDISC_INVALID"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSolicitations")
    void anInvalidSolicitationIsCountedAndIgnored(String name, byte[] src, int hopLimit, int code, byte[] body,
                                                  String reason) {
        router();
        h.clock.advanceMillis(1000);
        injectRs(src, hopLimit, code, body);
        assertTrue(raTimes(15_000, 100).isEmpty(), "no answer");
        assertEquals(1, h.counter("DropReason" + reason), h.stack.drops().snapshot().toString());
        assertEquals(1, h.counter("Icmp6InRouterSolicits"), "counted as received by icmpv6_rcv");
        assertEquals(null, h.stack.ndTable().lookup(h.dev, HOST_LINK_LOCAL), "nobody learnt");
    }

    @Test
    void aSolicitationShorterThanEightBytesNeverReachesNd() {
        router();
        injectRs(HOST_LL, 255, 0, new byte[2]); // an ICMPv6 length under 8: no RS (RFC 4861 6.1.1)
        assertEquals(1, h.counter("DropReasonPKT_TOO_SMALL"), "icmpv6_rcv takes no message shorter than its header");
        assertEquals(1, h.counter("Icmp6InErrors"));
        assertEquals(0, h.counter("Icmp6InRouterSolicits"));
        assertTrue(raTimes(10_000, 100).isEmpty());
    }

    @Test
    void aHostNeitherAdvertisesNorTakesSolicitations() {
        h.addIpv6();
        h.stack.setRouterAdvertisements(h.dev, true);
        assertFalse(h.stack.fib6().isMember(h.dev, Ipv6Address.ALL_ROUTERS));
        assertTrue(raTimes(20_000, 1000).isEmpty(), "not forwarding: no advertisements");
        h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x86dd, ipv6(HOST_LL, STACK_LL, 58, 255,
                icmpv6(HOST_LL, STACK_LL, 133, 0, rsBody(HOST_MAC)))));
        assertEquals(1, h.counter("DropReasonICMP_IGNORED"), "RFC 4861 6.2.6: hosts discard solicitations");
        assertEquals(null, h.stack.ndTable().lookup(h.dev, HOST_LINK_LOCAL));
    }

    @Test
    void aRouterJoinsAllRoutersAndSaysItIsOneInItsAdvertisements() {
        h.addIpv6();
        h.stack.setForwarding6(true);
        assertTrue(h.stack.fib6().isMember(h.dev, Ipv6Address.ALL_ROUTERS));
        FakeDevice later = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.0.1.1/24");
        assertTrue(h.stack.fib6().isMember(later, Ipv6Address.ALL_ROUTERS), "a device added while forwarding");
        h.dev.inject(eth(0x3333_ff00_0002L, HOST_MAC, 0x86dd, ipv6(HOST_LL, ip6("ff02::1:ff00:2"), 58, 255,
                icmpv6(HOST_LL, ip6("ff02::1:ff00:2"), 135, 0, nsBody(STACK_IP6, HOST_MAC)))));
        byte[] na = h.dev.drain().get(0);
        assertEquals(0xe0, u8(na, 54 + 4), "R, S and O");
        // a solicitation on a link that does not advertise teaches the asker all the same, as ndisc_recv_rs
        injectRs(HOST_LL, 255, 0, rsBody(HOST_MAC));
        assertEquals(HOST_MAC, h.stack.ndTable().lookup(h.dev, HOST_LINK_LOCAL).mac());
        assertTrue(raTimes(5000, 100).isEmpty(), "and nothing answers it");
        h.stack.setForwarding6(false);
        assertFalse(h.stack.fib6().isMember(h.dev, Ipv6Address.ALL_ROUTERS));
        assertFalse(h.stack.fib6().isMember(later, Ipv6Address.ALL_ROUTERS));
    }

    @Test
    void turnedOffItSendsAFinalAdvertisementWithRouterLifetimeZero() {
        router();
        h.clock.advanceMillis(1000);
        h.stack.setRouterAdvertisements(h.dev, false);
        List<byte[]> fin = ras(h.dev.drain());
        assertEquals(1, fin.size());
        byte[] body = RA_BODY.clone();
        body[2] = 0; // router lifetime 0: no longer a default router
        body[3] = 0;
        assertArrayEquals(ipv6(STACK_LL, ALL_NODES, 58, 255, icmpv6(STACK_LL, ALL_NODES, 134, 0, body)), fin.get(0));
        assertTrue(raTimes(100_000, 1000).isEmpty(), "and no more");
        assertFalse(h.stack.routerAdvertisements(h.dev));
    }

    @Test
    void closingTheStackSendsTheFinalAdvertisementBeforeTheDeviceCloses() {
        router();
        h.stack.close();
        List<byte[]> fin = ras(h.dev.drain());
        assertEquals(1, fin.size());
        assertEquals(0, u16(fin.get(0), 40 + 6), "router lifetime 0");
    }

    @Test
    void noAdvertisementFromATentativeLinkLocalAddressNorAFinalOneWhenNoneWent() {
        try (StackHarness dad = new StackHarness(1500, true)) {
            dad.stack.setForwarding6(true);
            dad.stack.setRouterAdvertisements(dad.dev, true);
            dad.stack.runTimers();
            assertTrue(ras(dad.dev.drain()).isEmpty(), "RFC 4861 6.2.2: not before the link-local address is valid");
            dad.stack.setRouterAdvertisements(dad.dev, false);
            assertTrue(ras(dad.dev.drain()).isEmpty(), "nobody heard of us: no final advertisement");
            dad.stack.setRouterAdvertisements(dad.dev, true);
            int waited = 0;
            while (ras(dad.dev.drain()).isEmpty() && waited < 5000) {
                dad.clock.advanceMillis(100);
                dad.stack.runTimers();
                waited += 100;
            }
            assertTrue(waited > 0 && waited <= 2000, "sent once DAD passes, within its 2 s: " + waited + " ms");
        }
    }
}
