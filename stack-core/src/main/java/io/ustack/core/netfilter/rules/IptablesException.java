package io.ustack.core.netfilter.rules;

/**
 * A command iptables would refuse, with the one line it would print and its exit status: 2 for a bad
 * command line (PARAMETER_PROBLEM), 1 for what the tables refuse (no such chain or rule, a chain in use).
 */
public final class IptablesException extends IllegalArgumentException {
    /** xtables' PARAMETER_PROBLEM. */
    public static final int USAGE = 2;
    /** A refusal by the tables themselves (iptables' "iptables: ..." messages, and kernel errors). */
    public static final int REFUSED = 1;

    private final int status;

    public IptablesException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** A bad command line. */
    static IptablesException usage(String message) {
        return new IptablesException(USAGE, message);
    }

    /** What the tables refuse. */
    static IptablesException refused(String message) {
        return new IptablesException(REFUSED, message);
    }

    /**
     * This refusal as {@code tool} words it: the tables' messages name iptables ("iptables: Chain already
     * exists."), and ip6tables says the same of its own.
     */
    IptablesException by(String tool) {
        String m = getMessage();
        if (!m.startsWith("iptables") || tool.equals("iptables")) {
            return this;
        }
        return new IptablesException(status, tool + m.substring("iptables".length()));
    }

    /** The exit status iptables gives. */
    public int status() {
        return status;
    }
}
