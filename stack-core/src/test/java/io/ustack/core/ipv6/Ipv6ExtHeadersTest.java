package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.extHeader;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Extension headers on the way in (RFC 8200 section 4, RFC 5095) and the ICMPv6 errors they earn (RFC 4443):
 * a table of chains, each delivered, or dropped under its counter and reason with the right parameter problem
 * or with none.
 */
class Ipv6ExtHeadersTest {
    private static final int HOP = 0;
    private static final int ROUTING = 43;
    private static final int DEST = 60;
    private static final int ICMP = 58;
    private static final byte[] ALL_NODES = ip6("ff02::1");

    private static byte[] echo(byte[] src, byte[] dst) {
        return icmpv6(src, dst, 128, 0, echoBody(9, 1, pattern(16)));
    }

    /** A ping from the host behind {@code headers}, the first of kind {@code first}. */
    private static byte[] chain(int first, byte[]... headers) {
        return chainTo(STACK_IP6, first, headers);
    }

    private static byte[] chainTo(byte[] dst, int first, byte[]... headers) {
        return ipv6(HOST_IP6, dst, first, 64, concat(concat(headers), echo(HOST_IP6, dst)));
    }

    /** An options header (next header ICMPv6) holding one option of {@code type} with a 4-byte value. */
    private static byte[] option(int type) {
        return extHeader(ICMP, type, 4, 0, 0, 0, 0);
    }

    private static byte[] routing(int type, int segmentsLeft) {
        int[] body = new int[22];
        body[0] = type;
        body[1] = segmentsLeft;
        return extHeader(ICMP, body);
    }

    /** What should come back: nothing (type -1) or an ICMPv6 error of type, code and pointer. */
    record Answer(int type, int code, int pointer) {
        static final Answer NONE = new Answer(-1, 0, 0);
        static final Answer ECHO_REPLY = new Answer(129, 0, -1);

        static Answer paramProb(int code, int pointer) {
            return new Answer(4, code, pointer);
        }
    }

    static Stream<Arguments> chains() {
        int[] tooMany = new int[22];
        for (int i = 0; i < 9; i++) {
            tooMany[2 * i] = 0x1e; // nine skippable options of no value: one more than max_dst_opts_cnt
        }
        tooMany[18] = 1;
        tooMany[19] = 2;
        return Stream.of(
                // what is delivered
                Arguments.of("destination options of padding", chain(DEST, extHeader(ICMP, 1, 4, 0, 0, 0, 0)), null, null, Answer.ECHO_REPLY),
                Arguments.of("hop-by-hop, then destination options", chain(HOP, extHeader(DEST, 1, 4, 0, 0, 0, 0), option(0x1e)), null, null, Answer.ECHO_REPLY),
                Arguments.of("unknown option, action 00: skipped", chain(DEST, option(0x1e)), null, null, Answer.ECHO_REPLY),
                Arguments.of("router alert in hop-by-hop", chain(HOP, extHeader(ICMP, 5, 2, 0, 0, 1, 0)), null, null, Answer.ECHO_REPLY),
                Arguments.of("type 0 routing, no segments left: ignored", chain(ROUTING, routing(0, 0)), null, null, Answer.ECHO_REPLY),
                Arguments.of("pad1 six times", chain(DEST, extHeader(ICMP, 0, 0, 0, 0, 0, 0)), null, null, Answer.ECHO_REPLY),
                // unknown options by their action bits
                Arguments.of("unknown option, action 01: discard", chain(DEST, option(0x5e)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.NONE),
                Arguments.of("unknown option, action 10: parameter problem", chain(DEST, option(0x9e)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 42)),
                Arguments.of("unknown option, action 11: parameter problem", chain(DEST, option(0xde)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 42)),
                Arguments.of("unknown option, action 11, to a group: silence", chainTo(ALL_NODES, DEST, option(0xde)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.NONE),
                Arguments.of("unknown option, action 10, to a group: still an error", chainTo(ALL_NODES, DEST, option(0x9e)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 42)),
                Arguments.of("unknown option in hop-by-hop", chain(HOP, option(0x9e)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 42)),
                Arguments.of("second unknown option points at itself", chain(DEST, extHeader(ICMP, 0x1e, 0, 0x9e, 0, 1, 0)), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 44)),
                // malformed options
                Arguments.of("PadN with a non-zero byte", chain(DEST, extHeader(ICMP, 1, 4, 0, 0, 7, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("more than 7 bytes of padding", chain(DEST, extHeader(ICMP, 1, 5, 0, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("an option past its header", chain(DEST, extHeader(ICMP, 0x1e, 10, 0, 0, 0, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("a lone byte where an option needs two", chain(DEST, extHeader(ICMP, 1, 3, 0, 0, 0, 0x1e)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("nine options", chain(DEST, extHeader(ICMP, tooMany)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("router alert of the wrong length", chain(HOP, extHeader(ICMP, 5, 1, 0, 1, 1, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("jumbo payload that would fit the header", chain(HOP, extHeader(ICMP, 0xc2, 4, 0, 0, 0xff, 0xff)), "Ip6InHdrErrors", "IP_INHDR", Answer.paramProb(0, 44)),
                Arguments.of("jumbo payload with a payload length", chain(HOP, extHeader(ICMP, 0xc2, 4, 0, 1, 0, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.paramProb(0, 42)),
                Arguments.of("jumbo payload misaligned", chain(HOP, extHeader(ICMP, 1, 0, 0xc2, 4, 0, 1, 0, 0, 1, 2, 0, 0, 0, 0)), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("options header cut short", ipv6(HOST_IP6, STACK_IP6, DEST, 64, new byte[] {58, 1, 1, 4, 0, 0, 0, 0}), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                Arguments.of("hop-by-hop cut short", ipv6(HOST_IP6, STACK_IP6, HOP, 64, new byte[] {58, 0, 1, 4}), "Ip6InHdrErrors", "IP_INHDR", Answer.NONE),
                // routing headers
                Arguments.of("type 0 routing with a segment left (RFC 5095)", chain(ROUTING, routing(0, 1)), "Ip6InHdrErrors", "IPV6_BAD_EXTHDR", Answer.paramProb(0, 42)),
                Arguments.of("type 2 routing with a segment left", chain(ROUTING, routing(2, 1)), "Ip6InHdrErrors", "IPV6_BAD_EXTHDR", Answer.paramProb(0, 42)),
                Arguments.of("routing after destination options", chain(DEST, extHeader(ROUTING, 1, 4, 0, 0, 0, 0), routing(0, 3)), "Ip6InHdrErrors", "IPV6_BAD_EXTHDR", Answer.paramProb(0, 50)),
                Arguments.of("segment routing header, seg6 off", chain(ROUTING, routing(4, 0)), null, "IPV6_SEG6_DISABLED", Answer.NONE),
                Arguments.of("routing header to a group", chainTo(ALL_NODES, ROUTING, routing(0, 0)), "Ip6InAddrErrors", "IP_INADDRERRORS", Answer.NONE),
                // next headers nobody handles
                Arguments.of("unknown next header", ipv6(HOST_IP6, STACK_IP6, 253, 64, pattern(16)), "Ip6InUnknownProtos", "IP_NOPROTO", Answer.paramProb(1, 6)),
                Arguments.of("unknown next header after options", ipv6(HOST_IP6, STACK_IP6, DEST, 64, concat(extHeader(253, 1, 4, 0, 0, 0, 0), pattern(8))), "Ip6InUnknownProtos", "IP_NOPROTO", Answer.paramProb(1, 40)),
                Arguments.of("hop-by-hop not first", chain(DEST, extHeader(HOP, 1, 4, 0, 0, 0, 0), option(0x1e)), "Ip6InUnknownProtos", "IP_NOPROTO", Answer.paramProb(1, 40)),
                Arguments.of("unknown next header to a group: silence", ipv6(HOST_IP6, ALL_NODES, 253, 64, pattern(16)), "Ip6InUnknownProtos", "IP_NOPROTO", Answer.NONE),
                Arguments.of("unknown next header from ::: nobody to tell", ipv6(ip6("::"), STACK_IP6, 253, 64, pattern(16)), "Ip6InUnknownProtos", "IP_NOPROTO", Answer.NONE),
                // never an error about an error
                Arguments.of("ICMPv6 error behind an unknown option", ipv6(HOST_IP6, STACK_IP6, DEST, 64, concat(extHeader(ICMP, 0x9e, 4, 0, 0, 0, 0),
                        icmpv6(HOST_IP6, STACK_IP6, 1, 4, new byte[44]))), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.NONE),
                Arguments.of("echo request behind an unknown option is answered", ipv6(HOST_IP6, STACK_IP6, DEST, 64, concat(extHeader(ICMP, 0x9e, 4, 0, 0, 0, 0),
                        icmpv6(HOST_IP6, STACK_IP6, 128, 0, new byte[8]))), "Ip6InHdrErrors", "UNHANDLED_PROTO", Answer.paramProb(2, 42)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chains")
    void chainIsDeliveredOrCountedAndAnswered(String name, byte[] packet, String counter, String reason, Answer answer) {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            long before = counter == null ? 0 : h.counter(counter);
            h.injectIp6(packet);
            List<byte[]> out = h.sent();
            if (counter != null) {
                assertEquals(1, h.counter(counter) - before, counter);
            }
            if (reason != null) {
                assertEquals(1, h.counter("DropReason" + reason), reason + " in " + h.stack.drops().snapshot());
            } else {
                assertTrue(h.stack.drops().snapshot().isEmpty(), "nothing dropped: " + h.stack.drops().snapshot());
            }
            if (answer.type() < 0) {
                assertTrue(out.isEmpty(), "no answer");
                return;
            }
            assertEquals(1, out.size(), "one answer");
            byte[] ip = Arrays.copyOfRange(out.get(0), 14, out.get(0).length);
            assertEquals(answer.type(), Frames.u8(ip, 40), "type");
            assertEquals(answer.code(), Frames.u8(ip, 41), "code");
            assertArrayEquals(HOST_IP6, Arrays.copyOfRange(ip, 24, 40), "back to the sender");
            if (answer.pointer() >= 0) {
                assertEquals(answer.pointer(), Frames.i32(ip, 44), "pointer");
                assertArrayEquals(packet, Arrays.copyOfRange(ip, 48, ip.length), "the whole packet quoted");
                assertEquals(1, h.counter("Icmp6OutParmProblems"));
            }
        }
    }

    @Test
    void parameterProblemIsByteExact() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            byte[] bad = chain(DEST, option(0x9e));
            h.injectIp6(bad);
            byte[] got = Arrays.copyOfRange(h.sent().get(0), 14, 14 + 40 + 8 + bad.length);
            byte[] body = ByteBuffer.allocate(4 + bad.length).putInt(42).put(bad).array();
            byte[] want = ipv6(STACK_IP6, HOST_IP6, ICMP, 64, icmpv6(STACK_IP6, HOST_IP6, 4, 2, body));
            System.arraycopy(got, 1, want, 1, 3); // the flow label is the stack's hash of the flow
            assertArrayEquals(want, got);
        }
    }

    @Test
    void errorQuotesWhatFitsIn1280Bytes() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            byte[] big = ipv6(HOST_IP6, STACK_IP6, 253, 64, pattern(1400));
            h.injectIp6(big);
            byte[] frame = h.sent().get(0);
            assertEquals(14 + 1280, frame.length);
            byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
            assertEquals(1280 - 40, Frames.u16(ip, 4), "payload length: the error fills the minimum MTU");
            assertArrayEquals(Arrays.copyOf(big, 1232), Arrays.copyOfRange(ip, 48, 1280));
        }
    }

    @Test
    void errorsToOneHostAreRateLimitedBy250MsOnASlash64() {
        try (StackHarness h = new StackHarness()) {
            h.addIpv6();
            h.hostSolicits();
            byte[] bad = ipv6(HOST_IP6, STACK_IP6, 253, 64, pattern(16));
            for (int i = 0; i < 10; i++) {
                h.injectIp6(bad);
            }
            assertEquals(6, h.sent().size(), "a burst of six");
            assertEquals(4, h.counter("Icmp6OutRateLimitHost"));
            h.clock.advanceMillis(249);
            h.injectIp6(bad);
            assertEquals(0, h.sent().size());
            h.clock.advanceMillis(1);
            h.injectIp6(bad);
            assertEquals(1, h.sent().size(), "icmpv6_time (1 s) >> 2 for a /64 route");
            assertEquals(12, h.counter("Ip6InUnknownProtos"), "every one counted, answered or not");
        }
    }
}
