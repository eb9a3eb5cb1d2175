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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The NUD state machine over a manual clock, with the kernel's default timers. */
class NeighbourStatesTest {
    private static final long BCAST = -1L >>> 16;
    private final StackHarness h = new StackHarness();
    private final NeighbourTable table = h.stack.neighbours();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private PacketBuffer packetTo(int daddr) {
        byte[] ipPkt = Frames.ipv4(STACK_IP, daddr, 253, 64, 1, 0, new byte[8]);
        PacketBuffer pkt = h.pool.allocateWithHeadroom(ipPkt.length);
        pkt.copyIn(pkt.put(ipPkt.length), ipPkt, 0, ipPkt.length);
        return pkt;
    }

    private void tick(long ms) {
        h.clock.advanceMillis(ms);
        h.stack.runTimers();
    }

    private static boolean isArpRequest(byte[] f, long dstMac, int target) {
        return u16(f, 12) == 0x0806 && u16(f, 14 + 6) == 1 && mac(f, 0) == dstMac && i32(f, 14 + 24) == target;
    }

    @Test
    void unansweredResolutionFailsAfterThreeRequestsAndDropsWhatWaited() {
        int silent = ip("10.0.0.5");
        table.output(packetTo(silent), h.dev, silent);
        table.output(packetTo(silent), h.dev, silent);
        assertEquals(NudState.INCOMPLETE, table.lookup(h.dev, silent).state());
        assertEquals(2, table.lookup(h.dev, silent).queuedPackets());
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertTrue(isArpRequest(out.get(0), BCAST, silent));
        tick(999);
        assertTrue(h.sent().isEmpty(), "retrans_time is one second");
        tick(1);
        assertTrue(isArpRequest(h.sent().get(0), BCAST, silent));
        tick(1000);
        assertTrue(isArpRequest(h.sent().get(0), BCAST, silent));
        tick(1000);
        assertTrue(h.sent().isEmpty(), "mcast_solicit is three");
        assertEquals(NudState.FAILED, table.lookup(h.dev, silent).state());
        assertEquals(2, h.counter("DropReasonNEIGH_FAILED"));
        assertEquals(1, h.counter("ArpResFailed"));
    }

    @Test
    void failedEntryRestartsResolutionOnTheNextPacket() {
        int silent = ip("10.0.0.5");
        table.output(packetTo(silent), h.dev, silent);
        tick(1000);
        tick(1000);
        tick(1000);
        h.sent();
        assertEquals(NudState.FAILED, table.lookup(h.dev, silent).state());
        table.output(packetTo(silent), h.dev, silent);
        assertEquals(NudState.INCOMPLETE, table.lookup(h.dev, silent).state());
        assertTrue(isArpRequest(h.sent().get(0), BCAST, silent));
    }

    @Test
    void reachableAgesToStaleThenDelayThenProbeThenFailed() {
        table.output(packetTo(HOST_IP), h.dev, HOST_IP);
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
        h.sent();
        Neighbour n = table.lookup(h.dev, HOST_IP);
        assertEquals(NudState.REACHABLE, n.state());
        tick(14_999);
        assertEquals(NudState.REACHABLE, n.state(), "reachable_time is at least base/2 = 15 s");
        tick(30_001);
        assertEquals(NudState.STALE, n.state(), "and at most 3*base/2 = 45 s");

        table.output(packetTo(HOST_IP), h.dev, HOST_IP);
        assertEquals(NudState.DELAY, n.state());
        assertEquals(1, h.sent().size(), "a stale entry still sends at once");
        tick(5000);
        assertEquals(NudState.PROBE, n.state(), "delay_first_probe_time is 5 s");
        assertTrue(isArpRequest(h.sent().get(0), HOST_MAC, HOST_IP), "probes are unicast to the known MAC");
        tick(1000);
        assertTrue(isArpRequest(h.sent().get(0), HOST_MAC, HOST_IP));
        tick(1000);
        assertTrue(isArpRequest(h.sent().get(0), HOST_MAC, HOST_IP));
        tick(1000);
        assertEquals(NudState.FAILED, n.state(), "ucast_solicit is three");
    }

    @Test
    void probeAnsweredMakesItReachableAgain() {
        h.hostArps();
        Neighbour n = table.lookup(h.dev, HOST_IP);
        assertEquals(NudState.STALE, n.state());
        table.output(packetTo(HOST_IP), h.dev, HOST_IP);
        tick(5000);
        assertEquals(NudState.PROBE, n.state());
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
        assertEquals(NudState.REACHABLE, n.state());
        h.sent();
    }

    @Test
    void waitingQueueIsBoundedByUnresQlenBytes() {
        int silent = ip("10.0.0.6");
        for (int i = 0; i < 200; i++) {
            table.output(packetTo(silent), h.dev, silent);
        }
        int bound = NeighParams.defaults().unresQlenBytes() / 2048;
        assertEquals(bound, table.lookup(h.dev, silent).queuedPackets());
        assertEquals(200 - bound, h.counter("ArpUnresolvedDiscards"));
        assertEquals(200 - bound, h.counter("DropReasonNEIGH_QUEUEFULL"));
        h.sent();
    }

    @Test
    void unusedStaleEntriesAreCollected() {
        h.hostArps();
        tick(59_000);
        assertEquals(NudState.STALE, table.lookup(h.dev, HOST_IP).state());
        tick(1_000);
        assertNull(table.lookup(h.dev, HOST_IP), "gc_stale_time is 60 s");
    }

    @Test
    void theTableIsBoundedAgainstSpoofedRequests() {
        for (int i = 0; i < 3000; i++) {
            int spoofed = ip("10.0.0.0") | 0x10000 | i;
            long spoofedMac = 0x02_00_00_10_00_00L + i;
            h.dev.inject(eth(BCAST, spoofedMac, Frames.ETH_P_ARP, arp(1, spoofedMac, spoofed, 0, STACK_IP)));
        }
        h.sent();
        assertTrue(table.entries().size() <= NeighParams.defaults().gcThresh3(), "gc_thresh3 bounds the table");
    }

    @Test
    void aDifferentMacWithinLocktimeIsIgnored() {
        table.output(packetTo(HOST_IP), h.dev, HOST_IP);
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
        long other = 0x02_00_00_00_00_42L;
        h.dev.inject(eth(STACK_MAC, other, Frames.ETH_P_ARP, arp(2, other, HOST_IP, STACK_MAC, STACK_IP)));
        assertEquals(HOST_MAC, table.lookup(h.dev, HOST_IP).mac(), "the first reply wins within locktime");
        tick(1000);
        h.dev.inject(eth(STACK_MAC, other, Frames.ETH_P_ARP, arp(2, other, HOST_IP, STACK_MAC, STACK_IP)));
        assertEquals(other, table.lookup(h.dev, HOST_IP).mac());
        h.sent();
    }
}
