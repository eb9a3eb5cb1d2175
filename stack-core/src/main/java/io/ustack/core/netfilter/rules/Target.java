package io.ustack.core.netfilter.rules;

/**
 * What a rule does with a packet it matches (struct xt_target with its data): a verdict, a jump, or an
 * action that either ends the walk (REJECT, the NAT targets) or lets it go on to the next rule (LOG, MARK,
 * TCPMSS...: XT_CONTINUE). Immutable, so a table can be swapped whole while packets walk the old one.
 */
public abstract class Target {
    /** NF_DROP, NF_ACCEPT, XT_CONTINUE and XT_RETURN as {@link #fire} answers them. */
    static final int DROP = 0;
    static final int ACCEPT = 1;
    static final int CONTINUE = -1;
    static final int RETURN = -2;

    /** The target's name as -j takes it and -L prints it. */
    public abstract String name();

    /** The target column of -L: its name, unless the tool lists it as another (NOTRACK as CT). */
    String listName() {
        return name();
    }

    /** The target function: acts on the packet and answers DROP, ACCEPT, CONTINUE or RETURN. Allocates nothing. */
    abstract int fire(XtPacket p);

    /** Appends the target's options as iptables-save writes them after {@code -j NAME}. */
    void save(StringBuilder sb) {
    }

    /** Appends the target's options as iptables -L prints them, with a leading space. */
    void list(StringBuilder sb, boolean numeric) {
    }

    /** Whether it needs connection tracking. */
    boolean needsConntrack() {
        return false;
    }

    /**
     * checkentry: why the target cannot be in {@code rule} of {@code table}, reached from the hooks in
     * {@code hooks} (a {@link Chain#bit()} mask), in the words of the kernel's log line; null if it can.
     */
    String check(Rule rule, Table table, int hooks) {
        return null;
    }

    /** The x_tables refusal for a target only some tables and hooks may use. */
    static String restrict(String name, Table table, int hooks, Table only, int allowed) {
        if (only != null && table != only) {
            return name + " target: only valid in " + only.text() + " table, not " + table.text();
        }
        if ((hooks & ~allowed) != 0) {
            return name + " target: used from hooks " + Chain.names(hooks) + ", but only usable from "
                    + Chain.names(allowed);
        }
        return null;
    }
}
