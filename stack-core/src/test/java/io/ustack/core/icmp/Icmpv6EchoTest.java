package io.ustack.core.icmp;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.icmpv6Checksum;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.mac;
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

import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.testing.StackHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ICMPv6 echo as `ping -6` sees it (RFC 4443 section 4): replies from the address asked, hop limit 64. */
class Icmpv6EchoTest {
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private static byte[] request(byte[] src, byte[] dst, int seq, byte[] data) {
        return icmpv6(src, dst, 128, 0, echoBody(0x4242, seq, data));
    }

    /** Checks the reply frame to the host; returns its ICMPv6 message. */
    private static byte[] reply(byte[] f, byte[] src, byte[] dst) {
        assertEquals(HOST_MAC, mac(f, 0));
        assertEquals(STACK_MAC, mac(f, 6));
        assertEquals(0x86dd, u16(f, 12));
        assertEquals(0x60, u8(f, 14) & 0xf0);
        assertEquals(58, u8(f, 20));
        assertEquals(64, u8(f, 21), "hop limit 64, as Linux's replies");
        assertArrayEquals(src, bytes(f, 22, 16));
        assertArrayEquals(dst, bytes(f, 38, 16));
        assertEquals(f.length - 54, u16(f, 18), "payload length");
        byte[] icmp = bytes(f, 54, f.length - 54);
        assertEquals(129, u8(icmp, 0));
        assertEquals(0, u8(icmp, 1));
        assertEquals(0, icmpv6Checksum(src, dst, icmp), "checksum over the pseudo-header");
        return icmp;
    }

    @Test
    void echoToTheGlobalAddressIsAnswered() {
        h.addIpv6();
        h.hostSolicits();
        byte[] data = pattern(56);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, 0xb8, request(HOST_IP6, STACK_IP6, 1, data)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] icmp = reply(out.get(0), STACK_IP6, HOST_IP6);
        assertEquals(0x4242, u16(icmp, 4));
        assertEquals(1, u16(icmp, 6));
        assertArrayEquals(data, bytes(icmp, 8, 56));
        assertEquals(0xb8, (u16(out.get(0), 14) >> 4) & 0xff, "the request's traffic class");
        int label = ((u8(out.get(0), 15) & 0x0f) << 16) | u16(out.get(0), 16);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, request(HOST_IP6, STACK_IP6, 2, data)));
        byte[] second = h.sent().get(0);
        assertEquals(label, ((u8(second, 15) & 0x0f) << 16) | u16(second, 16), "one flow, one label (auto_flowlabels)");
        assertEquals(2, h.counter("Icmp6InEchos"));
        assertEquals(2, h.counter("Icmp6InType128"));
        assertEquals(2, h.counter("Icmp6OutEchoReplies"));
        assertEquals(2, h.counter("Icmp6OutType129"));
        assertEquals(3, h.counter("Icmp6InMsgs"), "the NS and the echoes");
        assertEquals(3, h.counter("Icmp6OutMsgs"), "the NA and the replies");
        assertEquals(3, h.counter("Ip6InDelivers"));
        assertEquals(3, h.counter("Ip6OutRequests"));
    }

    @Test
    void echoToTheLinkLocalAddressIsAnsweredFromIt() {
        h.dev.inject(eth(0x3333_ff00_0002L, HOST_MAC, 0x86dd, ipv6(HOST_LL, ip6("ff02::1:ff00:2"), 58, 255,
                icmpv6(HOST_LL, ip6("ff02::1:ff00:2"), 135, 0, io.ustack.core.testing.Frames.nsBody(STACK_LL, HOST_MAC)))));
        h.sent();
        h.injectIp6(ipv6(HOST_LL, STACK_LL, 58, 64, request(HOST_LL, STACK_LL, 7, pattern(8))));
        reply(h.sent().get(0), STACK_LL, HOST_LL);
    }

    @Test
    void echoToAllNodesIsAnsweredFromTheMatchingScope() {
        h.addIpv6();
        h.hostSolicits();
        byte[] allNodes = ip6("ff02::1");
        h.dev.inject(eth(0x3333_0000_0001L, HOST_MAC, 0x86dd, ipv6(HOST_IP6, allNodes, 58, 64,
                request(HOST_IP6, allNodes, 1, pattern(8)))));
        reply(h.sent().get(0), STACK_IP6, HOST_IP6);
        assertEquals(2, h.counter("Ip6InMcastPkts"), "the NS to our solicited-node group and the echo");
    }

    @Test
    void aReplyUpToTheMtuLeavesWhole() {
        h.addIpv6();
        h.hostSolicits();
        byte[] data = pattern(1500 - 40 - 8);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, request(HOST_IP6, STACK_IP6, 1, data)));
        byte[] f = h.sent().get(0);
        assertEquals(1514, f.length);
        assertArrayEquals(data, bytes(reply(f, STACK_IP6, HOST_IP6), 8, data.length));
    }

    @Test
    void aReplyOverTheMtuLeavesInFragments() {
        h.addIpv6();
        h.hostSolicits();
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, request(HOST_IP6, STACK_IP6, 1, pattern(1500 - 40 - 8 + 1))));
        java.util.List<byte[]> out = h.sent();
        assertEquals(2, out.size(), "1448 bytes, then the other 13");
        assertEquals(14 + 1496, out.get(0).length);
        assertEquals(14 + 48 + 13, out.get(1).length);
        assertEquals(1, h.counter("Ip6FragOKs"));
        assertEquals(0, h.counter("Ip6OutDiscards"));
    }

    @Test
    void requestsWithOffloadedChecksumsGetCompleteOnes() {
        h.addIpv6();
        h.hostSolicits();
        // UNNECESSARY: the host vouched for it; the field is even wrong, and nobody looks at it
        byte[] vouched = ipv6(HOST_IP6, STACK_IP6, 58, 64, request(HOST_IP6, STACK_IP6, 1, pattern(16)));
        vouched[42] ^= 0x55;
        h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x86dd, vouched), p -> p.setIpSummed(IpSummed.UNNECESSARY));
        reply(h.sent().get(0), STACK_IP6, HOST_IP6);
        // PARTIAL: the field holds the pseudo-header's sum, as a CHECKSUM_PARTIAL packet from the host's kernel does
        byte[] partial = ipv6(HOST_IP6, STACK_IP6, 58, 64, request(HOST_IP6, STACK_IP6, 2, pattern(16)));
        partial[42] = 0x12;
        partial[43] = 0x34;
        h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x86dd, partial), p -> p.setChecksumPartial(p.data() + 14 + 40, 2));
        byte[] icmp = reply(h.sent().get(0), STACK_IP6, HOST_IP6);
        assertEquals(2, u16(icmp, 6));
        assertEquals(0, h.counter("Icmp6InCsumErrors"));
    }
}
