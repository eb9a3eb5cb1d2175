package io.ustack.core.stack;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.PacketTap;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packet taps on a device: both directions, in the order the stack handled them, stamped, and only while attached. */
class PacketTapTest {
    private record Seen(PacketTap.Direction dir, byte[] frame, long tstamp) {
    }

    /** A capture's tap: copies the frame from its Ethernet header, as the contract asks. */
    private static PacketTap recorder(List<Seen> seen) {
        return (pkt, dir) -> {
            int from = dir == PacketTap.Direction.IN ? pkt.macHeader() : pkt.data();
            byte[] b = new byte[pkt.tail() - from];
            pkt.copyOut(from, b, 0, b.length);
            seen.add(new Seen(dir, b, pkt.tstamp()));
        };
    }

    @Test
    void anEchoRequestAndItsReplyAreSeenInOrderAndTheRequestStamped() {
        try (StackHarness h = new StackHarness()) {
            h.stack.neighbours().update(h.dev, HOST_IP, HOST_MAC, true, true);
            List<Seen> seen = new ArrayList<>();
            h.dev.addPacketTap(recorder(seen));
            byte[] request = eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, 7, 0, icmpEcho(8, 1, 1, pattern(32))));
            h.clock.advanceMillis(5);
            h.dev.inject(request);
            List<byte[]> sent = h.sent();
            assertEquals(1, sent.size());
            assertEquals(2, seen.size(), "the request received and the reply sent");
            assertEquals(PacketTap.Direction.IN, seen.get(0).dir());
            assertArrayEquals(request, seen.get(0).frame());
            assertEquals(h.clock.nanos(), seen.get(0).tstamp(), "stamped by netif_receive_skb");
            assertEquals(PacketTap.Direction.OUT, seen.get(1).dir());
            assertArrayEquals(sent.get(0), seen.get(1).frame(), "the reply as the driver got it");
        }
    }

    @Test
    void aTapSeesOnlyItsOwnDeviceAndNothingOnceRemoved() {
        try (StackHarness h = new StackHarness()) {
            FakeDevice other = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.1.0.2/24");
            List<Seen> seen = new ArrayList<>();
            PacketTap tap = recorder(seen);
            other.addPacketTap(tap);
            assertTrue(other.nitActive());
            h.hostArps();
            assertEquals(0, seen.size(), "eth0's request and reply are not eth1's");
            other.removePacketTap(tap);
            assertFalse(other.nitActive());
            other.inject(eth(-1L >>> 16, 0x02_00_00_00_09_09L, 0x0806, arp(1, 0x02_00_00_00_09_09L, ip("10.1.0.9"), 0, ip("10.1.0.2"))));
            assertEquals(1, other.drain().size(), "answered");
            assertEquals(0, seen.size(), "and not seen by a removed tap");
        }
    }

    @Test
    void aFrameIsStampedOnlyWhileATapIsAttached() {
        try (StackHarness h = new StackHarness()) {
            h.stack.neighbours().update(h.dev, HOST_IP, HOST_MAC, true, true);
            List<Long> stamps = new ArrayList<>();
            h.stack.netfilter().register(Hook.PRE_ROUTING, 0, "stamps", (pkt, state) -> {
                stamps.add(pkt.tstamp());
                return Verdict.ACCEPT;
            });
            byte[] request = eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, 7, 0, icmpEcho(8, 1, 1, pattern(8))));
            h.dev.inject(request);
            PacketTap tap = (pkt, dir) -> { };
            h.dev.addPacketTap(tap);
            h.dev.inject(request);
            h.dev.removePacketTap(tap);
            h.dev.inject(request);
            assertEquals(List.of(0L, h.clock.nanos(), 0L), stamps, "net_timestamp_check only while needed");
            assertEquals(3, h.sent().size());
        }
    }

    @Test
    void aFrameTheDriverRefusesIsSeenOnceThoughSentTwice() {
        try (StackHarness h = new StackHarness()) {
            h.stack.neighbours().update(h.dev, HOST_IP, HOST_MAC, true, true);
            List<Seen> seen = new ArrayList<>();
            h.dev.addPacketTap(recorder(seen));
            h.dev.setBusy(true);
            h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, 7, 0, icmpEcho(8, 1, 1, pattern(8)))));
            h.dev.inject(eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, 8, 0, icmpEcho(8, 1, 2, pattern(8)))));
            assertEquals(1, h.dev.qdiscRequeues(), "the first reply was refused and requeued");
            h.dev.setBusy(false);
            List<byte[]> sent = h.sent();
            assertEquals(2, sent.size());
            List<Seen> out = seen.stream().filter(s -> s.dir() == PacketTap.Direction.OUT).toList();
            assertEquals(2, out.size(), "each reply once, though the first went to the driver twice");
            assertArrayEquals(sent.get(0), out.get(0).frame());
            assertArrayEquals(sent.get(1), out.get(1).frame());
        }
    }
}
