package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.CtInfo;

/**
 * NOTRACK, and CT --notrack which iptables-nft writes for it (xt_CT's notrack_tg): in the raw table, before
 * conntrack, the packet is marked untracked; conntrack, NAT and the state matches then leave it alone
 * ({@code --ctstate UNTRACKED} matches it). The walk goes on.
 */
final class NotrackTarget extends Target {
    /** Whether it was written as CT --notrack, so that it is saved as it came. */
    private final boolean ct;

    NotrackTarget(boolean ct) {
        this.ct = ct;
    }

    @Override
    public String name() {
        return ct ? "CT" : "NOTRACK";
    }

    @Override
    int fire(XtPacket p) {
        if (p.pkt.nfct() == null) {
            p.pkt.setNfct(null, CtInfo.UNTRACKED);
            p.stateBit = CtInfo.STATE_UNTRACKED;
        }
        return CONTINUE;
    }

    @Override
    String check(Rule rule, Table table, int hooks) {
        return restrict(name(), table, hooks, Table.RAW, Match.ALL_HOOKS);
    }

    @Override
    void save(StringBuilder sb) {
        if (ct) {
            sb.append(" --notrack");
        }
    }

    /** iptables-nft lists both spellings as the CT target they are. */
    @Override
    String listName() {
        return "CT";
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(ct ? " CT notrack" : " NOTRACK");
    }

    static final class Parser implements TargetParser {
        private final boolean ct;
        private boolean notrack;

        Parser(boolean ct) {
            this.ct = ct;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (ct && option.equals("--notrack")) {
                notrack = true;
                return true;
            }
            return false;
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            if (ct && !notrack) {
                throw IptablesException.usage("CT: ustack knows only --notrack");
            }
            return new NotrackTarget(ct);
        }
    }
}
