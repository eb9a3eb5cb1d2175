package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Priority;

/**
 * The five built-in chains under iptables' names, each on its hook. A chain's rules run as one hook
 * function at {@link #priority()}: PREROUTING before NAT_DST, so a DNAT rule there chooses the binding that
 * nf_nat applies right after; the others at the filter priority, POSTROUTING thereby before NAT_SRC.
 */
public enum Chain {
    PREROUTING(Hook.PRE_ROUTING, Priority.MANGLE, true, false),
    INPUT(Hook.LOCAL_IN, Priority.FILTER, true, false),
    FORWARD(Hook.FORWARD, Priority.FILTER, true, true),
    OUTPUT(Hook.LOCAL_OUT, Priority.FILTER, false, true),
    POSTROUTING(Hook.POST_ROUTING, Priority.FILTER, false, true);

    private final Hook hook;
    private final int priority;
    private final boolean hasIn;
    private final boolean hasOut;

    Chain(Hook hook, int priority, boolean hasIn, boolean hasOut) {
        this.hook = hook;
        this.priority = priority;
        this.hasIn = hasIn;
        this.hasOut = hasOut;
    }

    public Hook hook() {
        return hook;
    }

    public int priority() {
        return priority;
    }

    /** Whether packets here have an input interface (-i is refused where they have none, as iptables does). */
    public boolean hasIn() {
        return hasIn;
    }

    /** Whether packets here have an output interface (-o). */
    public boolean hasOut() {
        return hasOut;
    }

    /** The chain named {@code name} (as iptables spells it, upper case), or IllegalArgumentException. */
    public static Chain parse(String name) {
        for (Chain c : values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("there is no chain '" + name
                + "'; the chains are PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING");
    }
}
