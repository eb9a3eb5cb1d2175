package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.fragHeader;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Path MTU for IPv6 (RFC 8201): a Packet Too Big about a packet this host sent lowers the path MTU to its
 * destination, never below 1280, for ip6_rt_mtu_expires (600 s); fragmentation at the source uses it.
 */
class Ipv6PmtuTest {
    private static final byte[] M = icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, 1, pattern(2000)));

    /** The host pings with 2000 bytes, in two fragments; returns the sizes of the reply's fragments. */
    private static List<Integer> bigPing(StackHarness h, int id) {
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, concat(fragHeader(58, 0, true, id), Arrays.copyOfRange(M, 0, 1448))));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, concat(fragHeader(58, 1448, false, id), Arrays.copyOfRange(M, 1448, M.length))));
        return h.sent().stream().filter(f -> Frames.u16(f, 12) == 0x86dd && Frames.u8(f, 14 + 6) == 44)
                .map(f -> f.length - 14).toList();
    }

    /** A Packet Too Big from a router on the way, quoting the start of a reply the stack sent the host. */
    private static byte[] tooBig(long mtu, byte[] quotedNextHeader) {
        byte[] quoted = ipv6(STACK_IP6, HOST_IP6, quotedNextHeader[0], 64, Arrays.copyOfRange(quotedNextHeader, 1, quotedNextHeader.length));
        byte[] router = Frames.ip6("fd00:77::fe");
        byte[] body = ByteBuffer.allocate(4 + quoted.length).putInt((int) mtu).put(quoted).array();
        return ipv6(router, STACK_IP6, 58, 64, icmpv6(router, STACK_IP6, 2, 0, body));
    }

    private static byte[] quotedEchoReply() {
        return concat(new byte[] {58}, icmpv6(STACK_IP6, HOST_IP6, 129, 0, echoBody(7, 1, pattern(64))));
    }

    private static StackHarness harness() {
        StackHarness h = new StackHarness();
        h.addIpv6();
        h.hostSolicits();
        return h;
    }

    @Test
    void packetTooBigLowersThePathMtuUntilItExpires() {
        try (StackHarness h = harness()) {
            assertEquals(List.of(1496, 608), bigPing(h, 1), "the device's 1500 first");
            h.injectIp6(tooBig(1400, quotedEchoReply()));
            assertEquals(1, h.counter("Icmp6InPktTooBigs"));
            assertEquals(List.of(1400, 704), bigPing(h, 2), "(1400 - 48) & ~7 = 1352 bytes a fragment");
            h.clock.advanceMillis(599_999);
            assertEquals(List.of(1400, 704), bigPing(h, 3));
            h.clock.advanceMillis(1);
            assertEquals(List.of(1496, 608), bigPing(h, 4), "ip6_rt_mtu_expires: 600 s");
        }
    }

    @Test
    void anMtuUnder1280Means1280() {
        try (StackHarness h = harness()) {
            h.injectIp6(tooBig(600, quotedEchoReply()));
            List<Integer> sizes = bigPing(h, 1);
            assertEquals(1280, sizes.get(0), "IPV6_MIN_MTU: " + sizes);
            assertTrue(sizes.stream().allMatch(s -> s <= 1280));
        }
    }

    @Test
    void newsNoSmallerThanWhatIsKnownChangesNothing() {
        try (StackHarness h = harness()) {
            h.injectIp6(tooBig(1400, quotedEchoReply()));
            h.injectIp6(tooBig(1450, quotedEchoReply()));
            h.injectIp6(tooBig(9000, quotedEchoReply()));
            h.injectIp6(tooBig(0xffff_ff00L, quotedEchoReply()));
            assertEquals(List.of(1400, 704), bigPing(h, 1));
        }
    }

    @Test
    void onlyAQuotedIcmpv6MessageTeachesAPathMtu() {
        try (StackHarness h = harness()) {
            byte[] udp = concat(new byte[] {17}, new byte[8]);
            h.injectIp6(tooBig(1280, udp)); // no UDP over IPv6 here to hear it
            assertEquals(List.of(1496, 608), bigPing(h, 1));
            assertEquals(1, h.counter("Icmp6InPktTooBigs"), "counted all the same");
        }
    }

    @Test
    void aPacketTooBigTooShortToQuoteAHeaderIsAnError() {
        try (StackHarness h = harness()) {
            byte[] router = Frames.ip6("fd00:77::fe");
            h.injectIp6(ipv6(router, STACK_IP6, 58, 64, icmpv6(router, STACK_IP6, 2, 0, new byte[20])));
            assertEquals(1, h.counter("Icmp6InErrors"));
            assertEquals(1, h.counter("DropReasonPKT_TOO_SMALL"));
        }
    }
}
