package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ipv6_rcv's checks: each malformed packet is counted under its snmp6 name and dropped with Linux's reason. */
class Ipv6InputValidationTest {

    private static byte[] ping(byte[] src, byte[] dst) {
        return ipv6(src, dst, 58, 64, icmpv6(src, dst, 128, 0, echoBody(7, 1, pattern(32))));
    }

    private static byte[] ping() {
        return ping(HOST_IP6, STACK_IP6);
    }

    private static UnaryOperator<byte[]> with(byte[] src, byte[] dst) {
        return p -> ping(src, dst);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("shorter than a header", (UnaryOperator<byte[]>) p -> Arrays.copyOf(p, 39), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("version 4", (UnaryOperator<byte[]>) p -> { p[0] = 0x40; return p; }, "Ip6InHdrErrors", "UNHANDLED_PROTO"),
                Arguments.of("loopback source from the wire", with(ip6("::1"), STACK_IP6), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("loopback destination from the wire", with(HOST_IP6, ip6("::1")), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("multicast source", with(ip6("ff02::1"), STACK_IP6), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("interface-local multicast from the wire", with(HOST_IP6, ip6("ff01::1")), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("multicast of reserved scope 0", with(HOST_IP6, ip6("ff00::1")), "Ip6InHdrErrors", "IP_INHDR"),
                Arguments.of("payload length past the frame", (UnaryOperator<byte[]>) p -> { p[4] = 0x10; return p; }, "Ip6InTruncatedPkts", "PKT_TOO_SMALL"),
                Arguments.of("a group never joined", with(HOST_IP6, ip6("ff02::1:2")), "Ip6InMcastPkts", "IPV6_MC_NOT_JOINED"),
                Arguments.of("another host's solicited-node group", with(HOST_IP6, ip6("ff02::1:ff00:1")), "Ip6InMcastPkts", "IPV6_MC_NOT_JOINED"),
                Arguments.of("another host on the link, forwarding off", with(HOST_IP6, ip6("fd00:77::99")), "Ip6InAddrErrors", "IP_INADDRERRORS"),
                Arguments.of("another link-local address", with(ip6("fe80::1"), ip6("fe80::99")), "Ip6InAddrErrors", "IP_INADDRERRORS"),
                Arguments.of("bad ICMPv6 checksum", (UnaryOperator<byte[]>) p -> { p[43] ^= 1; return p; }, "Icmp6InCsumErrors", "ICMP_CSUM"),
                Arguments.of("checksum of another pseudo-header", (UnaryOperator<byte[]>) p -> { p[23] ^= 2; return p; }, "Icmp6InCsumErrors", "ICMP_CSUM"),
                Arguments.of("ICMPv6 shorter than its header", (UnaryOperator<byte[]>) p -> ipv6(HOST_IP6, STACK_IP6, 58, 64, new byte[] {(byte) 128, 0, 0, 0}), "Icmp6InErrors", "PKT_TOO_SMALL"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedPacketIsCountedAndDropped(String name, UnaryOperator<byte[]> breakIt, String counter, String reason) {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            long before = h.counter(counter);
            h.injectIp6(breakIt.apply(ping()));
            assertTrue(h.sent().isEmpty(), "no answer to a broken packet");
            assertEquals(1, h.counter(counter) - before, counter);
            assertEquals(1, h.counter("DropReason" + reason), reason);
            assertEquals(1, h.counter("Ip6InReceives") - 1, "every one is counted received first");
            // and the stack still answers a good ping afterwards
            h.injectIp6(ping());
            List<byte[]> out = h.sent();
            assertEquals(1, out.size());
            assertEquals(129, Frames.u8(out.get(0), 54), "an echo reply");
        }
    }

    /** ip6_pkt_drop: no route, or the unspecified destination, is counted and answered by an unreachable. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unroutable")
    void unroutablePacketIsAnsweredWithNoRoute(String name, byte[] dst, String counter, String reason) {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            byte[] bad = ping(HOST_IP6, dst);
            h.injectIp6(bad);
            List<byte[]> out = h.sent();
            assertEquals(1, out.size(), "one destination unreachable");
            byte[] ip = Arrays.copyOfRange(out.get(0), 14, out.get(0).length);
            assertEquals(1, Frames.u8(ip, 40), "type: destination unreachable");
            assertEquals(0, Frames.u8(ip, 41), "code 0: no route");
            assertArrayEquals(STACK_IP6, Arrays.copyOfRange(ip, 8, 24), "from the stack's address on the link");
            assertArrayEquals(bad, Arrays.copyOfRange(ip, 48, ip.length), "quoting the whole packet");
            assertEquals(1, h.counter(counter));
            assertEquals(1, h.counter("DropReason" + reason));
            assertEquals(1, h.counter("Icmp6OutDestUnreachs"));
        }
    }

    static Stream<Arguments> unroutable() {
        return Stream.of(
                Arguments.of("no route at all", ip6("2001:db8::1"), "Ip6InNoRoutes", "IP_INNOROUTES"),
                Arguments.of("the unspecified destination", ip6("::"), "Ip6InAddrErrors", "IP_INADDRERRORS"));
    }

    @Test
    void frameForAnotherMacIsDroppedBeforeIpv6() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.dev.inject(eth(0x02_00_00_00_00_99L, HOST_MAC, 0x86dd, ping()));
            assertEquals(0, h.counter("Ip6InReceives"));
            assertEquals(1, h.counter("DropReasonOTHERHOST"));
        }
    }

    @Test
    void ethernetPaddingIsTrimmedToThePayloadLength() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            byte[] small = ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(1, 1, new byte[0])));
            h.injectIp6(Arrays.copyOf(small, small.length + 6)); // padding a wire may add
            List<byte[]> out = h.sent();
            assertEquals(1, out.size());
            assertEquals(8, u16(out.get(0), 18), "the reply has no padding echoed back");
        }
    }

    @Test
    void noNextHeaderIsDeliveredToNobody() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 59, 64, new byte[0]));
            assertEquals(1, h.counter("Ip6InDelivers"));
            assertTrue(h.sent().isEmpty());
            assertTrue(h.stack.drops().snapshot().isEmpty(), "consumed, not dropped: " + h.stack.drops().snapshot());
        }
    }

    @Test
    void garbageFloodNeverCrashesAndIsAllCounted() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            java.util.Random r = new java.util.Random(6);
            int n = 5000;
            for (int i = 0; i < n; i++) {
                byte[] junk = new byte[r.nextInt(1500)];
                r.nextBytes(junk);
                if (junk.length > 0) {
                    junk[0] = (byte) (0x60 | (junk[0] & 0x0f));
                }
                if (r.nextBoolean() && junk.length >= 40) {
                    System.arraycopy(STACK_IP6, 0, junk, 24, 16); // aimed at us: deeper into the path
                    junk[6] = (byte) (r.nextBoolean() ? 58 : junk[6]);
                    junk[4] = (byte) ((junk.length - 40) >> 8);
                    junk[5] = (byte) (junk.length - 40);
                }
                h.dev.inject(eth(r.nextInt(4) == 0 ? 0x3333_0000_0001L : STACK_MAC, HOST_MAC, 0x86dd, junk));
            }
            h.sent();
            long dropped = h.stack.drops().snapshot().values().stream().mapToLong(Long::longValue).sum();
            assertTrue(dropped >= n - h.counter("Ip6InDelivers"), "every frame not delivered was dropped with a reason: "
                    + h.stack.drops().snapshot());
            h.hostSolicits();
            h.injectIp6(ping());
            assertEquals(1, h.sent().stream().filter(f -> f.length > 54 && Frames.u8(f, 54) == 129).count());
        }
    }
}
