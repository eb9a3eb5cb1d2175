package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.conntrack.Conn;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.Arrays;
import java.util.Locale;

/**
 * The conntrack match (conntrack_mt, revision 3): the packet's state ({@code --ctstate}), the addresses of
 * its connection's tuples ({@code --ctorigsrc}, {@code --ctorigdst}, {@code --ctreplsrc},
 * {@code --ctrepldst}, each ADDR[/LEN]) and the direction it goes ({@code --ctdir ORIGINAL|REPLY}). A packet
 * without a connection has only a state (INVALID or UNTRACKED): every other test fails for it.
 */
final class ConntrackMatch implements Match {
    /** The four tuple addresses, in conntrack_dump's order: original source and destination, then reply's. */
    private static final String[] ADDRESS_OPTIONS = {"ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst"};
    private static final String[] DIRECTIONS = {"ORIGINAL", "REPLY"};

    /** 0: no --ctstate. */
    private final int stateMask;
    private final boolean stateInvert;
    /** Per tuple address: its value and mask (mask 0 with set false: no test) and inversion. */
    private final boolean[] set;
    private final int[] addr;
    private final int[] mask;
    private final boolean[] invert;
    /** -1: no --ctdir; else 0 for ORIGINAL, 1 for REPLY. */
    private final int dir;

    private ConntrackMatch(Parser p) {
        stateMask = p.stateMask;
        stateInvert = p.stateInvert;
        set = p.set;
        addr = p.addr;
        mask = p.mask;
        invert = p.invert;
        dir = p.dir;
    }

    @Override
    public String name() {
        return "conntrack";
    }

    @Override
    public boolean needsConntrack() {
        return true;
    }

    @Override
    public boolean matches(XtPacket p) {
        if (stateMask != 0 && ((stateMask & p.stateBit) != 0) == stateInvert) {
            return false;
        }
        Conn ct = p.pkt.nfct();
        for (int i = 0; i < set.length; i++) {
            if (set[i]) {
                if (ct == null) {
                    return false;
                }
                boolean reply = i >= 2;
                int a = i % 2 == 0 ? ct.src(reply) : ct.dst(reply);
                if (((a & mask[i]) == addr[i]) == invert[i]) {
                    return false;
                }
            }
        }
        if (dir >= 0) {
            return ct != null && (p.pkt.nfctInfo().isReply() ? 1 : 0) == dir;
        }
        return true;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m conntrack");
        if (stateMask != 0) {
            Xt.saveOption(sb, stateInvert, "--ctstate " + StateMatch.names(stateMask));
        }
        for (int i = 0; i < set.length; i++) {
            if (set[i]) {
                Xt.saveOption(sb, invert[i], "--" + ADDRESS_OPTIONS[i] + " " + address(i));
            }
        }
        if (dir >= 0) {
            sb.append(" --ctdir ").append(DIRECTIONS[dir]);
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        if (stateMask != 0) {
            sb.append(stateInvert ? " ! ctstate " : " ctstate ").append(StateMatch.names(stateMask));
        }
        for (int i = 0; i < set.length; i++) {
            if (set[i]) {
                sb.append(invert[i] ? " ! " : " ").append(ADDRESS_OPTIONS[i]).append(' ').append(address(i));
            }
        }
        if (dir >= 0) {
            sb.append(" ctdir ").append(DIRECTIONS[dir]);
        }
    }

    /** ADDR for a host, ADDR/LEN for a network. */
    private String address(int i) {
        int len = Integer.bitCount(mask[i]);
        return Ipv4Address.format(addr[i]) + (len == 32 ? "" : "/" + len);
    }

    static final class Parser implements MatchParser {
        private int stateMask;
        private boolean stateInvert;
        private final boolean[] set = new boolean[ADDRESS_OPTIONS.length];
        private final int[] addr = new int[ADDRESS_OPTIONS.length];
        private final int[] mask = new int[ADDRESS_OPTIONS.length];
        private final boolean[] invert = new boolean[ADDRESS_OPTIONS.length];
        private int dir = -1;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (option.equals("--ctstate")) {
                stateMask = StateMatch.parse("ctstate", w.value(option));
                stateInvert = invert;
                return true;
            }
            if (option.equals("--ctdir")) {
                String v = w.value(option);
                dir = Arrays.asList(DIRECTIONS).indexOf(v.toUpperCase(Locale.ROOT));
                if (dir < 0 || invert) {
                    throw IptablesException.usage("conntrack: --ctdir takes ORIGINAL or REPLY, and no '!'");
                }
                return true;
            }
            for (int i = 0; i < ADDRESS_OPTIONS.length; i++) {
                if (option.equals("--" + ADDRESS_OPTIONS[i])) {
                    Ipv4Prefix p = RuleParser.prefix(w.value(option));
                    set[i] = true;
                    mask[i] = p.mask();
                    addr[i] = p.address() & p.mask();
                    this.invert[i] = invert;
                    return true;
                }
            }
            return false;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            boolean any = stateMask != 0 || dir >= 0;
            for (boolean s : set) {
                any |= s;
            }
            if (!any) {
                throw IptablesException.usage("conntrack: At least one option is required");
            }
            for (int i = 0; i < set.length; i++) {
                if (set[i] && rule.family == NfProto.IPV6) {
                    // the addresses are compared as IPv4's; an IPv6 flow has none to compare
                    throw IptablesException.usage("conntrack: ustack's --" + ADDRESS_OPTIONS[i] + " takes IPv4 "
                            + "addresses, for iptables' rules only");
                }
            }
            return new ConntrackMatch(this);
        }
    }
}
