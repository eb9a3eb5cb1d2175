package io.ustack.core.icmp;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stack as `ping` sees it: echo replies of every size, and ICMP errors under the kernel's rules. */
class IcmpPathTest {
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void echoRequestIsAnsweredWithMirroredEcho() {
        h.hostArps();
        byte[] data = pattern(56);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 0x1234, 0x4000, icmpEcho(8, 0x77, 1, data)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(HOST_MAC, mac(f, 0));
        assertEquals(STACK_MAC, mac(f, 6));
        assertEquals(0x0800, u16(f, 12));
        assertEquals(0x45, u8(f, 14));
        assertEquals(20 + 8 + 56, u16(f, 16));
        assertEquals(64, u8(f, 22));
        assertEquals(1, u8(f, 23));
        assertEquals(0, checksum(f, 14, 20), "IP header checksum");
        assertEquals(STACK_IP, i32(f, 26));
        assertEquals(HOST_IP, i32(f, 30));
        assertEquals(0, u8(f, 34), "echo reply type");
        assertEquals(0x77, u16(f, 38));
        assertEquals(1, u16(f, 40));
        assertEquals(0, checksum(f, 34, 8 + 56), "ICMP checksum");
        assertArrayEquals(data, Arrays.copyOfRange(f, 42, 42 + 56));
        assertEquals(1, h.counter("IcmpInEchos"));
        assertEquals(1, h.counter("IcmpOutEchoReps"));
        assertEquals(1, h.counter("IcmpMsgInType8"));
        assertEquals(1, h.counter("IcmpMsgOutType0"));
        assertEquals(1, h.counter("IpInDelivers"));
        assertEquals(1, h.counter("IpOutRequests"));
    }

    @Test
    void replyWaitsForArpResolution() {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8))));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "only the ARP request goes out while the reply waits");
        byte[] req = out.get(0);
        assertEquals(0x0806, u16(req, 12));
        assertEquals(-1L >>> 16, mac(req, 0));
        assertEquals(1, u16(req, 14 + 6));
        assertEquals(HOST_IP, i32(req, 14 + 24));
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_ARP, Frames.arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
        out = h.sent();
        assertEquals(1, out.size());
        assertEquals(0, u8(out.get(0), 34));
    }

    @Test
    void largestPingIsReassembledAndTheReplyFragmented() {
        h.hostArps();
        byte[] data = pattern(65507);
        byte[] datagram = ipv4(HOST_IP, STACK_IP, 1, 64, 0x4242, 0, icmpEcho(8, 9, 3, data));
        List<byte[]> frags = fragment(datagram, 1500);
        Collections.shuffle(frags, new Random(7));
        for (byte[] frag : frags) {
            h.injectIp(frag);
        }
        List<byte[]> out = h.sent();
        assertEquals(frags.size(), out.size());
        byte[] reply = reassemble(out);
        assertEquals(20 + 8 + 65507, reply.length);
        assertEquals(0, u8(reply, 20));
        assertEquals(0, checksum(reply, 20, reply.length - 20));
        assertArrayEquals(data, Arrays.copyOfRange(reply, 28, reply.length));
        assertEquals(1, h.counter("IpReasmOKs"));
        assertEquals(frags.size(), h.counter("IpReasmReqds"));
        assertEquals(1, h.counter("IpFragOKs"));
        assertEquals(out.size(), h.counter("IpFragCreates"));
    }

    @Test
    void broadcastEchoIsIgnored() {
        h.hostArps();
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, 0x0800, ipv4(HOST_IP, ip("10.0.0.255"), 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8)))));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IcmpInEchos"));
        assertEquals(1, h.counter("DropReasonICMP_IGNORED"));
        assertEquals(1, h.counter("IpExtInBcastPkts"));
    }

    @Test
    void unknownProtocolGetsProtocolUnreachableQuotingTheHeader() {
        h.hostArps();
        byte[] pkt = ipv4(HOST_IP, STACK_IP, 99, 64, 0x1111, 0, pattern(40));
        h.injectIp(pkt);
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(3, u8(f, 34));
        assertEquals(2, u8(f, 35));
        assertEquals(0xc0, u8(f, 15), "errors carry precedence internetwork control");
        assertEquals(0, checksum(f, 34, f.length - 34));
        assertArrayEquals(pkt, Arrays.copyOfRange(f, 42, 42 + pkt.length), "the whole offending packet is quoted");
        assertEquals(1, h.counter("IpInUnknownProtos"));
        assertEquals(1, h.counter("IcmpOutDestUnreachs"));
        assertEquals(1, h.counter("DropReasonIP_NOPROTO"));
    }

    @Test
    void errorsArePerDestinationRateLimited() {
        h.hostArps();
        for (int i = 0; i < 10; i++) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 99, 64, i, 0, pattern(8)));
        }
        assertEquals(6, h.sent().size(), "a burst of six, XRLIM_BURST_FACTOR");
        assertEquals(4, h.counter("IcmpOutRateLimitHost"));
        h.clock.advanceMillis(1000);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 99, 64, 11, 0, pattern(8)));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 99, 64, 12, 0, pattern(8)));
        assertEquals(1, h.sent().size(), "then one per icmp_ratelimit");
    }

    @Test
    void noErrorAboutANonFirstFragmentOrToABroadcast() {
        h.hostArps();
        h.clock.advanceMillis(10_000);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 99, 64, 5, 0x0001, pattern(8)));
        h.clock.advanceMillis(31_000);
        h.stack.runTimers();
        assertTrue(h.sent().isEmpty(), "a queue without its first fragment expires silently");
        assertEquals(1, h.counter("IpReasmTimeout"));
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, 0x0800, ipv4(HOST_IP, ip("10.0.0.255"), 99, 64, 6, 0, pattern(8))));
        assertTrue(h.sent().isEmpty(), "no error about a broadcast");
    }

    @Test
    void reassemblyTimeoutWithTheFirstFragmentSendsTimeExceeded() {
        h.hostArps();
        byte[] first = ipv4(HOST_IP, STACK_IP, 1, 64, 0x99, 0x2000, Arrays.copyOf(icmpEcho(8, 1, 1, pattern(8)), 16));
        h.injectIp(first);
        h.clock.advanceMillis(29_999);
        h.stack.runTimers();
        assertTrue(h.sent().isEmpty());
        h.clock.advanceMillis(1);
        h.stack.runTimers();
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(11, u8(out.get(0), 34));
        assertEquals(1, u8(out.get(0), 35), "fragment reassembly time exceeded");
        assertEquals(1, h.counter("IpReasmTimeout"));
        assertEquals(1, h.counter("IpReasmFails"));
        assertEquals(1, h.counter("DropReasonFRAG_REASM_TIMEOUT"));
    }

    @Test
    void badIcmpChecksumIsCountedAndDropped() {
        h.hostArps();
        byte[] icmp = icmpEcho(8, 1, 1, pattern(8));
        icmp[3] ^= 0x5a;
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmp));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IcmpInCsumErrors"));
        assertEquals(1, h.counter("IcmpInErrors"));
        assertEquals(1, h.counter("DropReasonICMP_CSUM"));
    }

    @Test
    void pingToItselfGoesThroughLoopback() {
        byte[] echo = icmpEcho(8, 5, 5, pattern(16));
        var pkt = h.pool.allocateWithHeadroom(echo.length);
        pkt.copyIn(pkt.put(echo.length), echo, 0, echo.length);
        h.stack.ipv4Output().send(pkt, 0, ip("127.0.0.1"), 1, 0, 64, false);
        assertEquals(1, h.counter("IcmpInEchos"));
        assertEquals(1, h.counter("IcmpInEchoReps"), "the reply came back through lo too");
        assertTrue(h.sent().isEmpty(), "nothing left by eth0");
    }

    /** Splits an IPv4 datagram (20-byte header) into fragments for an MTU, as the host's kernel would. */
    static List<byte[]> fragment(byte[] dgram, int mtu) {
        int chunk = (mtu - 20) & ~7;
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < dgram.length - 20; off += chunk) {
            int len = Math.min(chunk, dgram.length - 20 - off);
            boolean last = off + len == dgram.length - 20;
            byte[] payload = Arrays.copyOfRange(dgram, 20 + off, 20 + off + len);
            out.add(ipv4(i32(dgram, 12), i32(dgram, 16), u8(dgram, 9), u8(dgram, 8), u16(dgram, 4),
                    (off / 8) | (last ? 0 : 0x2000), payload));
        }
        return out;
    }

    /** Reassembles Ethernet frames carrying fragments of one datagram; returns the IP datagram. */
    static byte[] reassemble(List<byte[]> frames) {
        TreeMap<Integer, byte[]> byOffset = new TreeMap<>();
        byte[] header = null;
        for (byte[] f : frames) {
            assertEquals(0, checksum(f, 14, 20), "fragment header checksum");
            int off = (u16(f, 20) & 0x1fff) * 8;
            byOffset.put(off, Arrays.copyOfRange(f, 34, 14 + u16(f, 16)));
            assertTrue(f.length - 14 <= 1500, "fragment fits the MTU");
            if (off == 0) {
                header = Arrays.copyOfRange(f, 14, 34);
            }
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.writeBytes(header);
        int expect = 0;
        for (var e : byOffset.entrySet()) {
            assertEquals(expect, e.getKey(), "fragments are contiguous");
            bos.writeBytes(e.getValue());
            expect += e.getValue().length;
        }
        return bos.toByteArray();
    }
}
