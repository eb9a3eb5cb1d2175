package io.ustack.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import org.junit.jupiter.api.Test;

class Ipv6FibTest {
    private final FakeDevice lo = new FakeDevice("lo", 0);
    private final FakeDevice a = new FakeDevice("a", 0x02_00_00_00_00_0aL);
    private final FakeDevice b = new FakeDevice("b", 0x02_00_00_00_00_0bL);
    private final Ipv6Fib fib = new Ipv6Fib(lo, (type, dev, gw) -> new DstEntry(type, dev, gw, p -> { }, p -> { }));

    private static Ipv6Address ip(String s) {
        return Ipv6Address.parse(s);
    }

    private void setUp() {
        fib.addAddress(a, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(a.mac()), 64));
        fib.addAddress(b, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(b.mac()), 64));
        fib.addAddress(a, Ipv6Prefix.parse("fd00:a::1/64"));
        fib.addAddress(b, Ipv6Prefix.parse("fd00:b::1/64"));
        fib.addAddress(b, Ipv6Prefix.parse("fd00::1/16"));
    }

    @Test
    void longestPrefixWins() {
        setUp();
        assertSame(b, fib.lookup(ip("fd00:b::9"), null).dev());
        assertEquals(64, fib.lookup(ip("fd00:a::9"), null).prefix().prefixLen());
        assertEquals(16, fib.lookup(ip("fd00:c::9"), null).prefix().prefixLen());
        assertNull(fib.lookup(ip("2001:db8::1"), null));
        assertEquals(16, fib.lookup(ip("fd00:a::9"), b).prefix().prefixLen(), "restricted to b, the /16 is all that covers it");
        assertEquals(5, fib.routes().size(), "fe80::/64 on each, fd00:a::/64, fd00:b::/64, fd00::/16");
    }

    @Test
    void linkLocalAddressesBelongToTheirLink() {
        setUp();
        Ipv6Address llA = Ipv6Address.linkLocalFromMac(a.mac());
        assertTrue(fib.isLocal(llA, a));
        assertFalse(fib.isLocal(llA, b));
        assertEquals(DstEntry.Type.LOCAL, fib.inputRoute(llA, a).type());
        assertEquals(DstEntry.Type.UNICAST, fib.inputRoute(llA, b).type(), "on b it is someone else's");
        assertNull(fib.outputRoute(ip("fe80::99"), null), "a link-local destination needs its interface");
        assertSame(b, fib.outputRoute(ip("fe80::99"), b).dev());
    }

    @Test
    void sourceSelection() {
        setUp();
        assertEquals(Ipv6Address.linkLocalFromMac(a.mac()), fib.chooseSource(ip("fe80::99"), a), "link-local for link-local");
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("fd00:a::99"), a));
        assertEquals(ip("fd00:b::1"), fib.chooseSource(ip("fd00:b::99"), b), "the longest prefix in common");
        assertEquals(ip("fd00::1"), fib.chooseSource(ip("fd00:7::99"), b));
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("2001:db8::1"), a), "the outgoing interface's own");
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("fd00:a::1"), null), "our own address is its own source");
    }

    @Test
    void groupsFollowTheAddresses() {
        setUp();
        assertTrue(fib.isMember(a, Ipv6Address.ALL_NODES));
        assertTrue(fib.isMember(a, ip("fd00:a::1").solicitedNode()));
        assertFalse(fib.isMember(b, Ipv6Address.linkLocalFromMac(a.mac()).solicitedNode()), "a group joined on a only");
        fib.addAddress(a, Ipv6Prefix.parse("fd00:a::2:1/64")); // another solicited-node group: ff02::1:ff02:1
        fib.removeAddress(a, Ipv6Prefix.parse("fd00:a::1/64"));
        assertFalse(fib.isMember(a, ip("fd00:a::1").solicitedNode()));
        assertTrue(fib.isMember(a, ip("fd00:a::2:1").solicitedNode()));
        assertSame(a, fib.lookup(ip("fd00:a::5"), null).dev(), "the route stays while an address is on the prefix");
        fib.removeAddress(a, Ipv6Prefix.parse("fd00:a::2:1/64"));
        assertEquals(16, fib.lookup(ip("fd00:a::5"), null).prefix().prefixLen());
    }

    @Test
    void duplicatesAreRefused() {
        setUp();
        assertThrows(IllegalArgumentException.class, () -> fib.addAddress(a, Ipv6Prefix.parse("fd00:b::1/64")));
        assertThrows(IllegalArgumentException.class, () -> fib.addAddress(a, Ipv6Prefix.parse("ff02::1/64")));
        // the same link-local address on another link is another address
        fib.addAddress(b, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(a.mac()), 64));
    }

    @Test
    void aGatewayRouteLeavesByTheLinkItsGatewayIsOn() {
        setUp();
        Ipv6Fib.Route6 r = fib.addRoute(Ipv6Prefix.parse("fd03::/64"), ip("fd00:b::9"), null);
        assertSame(b, r.dev(), "fd00:b::9 is on b's connected fd00:b::/64");
        DstEntry d = fib.outputRoute(ip("fd03::7"), null);
        assertSame(b, d.dev());
        assertEquals(ip("fd00:b::9"), d.gateway6());
        assertEquals(ip("fd00:b::9"), d.nexthop6(ip("fd03::7")), "ND resolves the gateway, not the destination");
        assertSame(d, fib.inputRoute(ip("fd03::7"), a), "a forwarded packet takes the same decision");
        assertEquals("fd03::/64 via fd00:b::9 dev b", r.toString());
        assertEquals(ip("fd00:b::1"), fib.chooseSource(ip("fd03::7"), d.dev()), "the source of the way out");
    }

    @Test
    void aDefaultRouteViaALinkLocalGatewayNeedsItsDevice() {
        setUp();
        assertEquals("a link-local gateway needs its device: via fe80::1 dev NAME", assertThrows(
                IllegalArgumentException.class, () -> fib.addRoute(Ipv6Prefix.parse("::/0"), ip("fe80::1"), null))
                .getMessage());
        Ipv6Fib.Route6 r = fib.addRoute(Ipv6Prefix.parse("::/0"), ip("fe80::1"), a);
        assertEquals("default via fe80::1 dev a", r.toString());
        assertSame(a, fib.outputRoute(ip("2001:db8::1"), null).dev());
        assertEquals(64, fib.lookup(ip("fd00:b::5"), null).prefix().prefixLen(), "a longer prefix still wins");
        assertNull(fib.outputRoute(ip("fe80::99"), null), "link-local destinations stay out of the default route");
    }

    @Test
    void aGatewayMustBeAUnicastNeighbourNotOurs() {
        setUp();
        Ipv6Prefix p = Ipv6Prefix.parse("fd03::/64");
        assertEquals("the gateway 2001:db8::1 is not on a connected network",
                assertThrows(IllegalArgumentException.class, () -> fib.addRoute(p, ip("2001:db8::1"), null)).getMessage());
        assertEquals("the gateway fd00:b::9 is not on a connected network of a",
                assertThrows(IllegalArgumentException.class, () -> fib.addRoute(p, ip("fd00:b::9"), a)).getMessage());
        assertEquals("the gateway fd00:a::1 is an address of this host",
                assertThrows(IllegalArgumentException.class, () -> fib.addRoute(p, ip("fd00:a::1"), null)).getMessage());
        assertEquals("the gateway ff02::1 is not a unicast address",
                assertThrows(IllegalArgumentException.class, () -> fib.addRoute(p, ip("ff02::1"), a)).getMessage());
        fib.addRoute(p, ip("fd00:a::9"), null);
        Ipv6Prefix withHostBits = Ipv6Prefix.parse("fd03::5/64");
        assertEquals("there is a route for fd03::/64 already; delete it first",
                assertThrows(IllegalArgumentException.class, () -> fib.addRoute(withHostBits, null, b)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> fib.addRoute(Ipv6Prefix.parse("fd04::/64"), ip("fd03::1"), null),
                "a gateway behind another gateway is no neighbour");
    }

    @Test
    void errorRoutesAndRemoval() {
        setUp();
        Ipv6Fib.Route6 hole = fib.addErrorRoute(Ipv6Prefix.parse("fd09::/64"), DstEntry.Type.BLACKHOLE);
        assertEquals("blackhole fd09::/64 dev lo", hole.toString());
        assertEquals(DstEntry.Type.BLACKHOLE, fib.inputRoute(ip("fd09::1"), a).type());
        fib.addErrorRoute(Ipv6Prefix.parse("fd0a::/64"), DstEntry.Type.PROHIBIT);
        assertEquals(DstEntry.Type.PROHIBIT, fib.outputRoute(ip("fd0a::1"), null).type());
        assertSame(hole, fib.removeRoute(Ipv6Prefix.parse("fd09::/64")));
        assertNull(fib.inputRoute(ip("fd09::1"), a));
        assertNull(fib.removeRoute(Ipv6Prefix.parse("fd09::/64")));
        fib.addRoute(Ipv6Prefix.parse("fd03::/64"), null, b);
        fib.removeRoutes(b);
        assertTrue(fib.routes().stream().noneMatch(r -> r.dev() == b), "a device's routes go with it");
    }

    @Test
    void theConnectedRouteWinsOverAStaticOneForTheSamePrefix() {
        setUp();
        fib.addRoute(Ipv6Prefix.parse("fd05::/64"), ip("fd00:a::9"), null);
        fib.addAddress(b, Ipv6Prefix.parse("fd05::1/64"));
        assertSame(b, fib.lookup(ip("fd05::7"), null).dev(), "metric 256 beats 1024");
        fib.removeAddress(b, Ipv6Prefix.parse("fd05::1/64"));
        assertSame(a, fib.lookup(ip("fd05::7"), null).dev(), "and the static route stays when it goes");
    }
}
