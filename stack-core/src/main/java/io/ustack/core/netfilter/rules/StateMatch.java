package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.CtInfo;
import java.util.Arrays;

/**
 * The state match ({@code -m state --state}, state_mt): the packet's relation to its connection as a set of
 * XT_STATE bits, which {@link ConntrackMatch}'s {@code --ctstate} tests too.
 */
final class StateMatch implements Match {
    private static final String[] NAMES = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"};
    private static final int[] BITS = {CtInfo.STATE_INVALID, CtInfo.STATE_NEW, CtInfo.STATE_RELATED,
        CtInfo.STATE_ESTABLISHED, CtInfo.STATE_UNTRACKED};

    private final int mask;
    private final boolean invert;

    private StateMatch(int mask, boolean invert) {
        this.mask = mask;
        this.invert = invert;
    }

    @Override
    public String name() {
        return "state";
    }

    @Override
    public boolean matches(XtPacket p) {
        return ((mask & p.stateBit) != 0) != invert;
    }

    @Override
    public boolean needsConntrack() {
        return true;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m state");
        Xt.saveOption(sb, invert, "--state " + names(mask));
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" state ").append(invert ? "!" : "").append(names(mask));
    }

    /** The states in {@code mask}, comma-separated in state_print_state's order: INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED. */
    static String names(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BITS.length; i++) {
            if ((mask & BITS[i]) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(NAMES[i]);
            }
        }
        return sb.toString();
    }

    /** A comma-separated list of states as {@code module}'s option takes it (state_parse_states). */
    static int parse(String module, String v) {
        int mask = 0;
        for (String s : v.split(",", -1)) {
            int i = Arrays.asList(NAMES).indexOf(s);
            if (i < 0) {
                throw IptablesException.usage("Bad " + module + " \"" + s + "\"");
            }
            mask |= BITS[i];
        }
        return mask;
    }

    static final class Parser implements MatchParser {
        private int mask;
        private boolean invert;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals("--state")) {
                return false;
            }
            mask = parse("state", w.value(option));
            this.invert = invert;
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (mask == 0) {
                throw IptablesException.usage("state match: You must specify \"--state\"");
            }
            return new StateMatch(mask, invert);
        }
    }
}
