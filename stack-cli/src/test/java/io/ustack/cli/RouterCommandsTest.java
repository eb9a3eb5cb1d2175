package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import io.ustack.cli.testing.ServedStackTest;
import io.ustack.core.wire.Ipv6Prefix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ustack addr, route and neigh as a user meets them: text, --json, exit codes and sentences. */
class RouterCommandsTest extends ServedStackTest {
    @BeforeEach
    void addDevice() {
        h.addDevice("eth1", 0x02_00_00_00_01_02L, 1280, "10.0.1.1/24");
    }

    @Test
    void routeListsAddsAndDeletesLikeIpRoute() {
        assertEquals(0, cli.run("route"));
        assertEquals("""
                10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
                10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1
                """, cli.out());
        assertEquals(0, cli.run("route", "add", "10.9.0.0/16", "via", "10.0.1.9"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("route", "add", "default", "via", "10.0.0.1", "dev", "eth0"));
        assertEquals(0, cli.run("route", "add", "10.0.0.0/8", "dev", "eth1"));
        assertEquals(0, cli.run("route", "add", "192.168.7.0/24", "dev", "eth0"));
        assertEquals(0, cli.run("route", "list"));
        // as ip route lists them: default first, then by address, the longer prefix first for the same address
        assertEquals("""
                default via 10.0.0.1 dev eth0 src 10.0.0.2
                10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
                10.0.0.0/8 dev eth1 scope link src 10.0.1.1
                10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1
                10.9.0.0/16 via 10.0.1.9 dev eth1 src 10.0.1.1
                192.168.7.0/24 dev eth0 scope link src 10.0.0.2
                """, cli.out());
        assertEquals(0, cli.run("route", "del", "10.9.0.0/16"));
        assertEquals(0, cli.run("route", "del", "10.0.0.0/8"));
        assertEquals(0, cli.run("route", "del", "192.168.7.0/24"));
        assertEquals(0, cli.run("route", "--json"));
        assertEquals(3, json().size());
        assertEquals(0, cli.run("route", "list", "--json"));
        assertEquals("10.0.0.1", json().get(0).get("gateway").asText());
        assertEquals("link", json().get(1).get("scope").asText());
        assertEquals("", cli.err());
    }

    @Test
    void route6ListsAddsAndDeletesLikeIpDash6Route() {
        h.addIpv6();
        h.stack.addAddress(h.stack.device("eth1"), Ipv6Prefix.parse("fd00:78::1/64"));
        assertEquals(0, cli.run("route", "add", "fd00:99::/64", "via", "fd00:78::9"));
        assertEquals(0, cli.run("route", "add", "default", "via", "fe80::1", "dev", "eth0"));
        assertEquals(0, cli.run("route", "add", "blackhole", "fd00:bad::/48"));
        assertEquals(1, cli.run("route", "add", "fd00:98::/64", "via", "fe80::2"));
        assertEquals("ustack: a link-local gateway needs its device: via fe80::2 dev NAME\n", cli.err());
        assertEquals(0, cli.run("route", "-6"));
        // as ip -6 route lists them: by address, default last
        assertEquals("""
                fd00:77::/64 dev eth0 proto kernel
                fd00:78::/64 dev eth1 proto kernel
                fd00:99::/64 via fd00:78::9 dev eth1
                blackhole fd00:bad::/48 dev lo
                fe80::/64 dev eth0 proto kernel
                fe80::/64 dev eth1 proto kernel
                default via fe80::1 dev eth0
                """, cli.out());
        assertEquals(0, cli.run("route", "list", "-6", "--json"));
        assertEquals("fd00:78::9", json().get(2).get("gateway").asText());
        assertEquals("blackhole", json().get(3).get("type").asText());
        assertEquals(0, cli.run("route", "del", "fd00:99::/64"));
        assertEquals(1, cli.run("route", "del", "fd00:99::/64"));
        assertEquals("ustack: there is no IPv6 route for fd00:99::/64\n", cli.err());
        assertEquals(0, cli.run("route", "del", "-6", "default"));
        assertEquals(0, cli.run("route", "add", "-6", "unreachable", "default"), "with -6, default is ::/0");
        assertEquals(0, cli.run("route", "list", "-6", "--json"));
        assertEquals("unreachable", json().get(json().size() - 1).get("type").asText());
        assertEquals(0, cli.run("route"));
        assertFalse(cli.out().contains(":"), "the IPv4 list stays IPv4's: " + cli.out());
        assertEquals("", cli.err());
    }

    @Test
    void routeMistakesOnTheCommandLineAreUsageErrorsAndTheDaemonsAreExit1() {
        assertEquals(2, cli.run("route", "add", "10.9.0.0/16", "gw", "10.0.1.9"));
        assertEquals("ustack: route add '10.9.0.0/16 gw 10.0.1.9': 'gw' is not understood; a route reads "
                + "PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY\n", cli.err());
        assertEquals(2, cli.run("route", "del", "10.9.1.0/16"));
        assertEquals("ustack: route del: '10.9.1.0/16' has host bits set; did you mean 10.9.0.0/16?\n", cli.err());
        assertEquals(1, cli.run("route", "add", "10.9.0.0/16", "via", "192.0.2.1"));
        assertEquals("ustack: gateway 192.0.2.1 is not on a connected network\n", cli.err());
        assertEquals(1, cli.run("route", "add", "10.9.0.0/16", "dev", "eth9"));
        assertEquals("ustack: there is no interface named eth9\n", cli.err());
        assertEquals(1, cli.run("route", "del", "10.9.0.0/16"));
        assertEquals("ustack: there is no route for 10.9.0.0/16\n", cli.err());
        assertEquals("", cli.out());
    }

    @Test
    void addrPrintsInterfacesLikeIpAddr() {
        // each device has sent one frame: the gratuitous ARP for its address
        assertEquals(0, cli.run("addr"));
        assertEquals("""
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP
                    link/loopback 00:00:00:00:00:00
                    inet 127.0.0.1/8 scope host lo
                    inet6 ::1/128 scope host
                    RX: packets 0 bytes 0 errors 0 dropped 0
                    TX: packets 0 bytes 0 errors 0 dropped 0
                2: eth0: <BROADCAST,UP,LOWER_UP> mtu 1500 state UP
                    link/ether 02:00:00:00:00:02
                    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0
                    inet6 fe80::ff:fe00:2/64 scope link
                    RX: packets 0 bytes 0 errors 0 dropped 0
                    TX: packets 1 bytes 42 errors 0 dropped 0
                3: eth1: <BROADCAST,UP,LOWER_UP> mtu 1280 state UP
                    link/ether 02:00:00:00:01:02
                    inet 10.0.1.1/24 brd 10.0.1.255 scope global eth1
                    inet6 fe80::ff:fe00:102/64 scope link
                    RX: packets 0 bytes 0 errors 0 dropped 0
                    TX: packets 1 bytes 42 errors 0 dropped 0
                """, cli.out());
        assertEquals(0, cli.run("addr", "--json"));
        assertEquals("eth1", json().get(2).get("ifname").asText());
    }

    @Test
    void addrAddsAndDeletesAddressesLikeIpAddr() {
        assertEquals(0, cli.run("addr", "add", "10.0.2.1/24", "dev", "eth1"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("addr", "show"));
        assertTrue(cli.out().contains("""
                    link/ether 02:00:00:00:01:02
                    inet 10.0.1.1/24 brd 10.0.1.255 scope global eth1
                    inet 10.0.2.1/24 brd 10.0.2.255 scope global eth1
                """), cli.out());
        assertEquals(0, cli.run("route"));
        assertEquals("""
                10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
                10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1
                10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.1
                """, cli.out());
        assertEquals(0, cli.run("addr", "del", "10.0.2.1/24", "dev", "eth1"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("route"));
        assertEquals("""
                10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
                10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1
                """, cli.out());
        assertEquals(0, cli.run("addr", "list", "--json"));
        assertEquals("[{\"local\":\"10.0.1.1\",\"prefixlen\":24,\"broadcast\":\"10.0.1.255\",\"scope\":\"global\","
                + "\"label\":\"eth1\"},"
                + "{\"family\":\"inet6\",\"local\":\"fe80::ff:fe00:102\",\"prefixlen\":64,\"scope\":\"link\"}]",
                json().get(2).get("addr_info").toString());
        assertEquals("", cli.err());
    }

    @Test
    void secondaryAddressesAreMarkedAndListedAfterThePrimaries() {
        assertEquals(0, cli.run("addr", "add", "10.0.1.5/24", "dev", "eth1"));
        assertEquals(0, cli.run("addr", "add", "10.0.3.1/24", "dev", "eth1"));
        assertEquals(0, cli.run("addr"));
        assertTrue(cli.out().contains("""
                    link/ether 02:00:00:00:01:02
                    inet 10.0.1.1/24 brd 10.0.1.255 scope global eth1
                    inet 10.0.3.1/24 brd 10.0.3.255 scope global eth1
                    inet 10.0.1.5/24 brd 10.0.1.255 scope global secondary eth1
                """), cli.out());
        assertEquals(0, cli.run("addr", "--json"));
        assertEquals(true, json().get(2).get("addr_info").get(2).get("secondary").asBoolean());
        assertEquals(false, json().get(2).get("addr_info").get(0).has("secondary"));
        // the primary goes: the secondary is promoted, as in Linux
        assertEquals(0, cli.run("addr", "del", "10.0.1.1/24", "dev", "eth1"));
        assertEquals(0, cli.run("addr"));
        assertTrue(cli.out().contains("""
                    inet 10.0.1.5/24 brd 10.0.1.255 scope global eth1
                    inet 10.0.3.1/24 brd 10.0.3.255 scope global eth1
                """), cli.out());
    }

    @Test
    void addrMistakesOnTheCommandLineAreUsageErrorsAndTheDaemonsAreExit1() {
        assertEquals(2, cli.run("addr", "add", "10.0.2.1/24"));
        assertEquals("ustack: addr add '10.0.2.1/24': the interface is missing; an address reads A.B.C.D/P dev NAME or "
                + "X:X::X/P dev NAME\n", cli.err());
        assertEquals(2, cli.run("addr", "add", "10.0.2.1/24", "on", "eth1"));
        assertEquals("ustack: addr add '10.0.2.1/24 on eth1': 'on' is not understood; an address reads A.B.C.D/P dev NAME "
                + "or X:X::X/P dev NAME\n", cli.err());
        assertEquals(2, cli.run("addr", "del", "10.0.2.1/24", "dev"));
        assertEquals("ustack: addr del '10.0.2.1/24 dev': 'dev' needs an interface name\n", cli.err());
        assertEquals(2, cli.run("addr", "del", "10.0.2.1/24", "dev", "eth1", "label"));
        assertEquals("ustack: addr del '10.0.2.1/24 dev eth1 label': 'label' is not understood; an address reads "
                + "A.B.C.D/P dev NAME or X:X::X/P dev NAME\n", cli.err());
        assertEquals(2, cli.run("addr", "add", "10.0.2.300/24", "dev", "eth1"));
        assertTrue(cli.err().startsWith("ustack: addr add '10.0.2.300/24 dev eth1': addr: '10.0.2.300/24' is not an IPv4 prefix"),
                cli.err());
        assertEquals(2, cli.run("addr", "add", "10.0.2.1/0", "dev", "eth1"));
        assertEquals("ustack: addr add '10.0.2.1/0 dev eth1': addr needs a non-zero address and prefix length, "
                + "like 10.77.0.2/24\n", cli.err());
        assertEquals(2, cli.run("addr", "add"));
        assertTrue(cli.err().contains("Missing required parameter"), cli.err());

        assertEquals(1, cli.run("addr", "add", "10.0.2.1/24", "dev", "eth9"));
        assertEquals("ustack: there is no interface named eth9\n", cli.err());
        assertEquals(1, cli.run("addr", "add", "10.0.1.1/24", "dev", "eth1"));
        assertEquals("ustack: 10.0.1.1/24 is already on eth1\n", cli.err());
        assertEquals(1, cli.run("addr", "del", "10.9.9.9/24", "dev", "eth1"));
        assertEquals("ustack: eth1 has no address 10.9.9.9/24\n", cli.err());
        assertEquals("", cli.out());
    }

    @Test
    void neighListsAndFlushes() {
        h.hostArps();
        assertEquals(0, cli.run("neigh"));
        assertEquals("10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n", cli.out());
        assertEquals(0, cli.run("neigh", "-6"));
        assertEquals("", cli.out(), "ip -6 neigh: no ND entry yet");
        assertEquals(0, cli.run("neigh", "list", "-4"));
        assertEquals("10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n", cli.out());
        assertEquals(2, cli.run("neigh", "-4", "-6"));
        assertEquals("ustack: -4 and -6 exclude each other\n", cli.err());
        assertEquals(0, cli.run("neigh", "list", "--json"));
        assertEquals("STALE", json().get(0).get("state").asText());
        assertEquals(0, cli.run("neigh", "flush"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("neigh"));
        assertEquals("", cli.out());
    }

    @Test
    void helpListsTheNewCommands() {
        assertEquals(0, cli.run("--help"));
        for (String c : new String[] {"addr", "route", "neigh"}) {
            assertTrue(cli.out().contains("  " + c + " "), cli.out());
        }
        assertEquals(0, cli.run("route", "--help"));
        assertTrue(cli.out().contains("add"), cli.out());
        assertEquals(0, cli.run("addr", "--help"));
        assertTrue(cli.out().contains("  del "), cli.out());
        assertEquals(0, cli.run("daemon", "--help"));
        assertTrue(cli.out().contains("--forward"), cli.out());
    }
}
