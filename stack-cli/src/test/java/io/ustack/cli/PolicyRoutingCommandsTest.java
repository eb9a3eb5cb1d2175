package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.cli.testing.ServedStackTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ustack rule and route's tables, error routes and multipath routes, as ip rule and ip route print them. */
class PolicyRoutingCommandsTest extends ServedStackTest {
    @BeforeEach
    void addDevice() {
        h.addDevice("eth1", 0x02_00_00_00_01_02L, 1280, "10.0.1.1/24");
    }

    @Test
    void rulesAndTablesAsIpShowsThem() {
        assertEquals(0, cli.run("rule"));
        assertEquals("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
                cli.out());
        assertEquals(0, cli.run("route", "add", "default", "via", "10.0.1.9", "table", "100"));
        assertEquals(0, cli.run("rule", "add", "from", "10.5.0.0/16", "lookup", "100"));
        assertEquals(0, cli.run("rule", "add", "fwmark", "0x7/0xff", "iif", "eth0", "priority", "100", "table", "100"));
        assertEquals(0, cli.run("rule", "add", "from", "10.6.0.0/16", "prohibit"));
        assertEquals(0, cli.run("rule", "list"));
        assertEquals("""
                0:\tfrom all lookup local
                99:\tfrom 10.6.0.0/16 prohibit
                100:\tfrom all fwmark 0x7/0xff iif eth0 lookup 100
                32765:\tfrom 10.5.0.0/16 lookup 100
                32766:\tfrom all lookup main
                32767:\tfrom all lookup default
                """, cli.out(), "without a priority a rule goes just above the second rule, as fib_default_rule_pref puts it");
        assertEquals(0, cli.run("route", "list", "table", "100"));
        assertEquals("default via 10.0.1.9 dev eth1 table 100 src 10.0.1.1\n", cli.out());
        assertEquals(0, cli.run("route", "add", "blackhole", "172.16.0.0/12"));
        assertEquals(0, cli.run("route", "add", "198.51.100.0/24", "nexthop", "via", "10.0.0.1",
                "nexthop", "via", "10.0.1.9", "weight", "3"));
        assertEquals(0, cli.run("route", "list", "table", "all"));
        assertEquals("""
                default via 10.0.1.9 dev eth1 table 100 src 10.0.1.1
                10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
                10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1
                blackhole 172.16.0.0/12
                198.51.100.0/24
                \tnexthop via 10.0.0.1 dev eth0 weight 1
                \tnexthop via 10.0.1.9 dev eth1 weight 3
                """, cli.out());
        assertEquals(0, cli.run("rule", "del", "from", "10.5.0.0/16", "lookup", "100"));
        assertEquals(0, cli.run("route", "del", "default", "table", "100"));
        assertEquals(0, cli.run("rule", "--json"));
        assertEquals(5, json().size());
        assertEquals("", cli.err());
    }

    @Test
    void mistakesAreUsageErrorsOrTheDaemonsSentence() {
        assertEquals(2, cli.run("rule", "add", "from", "10.5.0.0/16"));
        assertEquals("ustack: rule add 'from 10.5.0.0/16': a rule needs 'lookup TABLE' or blackhole, unreachable "
                + "or prohibit\n", cli.err());
        assertEquals(2, cli.run("rule", "add", "from", "10.5.0.0/16", "lookup", "nosuch"));
        assertEquals("ustack: rule add 'from 10.5.0.0/16 lookup nosuch': 'nosuch' is not a table: main, default, local "
                + "or a number from 1 to 4294967295\n", cli.err());
        assertEquals(1, cli.run("rule", "del", "from", "10.5.0.0/16", "lookup", "100"));
        assertEquals("ustack: there is no rule '32765:\tfrom 10.5.0.0/16 lookup 100'\n", cli.err());
        assertEquals(2, cli.run("route", "list", "table", "x"));
        assertEquals(2, cli.run("route", "add", "198.51.100.0/24", "nexthop", "via", "10.0.0.1"));
        assertEquals("ustack: route add '198.51.100.0/24 nexthop via 10.0.0.1': a multipath route needs two nexthops "
                + "or more\n", cli.err());
        assertEquals(1, cli.run("route", "del", "default", "table", "100"));
        assertEquals("ustack: there is no route for default in table 100\n", cli.err());
    }
}
