package io.ustack.core.neigh;

import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.naBody;
import static io.ustack.core.testing.Frames.nsBody;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.route.Ipv6Fib.Inet6Address.State;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Duplicate Address Detection (RFC 4862 5.4) of the stack's own addresses, with a manual clock: tentative
 * until one probe and a second of silence, then announced; a duplicate found by another node's probe or
 * advertisement leaves the address DADFAILED and unused.
 */
class DadTest {
    private static final Ipv6Address GLOBAL = Ipv6Address.parse("fd00:77::2");
    private static final byte[] SOLICITED = ip6("ff02::1:ff00:2");

    private static StackHarness harness() {
        StackHarness h = new StackHarness(1500, true);
        h.addIpv6();
        return h;
    }

    private static State state(StackHarness h) {
        return h.stack.fib6().address(GLOBAL, h.dev).state();
    }

    /** The IPv6 packets the stack sent whose ICMPv6 target (bytes 48..64) is {@code target}. */
    private static List<byte[]> about(List<byte[]> frames, byte[] target) {
        return frames.stream().filter(f -> f.length >= 14 + 64 && Frames.u16(f, 12) == 0x86dd)
                .map(f -> Arrays.copyOfRange(f, 14, f.length))
                .filter(p -> Arrays.equals(Arrays.copyOfRange(p, 48, 64), target)).toList();
    }

    private static byte[] ping() {
        return ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(1, 1, pattern(8))));
    }

    /** Advances past the random first delay (under 1 s) and runs the timers: the probe goes. */
    private static List<byte[]> probe(StackHarness h) {
        h.clock.advanceMillis(1000);
        h.stack.runTimers();
        return about(h.sent(), STACK_IP6);
    }

    @Test
    void aNewAddressIsTentativeThenProbedThenValidAndAnnounced() {
        try (StackHarness h = harness()) {
            assertEquals(State.TENTATIVE, state(h));
            assertNull(h.stack.fib6().chooseSource(Ipv6Address.parse("fd00:77::1"), h.dev), "no source while tentative");
            h.injectIp6(ping());
            assertTrue(h.sent().isEmpty(), "packets to a tentative address are not taken in");
            assertEquals(1, h.counter("Ip6InAddrErrors"));

            List<byte[]> ns = probe(h);
            assertEquals(1, ns.size(), "dad_transmits 1");
            byte[] p = ns.get(0);
            long nonce = ((long) Frames.u16(p, 66) << 32) | (Frames.i32(p, 68) & 0xffff_ffffL);
            byte[] body = new byte[4 + 16 + 8];
            System.arraycopy(STACK_IP6, 0, body, 4, 16);
            body[20] = 14; // the nonce option (RFC 7527)
            body[21] = 1;
            System.arraycopy(p, 66, body, 22, 6);
            assertArrayEquals(ipv6(new byte[16], SOLICITED, 58, 255, icmpv6(new byte[16], SOLICITED, 135, 0, body)), p,
                    "from ::, to the solicited-node group, hop limit 255, no link-layer address, a nonce");
            assertTrue(nonce != 0);
            assertEquals(State.TENTATIVE, state(h), "a retrans_time of silence first");

            h.clock.advanceMillis(1000);
            h.stack.runTimers();
            assertEquals(State.VALID, state(h));
            List<byte[]> na = about(h.sent(), STACK_IP6);
            assertEquals(1, na.size(), "an unsolicited NA");
            byte[] all = ip6("ff02::1");
            byte[] want = ipv6(STACK_IP6, all, 58, 255, icmpv6(STACK_IP6, all, 136, 0, naBody(0x20, STACK_IP6, STACK_MAC)));
            assertArrayEquals(want, na.get(0), "to all-nodes, override only, with our link-layer address");
            assertEquals(0, h.stack.fib6().addresses(h.dev).stream().filter(a -> a.state() != State.VALID).count(),
                    "the link-local address passed too");

            h.hostSolicits();
            h.injectIp6(ping());
            assertEquals(1, h.sent().size(), "answered now");
        }
    }

    @Test
    void anotherNodesProbeForTheAddressFailsItsDad() {
        try (StackHarness h = harness()) {
            byte[] ns = icmpv6(new byte[16], SOLICITED, 135, 0, nsBody(STACK_IP6, -1));
            h.dev.inject(eth(0x3333_ff00_0002L, HOST_MAC, 0x86dd, ipv6(new byte[16], SOLICITED, 58, 255, ns)));
            assertEquals(State.DADFAILED, state(h));
            h.clock.advanceMillis(10_000);
            h.stack.runTimers();
            assertTrue(about(h.sent(), STACK_IP6).isEmpty(), "no probe, no announcement: the address is given up");
            assertEquals(State.DADFAILED, state(h));
            h.injectIp6(ping());
            assertTrue(h.sent().isEmpty(), "and it takes nothing in");
        }
    }

    @Test
    void anAdvertisementOfTheAddressFailsItsDad() {
        try (StackHarness h = harness()) {
            probe(h);
            byte[] all = ip6("ff02::1");
            byte[] na = icmpv6(HOST_IP6, all, 136, 0, naBody(0x20, STACK_IP6, HOST_MAC));
            h.dev.inject(eth(0x3333_0000_0001L, HOST_MAC, 0x86dd, ipv6(HOST_IP6, all, 58, 255, na)));
            assertEquals(State.DADFAILED, state(h));
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
            assertEquals(State.DADFAILED, state(h));
        }
    }

    @Test
    void ourOwnProbeLoopedBackIsNotADuplicate() {
        try (StackHarness h = harness()) {
            byte[] own = probe(h).get(0);
            h.dev.inject(eth(0x3333_ff00_0002L, STACK_MAC, 0x86dd, own));
            assertEquals(State.TENTATIVE, state(h), "the nonce is ours");
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
            assertEquals(State.VALID, state(h));
        }
    }

    @Test
    void addressResolutionForATentativeAddressIsIgnored() {
        try (StackHarness h = harness()) {
            h.hostSolicits(); // an NS from fd00:77::1 with the host's link-layer address
            assertEquals(State.TENTATIVE, state(h));
            assertTrue(about(h.sent(), STACK_IP6).isEmpty(), "no NA for a tentative address");
            assertEquals(1, h.counter("DropReasonIPV6_ADDR_TENTATIVE"));
        }
    }

    @Test
    void withoutDadAnAddressIsValidAtOnceAndUnannounced() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            assertEquals(State.VALID, state(h));
            h.clock.advanceMillis(5000);
            h.stack.runTimers();
            assertTrue(about(h.sent(), STACK_IP6).isEmpty());
        }
    }
}
