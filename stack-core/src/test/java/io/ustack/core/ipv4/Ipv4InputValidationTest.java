package io.ustack.core.ipv4;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
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

/** ip_rcv's checks: each malformed header is counted under its MIB name and dropped with its reason. */
class Ipv4InputValidationTest {

    private static byte[] ping() {
        return ipv4(HOST_IP, STACK_IP, 1, 64, 7, 0, icmpEcho(8, 1, 1, pattern(32)));
    }

    private static byte[] withAddresses(int src, int dst) {
        return ipv4(src, dst, 1, 64, 7, 0, icmpEcho(8, 1, 1, pattern(32)));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("version 6", (UnaryOperator<byte[]>) p -> { p[0] = 0x65; return Frames.refreshIpChecksum(p); }, "IpInHdrErrors", "IP_INHDR"),
                Arguments.of("IHL 4", (UnaryOperator<byte[]>) p -> { p[0] = 0x44; return Frames.refreshIpChecksum(p); }, "IpInHdrErrors", "IP_INHDR"),
                Arguments.of("IHL past the frame", (UnaryOperator<byte[]>) p -> { p[0] = 0x4f; return Arrays.copyOf(p, 40); }, "IpInHdrErrors", "IP_INHDR"),
                Arguments.of("shorter than a header", (UnaryOperator<byte[]>) p -> Arrays.copyOf(p, 19), "IpInHdrErrors", "IP_INHDR"),
                Arguments.of("bad header checksum", (UnaryOperator<byte[]>) p -> { p[11] ^= 1; return p; }, "IpExtInCsumErrors", "IP_CSUM"),
                Arguments.of("total length past the frame", (UnaryOperator<byte[]>) p -> { p[2] = 0x10; return Frames.refreshIpChecksum(p); }, "IpExtInTruncatedPkts", "IP_TRUNCATED"),
                Arguments.of("total length under the header", (UnaryOperator<byte[]>) p -> { p[2] = 0; p[3] = 12; return Frames.refreshIpChecksum(p); }, "IpInHdrErrors", "IP_INHDR"),
                Arguments.of("multicast source", (UnaryOperator<byte[]>) p -> withAddresses(ip("224.0.0.1"), STACK_IP), "IpInAddrErrors", "IP_INVALID_SOURCE"),
                Arguments.of("broadcast source", (UnaryOperator<byte[]>) p -> withAddresses(-1, STACK_IP), "IpInAddrErrors", "IP_INVALID_SOURCE"),
                Arguments.of("loopback source from the wire", (UnaryOperator<byte[]>) p -> withAddresses(ip("127.0.0.1"), STACK_IP), "IpInAddrErrors", "IP_INVALID_SOURCE"),
                Arguments.of("the stack's own address as source (LAND)", (UnaryOperator<byte[]>) p -> withAddresses(STACK_IP, STACK_IP), "IpInAddrErrors", "IP_LOCAL_SOURCE"),
                Arguments.of("class E source", (UnaryOperator<byte[]>) p -> withAddresses(ip("240.1.2.3"), STACK_IP), "IpInAddrErrors", "IP_INVALID_SOURCE"),
                Arguments.of("zeronet destination", (UnaryOperator<byte[]>) p -> withAddresses(HOST_IP, ip("0.1.2.3")), "IpInAddrErrors", "IP_INVALID_DEST"),
                Arguments.of("loopback destination from the wire", (UnaryOperator<byte[]>) p -> withAddresses(HOST_IP, ip("127.0.0.1")), "IpInAddrErrors", "IP_INVALID_DEST"),
                Arguments.of("multicast destination never joined", (UnaryOperator<byte[]>) p -> withAddresses(HOST_IP, ip("239.1.1.1")), "IpInAddrErrors", "IP_INADDRERRORS"),
                Arguments.of("another host on the link, forwarding off", (UnaryOperator<byte[]>) p -> withAddresses(HOST_IP, ip("10.0.0.99")), "IpInAddrErrors", "IP_INADDRERRORS"),
                Arguments.of("no route at all, forwarding off", (UnaryOperator<byte[]>) p -> withAddresses(HOST_IP, ip("192.0.2.1")), "IpInAddrErrors", "IP_INADDRERRORS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedHeaderIsCountedAndDropped(String name, UnaryOperator<byte[]> breakIt, String counter, String reason) {
        try (StackHarness h = new StackHarness()) {
            h.hostArps();
            h.injectIp(breakIt.apply(ping()));
            assertTrue(h.sent().isEmpty(), "no answer to a broken packet");
            assertEquals(1, h.counter(counter), counter);
            assertEquals(1, h.counter("DropReason" + reason), reason);
            assertEquals(0, h.counter("IpInDelivers"));
            // and the stack still answers a good ping afterwards
            h.injectIp(ping());
            assertEquals(1, h.sent().size());
        }
    }

    @Test
    void frameForAnotherMacIsDroppedBeforeIp() {
        try (StackHarness h = new StackHarness()) {
            h.dev.inject(eth(0x02_00_00_00_00_99L, HOST_MAC, 0x0800, ping()));
            assertEquals(0, h.counter("IpInReceives"));
            assertEquals(1, h.counter("DropReasonOTHERHOST"));
        }
    }

    @Test
    void runtFrameAndUnknownEtherTypeAreDropped() {
        try (StackHarness h = new StackHarness()) {
            h.dev.inject(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x88cc, pattern(40)));
            assertEquals(1, h.counter("DropReasonPKT_TOO_SMALL"));
            assertEquals(1, h.counter("DropReasonUNHANDLED_PROTO"));
            assertEquals(1, h.counter("eth0:rx_errors"));
            assertEquals(1, h.counter("eth0:rx_dropped"));
        }
    }

    @Test
    void ethernetPaddingIsTrimmedToTheIpLength() {
        try (StackHarness h = new StackHarness()) {
            h.hostArps();
            byte[] small = ipv4(HOST_IP, STACK_IP, 1, 64, 7, 0, icmpEcho(8, 1, 1, new byte[0]));
            h.injectIp(Arrays.copyOf(small, 46)); // padded to Ethernet's 60-byte minimum
            List<byte[]> out = h.sent();
            assertEquals(1, out.size());
            assertEquals(28, Frames.u16(out.get(0), 16), "the reply has no padding echoed back");
        }
    }

    @Test
    void garbageFloodNeverCrashesAndIsAllCounted() {
        try (StackHarness h = new StackHarness()) {
            java.util.Random r = new java.util.Random(1);
            int n = 5000;
            for (int i = 0; i < n; i++) {
                byte[] junk = new byte[r.nextInt(1514)];
                r.nextBytes(junk);
                if (junk.length >= 14 && r.nextBoolean()) {
                    // aim most of it at the IPv4 path, with the right MAC
                    byte[] f = eth(STACK_MAC, HOST_MAC, 0x0800, Arrays.copyOfRange(junk, 14, junk.length));
                    if (f.length > 14) {
                        f[14] = (byte) (0x45);
                    }
                    junk = f;
                }
                h.dev.inject(junk);
            }
            long dropped = h.stack.drops().snapshot().values().stream().mapToLong(Long::longValue).sum();
            assertTrue(dropped >= n - h.counter("IpInDelivers") - h.counter("ArpInRequests") - h.counter("ArpInReplies"),
                    "every frame not delivered was dropped with a reason: " + h.stack.drops().snapshot());
            h.hostArps();
            h.injectIp(ping());
            assertEquals(1, h.sent().stream().filter(f -> f.length > 34 && Frames.u8(f, 34) == 0).count());
        }
    }
}
