package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ip;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import org.junit.jupiter.api.AfterEach;

/**
 * What the rule tests forward through: a stack routing between the host on eth0 (10.0.0.1; the stack
 * 10.0.0.2) and the far host on eth1 (10.0.1.2; the stack 10.0.1.1), both already in its ARP table, closed
 * and checked for leaks after each test.
 */
abstract class RouterTest {
    static final long RIGHT_MAC = 0x02_00_00_00_01_02L;
    static final long FAR_MAC = 0x02_00_00_00_01_03L;
    static final int FAR_IP = ip("10.0.1.2");

    final StackHarness h = new StackHarness();
    final FakeDevice right = h.addDevice("eth1", RIGHT_MAC, 1500, "10.0.1.1/24");
    final IpTables ipt = h.stack.iptables();

    RouterTest() {
        h.stack.setForwarding(true);
        h.hostArps();
        right.inject(eth(-1L >>> 16, FAR_MAC, Frames.ETH_P_ARP, arp(1, FAR_MAC, FAR_IP, 0, ip("10.0.1.1"))));
        right.drain();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }
}
