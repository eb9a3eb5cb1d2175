package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.Priority;
import java.util.List;

/**
 * The four IPv4 tables (iptable_raw, iptable_mangle, iptable_nat, iptable_filter) with their built-in
 * chains and where each chain's hook function sits in its hook's order. The nat table's chains run one
 * below nf_nat's own priorities, so that a rule has chosen a new connection's binding by the time nf_nat
 * rewrites the packet (in the kernel nf_nat's hook calls the table itself, at the same priority).
 */
public enum Table {
    RAW("raw", List.of(Chain.PREROUTING, Chain.OUTPUT)),
    MANGLE("mangle", List.of(Chain.PREROUTING, Chain.INPUT, Chain.FORWARD, Chain.OUTPUT, Chain.POSTROUTING)),
    NAT("nat", List.of(Chain.PREROUTING, Chain.INPUT, Chain.OUTPUT, Chain.POSTROUTING)),
    FILTER("filter", List.of(Chain.INPUT, Chain.FORWARD, Chain.OUTPUT));

    private final String text;
    private final List<Chain> chains;

    Table(String text, List<Chain> chains) {
        this.text = text;
        this.chains = chains;
    }

    /** The name as -t takes it. */
    public String text() {
        return text;
    }

    /** The built-in chains, in the order iptables lists them. */
    public List<Chain> chains() {
        return chains;
    }

    public boolean has(Chain c) {
        return chains.contains(c);
    }

    /** NF_IP_PRI_* of this table's function at {@code c}'s hook. */
    public int priority(Chain c) {
        return switch (this) {
            case RAW -> Priority.RAW;
            case MANGLE -> Priority.MANGLE;
            case FILTER -> Priority.FILTER;
            case NAT -> (c == Chain.PREROUTING || c == Chain.OUTPUT ? Priority.NAT_DST : Priority.NAT_SRC) - 1;
        };
    }

    /** The table named {@code name} as -t spells it, or null. */
    public static Table byName(String name) {
        for (Table t : values()) {
            if (t.text.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
