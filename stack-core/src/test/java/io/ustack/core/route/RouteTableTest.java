package io.ustack.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NullDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final NetDevice eth0 = new NullDevice("eth0", 0x0200_0000_0001L, 1500);
    private final NetDevice eth1 = new NullDevice("eth1", 0x0200_0000_0001L, 1500);
    private final RouteTable table = new RouteTable();

    private static int a(String s) {
        return Ipv4Address.parse(s);
    }

    private Route route(String prefix, NetDevice dev) {
        return new Route(Ipv4Prefix.parse(prefix), 0, dev, 0, DstEntry.Type.UNICAST,
                Route.Origin.STATIC, null);
    }

    @Test
    void emptyTableFindsNothing() {
        assertNull(table.lookup(a("10.0.0.1")));
        assertEquals(List.of(), table.routes());
        assertNull(table.remove(a("10.0.0.0"), 8));
    }

    @Test
    void longestPrefixWins() {
        Route all = route("0.0.0.0/0", eth0);
        Route r8 = route("10.0.0.0/8", eth0);
        Route r16 = route("10.1.0.0/16", eth0);
        Route r24 = route("10.1.2.0/24", eth1);
        Route r32 = route("10.1.2.3/32", eth1);
        // added in an order that is neither longest- nor shortest-first
        table.add(r16);
        table.add(r32);
        table.add(all);
        table.add(r24);
        table.add(r8);

        assertSame(r32, table.lookup(a("10.1.2.3")));
        assertSame(r24, table.lookup(a("10.1.2.4")));
        assertSame(r24, table.lookup(a("10.1.2.0")));
        assertSame(r24, table.lookup(a("10.1.2.255")));
        assertSame(r16, table.lookup(a("10.1.3.3")));
        assertSame(r16, table.lookup(a("10.1.255.255")));
        assertSame(r8, table.lookup(a("10.2.2.3")));
        assertSame(r8, table.lookup(a("10.255.255.255")));
        assertSame(all, table.lookup(a("11.1.2.3")));
        assertSame(all, table.lookup(a("9.255.255.255")));
        assertSame(all, table.lookup(a("255.255.255.255")));
        assertSame(all, table.lookup(0));
    }

    @Test
    void withoutADefaultRouteOtherAddressesFindNothing() {
        Route r8 = route("10.0.0.0/8", eth0);
        table.add(r8);
        assertSame(r8, table.lookup(a("10.9.9.9")));
        assertNull(table.lookup(a("192.168.1.1")));
        assertNull(table.lookup(a("11.0.0.0")));
    }

    @Test
    void removalFallsBackToTheNextLongest() {
        Route all = route("0.0.0.0/0", eth0);
        Route r16 = route("10.1.0.0/16", eth0);
        Route r24 = route("10.1.2.0/24", eth1);
        table.add(all);
        table.add(r16);
        table.add(r24);
        assertNull(table.remove(a("10.1.2.0"), 23), "no route of that exact length");
        assertNull(table.remove(a("10.1.3.0"), 24), "no route for that exact network");
        assertSame(r24, table.lookup(a("10.1.2.9")));
        assertSame(r24, table.remove(a("10.1.2.0"), 24));
        assertSame(r16, table.lookup(a("10.1.2.9")));
        assertSame(r16, table.remove(a("10.1.0.0"), 16));
        assertSame(all, table.lookup(a("10.1.2.9")));
        assertSame(all, table.remove(0, 0));
        assertNull(table.lookup(a("10.1.2.9")));
        assertEquals(List.of(), table.routes());
    }

    @Test
    void hostRoutes() {
        Route h1 = route("192.168.1.1/32", eth0);
        Route h2 = route("192.168.1.2", eth1);
        table.add(h1);
        table.add(h2);
        assertSame(h1, table.lookup(a("192.168.1.1")));
        assertSame(h2, table.lookup(a("192.168.1.2")));
        assertNull(table.lookup(a("192.168.1.3")));
        assertNull(table.lookup(a("192.168.1.0")));
    }

    @Test
    void prefixWithHostBitsIsKeyedByItsNetwork() {
        Route r = route("10.1.2.77/24", eth0);
        table.add(r);
        assertSame(r, table.lookup(a("10.1.2.5")));
        assertSame(r, table.remove(a("10.1.2.0"), 24));
    }

    @Test
    void addingTheSamePrefixReplaces() {
        Route first = route("10.0.0.0/8", eth0);
        Route second = route("10.0.0.0/8", eth1);
        table.add(first);
        table.add(second);
        assertSame(second, table.lookup(a("10.1.1.1")));
        assertEquals(List.of(second), table.routes());
    }

    @Test
    void routesAreListedMostSpecificFirstThenByNetwork() {
        Route all = route("0.0.0.0/0", eth0);
        Route high = route("200.0.0.0/8", eth0); // sorts after 10/8 unsigned, before it signed
        Route low = route("10.0.0.0/8", eth0);
        Route r24 = route("192.168.0.0/24", eth1);
        Route r32 = route("10.1.1.1/32", eth1);
        for (Route r : new Route[] {all, high, low, r24, r32}) {
            table.add(r);
        }
        assertEquals(List.of(r32, r24, low, high, all), table.routes());
    }

    @Test
    void removeDevice() {
        Route r1 = route("10.0.0.0/8", eth0);
        Route r2 = route("10.1.0.0/16", eth1);
        Route r3 = route("0.0.0.0/0", eth1);
        table.add(r1);
        table.add(r2);
        table.add(r3);
        table.removeDevice("eth1");
        assertEquals(List.of(r1), table.routes());
        assertSame(r1, table.lookup(a("10.1.1.1")));
        assertNull(table.lookup(a("8.8.8.8")));
    }

    @Test
    void agreesWithALinearScanOnRandomTables() {
        Random rnd = new Random(4);
        for (int round = 0; round < 20; round++) {
            RouteTable t = new RouteTable();
            List<Route> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int len = rnd.nextInt(33);
                // cluster the networks so that prefixes overlap often
                int addr = (rnd.nextInt(4) << 24) | (rnd.nextInt(4) << 16) | rnd.nextInt(1 << 16);
                Route r = new Route(new Ipv4Prefix(addr, len), 0, eth0, 0, DstEntry.Type.UNICAST,
                        Route.Origin.STATIC, null);
                all.removeIf(x -> x.prefix().network() == r.prefix().network()
                        && x.prefix().prefixLen() == r.prefix().prefixLen());
                all.add(r);
                t.add(r);
            }
            for (int i = 0; i < 2000; i++) {
                int d = (rnd.nextInt(5) << 24) | (rnd.nextInt(5) << 16) | rnd.nextInt(1 << 16);
                Route best = null;
                for (Route r : all) {
                    if (r.prefix().contains(d) && (best == null || r.prefix().prefixLen() > best.prefix().prefixLen())) {
                        best = r;
                    }
                }
                assertSame(best, t.lookup(d), Ipv4Address.format(d));
            }
        }
    }
}
