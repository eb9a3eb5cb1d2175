package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.extHeader;
import static io.ustack.core.testing.Frames.fragHeader;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IPv6 fragments both ways: reassembly (ip6_frag_queue, ip6_frag_reasm; RFC 5722's overlaps, RFC 7112's
 * header chain, RFC 6946's atomic fragments, ip6frag_time) and fragmentation at the source (ip6_fragment).
 */
class Ipv6FragmentationTest {
    private static final int FRAG = 44;
    private static final int ICMP = 58;
    private static final int DEST = 60;

    /** An echo request's ICMPv6 message with {@code n} bytes of data. */
    private static byte[] echo(int n) {
        return icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, 1, pattern(n)));
    }

    /** A fragment of {@code upper} (the fragmentable part, of kind {@code nexthdr}): bytes [from, to). */
    private static byte[] fragment(int nexthdr, byte[] upper, int from, int to, boolean more, int id) {
        return ipv6(HOST_IP6, STACK_IP6, FRAG, 64,
                concat(fragHeader(nexthdr, from, more, id), Arrays.copyOfRange(upper, from, to)));
    }

    private static StackHarness harness() {
        StackHarness h = new StackHarness();
        h.addIpv6();
        h.hostSolicits();
        return h;
    }

    /** The IPv6 packets of the frames the stack sent. */
    private static List<byte[]> packets(List<byte[]> frames) {
        return frames.stream().map(f -> Arrays.copyOfRange(f, 14, f.length)).toList();
    }

    /** The ICMPv6 errors among what the stack sent (not the probes its neighbour table sends meanwhile). */
    private static List<byte[]> errors(StackHarness h) {
        return packets(h.sent()).stream().filter(p -> Frames.u8(p, 6) == ICMP && Frames.u8(p, 40) < 128).toList();
    }

    /** Reassembles the stack's fragments of one datagram the simple way, checking each on the way. */
    private static byte[] reassembleOut(List<byte[]> frags, int mtu) {
        ByteArrayOutputStream upper = new ByteArrayOutputStream();
        int id = Frames.i32(frags.get(0), 44);
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            assertTrue(f.length <= mtu, "fragment " + i + " fits the MTU: " + f.length);
            assertEquals(FRAG, Frames.u8(f, 6), "next header: fragment");
            assertEquals(ICMP, Frames.u8(f, 40), "the fragment header names ICMPv6");
            assertEquals(f.length - 40, Frames.u16(f, 4), "payload length");
            int offField = Frames.u16(f, 42);
            assertEquals(upper.size(), offField & 0xfff8, "offset of fragment " + i);
            assertEquals(i < frags.size() - 1 ? 1 : 0, offField & 1, "M on all but the last");
            assertEquals(id, Frames.i32(f, 44), "one identification");
            if (i < frags.size() - 1) {
                assertEquals(0, (f.length - 48) % 8, "a multiple of 8 bytes");
            }
            upper.write(f, 48, f.length - 48);
        }
        return upper.toByteArray();
    }

    @Test
    void twoFragmentsInEitherOrderAreOneEchoRequest() {
        for (boolean reversed : new boolean[] {false, true}) {
            try (StackHarness h = harness()) {
                byte[] m = echo(1000);
                byte[] a = fragment(ICMP, m, 0, 504, true, 0x1234);
                byte[] b = fragment(ICMP, m, 504, m.length, false, 0x1234);
                h.injectIp6(reversed ? b : a);
                assertTrue(h.sent().isEmpty(), "held");
                assertEquals(1, h.stack.reassembler6().queueCount());
                h.injectIp6(reversed ? a : b);
                List<byte[]> out = packets(h.sent());
                assertEquals(1, out.size(), "the reply");
                byte[] reply = out.get(0);
                assertEquals(129, Frames.u8(reply, 40));
                assertArrayEquals(Arrays.copyOfRange(m, 4, m.length), Arrays.copyOfRange(reply, 44, reply.length),
                        "the whole request's data echoed");
                assertEquals(2, h.counter("Ip6ReasmReqds"));
                assertEquals(1, h.counter("Ip6ReasmOKs"));
                assertEquals(0, h.stack.reassembler6().memory());
            }
        }
    }

    @Test
    void aFragmentableDestinationOptionsHeaderIsWalkedAfterReassembly() {
        try (StackHarness h = harness()) {
            byte[] upper = concat(extHeader(ICMP, 1, 4, 0, 0, 0, 0), echo(600));
            h.injectIp6(fragment(DEST, upper, 0, 320, true, 9));
            h.injectIp6(fragment(DEST, upper, 320, upper.length, false, 9));
            List<byte[]> out = packets(h.sent());
            assertEquals(1, out.size());
            assertEquals(129, Frames.u8(out.get(0), 40));
        }
    }

    @Test
    void atomicFragmentIsTheDatagramItself() {
        try (StackHarness h = harness()) {
            byte[] m = echo(16);
            h.injectIp6(fragment(ICMP, m, 0, m.length, false, 77));
            List<byte[]> out = packets(h.sent());
            assertEquals(1, out.size());
            assertEquals(129, Frames.u8(out.get(0), 40));
            assertEquals(1, h.counter("Ip6ReasmReqds"));
            assertEquals(1, h.counter("Ip6ReasmOKs"));
            assertEquals(0, h.stack.reassembler6().queueCount(), "never queued (RFC 6946)");
        }
    }

    @Test
    void overlappingFragmentsDiscardTheDatagram() {
        try (StackHarness h = harness()) {
            byte[] m = echo(1200);
            h.injectIp6(fragment(ICMP, m, 0, 800, true, 5));
            h.injectIp6(fragment(ICMP, m, 400, 1000, true, 5)); // overlaps with other bounds (RFC 5722)
            h.injectIp6(fragment(ICMP, m, 800, m.length, false, 5));
            assertTrue(h.sent().isEmpty(), "no reply from a discarded datagram");
            assertEquals(1, h.counter("Ip6ReasmOverlaps"));
            assertEquals(2, h.counter("DropReasonFRAG_OVERLAP"), "the held fragment and the overlapping one");
            assertEquals(1, h.counter("Ip6ReasmFails"));
            assertEquals(1, h.stack.reassembler6().queueCount(), "the last fragment starts a queue of its own");
            h.clock.advanceMillis(60_000);
            h.stack.runTimers();
            assertTrue(errors(h).isEmpty(), "its expiry without a first fragment tells nobody");
        }
    }

    @Test
    void aDuplicateFragmentIsDroppedAndTheDatagramKept() {
        try (StackHarness h = harness()) {
            byte[] m = echo(1200);
            h.injectIp6(fragment(ICMP, m, 0, 800, true, 5));
            h.injectIp6(fragment(ICMP, m, 0, 400, true, 5));
            h.injectIp6(fragment(ICMP, m, 800, m.length, false, 5));
            assertEquals(1, h.sent().size());
            assertEquals(1, h.counter("DropReasonDUP_FRAG"));
        }
    }

    @Test
    void firstFragmentWithoutTheWholeHeaderChainIsRefused() {
        try (StackHarness h = harness()) {
            // the destination options header alone fills the first fragment: the ICMPv6 header is in the second
            byte[] upper = concat(extHeader(ICMP, 1, 4, 0, 0, 0, 0), echo(600));
            byte[] first = fragment(DEST, upper, 0, 8, true, 3);
            h.injectIp6(first);
            List<byte[]> out = packets(h.sent());
            assertEquals(1, out.size());
            assertEquals(4, Frames.u8(out.get(0), 40), "parameter problem");
            assertEquals(3, Frames.u8(out.get(0), 41), "code 3: incomplete header chain (RFC 7112)");
            assertEquals(0, Frames.i32(out.get(0), 44), "pointer 0");
            assertArrayEquals(first, Arrays.copyOfRange(out.get(0), 48, out.get(0).length));
            assertEquals(1, h.counter("Ip6InHdrErrors"));
            assertEquals(1, h.counter("DropReasonIPV6_BAD_EXTHDR"));
            assertEquals(0, h.stack.reassembler6().queueCount());
        }
    }

    @Test
    void malformedFragmentsAreAnsweredWithTheFieldAtFault() {
        try (StackHarness h = harness()) {
            byte[] m = echo(1200);
            // not the last, and not a multiple of 8 bytes: the payload length is at fault
            h.injectIp6(fragment(ICMP, m, 0, 803, true, 1));
            // past 65535 bytes: the offset is
            h.injectIp6(fragment(ICMP, m, 0, 600, false, 2).clone());
            byte[] far = fragment(ICMP, m, 0, 16, false, 2);
            far[42] = (byte) 0xff;
            far[43] = (byte) 0xf8; // offset 65528, and 16 bytes
            h.injectIp6(far);
            // a fragment header cut short
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, FRAG, 64, new byte[] {58, 0, 0, 1}));
            List<byte[]> out = packets(h.sent());
            assertEquals(3, out.size(), "three parameter problems");
            assertEquals(4, Frames.i32(out.get(0), 44), "pointing at the payload length");
            assertEquals(42, Frames.i32(out.get(1), 44), "pointing at the fragment offset");
            assertEquals(40, Frames.i32(out.get(2), 44), "pointing at the fragment header");
            assertEquals(3, h.counter("Ip6InHdrErrors"));
            assertEquals(3, h.counter("Icmp6OutParmProblems"));
        }
    }

    @Test
    void aDatagramHeldSixtySecondsExpiresWithTimeExceeded() {
        try (StackHarness h = harness()) {
            byte[] m = echo(1000);
            byte[] first = fragment(ICMP, m, 0, 504, true, 42);
            h.injectIp6(first);
            h.clock.advanceMillis(59_999);
            h.stack.runTimers();
            assertTrue(errors(h).isEmpty());
            assertEquals(1, h.stack.reassembler6().queueCount(), "ip6frag_time is 60 s");
            h.clock.advanceMillis(1);
            h.stack.runTimers();
            List<byte[]> out = errors(h);
            assertEquals(1, out.size());
            assertEquals(3, Frames.u8(out.get(0), 40), "time exceeded");
            assertEquals(1, Frames.u8(out.get(0), 41), "code 1: fragment reassembly time exceeded");
            assertArrayEquals(first, Arrays.copyOfRange(out.get(0), 48, out.get(0).length), "quoting the first fragment");
            assertEquals(1, h.counter("Ip6ReasmTimeout"));
            assertEquals(1, h.counter("Ip6ReasmFails"));
            assertEquals(1, h.counter("DropReasonFRAG_REASM_TIMEOUT"));
            assertEquals(0, h.stack.reassembler6().memory());
        }
    }

    @Test
    void reassemblyMemoryIsBounded() {
        try (StackHarness h = harness()) {
            byte[] m = echo(1000);
            for (int id = 1; id <= 4000; id++) {
                h.injectIp6(fragment(ICMP, m, 0, 504, true, id));
            }
            assertTrue(h.stack.reassembler6().memory() <= Ipv6Reassembler.DEFAULT_HIGH_THRESH,
                    "held " + h.stack.reassembler6().memory());
            assertTrue(h.counter("Ip6ReasmFails") > 0, "the oldest queues were evicted");
            assertEquals(4000, h.counter("Ip6ReasmReqds"));
            h.sent();
        }
    }

    @Test
    void aLargeEchoReplyLeavesInFragmentsOfTheMtu() {
        try (StackHarness h = harness()) {
            // the request comes as the host's kernel would send ping -6 -s 3000 over a 1500 MTU
            byte[] m = echo(3000);
            h.injectIp6(fragment(ICMP, m, 0, 1448, true, 0x55));
            h.injectIp6(fragment(ICMP, m, 1448, 2896, true, 0x55));
            h.injectIp6(fragment(ICMP, m, 2896, m.length, false, 0x55));
            List<byte[]> out = packets(h.sent());
            assertEquals(3, out.size(), "1448 + 1448 + 112 bytes");
            assertEquals(1496, out.get(0).length, "48 bytes of headers and 1448 of data: (1500 - 48) & ~7");
            byte[] reply = reassembleOut(out, 1500);
            assertEquals(m.length, reply.length);
            assertEquals(129, Frames.u8(reply, 0));
            assertArrayEquals(Arrays.copyOfRange(m, 4, m.length), Arrays.copyOfRange(reply, 4, reply.length));
            assertEquals(1, h.counter("Ip6FragOKs"));
            assertEquals(3, h.counter("Ip6FragCreates"));
            assertTrue(Frames.i32(out.get(0), 44) != 0, "an identification is never 0");
        }
    }

    @Test
    void twoDatagramsToOneDestinationTakeDistinctIdentifications() {
        try (StackHarness h = harness()) {
            int[] ids = new int[2];
            for (int i = 0; i < 2; i++) {
                byte[] m = echo(2000);
                h.injectIp6(fragment(ICMP, m, 0, 1448, true, 100 + i));
                h.injectIp6(fragment(ICMP, m, 1448, m.length, false, 100 + i));
                ids[i] = Frames.i32(packets(h.sent()).get(0), 44);
            }
            assertEquals(ids[0] + 1, ids[1], "the destination's counter");
        }
    }
}
