package io.ustack.core.neigh;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.mac;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** arp_rcv and arp_process as `arping` sees them. */
class ArpPathTest {
    private static final long BCAST = -1L >>> 16;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void requestForOurAddressGetsAnExactReply() {
        h.dev.inject(eth(BCAST, HOST_MAC, Frames.ETH_P_ARP, arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] expected = eth(HOST_MAC, STACK_MAC, Frames.ETH_P_ARP, arp(2, STACK_MAC, STACK_IP, HOST_MAC, HOST_IP));
        assertArrayEquals(expected, out.get(0));
        assertEquals(NudState.STALE, h.stack.neighbours().lookup(h.dev, HOST_IP).state(), "neigh_event_ns");
        assertEquals(1, h.counter("ArpInRequests"));
        assertEquals(1, h.counter("ArpOutReplies"));
    }

    @Test
    void requestForSomeoneElseIsNotAnsweredNorLearned() {
        h.dev.inject(eth(BCAST, HOST_MAC, Frames.ETH_P_ARP, arp(1, HOST_MAC, HOST_IP, 0, ip("10.0.0.77"))));
        assertTrue(h.sent().isEmpty());
        assertNull(h.stack.neighbours().lookup(h.dev, HOST_IP));
    }

    @Test
    void duplicateAddressProbeIsAnsweredToTheProber() {
        h.dev.inject(eth(BCAST, HOST_MAC, Frames.ETH_P_ARP, arp(1, HOST_MAC, 0, 0, STACK_IP)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(HOST_MAC, mac(out.get(0), 0));
        assertEquals(0, i32(out.get(0), 14 + 24), "the reply goes to 0.0.0.0 at the prober's MAC");
        assertNull(h.stack.neighbours().lookup(h.dev, 0));
    }

    @Test
    void gratuitousArpWhenAnAddressComesUp() {
        FakeDevice second = new FakeDevice("eth1", 0x02_00_00_00_00_03L);
        try {
            h.stack.addDevice(second);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        h.stack.addAddress(second, Ipv4Prefix.parse("10.9.0.1/24"));
        List<byte[]> out = second.drain();
        assertEquals(1, out.size());
        assertArrayEquals(eth(BCAST, 0x02_00_00_00_00_03L, Frames.ETH_P_ARP,
                arp(1, 0x02_00_00_00_00_03L, ip("10.9.0.1"), 0, ip("10.9.0.1"))), out.get(0));
    }

    @Test
    void malformedArpIsDroppedWithAReason() {
        byte[] badLen = arp(1, HOST_MAC, HOST_IP, 0, STACK_IP);
        badLen[4] = 5;
        byte[] badOp = arp(3, HOST_MAC, HOST_IP, 0, STACK_IP);
        byte[] shortArp = Arrays.copyOf(arp(1, HOST_MAC, HOST_IP, 0, STACK_IP), 20);
        byte[] multicastSender = arp(1, 0x01_00_5e_00_00_01L, HOST_IP, 0, STACK_IP);
        for (byte[] a : List.of(badLen, badOp, shortArp, multicastSender)) {
            h.dev.inject(eth(BCAST, HOST_MAC, Frames.ETH_P_ARP, a));
        }
        assertTrue(h.sent().isEmpty());
        assertEquals(4, h.counter("DropReasonARP_INVALID"));
    }

    @Test
    void unicastArpForAnotherMacIsOtherhost() {
        h.dev.inject(eth(0x02_00_00_00_00_99L, HOST_MAC, Frames.ETH_P_ARP, arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("DropReasonOTHERHOST"));
    }

    @Test
    void replyToOurRequestMakesTheNeighbourReachable() {
        h.stack.neighbours().output(udpLike(), h.dev, HOST_IP);
        assertEquals(1, h.sent().size());
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
        assertEquals(NudState.REACHABLE, h.stack.neighbours().lookup(h.dev, HOST_IP).state());
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "the waiting packet leaves");
        assertEquals(0x0800, u16(out.get(0), 12));
        assertEquals(HOST_MAC, mac(out.get(0), 0));
    }

    private io.ustack.core.buffer.PacketBuffer udpLike() {
        byte[] ipPkt = Frames.ipv4(STACK_IP, HOST_IP, 253, 64, 1, 0, new byte[8]);
        var pkt = h.pool.allocateWithHeadroom(ipPkt.length);
        pkt.copyIn(pkt.put(ipPkt.length), ipPkt, 0, ipPkt.length);
        return pkt;
    }
}
