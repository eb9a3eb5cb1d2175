package io.ustack.cli.control.handlers;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.naBody;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.testing.DispatchChecks;
import io.ustack.core.testing.StackHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** addr shows an IPv6 address's Duplicate Address Detection as ip -j addr does: tentative, then dadfailed. */
class AddrDadFlagsTest {
    private final StackHarness h = new StackHarness(1500, true);
    private final DispatchChecks d = new DispatchChecks(h.stack);

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** eth0's global IPv6 address as addr lists it. */
    private JsonNode global() {
        for (JsonNode a : d.ok("{\"cmd\":\"addr\"}").get(1).get("addr_info")) {
            if (a.path("local").asText().equals("fd00:77::2")) {
                return a;
            }
        }
        throw new AssertionError("no fd00:77::2 on eth0");
    }

    @Test
    void tentativeWhileDadRunsThenPlain() {
        h.addIpv6();
        assertEquals("{\"family\":\"inet6\",\"local\":\"fd00:77::2\",\"prefixlen\":64,\"scope\":\"global\","
                + "\"tentative\":true}", global().toString());
        h.clock.advanceMillis(3000);
        h.stack.runTimers();
        h.clock.advanceMillis(3000);
        h.stack.runTimers();
        assertEquals("{\"family\":\"inet6\",\"local\":\"fd00:77::2\",\"prefixlen\":64,\"scope\":\"global\"}",
                global().toString(), "DAD passed");
    }

    /** The IPv6 addresses eth0 lists, as local/prefixlen and its DAD flag. */
    private String eth0Inet6(JsonNode link) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode a : link.get("addr_info")) {
            if (a.path("family").asText().equals("inet6")) {
                sb.append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt())
                        .append(a.path("tentative").asBoolean() ? " tentative" : "").append(' ');
            }
        }
        return sb.toString().strip();
    }

    /** Three seconds of timers: DAD for whatever was added before has passed. */
    private void dadPasses() {
        for (int i = 0; i < 3; i++) {
            h.clock.advanceMillis(1000);
            h.stack.runTimers();
        }
    }

    @Test
    void addrAddOfAnIpv6AddressRunsDadAndAddrDelTakesItAway() {
        dadPasses(); // the link-local address's
        JsonNode added = d.ok("{\"cmd\":\"addr add\",\"args\":{\"local\":\"fd00:1::2/64\",\"dev\":\"eth0\"}}");
        assertEquals("fd00:1::2/64 tentative fe80::ff:fe00:2/64", eth0Inet6(added), "the answer is eth0 as addr lists it");
        dadPasses();
        assertEquals("fd00:1::2/64 fe80::ff:fe00:2/64", eth0Inet6(d.ok("{\"cmd\":\"addr\"}").get(1)), "DAD passed");
        assertEquals(1, h.stack.fib6().routes().stream().filter(r -> r.prefix().toString().equals("fd00:1::/64")).count(),
                "with its connected route");
        h.sent();
        JsonNode deleted = d.ok("{\"cmd\":\"addr del\",\"args\":{\"local\":\"fd00:1::2/64\",\"dev\":\"eth0\"}}");
        assertEquals("fe80::ff:fe00:2/64", eth0Inet6(deleted));
        assertEquals(0, h.stack.fib6().routes().stream().filter(r -> r.prefix().toString().equals("fd00:1::/64")).count());
        assertEquals("eth0 has no address fd00:1::2/64",
                d.error("{\"cmd\":\"addr del\",\"args\":{\"local\":\"fd00:1::2/64\",\"dev\":\"eth0\"}}"));
        assertEquals("addr needs a prefix length, like fd00:77::2/64",
                d.error("{\"cmd\":\"addr add\",\"args\":{\"local\":\"fd00:1::2\",\"dev\":\"eth0\"}}"));
    }

    @Test
    void addrDelOfATentativeAddressEndsItsDad() {
        dadPasses();
        d.ok("{\"cmd\":\"addr add\",\"args\":{\"local\":\"fd00:1::2/64\",\"dev\":\"eth0\"}}");
        d.ok("{\"cmd\":\"addr del\",\"args\":{\"local\":\"fd00:1::2/64\",\"dev\":\"eth0\"}}");
        h.sent();
        dadPasses();
        assertEquals(0, h.sent().size(), "no probe and no announcement for an address that is gone");
    }

    @Test
    void anotherNodesAdvertisementLeavesItDadfailed() {
        h.addIpv6();
        byte[] all = ip6("ff02::1");
        h.dev.inject(eth(0x3333_0000_0001L, HOST_MAC, 0x86dd,
                ipv6(HOST_IP6, all, 58, 255, icmpv6(HOST_IP6, all, 136, 0, naBody(0x20, STACK_IP6, HOST_MAC)))));
        assertEquals("{\"family\":\"inet6\",\"local\":\"fd00:77::2\",\"prefixlen\":64,\"scope\":\"global\","
                + "\"tentative\":true,\"dadfailed\":true}", global().toString());
        h.sent();
    }
}
