package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.Hook;

/**
 * The five built-in chains under iptables' names, each on its hook; which tables have which is
 * {@link Table#chains()}, and where a table's chain runs in its hook is {@link Table#priority}.
 */
public enum Chain {
    PREROUTING(Hook.PRE_ROUTING, true, false),
    INPUT(Hook.LOCAL_IN, true, false),
    FORWARD(Hook.FORWARD, true, true),
    OUTPUT(Hook.LOCAL_OUT, false, true),
    POSTROUTING(Hook.POST_ROUTING, false, true);

    private final Hook hook;
    private final boolean hasIn;
    private final boolean hasOut;

    Chain(Hook hook, boolean hasIn, boolean hasOut) {
        this.hook = hook;
        this.hasIn = hasIn;
        this.hasOut = hasOut;
    }

    public Hook hook() {
        return hook;
    }

    /** The bit of this chain's hook in a hook mask (1 << NF_INET_*), as xt_check_* compare them. */
    public int bit() {
        return 1 << ordinal();
    }

    /** Whether packets here have an input interface (-i is refused where they have none, as iptables does). */
    public boolean hasIn() {
        return hasIn;
    }

    /** Whether packets here have an output interface (-o). */
    public boolean hasOut() {
        return hasOut;
    }

    /** The built-in chain named {@code name} (upper case, as iptables spells it), or null. */
    public static Chain byName(String name) {
        for (Chain c : values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The names of the chains in {@code mask} (a set of {@link #bit()}s), comma-separated. */
    static String names(int mask) {
        StringBuilder sb = new StringBuilder();
        for (Chain c : values()) {
            if ((mask & c.bit()) != 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(c.name());
            }
        }
        return sb.toString();
    }
}
