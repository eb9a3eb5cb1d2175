package io.ustack.core.icmp;

import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stack's own echo requests (ping) and the replies heard by echo id. */
class EchoRequestTest {
    private final StackHarness h = new StackHarness();
    private final List<String> heard = new ArrayList<>();
    private final IcmpProtocol.EchoListener listener =
            (from, seq, ttl, bytes, pkt) -> heard.add(io.ustack.core.wire.Ipv4Address.format(from) + " seq=" + seq + " ttl=" + ttl + " bytes=" + bytes);

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void pingLoopbackHearsItsOwnReplies() {
        assertTrue(h.stack.icmpProtocol().pings().add(0x4242, listener));
        assertFalse(h.stack.icmpProtocol().pings().add(0x4242, (a, b, c, d, e) -> { }), "one listener per id");
        for (int seq = 1; seq <= 3; seq++) {
            assertTrue(h.stack.icmp().echoRequest(Frames.ip("127.0.0.1"), 0x4242, seq, new byte[56]));
        }
        assertEquals(List.of("127.0.0.1 seq=1 ttl=64 bytes=64", "127.0.0.1 seq=2 ttl=64 bytes=64",
                "127.0.0.1 seq=3 ttl=64 bytes=64"), heard);
        assertEquals(3, h.counter("IcmpOutEchos"));
        assertEquals(3, h.counter("IcmpMsgOutType8"));
        assertEquals(3, h.counter("IcmpInEchoReps"));
        assertEquals(3, h.counter("IcmpOutEchoReps"), "the stack answered its own requests");
        h.stack.icmpProtocol().pings().remove(0x4242, listener);
        h.stack.icmp().echoRequest(Frames.ip("127.0.0.1"), 0x4242, 4, new byte[8]);
        assertEquals(3, heard.size(), "no one listens any more");
        assertTrue(h.sent().isEmpty(), "nothing left the loopback");
    }

    @Test
    void pingPeerCountsRepliesAndLosses() {
        h.hostArps();
        h.stack.icmpProtocol().pings().add(7, listener);
        for (int seq = 1; seq <= 3; seq++) {
            h.stack.icmp().echoRequest(HOST_IP, 7, seq, Frames.pattern(16));
        }
        List<byte[]> out = h.sent();
        assertEquals(3, out.size());
        for (byte[] f : out) {
            assertEquals(1, u8(f, 23), "ICMP");
            assertEquals(8, u8(f, 34), "echo request");
            assertEquals(0, Frames.checksum(f, 34, 8 + 16), "ICMP checksum");
            assertEquals(7, u16(f, 38));
            int seq = u16(f, 40);
            if (seq != 2) { // the peer loses the second
                h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 63, seq, 0,
                        icmpEcho(0, 7, seq, Arrays.copyOfRange(f, 42, 42 + 16))));
            }
        }
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 63, 9, 0, icmpEcho(0, 8, 9, new byte[4])));
        assertEquals(List.of("10.0.0.1 seq=1 ttl=63 bytes=24", "10.0.0.1 seq=3 ttl=63 bytes=24"), heard);
        assertEquals(3, h.counter("IcmpInEchoReps"), "another id's reply is counted, not heard");
        assertEquals(3, h.counter("IcmpOutEchos"));
        assertFalse(h.stack.icmp().echoRequest(Frames.ip("192.0.2.1"), 7, 4, new byte[8]), "no route");
    }
}
