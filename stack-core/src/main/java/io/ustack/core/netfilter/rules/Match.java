package io.ustack.core.netfilter.rules;

/**
 * A match (struct xt_match with its xt_entry_match data): one test a rule makes of a packet beyond
 * struct ipt_ip's, with the two ways iptables prints it. Immutable but for state a match keeps by design
 * (limit's token bucket), so a table can be swapped whole while packets walk the old one.
 */
interface Match {
    /** Every hook: a match that may be used anywhere. */
    int ALL_HOOKS = 0x1f;

    /** The name -m takes. */
    String name();

    /** The match function: whether {@code p} matches. Allocates nothing. */
    boolean matches(XtPacket p);

    /** Appends the match as iptables-save writes it: {@code " -m NAME OPTIONS"}. */
    void save(StringBuilder sb);

    /** Appends the match as iptables -L prints it, with a leading space; {@code numeric} for -n. */
    void list(StringBuilder sb, boolean numeric);

    /** Whether it needs connection tracking (nf_ct_netns_get in its checkentry). */
    default boolean needsConntrack() {
        return false;
    }

    /** The hooks (a {@link Chain#bit()} mask) it may be used from (struct xt_match's hooks). */
    default int hooks() {
        return ALL_HOOKS;
    }
}
