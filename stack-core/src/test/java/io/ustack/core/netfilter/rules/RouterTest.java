package io.ustack.core.netfilter.rules;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.StackHarness;
import org.junit.jupiter.api.AfterEach;

/**
 * What the rule tests forward through: a stack routing between the host on eth0 (10.0.0.1; the stack
 * 10.0.0.2) and the far host on eth1 (10.0.1.2; the stack 10.0.1.1), both already in its ARP table, closed
 * and checked for leaks after each test.
 */
abstract class RouterTest {
    static final long RIGHT_MAC = StackHarness.RIGHT_MAC;
    static final long FAR_MAC = StackHarness.FAR_MAC;
    static final int FAR_IP = StackHarness.FAR_IP;

    final StackHarness h = new StackHarness();
    final FakeDevice right = h.addFarLink();
    final IpTables ipt = h.stack.iptables();

    @AfterEach
    void leakCheck() {
        h.close();
    }
}
