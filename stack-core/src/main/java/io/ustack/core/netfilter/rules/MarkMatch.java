package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.Conn;

/**
 * The mark and connmark matches (mark_mt, connmark_mt): the packet's mark, or its connection's, under a
 * mask equals a value. A packet without a connection never matches connmark.
 */
final class MarkMatch implements Match {
    private final boolean connmark;
    private final int mark;
    private final int mask;
    private final boolean invert;

    private MarkMatch(boolean connmark, int mark, int mask, boolean invert) {
        this.connmark = connmark;
        this.mark = mark;
        this.mask = mask;
        this.invert = invert;
    }

    @Override
    public String name() {
        return connmark ? "connmark" : "mark";
    }

    @Override
    public boolean matches(XtPacket p) {
        int m;
        if (connmark) {
            Conn ct = p.pkt.nfct();
            if (ct == null) {
                return false;
            }
            m = ct.mark();
        } else {
            m = p.pkt.mark();
        }
        return ((m & mask) == mark) != invert;
    }

    @Override
    public boolean needsConntrack() {
        return connmark;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(connmark ? " -m connmark" : " -m mark");
        Xt.saveOption(sb, invert, "--mark " + value());
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        if (connmark) {
            sb.append(" connmark match ").append(invert ? "!" : " ").append(value());
        } else {
            sb.append(" mark match ").append(invert ? "! " : "").append(value());
        }
    }

    private String value() {
        return Xt.hex(mark) + (mask == -1 ? "" : "/" + Xt.hex(mask));
    }

    static final class Parser implements MatchParser {
        private final boolean connmark;
        private long[] value;
        private boolean invert;

        Parser(boolean connmark) {
            this.connmark = connmark;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals("--mark")) {
                return false;
            }
            value = Xt.valueMask(option, w.value(option));
            this.invert = invert;
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (value == null) {
                throw IptablesException.usage((connmark ? "connmark" : "mark") + ": option \"--mark\" must be specified");
            }
            return new MarkMatch(connmark, (int) (value[0] & value[1]), (int) value[1], invert);
        }
    }
}
