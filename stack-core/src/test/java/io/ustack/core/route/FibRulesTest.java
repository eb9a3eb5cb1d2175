package io.ustack.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.LoopbackDevice;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NullDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policy routing (fib_rules, `ip rule`), several tables, error routes, and multipath routes. */
class FibRulesTest {
    private final NetDevice lo = new LoopbackDevice();
    private final NetDevice eth0 = new NullDevice("eth0", 0x0200_0000_0001L, 1500);
    private final NetDevice eth1 = new NullDevice("eth1", 0x0200_0000_0002L, 1500);
    private final Fib fib = new Fib(lo, (type, dev, gw, src) -> new DstEntry(type, dev, gw, src, p -> { }, p -> { }));

    private static int a(String s) {
        return Ipv4Address.parse(s);
    }

    private static FibRule lookup(int prio, String from, int mark, String iif, int table) {
        return new FibRule(prio, from == null ? null : Ipv4Prefix.parse(from), null, mark, mark == 0 ? 0 : -1, iif, null,
                FibRule.Action.LOOKUP, table);
    }

    @BeforeEach
    void twoUplinks() {
        fib.addAddress(eth0, Ipv4Prefix.parse("10.1.0.2/24"));
        fib.addAddress(eth1, Ipv4Prefix.parse("10.2.0.2/24"));
        fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.1.0.1"), null);
        fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.2.0.1"), null, 100);
    }

    @Test
    void linuxsThreeRulesComeFirstAndPrintAsIpRulePrintsThem() {
        Fib fresh = new Fib(lo, (type, dev, gw, src) -> new DstEntry(type, dev, gw, src, p -> { }, p -> { }));
        assertEquals(List.of("0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default"),
                fresh.rules().stream().map(FibRule::toString).toList());
        assertEquals(List.of(253, 254, 255), fresh.tableIds());
    }

    @Test
    void aSourceRuleSteersItsSourceToItsTableAndOthersKeepMain() {
        fib.addRule(lookup(100, "10.9.0.0/24", 0, null, 100));
        assertEquals(a("10.2.0.1"), fib.inputRoute(a("8.8.8.8"), a("10.9.0.7"), 0, eth0).gateway());
        assertEquals(a("10.1.0.1"), fib.inputRoute(a("8.8.8.8"), a("10.8.0.7"), 0, eth0).gateway());
        assertEquals(a("10.1.0.1"), fib.outputRoute(a("8.8.8.8"), 0, 0).gateway(), "this host's own: main");
        assertEquals("100:\tfrom 10.9.0.0/24 lookup 100", fib.rules().get(1).toString());
        fib.removeRule(lookup(100, "10.9.0.0/24", 0, null, 100));
        assertEquals(a("10.1.0.1"), fib.inputRoute(a("8.8.8.8"), a("10.9.0.7"), 0, eth0).gateway());
        assertEquals("there is no rule '100:\tfrom 10.9.0.0/24 lookup 100'", assertThrows(IllegalArgumentException.class,
                () -> fib.removeRule(lookup(100, "10.9.0.0/24", 0, null, 100))).getMessage());
    }

    @Test
    void marksAndInterfacesSelectToo() {
        fib.addRule(lookup(200, null, 0x7, null, 100));
        fib.addRule(lookup(300, null, 0, "eth1", 100));
        assertEquals(a("10.2.0.1"), fib.outputRoute(a("8.8.8.8"), 0, 0x7).gateway(), "fwmark 0x7: what MARK set");
        assertEquals(a("10.1.0.1"), fib.outputRoute(a("8.8.8.8"), 0, 0x6).gateway());
        assertEquals(a("10.2.0.1"), fib.inputRoute(a("8.8.8.8"), a("10.8.0.7"), 0, eth1).gateway(), "iif eth1");
        assertEquals(a("10.1.0.1"), fib.inputRoute(a("8.8.8.8"), a("10.8.0.7"), 0, eth0).gateway());
        fib.addRule(lookup(50, null, 0, "lo", 100));
        assertEquals(a("10.2.0.1"), fib.outputRoute(a("8.8.8.8"), 0, 0).gateway(), "iif lo: this host's own packets");
    }

    @Test
    void aTableWithoutARouteForTheDestinationSendsTheLookupOn() {
        fib.addRoute(Ipv4Prefix.parse("192.168.5.0/24"), a("10.2.0.1"), null, 200);
        fib.addRule(lookup(100, null, 0, null, 200));
        assertEquals(a("10.2.0.1"), fib.outputRoute(a("192.168.5.9"), 0, 0).gateway());
        assertEquals(a("10.1.0.1"), fib.outputRoute(a("192.168.6.9"), 0, 0).gateway(), "table 200 has none: main");
        assertEquals(DstEntry.Type.LOCAL, fib.outputRoute(a("10.1.0.2"), 0, 0).type(), "rule 0 still finds our own first");
    }

    @Test
    void errorRulesAndErrorRoutesEndTheLookup() {
        fib.addRule(new FibRule(10, Ipv4Prefix.parse("10.66.0.0/16"), null, 0, 0, null, null, FibRule.Action.PROHIBIT, 0));
        assertEquals(DstEntry.Type.PROHIBIT, fib.inputRoute(a("8.8.8.8"), a("10.66.1.1"), 0, eth0).type());
        assertEquals("10:\tfrom 10.66.0.0/16 prohibit", fib.rules().get(1).toString());
        fib.addErrorRoute(Ipv4Prefix.parse("172.16.0.0/12"), DstEntry.Type.BLACKHOLE, Fib.TABLE_MAIN);
        fib.addErrorRoute(Ipv4Prefix.parse("172.31.0.0/16"), DstEntry.Type.UNREACHABLE, Fib.TABLE_MAIN);
        assertEquals(DstEntry.Type.BLACKHOLE, fib.outputRoute(a("172.16.1.1"), 0, 0).type());
        assertEquals(DstEntry.Type.UNREACHABLE, fib.outputRoute(a("172.31.1.1"), 0, 0).type(), "the longer prefix");
        assertTrue(fib.routes(Fib.TABLE_MAIN).stream().map(Route::toString).toList().contains("blackhole 172.16.0.0/12"));
    }

    @Test
    void aMultipathRouteKeepsEachFlowOnOnePathAndSpreadsFlowsByWeight() {
        Route r = fib.addMultipathRoute(Ipv4Prefix.parse("198.51.100.0/24"),
                List.of(new Fib.Nexthop(a("10.1.0.1"), null, 1), new Fib.Nexthop(a("10.2.0.1"), null, 3)), Fib.TABLE_MAIN);
        assertEquals("198.51.100.0/24 nexthop via 10.1.0.1 dev eth0 weight 1 nexthop via 10.2.0.1 dev eth1 weight 3",
                r.toString());
        Map<Integer, Integer> perGateway = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            int src = a("10.9.0.0") + i;
            Route path = fib.outputRoute(a("198.51.100.7"), src, 0);
            assertSame(path, fib.outputRoute(a("198.51.100.7"), src, 0), "a flow keeps its path");
            perGateway.merge(path.gateway(), 1, Integer::sum);
        }
        int viaOne = perGateway.get(a("10.1.0.1"));
        assertTrue(viaOne > 800 && viaOne < 1200, "about a quarter by weight 1 of 4: " + perGateway);
        assertEquals("each nexthop of a multipath route needs 'via GATEWAY'", assertThrows(IllegalArgumentException.class,
                () -> fib.addMultipathRoute(Ipv4Prefix.parse("198.51.101.0/24"),
                        List.of(new Fib.Nexthop(0, eth0, 1), new Fib.Nexthop(a("10.2.0.1"), null, 1)), Fib.TABLE_MAIN)).getMessage());
    }

    @Test
    void routesLiveInTheirOwnTables() {
        assertEquals(List.of("default via 10.2.0.1 dev eth1 src 10.2.0.2"),
                fib.routes(100).stream().map(Route::toString).toList());
        assertEquals("there is a route for default in table 100 already; delete it first",
                assertThrows(IllegalArgumentException.class,
                        () -> fib.addRoute(Ipv4Prefix.parse("0.0.0.0/0"), a("10.2.0.1"), null, 100)).getMessage());
        assertEquals(a("10.2.0.1"), fib.removeRoute(Ipv4Prefix.parse("0.0.0.0/0"), 100).gateway());
        assertNull(fib.removeRoute(Ipv4Prefix.parse("0.0.0.0/0"), 100));
        assertEquals(List.of(100, 253, 254, 255), fib.tableIds());
        assertThrows(IllegalArgumentException.class,
                () -> fib.addRoute(Ipv4Prefix.parse("10.5.0.0/16"), a("10.2.0.1"), null, Fib.TABLE_LOCAL));
    }
}
