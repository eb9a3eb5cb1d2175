package io.ustack.core.ipv4;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.mac;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ip_forward between two fake links: the host on eth0 (10.0.0.1, the stack 10.0.0.2) reaches the far host
 * on eth1 (10.0.1.2, the stack 10.0.1.1, MTU 1280) through the stack, and gets the kernel's ICMP answers
 * when it cannot.
 */
class Ipv4ForwardTest {
    private static final long RIGHT_MAC = 0x02_00_00_00_01_02L;
    private static final long FAR_MAC = 0x02_00_00_00_01_03L;
    private static final int RIGHT_IP = ip("10.0.1.1");
    private static final int FAR_IP = ip("10.0.1.2");
    private static final int RIGHT_MTU = 1280;

    private final StackHarness h = new StackHarness();
    private final FakeDevice right = h.addDevice("eth1", RIGHT_MAC, RIGHT_MTU, "10.0.1.1/24");

    Ipv4ForwardTest() {
        h.stack.setForwarding(true);
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** Both hosts ARP for the stack, so it knows their MACs. */
    private void hostsKnown() {
        h.hostArps();
        right.inject(eth(-1L >>> 16, FAR_MAC, Frames.ETH_P_ARP, arp(1, FAR_MAC, FAR_IP, 0, RIGHT_IP)));
        right.drain();
    }

    private static byte[] ping(int dst, int ttl, int fragOffField, int dataLen) {
        return ipv4(HOST_IP, dst, 1, ttl, 0x4242, fragOffField, icmpEcho(8, 7, 1, pattern(dataLen)));
    }

    /** The ICMP message the stack sent the left host, after checking it is one, well formed, from 10.0.0.2. */
    private byte[] icmpToHost() {
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "one ICMP message back to the sender");
        byte[] f = out.get(0);
        assertEquals(HOST_MAC, mac(f, 0));
        assertEquals(1, u8(f, 23), "ICMP");
        assertEquals(STACK_IP, i32(f, 26), "from the address of the link it came in on");
        assertEquals(HOST_IP, i32(f, 30));
        assertEquals(0, checksum(f, 34, f.length - 34), "ICMP checksum");
        return f;
    }

    @Test
    void aForwardedPacketsRecordRouteEntryIsCoveredByItsChecksum() {
        hostsKnown();
        byte[] opts = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] payload = icmpEcho(8, 7, 1, pattern(16));
        byte[] request = new byte[32 + payload.length];
        System.arraycopy(ping(FAR_IP, 64, 0, 0), 0, request, 0, 20);
        request[0] = 0x48;
        request[2] = (byte) (request.length >> 8);
        request[3] = (byte) request.length;
        System.arraycopy(opts, 0, request, 20, 12);
        System.arraycopy(payload, 0, request, 32, payload.length);
        request[10] = 0;
        request[11] = 0;
        int c = checksum(request, 0, 32);
        request[10] = (byte) (c >> 8);
        request[11] = (byte) c;
        h.injectIp(request);
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(8, u8(f, 14 + 22), "an entry was recorded");
        assertEquals(0, checksum(f, 14, 32), "and the header checksum covers it");
    }

    @Test
    void aPingIsForwardedBothWaysWithTtlDecrementedAndMacsRewritten() {
        hostsKnown();
        byte[] request = ping(FAR_IP, 64, 0x4000, 56);
        h.injectIp(request);
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(FAR_MAC, mac(f, 0), "to the far host's MAC");
        assertEquals(RIGHT_MAC, mac(f, 6), "from eth1's MAC");
        assertEquals(63, u8(f, 22), "TTL decremented");
        assertEquals(0, checksum(f, 14, 20), "header checksum patched");
        byte[] ipOut = Arrays.copyOfRange(f, 14, f.length);
        byte[] expected = request.clone();
        expected[8] = 63;
        expected[10] = ipOut[10];
        expected[11] = ipOut[11];
        assertArrayEquals(expected, ipOut, "nothing else changed");

        byte[] reply = ipv4(FAR_IP, HOST_IP, 1, 64, 9, 0, icmpEcho(0, 7, 1, pattern(56)));
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP, reply));
        List<byte[]> back = h.sent();
        assertEquals(1, back.size());
        assertEquals(HOST_MAC, mac(back.get(0), 0));
        assertEquals(STACK_MAC, mac(back.get(0), 6));
        assertEquals(63, u8(back.get(0), 22));

        assertEquals(2, h.counter("IpForwDatagrams"));
        assertEquals(0, h.counter("IpOutRequests"), "forwarded packets are not this host's requests");
        assertEquals(0, h.counter("IpInDelivers"));
        assertEquals(0, h.counter("IcmpOutMsgs"));
    }

    @Test
    void ttlOneGetsTimeExceededFromTheRouter() {
        hostsKnown();
        byte[] request = ping(FAR_IP, 1, 0, 32);
        h.injectIp(request);
        assertTrue(right.drain().isEmpty());
        byte[] f = icmpToHost();
        assertEquals(11, u8(f, 34), "time exceeded");
        assertEquals(0, u8(f, 35), "in transit");
        assertArrayEquals(request, Arrays.copyOfRange(f, 42, f.length), "quotes the packet as it arrived, TTL 1");
        assertEquals(1, h.counter("IpInHdrErrors"));
        assertEquals(1, h.counter("IcmpOutTimeExcds"));
        assertEquals(1, h.counter("DropReasonIP_INHDR"));
        assertEquals(0, h.counter("IpForwDatagrams"));
    }

    @Test
    void ttlTwoLeavesWithOne() {
        hostsKnown();
        h.injectIp(ping(FAR_IP, 2, 0, 32));
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        assertEquals(1, u8(out.get(0), 22));
    }

    @Test
    void dfOverTheEgressMtuGetsFragNeededWithThatMtu() {
        hostsKnown();
        h.injectIp(ping(FAR_IP, 64, 0x4000, 1400 - 28 + 1));
        assertTrue(right.drain().isEmpty());
        byte[] f = icmpToHost();
        assertEquals(3, u8(f, 34));
        assertEquals(4, u8(f, 35), "fragmentation needed");
        assertEquals(RIGHT_MTU, u16(f, 40), "next-hop MTU");
        assertEquals(64, u8(f, 42 + 8), "the quoted TTL is the original: nothing was changed before the check");
        assertEquals(1, h.counter("IpFragFails"));
        assertEquals(1, h.counter("DropReasonPKT_TOO_BIG"));
    }

    @Test
    void dfExactlyAtTheMtuPasses() {
        hostsKnown();
        h.injectIp(ping(FAR_IP, 64, 0x4000, RIGHT_MTU - 28));
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        assertEquals(14 + RIGHT_MTU, out.get(0).length);
    }

    @Test
    void withoutDfTheRouterFragments() {
        hostsKnown();
        int dataLen = 1400;
        byte[] request = ping(FAR_IP, 64, 0, dataLen);
        h.injectIp(request);
        List<byte[]> out = right.drain();
        assertEquals(2, out.size());
        byte[] first = out.get(0);
        byte[] second = out.get(1);
        int chunk = (RIGHT_MTU - 20) & ~7;
        assertEquals(20 + chunk, u16(first, 16));
        assertEquals(0x2000, u16(first, 20), "MF, offset 0");
        assertEquals(chunk / 8, u16(second, 20), "last fragment: offset, no MF");
        assertEquals(20 + 8 + dataLen - chunk, u16(second, 16));
        for (byte[] frag : out) {
            assertEquals(FAR_MAC, mac(frag, 0));
            assertEquals(63, u8(frag, 22));
            assertEquals(0x4242, u16(frag, 18), "the ID is kept");
            assertEquals(0, checksum(frag, 14, 20));
        }
        byte[] payload = new byte[8 + dataLen];
        System.arraycopy(first, 34, payload, 0, chunk);
        System.arraycopy(second, 34, payload, chunk, payload.length - chunk);
        assertArrayEquals(Arrays.copyOfRange(request, 20, request.length), payload);
        assertEquals(1, h.counter("IpForwDatagrams"));
        assertEquals(2, h.counter("IpFragCreates"));
        assertEquals(1, h.counter("IpFragOKs"));
    }

    @Test
    void noRouteGetsNetUnreachable() {
        hostsKnown();
        byte[] request = ping(ip("192.0.2.9"), 64, 0, 16);
        h.injectIp(request);
        byte[] f = icmpToHost();
        assertEquals(3, u8(f, 34));
        assertEquals(0, u8(f, 35), "net unreachable");
        assertArrayEquals(request, Arrays.copyOfRange(f, 42, f.length));
        assertEquals(1, h.counter("IpExtInNoRoutes"));
        assertEquals(1, h.counter("DropReasonIP_INNOROUTES"));
        assertEquals(0, h.counter("IpInAddrErrors"));
    }

    @Test
    void aStaticRouteCarriesPacketsToItsGateway() {
        hostsKnown();
        h.stack.addRoute(Ipv4Prefix.parse("192.0.2.0/24"), FAR_IP, null);
        h.injectIp(ping(ip("192.0.2.9"), 64, 0, 16));
        List<byte[]> out = right.drain();
        assertEquals(1, out.size());
        assertEquals(FAR_MAC, mac(out.get(0), 0), "to the gateway's MAC");
        assertEquals(ip("192.0.2.9"), i32(out.get(0), 30), "for the far address");
    }

    @Test
    void aNextHopThatNeverAnswersArpGetsHostUnreachableForWhatWaited() {
        h.hostArps();
        int silent = ip("10.0.1.77");
        byte[] first = ping(silent, 64, 0, 16);
        h.injectIp(first);
        h.injectIp(ping(silent, 64, 0, 24));
        List<byte[]> solicit = right.drain();
        assertEquals(1, solicit.size(), "one ARP request, the packets wait");
        assertEquals(Frames.ETH_P_ARP, u16(solicit.get(0), 12));
        for (int i = 0; i < 3; i++) {
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
        }
        List<byte[]> out = h.sent();
        assertEquals(2, out.size(), "one host unreachable per packet that waited");
        for (byte[] f : out) {
            assertEquals(3, u8(f, 34));
            assertEquals(1, u8(f, 35), "host unreachable");
            assertEquals(silent, i32(f, 42 + 16), "about the packet to the silent host");
            assertEquals(63, u8(f, 42 + 8), "as it was when it waited, TTL decremented");
        }
        assertEquals(2, h.counter("IpForwDatagrams"));
        assertEquals(1, h.counter("ArpResFailed"));
        assertEquals(2, h.counter("DropReasonNEIGH_FAILED"));
        assertEquals(2, h.counter("IcmpOutDestUnreachs"));
    }

    @Test
    void hostUnreachablesAfterArpFailsObeyTheRateLimit() {
        h.hostArps();
        for (int i = 0; i < 10; i++) {
            h.injectIp(ping(ip("10.0.1.77"), 64, 0, 16));
        }
        right.drain();
        for (int i = 0; i < 3; i++) {
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
        }
        assertEquals(6, h.sent().size(), "icmp_ratelimit's burst of six to one destination");
        assertEquals(4, h.counter("IcmpOutRateLimitHost"));
        assertEquals(10, h.counter("DropReasonNEIGH_FAILED"));
    }

    @Test
    void withForwardingOffNothingIsForwarded() {
        hostsKnown();
        h.stack.setForwarding(false);
        assertFalse(h.stack.forwarding());
        h.injectIp(ping(FAR_IP, 64, 0, 16));
        h.injectIp(ping(ip("192.0.2.9"), 64, 0, 16));
        assertTrue(right.drain().isEmpty());
        assertTrue(h.sent().isEmpty(), "and no ICMP, as Linux with ip_forward = 0");
        assertEquals(2, h.counter("IpInAddrErrors"));
        assertEquals(2, h.counter("DropReasonIP_INADDRERRORS"));
        assertEquals(0, h.counter("IpExtInNoRoutes"));
    }

    @Test
    void forwardHookSeesBothDevicesAndItsDropStopsThePacket() {
        hostsKnown();
        List<HookState> seen = new ArrayList<>();
        h.stack.netfilter().register(Hook.FORWARD, 0, "drop-forward", (pkt, st) -> {
            seen.add(st);
            return Verdict.DROP;
        });
        h.injectIp(ping(FAR_IP, 64, 0, 16));
        assertTrue(right.drain().isEmpty());
        assertTrue(h.sent().isEmpty());
        assertEquals(1, seen.size());
        assertSame(h.dev, seen.get(0).in());
        assertSame(right, seen.get(0).out());
        assertEquals(1, h.counter("DropReasonNETFILTER_DROP"));
        assertEquals(0, h.counter("IpForwDatagrams"));
    }

    @Test
    void aForwardedPacketMeetsPreroutingForwardAndPostrouting() {
        hostsKnown();
        List<Hook> seen = new ArrayList<>();
        for (Hook hook : Hook.values()) {
            h.stack.netfilter().register(hook, 0, "trace", (pkt, st) -> {
                seen.add(st.hook());
                return Verdict.ACCEPT;
            });
        }
        h.injectIp(ping(FAR_IP, 64, 0, 16));
        assertEquals(1, right.drain().size());
        assertEquals(List.of(Hook.PRE_ROUTING, Hook.FORWARD, Hook.POST_ROUTING), seen);
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
        "169.254.7.7, 10.0.1.2, IP_INVALID_SOURCE",
        "10.0.0.1, 169.254.7.7, IP_INVALID_DEST",
        "10.0.1.255, 10.0.1.2, IP_INVALID_SOURCE",
        "10.0.1.1, 10.0.1.2, IP_LOCAL_SOURCE",
    })
    void linkLocalOwnAndBroadcastAddressesAreNotForwarded(String src, String dst, String reason) {
        hostsKnown();
        h.stack.addRoute(Ipv4Prefix.parse("169.254.0.0/16"), 0, right);
        h.injectIp(ipv4(ip(src), ip(dst), 1, 64, 1, 0, icmpEcho(8, 7, 1, pattern(8))));
        assertTrue(right.drain().isEmpty());
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IpInAddrErrors"));
        assertEquals(1, h.counter("DropReason" + reason));
    }

    @Test
    void aLinkLayerBroadcastIsNotForwarded() {
        hostsKnown();
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_IP, ping(FAR_IP, 64, 0, 16)));
        assertTrue(right.drain().isEmpty());
        assertTrue(h.sent().isEmpty());
        assertEquals(0, h.counter("IpForwDatagrams"));
        assertEquals(1, h.counter("DropReasonNOT_SPECIFIED"));
    }
}
