package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.icmpv6Checksum;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.mac;
import static io.ustack.core.testing.Frames.naBody;
import static io.ustack.core.testing.Frames.nsBody;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.FAR_MAC;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_LL;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.RIGHT_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_LL;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ip6_forward between two fake links, byte for byte: the host on eth0 (fd00:77::1; the stack fd00:77::2)
 * reaches the far host on eth1 (fd00:78::2; the stack fd00:78::1, MTU 1280) through the stack, and gets the
 * kernel's ICMPv6 answers when it cannot.
 */
class Ipv6ForwardTest {
    private static final byte[] RIGHT_IP6 = ip6("fd00:78::1");
    private static final byte[] FAR_IP6 = ip6("fd00:78::2");
    private static final byte[] GATEWAY_IP6 = ip6("fd00:78::9");
    private static final long GATEWAY_MAC = 0x02_00_00_00_01_09L;
    private static final int ETH = 14;

    private final StackHarness h = new StackHarness();
    private final FakeDevice right = h.addDevice("eth1", RIGHT_MAC, 1280, "10.0.1.1/24");

    Ipv6ForwardTest() {
        h.addIpv6();
        h.stack.addAddress(right, Ipv6Prefix.parse("fd00:78::1/64"));
        h.stack.setForwarding6(true);
        h.hostSolicits();
        neighbourSolicits(FAR_IP6, FAR_MAC);
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** A node on eth1 resolves the stack's address there, so the stack learns its MAC (STALE). */
    private void neighbourSolicits(byte[] addr, long mac) {
        byte[] group = ip6("ff02::1:ff00:1");
        byte[] ns = icmpv6(addr, group, 135, 0, nsBody(RIGHT_IP6, mac));
        right.inject(eth(0x3333_ff00_0001L, mac, Frames.ETH_P_IPV6, ipv6(addr, group, 58, 255, ns)));
        right.drain();
    }

    private static byte[] ping(byte[] src, byte[] dst, int hopLimit, int dataLen) {
        return ipv6(src, dst, 58, hopLimit, icmpv6(src, dst, 128, 0, echoBody(7, 1, pattern(dataLen))));
    }

    /** The one ICMPv6 message the stack sent the host on eth0, checked well formed; returns it from the IPv6 header. */
    private byte[] icmpToHost(byte[] from, byte[] to) {
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "one ICMPv6 message back to the sender");
        byte[] f = out.get(0);
        assertEquals(HOST_MAC, mac(f, 0));
        byte[] ip = bytes(f, ETH, f.length - ETH);
        assertEquals(58, u8(ip, 6));
        assertEquals(64, u8(ip, 7), "an error leaves with the default hop limit");
        assertArrayEquals(from, bytes(ip, 8, 16), "from the stack's address on the link the packet came by");
        assertArrayEquals(to, bytes(ip, 24, 16));
        assertEquals(0, icmpv6Checksum(from, to, bytes(ip, 40, ip.length - 40)));
        return ip;
    }

    @Test
    void aPingCrossesWithItsHopLimitDecrementedAndComesBack() {
        long delivered = h.counter("Ip6InDelivers");
        byte[] request = ping(HOST_IP6, FAR_IP6, 64, 56);
        h.injectIp6(request);
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(FAR_MAC, mac(f, 0), "to the far host's MAC");
        assertEquals(RIGHT_MAC, mac(f, 6), "from the stack's on that link");
        request[7] = 63;
        assertArrayEquals(request, bytes(f, ETH, f.length - ETH), "the same packet, one hop on");
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IPV6,
                ipv6(FAR_IP6, HOST_IP6, 58, 64, icmpv6(FAR_IP6, HOST_IP6, 129, 0, echoBody(7, 1, pattern(56))))));
        List<byte[]> back = h.sent();
        assertEquals(1, back.size());
        assertEquals(HOST_MAC, mac(back.get(0), 0));
        assertEquals(63, u8(back.get(0), ETH + 7));
        assertEquals(2, h.counter("Ip6OutForwDatagrams"));
        assertEquals(delivered, h.counter("Ip6InDelivers"), "nothing of it was this host's");
    }

    @Test
    void aHopLimitOfOneIsAnsweredWithTimeExceededFromTheRouter() {
        byte[] request = ping(HOST_IP6, FAR_IP6, 1, 8);
        h.injectIp6(request);
        assertEquals(List.of(), right.drain());
        byte[] ip = icmpToHost(STACK_IP6, HOST_IP6);
        assertEquals(3, u8(ip, 40), "time exceeded");
        assertEquals(0, u8(ip, 41), "hop limit exceeded in transit");
        assertEquals(0, i32(ip, 44), "unused");
        assertArrayEquals(request, bytes(ip, 48, request.length), "quoting the packet as it came, hop limit 1");
        assertEquals(1, h.counter("Ip6InHdrErrors"));
        assertEquals(1, h.counter("Icmp6OutTimeExcds"));
        assertEquals(1, h.counter("DropReasonIP_INHDR"));
        assertEquals(0, h.counter("Ip6OutForwDatagrams"));
    }

    @Test
    void aHopLimitOfTwoStillCrosses() {
        h.injectIp6(ping(HOST_IP6, FAR_IP6, 2, 8));
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        assertEquals(1, u8(out.get(0), ETH + 7));
    }

    @Test
    void aPacketOverTheEgressMtuGetsPacketTooBigWithThatMtu() {
        byte[] fits = ping(HOST_IP6, FAR_IP6, 64, 1280 - 48);
        h.injectIp6(fits);
        assertEquals(1, right.drain().size(), "1280 bytes fit eth1");
        byte[] big = ping(HOST_IP6, FAR_IP6, 64, 1281 - 48);
        h.injectIp6(big);
        assertEquals(List.of(), right.drain(), "a router never fragments");
        byte[] ip = icmpToHost(STACK_IP6, HOST_IP6);
        assertEquals(2, u8(ip, 40), "Packet Too Big");
        assertEquals(0, u8(ip, 41));
        assertEquals(1280, i32(ip, 44), "the egress MTU");
        assertArrayEquals(bytes(big, 0, 1280 - 48), bytes(ip, 48, 1280 - 48), "as much as fits in 1280 bytes");
        assertEquals(1, h.counter("Ip6InTooBigErrors"));
        assertEquals(1, h.counter("Ip6FragFails"));
        assertEquals(1, h.counter("Icmp6OutPktTooBigs"));
        assertEquals(1, h.counter("DropReasonPKT_TOO_BIG"));
        assertEquals(2, h.counter("Ip6OutForwDatagrams"), "counted before the MTU check, where Linux counts it now");
    }

    @Test
    void aLinkLocalSourceDoesNotLeaveItsLink() {
        byte[] group = ip6("ff02::1:ff00:2");
        byte[] ns = icmpv6(HOST_LL, group, 135, 0, nsBody(STACK_LL, HOST_MAC));
        h.dev.inject(eth(0x3333_ff00_0002L, HOST_MAC, Frames.ETH_P_IPV6, ipv6(HOST_LL, group, 58, 255, ns)));
        h.sent(); // the stack knows the host's link-local address now, and answered
        h.injectIp6(ping(HOST_LL, FAR_IP6, 64, 8));
        assertEquals(List.of(), right.drain());
        byte[] ip = icmpToHost(STACK_LL, HOST_LL);
        assertEquals(1, u8(ip, 40), "destination unreachable");
        assertEquals(2, u8(ip, 41), "beyond scope of source address");
        assertEquals(1, h.counter("Ip6InAddrErrors"));
        assertEquals(1, h.counter("DropReasonIP_INADDRERRORS"));
    }

    @Test
    void anUnspecifiedSourceIsDroppedWithoutAWord() {
        h.injectIp6(ping(new byte[16], FAR_IP6, 64, 8));
        assertEquals(List.of(), right.drain());
        assertEquals(List.of(), h.sent(), "nobody to answer");
        assertEquals(1, h.counter("Ip6InAddrErrors"));
    }

    @Test
    void aLinkLocalDestinationStaysOnItsLink() {
        byte[] farLl = ip6("fe80::ff:fe00:103");
        h.injectIp6(ping(HOST_IP6, farLl, 64, 8));
        assertEquals(List.of(), right.drain(), "never to the far host's link");
        List<byte[]> back = h.sent();
        assertEquals(1, back.size(), "at most back on the link it came by, where ND asks for it");
        assertEquals(135, u8(back.get(0), ETH + 40), "a Neighbour Solicitation");
    }

    @Test
    void aFrameNotSentToOurMacIsNotForwarded() {
        h.dev.inject(eth(0x3333_0000_0001L, HOST_MAC, Frames.ETH_P_IPV6, ping(HOST_IP6, FAR_IP6, 64, 8)));
        assertEquals(List.of(), right.drain());
        assertEquals(0, h.counter("Ip6OutForwDatagrams"));
    }

    @Test
    void forwardingOffIsAnAddressErrorAndTheSysctlTurnsItOn() {
        Sysctl sysctl = new Sysctl(h.stack);
        sysctl.set("net.ipv6.conf.all.forwarding", "0");
        assertEquals("0", sysctl.get("net.ipv6.conf.all.forwarding"));
        assertEquals("0", sysctl.get("net.ipv4.ip_forward"), "the families' switches are apart, as in Linux");
        h.injectIp6(ping(HOST_IP6, FAR_IP6, 64, 8));
        assertEquals(List.of(), right.drain());
        assertEquals(List.of(), h.sent());
        assertEquals(1, h.counter("Ip6InAddrErrors"));
        sysctl.set("net.ipv6.conf.all.forwarding", "1");
        h.injectIp6(ping(HOST_IP6, FAR_IP6, 64, 8));
        assertEquals(1, right.drain().size());
    }

    /** The gateway on eth1 answers the stack's solicitation for it. */
    private void gatewayAnswers() {
        List<byte[]> ns = right.drain();
        assertEquals(1, ns.size(), "the stack asks for the gateway");
        byte[] f = ns.get(0);
        assertEquals(0x3333_ff00_0009L, mac(f, 0), "at its solicited-node group");
        assertEquals(135, u8(f, ETH + 40));
        assertArrayEquals(GATEWAY_IP6, bytes(f, ETH + 48, 16), "the target is the gateway, not the destination");
        byte[] na = icmpv6(GATEWAY_IP6, RIGHT_IP6, 136, 0, naBody(0xe0, GATEWAY_IP6, GATEWAY_MAC));
        right.inject(eth(RIGHT_MAC, GATEWAY_MAC, Frames.ETH_P_IPV6, ipv6(GATEWAY_IP6, RIGHT_IP6, 58, 255, na)));
    }

    @Test
    void aRouteViaAGatewayIsResolvedByNdOnItsLink() {
        h.stack.fib6().addRoute(Ipv6Prefix.parse("fd00:99::/64"), Ipv6Address.parse("fd00:78::9"), null);
        byte[] beyond = ip6("fd00:99::5");
        byte[] request = ping(HOST_IP6, beyond, 64, 8);
        h.injectIp6(request);
        gatewayAnswers();
        List<byte[]> out = right.drain();
        assertEquals(1, out.size(), "the packet that waited goes once the gateway is known");
        assertEquals(GATEWAY_MAC, mac(out.get(0), 0));
        request[7] = 63;
        assertArrayEquals(request, bytes(out.get(0), ETH, request.length), "still addressed to fd00:99::5");
    }

    @Test
    void theStacksOwnRepliesTakeTheGatewayToo() {
        h.stack.fib6().addRoute(Ipv6Prefix.parse("::/0"), Ipv6Address.parse("fd00:78::9"), null);
        byte[] beyond = ip6("2001:db8::5");
        right.inject(eth(RIGHT_MAC, GATEWAY_MAC, Frames.ETH_P_IPV6, ping(beyond, RIGHT_IP6, 60, 8)));
        gatewayAnswers();
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        assertEquals(GATEWAY_MAC, mac(out.get(0), 0), "ip6_route_output took the default route");
        assertEquals(129, u8(out.get(0), ETH + 40), "the echo reply");
        assertArrayEquals(beyond, bytes(out.get(0), ETH + 24, 16));
    }

    @Test
    void errorRoutesAnswerAsLinuxsDo() {
        h.stack.fib6().addErrorRoute(Ipv6Prefix.parse("fd00:a1::/64"), DstEntry.Type.UNREACHABLE);
        h.stack.fib6().addErrorRoute(Ipv6Prefix.parse("fd00:a2::/64"), DstEntry.Type.PROHIBIT);
        h.stack.fib6().addErrorRoute(Ipv6Prefix.parse("fd00:a3::/64"), DstEntry.Type.BLACKHOLE);
        h.injectIp6(ping(HOST_IP6, ip6("fd00:a1::1"), 64, 8));
        byte[] ip = icmpToHost(STACK_IP6, HOST_IP6);
        assertEquals(1, u8(ip, 40));
        assertEquals(0, u8(ip, 41), "no route");
        h.injectIp6(ping(HOST_IP6, ip6("fd00:a2::1"), 64, 8));
        ip = icmpToHost(STACK_IP6, HOST_IP6);
        assertEquals(1, u8(ip, 41), "administratively prohibited");
        h.injectIp6(ping(HOST_IP6, ip6("fd00:a3::1"), 64, 8));
        assertEquals(List.of(), h.sent(), "a blackhole says nothing");
        assertEquals(List.of(), right.drain());
        assertEquals(2, h.counter("Ip6InNoRoutes"));
        assertEquals(1, h.counter("DropReasonIP_ROUTE_BLACKHOLE"));
        assertEquals(0, h.counter("Ip6OutForwDatagrams"));
    }

    @Test
    void theStacksOwnPacketsToAnErrorRouteFailTheSend() {
        h.stack.fib6().addErrorRoute(Ipv6Prefix.parse("fd00:a1::/64"), DstEntry.Type.UNREACHABLE);
        PacketBuffer pkt = h.pool.allocateWithHeadroom(8);
        pkt.put(8);
        assertFalse(h.stack.ipv6Output().send(pkt, null, Ipv6Address.parse("fd00:a1::1"), null, 59, 64, 0));
        assertEquals(1, h.counter("DropReasonIP_ROUTE_UNREACHABLE"));
        assertEquals(0, h.counter("Ip6OutNoRoutes"), "EHOSTUNREACH is not ENETUNREACH, which alone counts");
    }
}
