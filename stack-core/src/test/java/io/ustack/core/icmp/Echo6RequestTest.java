package io.ustack.core.icmp;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.icmpv6Checksum;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stack's own ICMPv6 echo requests (ping -6) and the replies heard by echo id. */
class Echo6RequestTest {
    private final StackHarness h = new StackHarness();
    private final List<String> heard = new ArrayList<>();
    private final Icmpv6Protocol.EchoListener listener = (from, dev, seq, hopLimit, bytes) ->
            heard.add(from + "%" + (dev == null ? "-" : dev.name()) + " seq=" + seq + " hlim=" + hopLimit + " bytes=" + bytes);

    Echo6RequestTest() {
        h.addIpv6();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void pingLoopbackHearsItsOwnReplies() {
        Icmpv6Protocol icmp = h.stack.icmpv6Protocol();
        assertTrue(icmp.pings().add(0x4242, listener));
        assertFalse(icmp.pings().add(0x4242, (a, b, c, d, e) -> { }), "one listener per id");
        assertTrue(h.stack.icmp().echoRequest(Frames.ip("127.0.0.1"), 0x4242, 1, new byte[8]));
        assertTrue(heard.isEmpty(), "an IPv4 reply with the same id is IPv4's: the families keep their own ids");
        for (int seq = 1; seq <= 2; seq++) {
            assertTrue(h.stack.icmp6().echoRequest(Ipv6Address.LOOPBACK, null, 0x4242, seq, new byte[56]));
        }
        assertEquals(List.of("::1%lo seq=1 hlim=64 bytes=64", "::1%lo seq=2 hlim=64 bytes=64"), heard);
        assertEquals(2, h.counter("Icmp6OutEchos"));
        assertEquals(2, h.counter("Icmp6InEchoReplies"));
        icmp.pings().remove(0x4242, listener);
        h.stack.icmp6().echoRequest(Ipv6Address.LOOPBACK, null, 0x4242, 3, new byte[8]);
        assertEquals(2, heard.size(), "no one listens any more");
    }

    @Test
    void pingPeerSendsARequestWithTheIdAndSequenceAndHearsTheReply() {
        h.hostSolicits();
        h.stack.icmpv6Protocol().pings().add(7, listener);
        assertTrue(h.stack.icmp6().echoRequest(Ipv6Address.fromBytes(HOST_IP6, 0), null, 7, 1, Frames.pattern(16)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(58, u8(f, 14 + 6), "ICMPv6");
        assertEquals(64, u8(f, 14 + 7), "hop limit");
        assertArrayEquals(STACK_IP6, bytes(f, 14 + 8, 16), "source address selection's");
        byte[] msg = bytes(f, 54, f.length - 54);
        assertArrayEquals(icmpv6(STACK_IP6, HOST_IP6, 128, 0, echoBody(7, 1, Frames.pattern(16))), msg);
        assertEquals(0, icmpv6Checksum(STACK_IP6, HOST_IP6, msg));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 63, icmpv6(HOST_IP6, STACK_IP6, 129, 0, echoBody(7, 1, Frames.pattern(16)))));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 63, icmpv6(HOST_IP6, STACK_IP6, 129, 0, echoBody(8, 1, new byte[4]))));
        assertEquals(List.of("fd00:77::1%eth0 seq=1 hlim=63 bytes=24"), heard);
        assertEquals(2, h.counter("Icmp6InEchoReplies"), "another id's reply is counted, not heard");
        assertFalse(h.stack.icmp6().echoRequest(Ipv6Address.parse("2001:db8::1"), null, 7, 2, new byte[8]), "no route");
    }

    @Test
    void aLinkLocalPeerIsPingedOutTheInterfaceNamed() {
        h.hostSolicits(HOST_LL, STACK_LL);
        Ipv6Address peer = Ipv6Address.fromBytes(HOST_LL, 0);
        assertFalse(h.stack.icmp6().echoRequest(peer, null, 9, 1, new byte[4]), "a link-local address needs its interface");
        assertTrue(h.stack.icmp6().echoRequest(peer, h.dev, 9, 1, new byte[4]));
        byte[] f = h.sent().get(0);
        assertArrayEquals(STACK_LL, bytes(f, 14 + 8, 16), "from the link-local address");
        assertArrayEquals(HOST_LL, bytes(f, 14 + 24, 16));
        assertEquals(128, u8(f, 54));
        assertEquals(9, u16(f, 58));
    }
}
