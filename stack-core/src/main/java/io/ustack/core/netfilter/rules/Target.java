package io.ustack.core.netfilter.rules;

/**
 * What a rule does with a packet it matches (an xt_target with its parameters). Every target here ends
 * the chain's walk, as ACCEPT, DROP and REJECT do in iptables.
 *
 * @param rejectWith REJECT's answer; null for the other kinds
 */
public record Target(Kind kind, RejectWith rejectWith) {
    public enum Kind { ACCEPT, DROP, REJECT }

    public static final Target ACCEPT = new Target(Kind.ACCEPT, null);
    public static final Target DROP = new Target(Kind.DROP, null);

    /** The target's name as -j takes it and the listing shows it. */
    public String name() {
        return kind.name();
    }

    /** The target's options as iptables -L prints them after the matches ("reject-with ..."), or "". */
    public String describe() {
        return kind == Kind.REJECT ? "reject-with " + rejectWith.text() : "";
    }

    /** The target's part of the rule as typed ("-j REJECT --reject-with tcp-reset"). */
    public String spec() {
        return kind == Kind.REJECT && rejectWith != RejectWith.ICMP_PORT_UNREACHABLE
                ? "-j REJECT --reject-with " + rejectWith.text() : "-j " + name();
    }
}
