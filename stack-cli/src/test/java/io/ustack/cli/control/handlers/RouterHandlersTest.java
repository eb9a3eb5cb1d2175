package io.ustack.cli.control.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.cli.testing.DispatchChecks;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * addr (list, add, del), route and neigh through the dispatcher, over a real stack with two fake links: eth0 10.0.0.2/24
 * and eth1 10.0.1.1/24 (MTU 1280).
 */
class RouterHandlersTest {
    private final StackHarness h = new StackHarness();
    private final FakeDevice eth1 = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1280, "10.0.1.1/24");
    private final DispatchChecks d = new DispatchChecks(h.stack);
    private static final long HOST1_MAC = 0x02_00_00_00_01_01L;

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void addrListsEveryInterfaceWithItsAddressesStateAndCounters() {
        h.hostArps();
        JsonNode links = d.ok("{\"cmd\":\"addr\"}");
        assertEquals(3, links.size());
        JsonNode lo = links.get(0);
        assertEquals("lo", lo.get("ifname").asText());
        assertEquals("loopback", lo.get("link_type").asText());
        assertEquals("[\"LOOPBACK\",\"UP\",\"LOWER_UP\"]", lo.get("flags").toString());
        assertEquals("[{\"local\":\"127.0.0.1\",\"prefixlen\":8,\"scope\":\"host\",\"label\":\"lo\"},"
                + "{\"family\":\"inet6\",\"local\":\"::1\",\"prefixlen\":128,\"scope\":\"host\"}]", lo.get("addr_info").toString());

        JsonNode eth0 = links.get(1);
        assertEquals(2, eth0.get("ifindex").asInt());
        assertEquals("eth0", eth0.get("ifname").asText());
        assertEquals("02:00:00:00:00:02", eth0.get("address").asText());
        assertEquals(1500, eth0.get("mtu").asInt());
        assertEquals("UP", eth0.get("operstate").asText());
        assertEquals("[\"BROADCAST\",\"UP\",\"LOWER_UP\"]", eth0.get("flags").toString());
        assertEquals("[{\"local\":\"10.0.0.2\",\"prefixlen\":24,\"broadcast\":\"10.0.0.255\",\"scope\":\"global\","
                + "\"label\":\"eth0\"},"
                + "{\"family\":\"inet6\",\"local\":\"fe80::ff:fe00:2\",\"prefixlen\":64,\"scope\":\"link\"}]", eth0.get("addr_info").toString());
        assertEquals(1, eth0.get("stats").get("rx_packets").asLong(), "the host's ARP request");

        assertEquals(1280, links.get(2).get("mtu").asInt());
        assertEquals("10.0.1.1", links.get(2).get("addr_info").get(0).get("local").asText());
    }

    @Test
    void addrAddAndDelChangeTheAddressesTheirRoutesAndWhatArpAnswers() {
        JsonNode added = d.ok("{\"cmd\":\"addr add\",\"args\":{\"local\":\"10.0.2.1/24\",\"dev\":\"eth1\"}}");
        assertEquals("eth1", added.get("ifname").asText(), "the answer is the interface as addr lists it");
        assertEquals("[{\"local\":\"10.0.1.1\",\"prefixlen\":24,\"broadcast\":\"10.0.1.255\",\"scope\":\"global\",\"label\":\"eth1\"},"
                + "{\"local\":\"10.0.2.1\",\"prefixlen\":24,\"broadcast\":\"10.0.2.255\",\"scope\":\"global\",\"label\":\"eth1\"},"
                + "{\"family\":\"inet6\",\"local\":\"fe80::ff:fe00:102\",\"prefixlen\":64,\"scope\":\"link\"}]",
                added.get("addr_info").toString());
        List<byte[]> announced = eth1.drain();
        assertEquals(1, announced.size(), "a gratuitous ARP for the new address");
        assertEquals(Frames.ip("10.0.2.1"), Frames.i32(announced.get(0), 14 + 24), "its target is the address itself");
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"), routeDsts(), "with its connected route");
        assertEquals(1, arpFor("10.0.2.1").size(), "ARP answers for the new address");

        JsonNode deleted = d.ok("{\"cmd\":\"addr del\",\"args\":{\"local\":\"10.0.2.1/24\",\"dev\":\"eth1\"}}");
        assertEquals(2, deleted.get("addr_info").size(), "10.0.1.1 and the link-local address");
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24"), routeDsts(), "its connected route went with it");
        assertEquals(List.of(), arpFor("10.0.2.1"), "ARP no longer answers for it");
        assertEquals(1, arpFor("10.0.1.1").size(), "but still for the address that stays");
    }

    @Test
    void addrMistakesAreSentences() {
        assertEquals("there is no interface named eth9",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"10.0.2.1/24\",\"dev\":\"eth9\"}}"));
        assertEquals("10.0.1.1/24 is already on eth1",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"10.0.1.1/24\",\"dev\":\"eth1\"}}"));
        assertEquals("10.0.1.1/24 is already on eth1",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"10.0.1.1/16\",\"dev\":\"eth0\"}}"), "on any interface");
        assertEquals("eth1 has no address 10.9.9.9/24",
                d.error("{\"cmd\":\"addr del\",\"args\":{\"local\":\"10.9.9.9/24\",\"dev\":\"eth1\"}}"));
        assertEquals("eth0 has no address 10.0.1.1/24",
                d.error("{\"cmd\":\"addr del\",\"args\":{\"local\":\"10.0.1.1/24\",\"dev\":\"eth0\"}}"));
        assertEquals("eth1 has no address 10.0.1.1/16",
                d.error("{\"cmd\":\"addr del\",\"args\":{\"local\":\"10.0.1.1/16\",\"dev\":\"eth1\"}}"), "the prefix length must match");
        assertEquals("addr del needs \"local\", the address as A.B.C.D/P or X:X::X/P",
                d.error("{\"cmd\":\"addr del\",\"args\":{\"dev\":\"eth1\"}}"));
        assertEquals("addr add needs \"dev\", the interface's name",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"10.0.2.1/24\"}}"));
        assertEquals("addr add has no argument \"address\"; it takes local, dev",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"address\":\"10.0.2.1/24\",\"dev\":\"eth1\"}}"));
        assertEquals("addr needs a non-zero address and prefix length, like 10.77.0.2/24",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"0.0.0.0/24\",\"dev\":\"eth1\"}}"));
        assertEquals(3, h.stack.fib().addresses().size(), "nothing changed: lo, eth0 and eth1 keep one each");
    }

    private List<String> routeDsts() {
        return d.ok("{\"cmd\":\"route list\"}").findValuesAsText("dst");
    }

    /** What eth1 sends when a host on it asks who has {@code target}. */
    private List<byte[]> arpFor(String target) {
        eth1.drain();
        eth1.inject(Frames.eth(-1L >>> 16, HOST1_MAC, Frames.ETH_P_ARP,
                Frames.arp(1, HOST1_MAC, Frames.ip("10.0.1.2"), 0, Frames.ip(target))));
        return eth1.drain();
    }

    @Test
    void routesAreListedAddedAndDeleted() {
        assertEquals("[{\"dst\":\"10.0.0.0/24\",\"dev\":\"eth0\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"10.0.0.2\"},"
                        + "{\"dst\":\"10.0.1.0/24\",\"dev\":\"eth1\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"10.0.1.1\"}]",
                d.ok("{\"cmd\":\"route list\"}").toString());

        JsonNode added = d.ok("{\"cmd\":\"route add\",\"args\":{\"dst\":\"default\",\"gateway\":\"10.0.1.9\"}}");
        assertEquals("{\"dst\":\"default\",\"gateway\":\"10.0.1.9\",\"dev\":\"eth1\",\"protocol\":\"static\",\"prefsrc\":\"10.0.1.1\"}",
                added.toString(), "the device comes from the gateway's network");
        d.ok("{\"cmd\":\"route add\",\"args\":{\"dst\":\"192.168.7.0/24\",\"dev\":\"eth0\"}}");
        d.ok("{\"cmd\":\"route add\",\"args\":{\"dst\":\"172.16.0.0/12\",\"gateway\":\"10.0.0.1\",\"dev\":\"eth0\"}}");
        JsonNode routes = d.ok("{\"cmd\":\"route list\"}");
        assertEquals(5, routes.size());
        assertEquals(List.of("default", "10.0.0.0/24", "10.0.1.0/24", "172.16.0.0/12", "192.168.7.0/24"),
                routes.findValuesAsText("dst"), "as ip route lists them: by address, default first");
        assertEquals(0x0a00_0109, h.stack.fib().lookup(0x0808_0808).gateway(), "the FIB uses it");

        assertEquals("default", d.ok("{\"cmd\":\"route del\",\"args\":{\"dst\":\"default\"}}").get("dst").asText());
        d.ok("{\"cmd\":\"route del\",\"args\":{\"dst\":\"10.0.1.0/24\"}}");
        assertEquals(3, d.ok("{\"cmd\":\"route list\"}").size(), "a connected route can go too, as with ip route del");
    }

    @Test
    void routeMistakesAreSentences() {
        assertEquals("route add needs \"dst\", the destination prefix or \"default\"",
                d.error("{\"cmd\":\"route add\",\"args\":{\"gateway\":\"10.0.0.1\"}}"));
        assertEquals("a route needs 'via GATEWAY' or 'dev NAME'; it reads PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\"}}"));
        assertEquals("gateway 192.0.2.1 is not on a connected network",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\",\"gateway\":\"192.0.2.1\"}}"));
        assertEquals("gateway 10.0.0.1 is not on a connected network of eth1",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\",\"gateway\":\"10.0.0.1\",\"dev\":\"eth1\"}}"));
        assertEquals("there is no interface named eth7",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\",\"dev\":\"eth7\"}}"));
        assertEquals("'10.9.1.0/16' has host bits set; did you mean 10.9.0.0/16?",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.1.0/16\",\"dev\":\"eth0\"}}"));
        assertEquals("there is a route for 10.0.0.0/24 already; delete it first",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.0.0.0/24\",\"dev\":\"eth1\"}}"));
        assertEquals("route add has no argument \"via\"; it takes dst, gateway, dev, table, type, nexthops",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\",\"via\":\"10.0.0.1\"}}"));
        assertEquals("route add's \"gateway\" must be a string",
                d.error("{\"cmd\":\"route add\",\"args\":{\"dst\":\"10.9.0.0/16\",\"gateway\":7}}"));
        assertEquals("there is no route for 10.9.0.0/16", d.error("{\"cmd\":\"route del\",\"args\":{\"dst\":\"10.9.0.0/16\"}}"));
        assertEquals("route list has no argument \"all\"; it takes table, family", d.error("{\"cmd\":\"route list\",\"args\":{\"all\":true}}"));
        assertEquals("route list's \"family\" is inet or inet6, not ipv6",
                d.error("{\"cmd\":\"route list\",\"args\":{\"family\":\"ipv6\"}}"));
        assertEquals("there is no IPv6 route for fd00:9::/64", d.error("{\"cmd\":\"route del\",\"args\":{\"dst\":\"fd00:9::/64\"}}"));
        assertEquals(2, d.ok("{\"cmd\":\"route list\"}").size(), "nothing changed");
    }

    @Test
    void neighboursAreListedAndFlushed() {
        h.hostArps();
        // a packet to a silent neighbour on eth1 leaves an INCOMPLETE entry with no MAC yet
        h.stack.ipv4Output().send(h.pool.allocateWithHeadroom(8), 0, Frames.ip("10.0.1.77"), 253, 0, 64, false);
        eth1.drain();
        assertEquals("[{\"dst\":\"10.0.0.1\",\"dev\":\"eth0\",\"lladdr\":\"02:00:00:00:00:01\",\"state\":\"STALE\"},"
                        + "{\"dst\":\"10.0.1.77\",\"dev\":\"eth1\",\"state\":\"INCOMPLETE\"}]",
                d.ok("{\"cmd\":\"neigh list\"}").toString());
        assertEquals("{\"flushed\":2}", d.ok("{\"cmd\":\"neigh flush\"}").toString());
        assertEquals("[]", d.ok("{\"cmd\":\"neigh list\"}").toString());
        assertEquals(1, h.counter("DropReasonNEIGH_FAILED"), "the packet that waited went with its entry");
    }
}
