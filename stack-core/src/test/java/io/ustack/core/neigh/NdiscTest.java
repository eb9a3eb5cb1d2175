package io.ustack.core.neigh;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.icmpv6Checksum;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.mac;
import static io.ustack.core.testing.Frames.naBody;
import static io.ustack.core.testing.Frames.nsBody;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Neighbour Discovery as the host's kernel meets it: NS answered, the host learnt, our own NS, hostile ND ignored. */
class NdiscTest {
    private static final byte[] SOLICITED_STACK = ip6("ff02::1:ff00:2");
    private static final long SOLICITED_STACK_MAC = 0x3333_ff00_0002L;
    private static final Ipv6Address HOST = Ipv6Address.fromBytes(HOST_IP6, 0);
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void inject(long dstMac, byte[] src, byte[] dst, int hopLimit, int type, int code, byte[] body) {
        h.dev.inject(eth(dstMac, HOST_MAC, 0x86dd, ipv6(src, dst, 58, hopLimit, icmpv6(src, dst, type, code, body))));
    }

    /** Checks an NA frame's Ethernet, IPv6 and ICMPv6 framing; returns its ICMPv6 message. */
    private static byte[] na(byte[] f, long ethDst, byte[] src, byte[] dst) {
        assertEquals(ethDst, mac(f, 0));
        assertEquals(STACK_MAC, mac(f, 6));
        assertEquals(0x86dd, u16(f, 12));
        assertEquals(6, u8(f, 14) >> 4);
        assertEquals(58, u8(f, 20));
        assertEquals(255, u8(f, 21), "ND leaves with hop limit 255");
        assertEquals(0x60000000, Frames.i32(f, 14), "no traffic class, no flow label (ip6_nd_hdr)");
        assertArrayEquals(src, bytes(f, 22, 16));
        assertArrayEquals(dst, bytes(f, 38, 16));
        byte[] icmp = bytes(f, 54, u16(f, 18));
        assertEquals(136, u8(icmp, 0));
        assertEquals(0, icmpv6Checksum(src, dst, icmp), "ICMPv6 checksum");
        return icmp;
    }

    @Test
    void solicitationForOurAddressIsAnsweredAndTheAskerLearnt() {
        h.addIpv6();
        inject(SOLICITED_STACK_MAC, HOST_IP6, SOLICITED_STACK, 255, 135, 0, nsBody(STACK_IP6, HOST_MAC));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] icmp = na(out.get(0), HOST_MAC, STACK_IP6, HOST_IP6);
        assertEquals(32, icmp.length);
        assertEquals(0x60, u8(icmp, 4), "S and O set, R clear");
        assertArrayEquals(STACK_IP6, bytes(icmp, 8, 16));
        assertEquals(2, u8(icmp, 24), "target link-layer address option");
        assertEquals(1, u8(icmp, 25));
        assertEquals(STACK_MAC, mac(icmp, 26));
        Neighbour n = h.stack.ndTable().lookup(h.dev, HOST);
        assertEquals(NudState.DELAY, n.state(), "learnt STALE, then used for the NA: DELAY, as in Linux");
        assertEquals(HOST_MAC, n.mac());
        assertEquals(1, h.counter("Icmp6InNeighborSolicits"));
        assertEquals(1, h.counter("Icmp6InType135"));
        assertEquals(1, h.counter("Icmp6OutNeighborAdvertisements"));
        assertEquals(1, h.counter("Icmp6OutType136"));
        assertEquals(1, h.counter("NdiscRcvProbesMcast"));
        assertEquals(1, h.counter("Ip6InMcastPkts"));
        assertTrue(h.stack.drops().snapshot().isEmpty(), h.stack.drops().snapshot().toString());
    }

    @Test
    void solicitationForTheLinkLocalAddressIsAnsweredFromIt() {
        // no global address needed: every interface has its link-local one
        inject(0x3333_ff00_0002L, HOST_LL, ip6("ff02::1:ff00:2"), 255, 135, 0, nsBody(STACK_LL, HOST_MAC));
        byte[] icmp = na(h.sent().get(0), HOST_MAC, STACK_LL, HOST_LL);
        assertArrayEquals(STACK_LL, bytes(icmp, 8, 16));
        assertEquals(STACK_MAC, mac(icmp, 26));
    }

    @Test
    void unicastProbeIsAnsweredWithoutOverrideOrOption() {
        h.addIpv6();
        h.hostSolicits();
        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 135, 0, nsBody(STACK_IP6, -1));
        byte[] icmp = na(h.sent().get(0), HOST_MAC, STACK_IP6, HOST_IP6);
        assertEquals(0x40, u8(icmp, 4), "S alone, as Linux answers a unicast NS");
        assertEquals(24, icmp.length, "no target link-layer option");
        assertEquals(1, h.counter("NdiscRcvProbesUcast"));
    }

    @Test
    void duplicateAddressProbeIsAnsweredToAllNodes() {
        h.addIpv6();
        inject(SOLICITED_STACK_MAC, ip6("::"), SOLICITED_STACK, 255, 135, 0, nsBody(STACK_IP6, -1));
        byte[] icmp = na(h.sent().get(0), 0x3333_0000_0001L, STACK_IP6, ip6("ff02::1"));
        assertEquals(0x20, u8(icmp, 4), "O alone: not solicited");
        assertEquals(STACK_MAC, mac(icmp, 26));
        assertNull(h.stack.ndTable().lookup(h.dev, Ipv6Address.UNSPECIFIED));
    }

    @Test
    void solicitationForAnotherAddressIsNotAnswered() {
        h.addIpv6();
        // the host's own DAD probe for fd00:77::1 comes to the stack too: it is none of ours
        inject(0x3333_ff00_0001L, ip6("::"), ip6("ff02::1:ff00:1"), 255, 135, 0, nsBody(HOST_IP6, -1));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("DropReasonIPV6_MC_NOT_JOINED"), "ff02::1:ff00:1 is not our group");
        inject(SOLICITED_STACK_MAC, HOST_IP6, SOLICITED_STACK, 255, 135, 0, nsBody(ip6("fd00:77::102"), HOST_MAC));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("DropReasonIPV6_NDISC_NS_OTHERHOST"));
    }

    static Stream<Arguments> hostile() {
        byte[] ns = nsBody(STACK_IP6, HOST_MAC);
        byte[] zeroLengthOption = ns.clone();
        zeroLengthOption[21] = 0;
        byte[] longOption = ns.clone();
        longOption[21] = 2;
        return Stream.of(
                Arguments.of("NS with hop limit 64 (from beyond a router)", 64, 135, 0, ns, "IPV6_NDISC_HOP_LIMIT"),
                Arguments.of("NS with code 1", 255, 135, 1, ns, "IPV6_NDISC_BAD_CODE"),
                Arguments.of("NS with an option of length 0", 255, 135, 0, zeroLengthOption, "IPV6_NDISC_BAD_OPTIONS"),
                Arguments.of("NS with an option past the message", 255, 135, 0, longOption, "IPV6_NDISC_BAD_OPTIONS"),
                Arguments.of("NS shorter than its fixed part", 255, 135, 0, bytes(ns, 0, 10), "IPV6_NDISC_INVALID"),
                Arguments.of("NS for a multicast target", 255, 135, 0, nsBody(ip6("ff02::1"), HOST_MAC), "IPV6_NDISC_INVALID"),
                Arguments.of("NA nobody asked for", 255, 136, 0, naBody(0x20, ip6("fd00:77::5"), 0x02_00_00_00_00_05L), "IPV6_NDISC_NA_UNREQUESTED"),
                Arguments.of("NA claiming our own address", 255, 136, 0, naBody(0x20, STACK_IP6, 0x02_00_00_00_00_05L), "IPV6_NDISC_INVALID"),
                Arguments.of("NA with hop limit 254", 254, 136, 0, naBody(0x20, HOST_IP6, 0x02_00_00_00_00_05L), "IPV6_NDISC_HOP_LIMIT"),
                Arguments.of("Router Advertisement to a host", 255, 134, 0, new byte[12], "ICMP_IGNORED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileNdIsCountedAndIgnored(String name, int hopLimit, int type, int code, byte[] body, String reason) {
        h.addIpv6();
        h.hostSolicits();
        Neighbour before = h.stack.ndTable().lookup(h.dev, HOST);
        NudState state = before.state();
        inject(STACK_MAC, HOST_IP6, STACK_IP6, hopLimit, type, code, body);
        assertTrue(h.sent().isEmpty(), "nothing answers it");
        assertEquals(1, h.counter("DropReason" + reason), h.stack.drops().snapshot().toString());
        assertEquals(1, h.counter("Icmp6InType" + type) - (type == 135 ? 1 : 0), "counted as received");
        Neighbour after = h.stack.ndTable().lookup(h.dev, HOST);
        assertEquals(state, after.state(), "the neighbour entry is untouched");
        assertEquals(HOST_MAC, after.mac());
        assertNull(h.stack.ndTable().lookup(h.dev, Ipv6Address.parse("fd00:77::5")));
    }

    @Test
    void theHostsAddressIsResolvedWhenWeAnswerIt() {
        h.addIpv6();
        byte[] echo = icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(9, 1, pattern(24)));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, echo));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "only our NS goes out while the reply waits");
        byte[] ns = out.get(0);
        assertEquals(0x3333_ff00_0001L, mac(ns, 0), "to the host's solicited-node group");
        assertArrayEquals(STACK_IP6, bytes(ns, 22, 16), "from the waiting reply's source");
        assertArrayEquals(ip6("ff02::1:ff00:1"), bytes(ns, 38, 16));
        assertEquals(255, u8(ns, 21));
        byte[] icmp = bytes(ns, 54, 32);
        assertEquals(135, u8(icmp, 0));
        assertEquals(0, icmpv6Checksum(STACK_IP6, ip6("ff02::1:ff00:1"), icmp));
        assertArrayEquals(HOST_IP6, bytes(icmp, 8, 16));
        assertEquals(1, u8(icmp, 24), "source link-layer address option");
        assertEquals(STACK_MAC, mac(icmp, 26));
        assertEquals(NudState.INCOMPLETE, h.stack.ndTable().lookup(h.dev, HOST).state());

        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 136, 0, naBody(0x60, HOST_IP6, HOST_MAC));
        out = h.sent();
        assertEquals(1, out.size(), "the reply leaves once the host answered");
        assertEquals(HOST_MAC, mac(out.get(0), 0));
        assertEquals(129, u8(out.get(0), 54));
        assertEquals(NudState.REACHABLE, h.stack.ndTable().lookup(h.dev, HOST).state());
        assertEquals(1, h.counter("Icmp6OutNeighborSolicits"));
        assertEquals(1, h.counter("Icmp6InNeighborAdvertisements"));
    }

    @Test
    void resolutionGivesUpAfterThreeSolicitations() {
        h.addIpv6();
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(9, 1, pattern(8)))));
        assertEquals(1, h.sent().size());
        for (int i = 0; i < 3; i++) {
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
        }
        assertEquals(2, h.sent().size(), "three solicitations in all, a second apart (mcast_solicit)");
        assertEquals(NudState.FAILED, h.stack.ndTable().lookup(h.dev, HOST).state());
        assertEquals(1, h.counter("NdiscResFailed"));
        assertEquals(1, h.counter("DropReasonNEIGH_FAILED"));
        assertEquals(3, h.counter("Icmp6OutNeighborSolicits"));
    }

    @Test
    void advertisementWithoutOverrideDoesNotMoveAReachableNeighbour() {
        h.addIpv6();
        h.hostSolicits();
        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 136, 0, naBody(0x40, HOST_IP6, HOST_MAC)); // confirms
        assertEquals(NudState.REACHABLE, h.stack.ndTable().lookup(h.dev, HOST).state());
        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 136, 0, naBody(0x40, HOST_IP6, 0x02_00_00_00_00_66L));
        Neighbour n = h.stack.ndTable().lookup(h.dev, HOST);
        assertEquals(NudState.STALE, n.state(), "RFC 4861 7.2.5: no override, another address: STALE");
        assertEquals(HOST_MAC, n.mac(), "and the known address stays");
        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 136, 0, naBody(0x60, HOST_IP6, 0x02_00_00_00_00_66L));
        n = h.stack.ndTable().lookup(h.dev, HOST);
        assertEquals(NudState.REACHABLE, n.state());
        assertEquals(0x02_00_00_00_00_66L, n.mac(), "with the override flag the new address wins");
    }

    @Test
    void anAskerOffOurPrefixesIsAnsweredOnTheLinkAllTheSame() {
        h.addIpv6();
        byte[] stranger = ip6("2001:db8::7");
        inject(SOLICITED_STACK_MAC, stranger, SOLICITED_STACK, 255, 135, 0, nsBody(STACK_IP6, 0x02_00_00_00_00_07L));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "no route covers it, but ND needs none (icmp6_dst_alloc)");
        na(out.get(0), 0x02_00_00_00_00_07L, STACK_IP6, stranger);
    }

    @Test
    void unconfirmedNeighbourIsProbedByUnicastAfterDelay() {
        h.addIpv6();
        h.hostSolicits(); // learnt STALE, used for the NA: DELAY
        h.clock.advanceMillis(5000); // delay_first_probe_time
        h.stack.runTimers();
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] probe = out.get(0);
        assertEquals(HOST_MAC, mac(probe, 0), "a unicast probe to the MAC we know");
        assertArrayEquals(STACK_IP6, bytes(probe, 22, 16));
        assertArrayEquals(HOST_IP6, bytes(probe, 38, 16), "to the address itself, not its group");
        byte[] icmp = bytes(probe, 54, u16(probe, 18));
        assertEquals(135, u8(icmp, 0));
        assertArrayEquals(HOST_IP6, bytes(icmp, 8, 16));
        assertEquals(0, icmpv6Checksum(STACK_IP6, HOST_IP6, icmp));
        assertEquals(NudState.PROBE, h.stack.ndTable().lookup(h.dev, HOST).state());
        inject(STACK_MAC, HOST_IP6, STACK_IP6, 255, 136, 0, naBody(0x40, HOST_IP6, -1));
        assertEquals(NudState.REACHABLE, h.stack.ndTable().lookup(h.dev, HOST).state(),
                "a solicited NA confirms, with or without the option");
    }

    @Test
    void arpTableKnowsNothingOfIpv6() {
        h.addIpv6();
        h.hostSolicits();
        assertTrue(h.stack.neighbours().entries().isEmpty(), "nd_tbl and arp_tbl are two tables");
        assertEquals(1, h.stack.ndTable().entries().size());
    }
}
