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
