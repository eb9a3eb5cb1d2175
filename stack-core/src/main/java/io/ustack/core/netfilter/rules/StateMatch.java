package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.CtInfo;
import java.util.Arrays;

/**
 * The state match ({@code -m state --state}) and the conntrack match's {@code --ctstate} (state_mt,
 * conntrack_mt_v3's state test): the packet's relation to its connection as a set of XT_STATE bits.
 */
final class StateMatch implements Match {
    private static final String[] NAMES = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"};
    private static final int[] BITS = {CtInfo.STATE_INVALID, CtInfo.STATE_NEW, CtInfo.STATE_RELATED,
        CtInfo.STATE_ESTABLISHED, CtInfo.STATE_UNTRACKED};

    /** true: -m conntrack --ctstate; false: -m state --state. */
    private final boolean conntrack;
    private final int mask;
    private final boolean invert;

    private StateMatch(boolean conntrack, int mask, boolean invert) {
        this.conntrack = conntrack;
        this.mask = mask;
        this.invert = invert;
    }

    @Override
    public String name() {
        return conntrack ? "conntrack" : "state";
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
        sb.append(conntrack ? " -m conntrack" : " -m state");
        Xt.saveOption(sb, invert, (conntrack ? "--ctstate " : "--state ") + names());
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        if (conntrack) {
            sb.append(invert ? " ! ctstate " : " ctstate ").append(names());
        } else {
            sb.append(" state ").append(invert ? "!" : "").append(names());
        }
    }

    /** state_print_state's order: INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED. */
    private String names() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BITS.length; i++) {
            if ((mask & BITS[i]) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(NAMES[i]);
            }
        }
        return sb.toString();
    }

    static final class Parser implements MatchParser {
        private final boolean conntrack;
        private int mask;
        private boolean invert;

        Parser(boolean conntrack) {
            this.conntrack = conntrack;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals(conntrack ? "--ctstate" : "--state")) {
                return false;
            }
            String v = w.value(option);
            this.invert = invert;
            for (String s : v.split(",", -1)) {
                int i = Arrays.asList(NAMES).indexOf(s);
                if (i < 0) {
                    throw IptablesException.usage("Bad " + (conntrack ? "ctstate" : "state") + " \"" + s + "\"");
                }
                mask |= BITS[i];
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (mask == 0) {
                throw IptablesException.usage(conntrack ? "conntrack: At least one option is required"
                        : "state match: You must specify \"--state\"");
            }
            return new StateMatch(conntrack, mask, invert);
        }
    }
}
