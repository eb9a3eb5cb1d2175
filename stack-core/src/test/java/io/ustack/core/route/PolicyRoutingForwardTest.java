package io.ustack.core.route;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A router with two uplinks: eth0 (10.0.0.2, gateway 10.0.0.1, the main table's default) and eth1
 * (10.0.1.1, gateway 10.0.1.9, table 100's default). Rules steer forwarded packets by their source and by
 * the mark MARK gives them in mangle PREROUTING, and error rules answer as ip_error does.
 */
class PolicyRoutingForwardTest {
    private static final long UPLINK2_MAC = 0x02_00_00_00_01_09L;
    private final StackHarness h = new StackHarness();
    private final FakeDevice eth1 = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.0.1.1/24");
    private final Fib fib = h.stack.fib();

    PolicyRoutingForwardTest() {
        h.stack.setForwarding(true);
        h.hostArps();
        eth1.inject(eth(-1L >>> 16, UPLINK2_MAC, Frames.ETH_P_ARP, arp(1, UPLINK2_MAC, ip("10.0.1.9"), 0, ip("10.0.1.1"))));
        eth1.drain();
        fib.addRoute(new Ipv4Prefix(0, 0), ip("10.0.0.1"), null);
        fib.addRoute(new Ipv4Prefix(0, 0), ip("10.0.1.9"), null, 100);
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** An echo request from {@code src} to 198.51.100.7 arriving on eth1 (from the second uplink's side). */
    private void fromEth1(String src) {
        eth1.inject(eth(0x02_00_00_00_01_02L, UPLINK2_MAC, Frames.ETH_P_IP,
                ipv4(ip(src), ip("198.51.100.7"), 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8)))));
    }

    /** An echo request from {@code src} to 198.51.100.7 arriving on eth0 from the host. */
    private void fromEth0(String src) {
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IP,
                ipv4(ip(src), ip("198.51.100.7"), 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8)))));
    }

    @Test
    void aSourceRuleSendsItsTrafficOutTheOtherUplink() {
        fromEth0("10.0.0.1");
        assertEquals(1, h.sent().size(), "main: back out eth0 towards 10.0.0.1");
        assertEquals(List.of(), eth1.drain());
        fib.addRule(new FibRule(100, Ipv4Prefix.parse("10.0.0.0/24"), null, 0, 0, null, null, FibRule.Action.LOOKUP, 100));
        fromEth0("10.0.0.1");
        List<byte[]> out = eth1.drain();
        assertEquals(1, out.size(), "table 100: out eth1");
        assertEquals(UPLINK2_MAC, Frames.mac(out.get(0), 0), "to the second uplink's gateway");
        assertEquals(List.of(), h.sent());
    }

    @Test
    void aMarkSetInPreroutingSteersTheRoutingDecision() {
        h.stack.iptables().execute(List.of("-t", "mangle", "-A", "PREROUTING", "-s", "10.0.0.1", "-j", "MARK",
                "--set-mark", "7"));
        fib.addRule(new FibRule(100, null, null, 7, -1, null, null, FibRule.Action.LOOKUP, 100));
        fromEth0("10.0.0.1");
        assertEquals(1, eth1.drain().size(), "fwmark 7: table 100, out eth1");
        assertEquals(List.of(), h.sent());
    }

    @Test
    void prohibitAndBlackholeRulesAnswerAsIpError() {
        fib.addRule(new FibRule(10, Ipv4Prefix.parse("10.0.0.0/24"), null, 0, 0, null, null, FibRule.Action.PROHIBIT, 0));
        fromEth0("10.0.0.1");
        List<byte[]> back = h.sent();
        assertEquals(1, back.size());
        assertEquals(3, Frames.u8(back.get(0), 34), "destination unreachable");
        assertEquals(13, Frames.u8(back.get(0), 35), "communication administratively prohibited");
        fib.addRule(new FibRule(5, Ipv4Prefix.parse("10.0.1.0/24"), null, 0, 0, null, null, FibRule.Action.BLACKHOLE, 0));
        fromEth1("10.0.1.9");
        assertEquals(List.of(), eth1.drain(), "a blackhole says nothing");
        assertEquals(List.of(), h.sent());
        assertEquals(1, h.counter("DropReasonIP_ROUTE_BLACKHOLE"));
        assertEquals(1, h.counter("DropReasonIP_ROUTE_PROHIBIT"));
    }
}
