package io.ustack.core.netfilter.rules;

/**
 * The standard target: a verdict (ACCEPT, DROP, RETURN), or a jump or goto to a user-defined chain, which
 * the table walk follows itself ({@link IpTables}); a jump's {@link #fire} is never called.
 */
final class StandardTarget extends Target {
    static final StandardTarget ACCEPT_TARGET = new StandardTarget("ACCEPT", ACCEPT, false);
    static final StandardTarget DROP_TARGET = new StandardTarget("DROP", DROP, false);
    static final StandardTarget RETURN_TARGET = new StandardTarget("RETURN", RETURN, false);

    private final String name;
    private final int verdict;
    /** -g: a goto, from which RETURN goes back past the chain that went. */
    private final boolean isGoto;

    private StandardTarget(String name, int verdict, boolean isGoto) {
        this.name = name;
        this.verdict = verdict;
        this.isGoto = isGoto;
    }

    /** A jump (-j CHAIN) or goto (-g CHAIN) to the user-defined chain {@code chain}. */
    static StandardTarget jump(String chain, boolean isGoto) {
        return new StandardTarget(chain, CONTINUE, isGoto);
    }

    /** The verdict named {@code name}, or null. */
    static StandardTarget verdict(String name) {
        return switch (name) {
            case "ACCEPT" -> ACCEPT_TARGET;
            case "DROP" -> DROP_TARGET;
            case "RETURN" -> RETURN_TARGET;
            default -> null;
        };
    }

    @Override
    public String name() {
        return name;
    }

    boolean isJump() {
        return this != ACCEPT_TARGET && this != DROP_TARGET && this != RETURN_TARGET;
    }

    boolean isGoto() {
        return isGoto;
    }

    @Override
    int fire(XtPacket p) {
        return verdict;
    }
}
