package io.ustack.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.LoopbackDevice;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NullDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

class FibTest {
    private final NetDevice lo = new LoopbackDevice();
    private final NetDevice eth0 = new NullDevice("eth0", 0x0200_0000_0001L, 1500);
    private final NetDevice eth1 = new NullDevice("eth1", 0x0200_0000_0001L, 1500);
    private final Fib fib = new Fib(lo, (type, dev, gw, src) -> new DstEntry(type, dev, gw, src, p -> { }, p -> { }));

    private static int a(String s) {
        return Ipv4Address.parse(s);
    }

    private static List<String> strings(List<Route> routes) {
        return routes.stream().map(Route::toString).toList();
    }

    @Test
    void removeAddressTakesItsRoutesAndThoseSendingFromItAndTellsTheListeners() {
        List<String> heard = new java.util.ArrayList<>();
        fib.onAddressRemoved((dev, addr) -> heard.add(dev.name() + " " + Ipv4Address.format(addr)));
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addAddress(eth1, Ipv4Prefix.parse("10.78.0.2/24"));
        fib.addAddress(eth1, Ipv4Prefix.parse("10.79.0.2/24"));
        fib.addRoute(Ipv4Prefix.parse("10.9.0.0/16"), a("10.78.0.1"), null);
        fib.removeAddress(eth1, Ipv4Prefix.parse("10.78.0.2/24"));
        assertEquals(List.of("local 10.77.0.2/32 dev lo proto kernel src 10.77.0.2",
                "broadcast 10.77.0.255/32 dev eth0 proto kernel src 10.77.0.2",
                "local 10.79.0.2/32 dev lo proto kernel src 10.79.0.2",
                "broadcast 10.79.0.255/32 dev eth1 proto kernel src 10.79.0.2"), strings(fib.localRoutes()));
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.2",
                "10.79.0.0/24 dev eth1 proto kernel src 10.79.0.2"), strings(fib.mainRoutes()),
                "the static route sent from the removed address: it went too");
        assertEquals(a("10.79.0.2"), fib.inputRoute(Ipv4Address.BROADCAST, eth1).prefsrc(),
                "the limited broadcast sends from the address that remains");
        assertEquals(List.of("eth1 10.78.0.2"), heard);
        assertEquals("eth1 has no address 10.78.0.2/24", assertThrows(IllegalArgumentException.class,
                () -> fib.removeAddress(eth1, Ipv4Prefix.parse("10.78.0.2/24"))).getMessage());
        assertEquals("eth1 has no address 10.79.0.2/16", assertThrows(IllegalArgumentException.class,
                () -> fib.removeAddress(eth1, Ipv4Prefix.parse("10.79.0.2/16"))).getMessage(), "the prefix length must match");
    }

    @Test
    void removingOneOfTwoAddressesOnANetworkKeepsTheNetworkThroughTheOther() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.3/24"));
        fib.removeAddress(eth0, Ipv4Prefix.parse("10.77.0.3/24"));
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.2"), strings(fib.mainRoutes()));
        assertEquals(List.of("local 10.77.0.2/32 dev lo proto kernel src 10.77.0.2",
                "broadcast 10.77.0.255/32 dev eth0 proto kernel src 10.77.0.2"), strings(fib.localRoutes()));
    }

    @Test
    void aSecondAddressOnANetworkLeavesItsRoutesToTheFirstUntilTheFirstGoes() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.3/24"));
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.2"), strings(fib.mainRoutes()));
        assertTrue(fib.isLocal(a("10.77.0.3")));
        fib.removeAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.3"), strings(fib.mainRoutes()));
        assertEquals(List.of("local 10.77.0.3/32 dev lo proto kernel src 10.77.0.3",
                "broadcast 10.77.0.255/32 dev eth0 proto kernel src 10.77.0.3"), strings(fib.localRoutes()));
    }

    @Test
    void addAddressMakesLocalBroadcastAndConnectedRoutes() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        assertEquals(List.of("local 10.77.0.2/32 dev lo proto kernel src 10.77.0.2",
                "broadcast 10.77.0.255/32 dev eth0 proto kernel src 10.77.0.2"), strings(fib.localRoutes()));
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.2"), strings(fib.mainRoutes()));

        Route local = fib.lookup(a("10.77.0.2"));
        assertEquals(DstEntry.Type.LOCAL, local.type());
        assertSame(lo, local.dev());
        assertSame(lo, local.dst().dev());
        assertEquals(DstEntry.Type.LOCAL, local.dst().type());
        assertEquals(a("10.77.0.2"), local.dst().prefsrc());

        Route bcast = fib.lookup(a("10.77.0.255"));
        assertEquals(DstEntry.Type.BROADCAST, bcast.type());
        assertSame(eth0, bcast.dev());

        Route connected = fib.lookup(a("10.77.0.9"));
        assertEquals(DstEntry.Type.UNICAST, connected.type());
        assertEquals(Route.Origin.KERNEL, connected.origin());
        assertSame(eth0, connected.dst().dev());
        assertEquals(0, connected.dst().gateway());
        assertEquals(a("10.77.0.9"), connected.dst().nexthop(a("10.77.0.9")), "on the link: ARP for the destination");
        assertEquals(a("10.77.0.2"), connected.dst().prefsrc());
        assertEquals(1500, connected.dst().mtu());

        assertNull(fib.lookup(a("8.8.8.8")));
        assertEquals(1, fib.addresses().size());
        assertEquals(new InterfaceAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24")), fib.primaryAddress(eth0));
        assertNull(fib.primaryAddress(eth1));
    }

    @Test
    void pointToPointAndHostAddressesHaveNoBroadcastRoute() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.0.0.0/31"));
        fib.addAddress(eth1, Ipv4Prefix.parse("192.0.2.7/32"));
        assertEquals(List.of("local 10.0.0.0/32 dev lo proto kernel src 10.0.0.0",
                "local 192.0.2.7/32 dev lo proto kernel src 192.0.2.7"), strings(fib.localRoutes()));
        assertEquals(DstEntry.Type.UNICAST, fib.lookup(a("10.0.0.1")).type(), "the peer of a /31 is unicast");
        assertTrue(fib.isLocal(a("10.0.0.0")));
        assertEquals(List.of("10.0.0.0/31 dev eth0 proto kernel src 10.0.0.0"), strings(fib.mainRoutes()),
                "a /32 has no connected network, so no prefix route");
    }

    @Test
    void loopbackAddressMakesTheWholeNetworkLocal() {
        fib.addAddress(lo, Ipv4Prefix.parse("127.0.0.1/8"));
        assertEquals(List.of("local 127.0.0.0/8 dev lo proto kernel src 127.0.0.1"), strings(fib.localRoutes()));
        assertEquals(List.of(), fib.mainRoutes());
        assertTrue(fib.isLocal(a("127.0.0.1")));
        assertTrue(fib.isLocal(a("127.5.6.7")));
        assertFalse(fib.isLocal(a("128.0.0.1")));
        assertNull(fib.inputRoute(Ipv4Address.BROADCAST, lo));
    }

    @Test
    void isLocal() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addAddress(eth1, Ipv4Prefix.parse("192.168.5.1/16"));
        assertTrue(fib.isLocal(a("10.77.0.2")));
        assertTrue(fib.isLocal(a("192.168.5.1")));
        assertFalse(fib.isLocal(a("10.77.0.3")));
        assertFalse(fib.isLocal(a("10.77.0.255")), "a broadcast address is not local");
        assertFalse(fib.isLocal(a("192.168.255.255")));
        assertFalse(fib.isLocal(a("8.8.8.8")));
        assertFalse(fib.isLocal(Ipv4Address.BROADCAST));
    }

    @Test
    void theSameAddressTwiceIsRefused() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fib.addAddress(eth1, Ipv4Prefix.parse("10.77.0.2/16")));
        assertEquals("10.77.0.2/24 is already on eth0", e.getMessage());
        assertEquals(1, fib.addresses().size());
    }

    @Test
    void defaultRouteViaAGatewayOnAConnectedNetwork() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        Route def = fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.77.0.1"), null);
        assertSame(eth0, def.dev(), "the device comes from the connected route");
        assertEquals(a("10.77.0.1"), def.gateway());
        assertEquals(a("10.77.0.2"), def.prefsrc());
        assertEquals(Route.Origin.STATIC, def.origin());
        assertEquals("default via 10.77.0.1 dev eth0 src 10.77.0.2", def.toString());

        Route r = fib.lookup(a("8.8.8.8"));
        assertSame(def, r);
        assertEquals(a("10.77.0.1"), r.dst().gateway());
        assertEquals(a("10.77.0.1"), r.dst().nexthop(a("8.8.8.8")), "ARP for the gateway");
        assertSame(eth0, r.dst().dev());
        // the connected network is still more specific than the default
        assertEquals(0, fib.lookup(a("10.77.0.9")).gateway());
        assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel src 10.77.0.2",
                "default via 10.77.0.1 dev eth0 src 10.77.0.2"), strings(fib.mainRoutes()));
    }

    @Test
    void routeWithHostBitsIsStoredByItsNetwork() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        Route r = fib.addRoute(Ipv4Prefix.parse("172.16.9.9/12"), a("10.77.0.1"), eth0);
        assertEquals(Ipv4Prefix.parse("172.16.0.0/12"), r.prefix());
        assertSame(r, fib.lookup(a("172.31.255.1")));
        assertSame(r, fib.removeRoute(Ipv4Prefix.parse("172.16.0.0/12")));
        assertNull(fib.lookup(a("172.31.255.1")));
        assertNull(fib.removeRoute(Ipv4Prefix.parse("172.16.0.0/12")));
    }

    @Test
    void gatewayNotOnAConnectedNetworkIsRefusedWithASentence() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addAddress(eth1, Ipv4Prefix.parse("10.88.0.2/24"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("192.168.5.1"), null));
        assertEquals("gateway 192.168.5.1 is not on a connected network", e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.77.0.1"), eth1));
        assertEquals("gateway 10.77.0.1 is not on a connected network of eth1", e.getMessage());

        // reachable only through another gateway is not "connected" either
        fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.77.0.1"), null);
        e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("172.16.0.0/12"), a("8.8.8.8"), null));
        assertEquals("gateway 8.8.8.8 is not on a connected network", e.getMessage());
        assertEquals(3, fib.mainRoutes().size());
    }

    @Test
    void aSecondRouteForTheSamePrefixIsRefused() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.77.0.1"), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.77.0.9"), null));
        assertEquals("there is a route for default already; delete it first", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("10.77.0.0/24"), 0, eth0));
        assertEquals("there is a route for 10.77.0.0/24 already; delete it first", e.getMessage());
        assertEquals(a("10.77.0.1"), fib.lookup(a("8.8.8.8")).gateway(), "the first route stays");
    }

    @Test
    void directRouteOutADevice() {
        fib.addAddress(eth1, Ipv4Prefix.parse("10.88.0.2/24"));
        Route r = fib.addRoute(Ipv4Prefix.parse("192.168.50.0/24"), 0, eth1);
        assertEquals("192.168.50.0/24 dev eth1 src 10.88.0.2", r.toString());
        assertEquals(a("192.168.50.7"), fib.lookup(a("192.168.50.7")).dst().nexthop(a("192.168.50.7")));
        // and a gateway inside it now counts as connected
        Route via = fib.addRoute(Ipv4Prefix.parse("172.16.0.0/12"), a("192.168.50.1"), null);
        assertSame(eth1, via.dev());
    }

    @Test
    void routeWithoutGatewayOrDeviceOrAddressIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("10.0.0.0/8"), 0, null));
        assertEquals("a route needs a gateway or a device", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("10.0.0.0/8"), 0, eth1));
        assertEquals("eth1 has no IPv4 address to send from", e.getMessage());
        assertEquals(List.of(), fib.mainRoutes());
    }

    @Test
    void inputRouteForTheLimitedBroadcast() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        DstEntry d = fib.inputRoute(Ipv4Address.BROADCAST, eth0);
        assertNotNull(d);
        assertEquals(DstEntry.Type.BROADCAST, d.type());
        assertSame(eth0, d.dev());
        assertEquals(a("10.77.0.2"), d.prefsrc());
        assertNull(fib.inputRoute(Ipv4Address.BROADCAST, eth1), "no address on eth1");
        // a second address keeps the first one's entry
        fib.addAddress(eth0, Ipv4Prefix.parse("10.99.0.2/24"));
        assertSame(d, fib.inputRoute(Ipv4Address.BROADCAST, eth0));
        fib.addAddress(eth1, Ipv4Prefix.parse("10.88.0.2/24"));
        assertSame(eth1, fib.inputRoute(Ipv4Address.BROADCAST, eth1).dev());
    }

    @Test
    void inputRouteFollowsTheTables() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.77.0.2/24"));
        assertEquals(DstEntry.Type.LOCAL, fib.inputRoute(a("10.77.0.2"), eth0).type());
        assertEquals(DstEntry.Type.BROADCAST, fib.inputRoute(a("10.77.0.255"), eth0).type());
        assertEquals(DstEntry.Type.UNICAST, fib.inputRoute(a("10.77.0.3"), eth0).type());
        assertNull(fib.inputRoute(a("8.8.8.8"), eth0));
        assertSame(fib.lookup(a("10.77.0.3")).dst(), fib.inputRoute(a("10.77.0.3"), eth0),
                "entries are shared by every packet on the route");
    }
}
