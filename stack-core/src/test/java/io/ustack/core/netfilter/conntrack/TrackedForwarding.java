package io.ustack.core.netfilter.conntrack;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ip;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Priority;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.List;

/**
 * A forwarding stack with conntrack on, for the tracking tests: the host on eth0 (10.0.0.1) and a far host
 * on eth1 (10.0.1.2) whose MAC the stack already knows. A hook at FORWARD records the ctinfo conntrack gave
 * each forwarded packet ("none" for an untracked one, as INVALID leaves it).
 */
final class TrackedForwarding {
    static final long RIGHT_MAC = 0x02_00_00_00_01_02L;
    static final long FAR_MAC = 0x02_00_00_00_01_03L;
    static final int FAR_IP = ip("10.0.1.2");

    final StackHarness h = new StackHarness();
    final FakeDevice right = h.addDevice("eth1", RIGHT_MAC, 1500, "10.0.1.1/24");
    final Conntrack ct = h.stack.conntrack();
    /** The ctinfo of each packet that reached FORWARD, in order. */
    final List<String> seen = new ArrayList<>();

    TrackedForwarding() {
        h.stack.setForwarding(true);
        h.hostArps();
        right.inject(eth(-1L >>> 16, FAR_MAC, Frames.ETH_P_ARP, arp(1, FAR_MAC, FAR_IP, 0, ip("10.0.1.1"))));
        right.drain();
        ct.get();
        h.stack.netfilter().register(Hook.FORWARD, Priority.FILTER, "record", (pkt, st) -> {
            seen.add(pkt.nfctInfo() == null ? "none" : pkt.nfctInfo().name());
            return Verdict.ACCEPT;
        });
    }
}
