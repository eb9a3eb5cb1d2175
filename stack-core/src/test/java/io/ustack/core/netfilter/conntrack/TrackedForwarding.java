package io.ustack.core.netfilter.conntrack;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Priority;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.List;

/**
 * A forwarding stack with conntrack on, for the tracking tests: the host on eth0 (10.0.0.1) and a far host
 * on eth1 (10.0.1.2) whose MAC the stack already knows. A hook at FORWARD records the ctinfo conntrack gave
 * each forwarded packet ("none" for an untracked one, as INVALID leaves it).
 */
final class TrackedForwarding {
    static final long RIGHT_MAC = StackHarness.RIGHT_MAC;
    static final long FAR_MAC = StackHarness.FAR_MAC;
    static final int FAR_IP = StackHarness.FAR_IP;

    final StackHarness h = new StackHarness();
    final FakeDevice right = h.addFarLink();
    final Conntrack ct = h.stack.conntrack();
    /** The ctinfo of each packet that reached FORWARD, in order. */
    final List<String> seen = new ArrayList<>();

    TrackedForwarding() {
        ct.get();
        h.stack.netfilter().register(Hook.FORWARD, Priority.FILTER, "record", (pkt, st) -> {
            seen.add(pkt.nfctInfo() == null ? "none" : pkt.nfctInfo().name());
            return Verdict.ACCEPT;
        });
    }
}
