package io.ustack.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.NetDevice;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;
import org.junit.jupiter.api.Test;

/** unregister_netdevice: a device goes with its addresses, routes and neighbours; the others stay as they were. */
class RemoveDeviceTest {
    @Test
    void aDeviceGoesWithWhatWasItsAndTheOtherStays() {
        try (StackHarness h = new StackHarness()) {
            h.hostArps(); // a neighbour on eth0
            FakeDevice eth1 = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.1.0.2/24");
            h.stack.addAddress(eth1, Ipv4Prefix.parse("10.1.0.3/24"));
            h.stack.addAddress(eth1, Ipv6Prefix.parse("fd00:1::2/64"));
            h.stack.addRoute(Ipv4Prefix.parse("10.9.0.0/16"), Frames.ip("10.1.0.1"), null);
            h.stack.addRoute(Ipv4Prefix.parse("10.8.0.0/16"), 0, eth1);
            eth1.inject(Frames.eth(-1L >>> 16, 0x02_00_00_00_01_01L, Frames.ETH_P_ARP,
                    Frames.arp(1, 0x02_00_00_00_01_01L, Frames.ip("10.1.0.1"), 0, Frames.ip("10.1.0.2"))));
            eth1.drain();
            var eth0Route = h.stack.fib().lookup(StackHarness.HOST_IP);

            h.stack.removeDevice(eth1);

            assertNull(h.stack.device("eth1"));
            assertTrue(h.stack.fib().addresses().stream().noneMatch(a -> a.dev() == eth1));
            assertTrue(h.stack.fib6().addresses(eth1).isEmpty());
            assertTrue(h.stack.fib().mainRoutes().stream().noneMatch(r -> r.dev() == eth1), "static routes out of it too");
            assertTrue(h.stack.neighbours().entries().stream().noneMatch(n -> n.dev() == eth1));
            assertEquals(1, h.stack.neighbours().entries().stream().filter(n -> n.dev() == h.dev).count(),
                    "eth0's neighbour stays");
            assertSame(eth0Route, h.stack.fib().lookup(StackHarness.HOST_IP), "eth0's routes stay as they were");
            assertEquals(false, eth1.isUp());
            NetDevice lo = h.stack.loopback();
            assertThrows(IllegalArgumentException.class, () -> h.stack.removeDevice(lo));
        }
    }
}
