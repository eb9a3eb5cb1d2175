package io.ustack.cli.control.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.testing.DispatchChecks;
import io.ustack.core.testing.StackHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the control commands show of IPv6: addresses as ip -j -6 addr, ND entries as ip -j neigh. */
class Ipv6HandlersTest {
    private final StackHarness h = new StackHarness();
    private final DispatchChecks d = new DispatchChecks(h.stack);

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void addrListsGlobalThenLinkLocalAddresses() {
        h.addIpv6();
        JsonNode eth0 = d.ok("{\"cmd\":\"addr\"}").get(1);
        assertEquals("[{\"local\":\"10.0.0.2\",\"prefixlen\":24,\"broadcast\":\"10.0.0.255\",\"scope\":\"global\",\"label\":\"eth0\"},"
                + "{\"family\":\"inet6\",\"local\":\"fd00:77::2\",\"prefixlen\":64,\"scope\":\"global\"},"
                + "{\"family\":\"inet6\",\"local\":\"fe80::ff:fe00:2\",\"prefixlen\":64,\"scope\":\"link\"}]",
                eth0.get("addr_info").toString());
    }

    @Test
    void neighListsNdEntriesAfterArpOnesAndFlushForgetsBoth() {
        h.addIpv6();
        h.hostArps();
        h.hostSolicits();
        JsonNode list = d.ok("{\"cmd\":\"neigh list\"}");
        assertEquals(2, list.size(), list.toString());
        assertEquals("10.0.0.1", list.get(0).get("dst").asText());
        assertEquals("fd00:77::1", list.get(1).get("dst").asText());
        assertEquals("eth0", list.get(1).get("dev").asText());
        assertEquals("02:00:00:00:00:01", list.get(1).get("lladdr").asText());
        JsonNode v4 = d.ok("{\"cmd\":\"neigh list\",\"args\":{\"family\":\"inet\"}}");
        assertEquals(1, v4.size(), "ip -4 neigh: ARP alone: " + v4);
        assertEquals("10.0.0.1", v4.get(0).get("dst").asText());
        JsonNode v6 = d.ok("{\"cmd\":\"neigh list\",\"args\":{\"family\":\"inet6\"}}");
        assertEquals(1, v6.size(), "ip -6 neigh: ND alone: " + v6);
        assertEquals("fd00:77::1", v6.get(0).get("dst").asText());
        assertTrue(d.error("{\"cmd\":\"neigh list\",\"args\":{\"family\":\"inet7\"}}").contains("inet or inet6"));
        assertEquals(2, d.ok("{\"cmd\":\"neigh flush\"}").get("flushed").asInt());
        assertEquals(0, d.ok("{\"cmd\":\"neigh list\"}").size());
    }
}
