package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;

/**
 * The icmp match (icmp_match) and ip6tables' icmp6 match (icmp6_match): an ICMP (ICMPv6) type and a range of
 * codes, by number ({@code 3}, {@code 3/4}) or by the names the tool knows ({@code echo-request}); in
 * IPv4, type 255 ({@code any}) matches every ICMP packet.
 */
final class IcmpMatch implements Match {
    private static final int ANY = 0xff;

    /** The tool's ICMP names: name, type, lowest and highest code. */
    private record Name(String name, int type, int codeMin, int codeMax) {
    }

    /**
     * What differs between the two: the match's name, its option, the protocol it needs, the word -L prints
     * before the type, and the names.
     */
    record Dialect(String match, String option, int protocol, String listWord, Name[] names) {
    }

    private static final Name[] NAMES = {
        new Name("any", 0xff, 0, 0xff),
        new Name("echo-reply", 0, 0, 0xff),
        new Name("destination-unreachable", 3, 0, 0xff),
        new Name("network-unreachable", 3, 0, 0),
        new Name("host-unreachable", 3, 1, 1),
        new Name("protocol-unreachable", 3, 2, 2),
        new Name("port-unreachable", 3, 3, 3),
        new Name("fragmentation-needed", 3, 4, 4),
        new Name("source-route-failed", 3, 5, 5),
        new Name("network-unknown", 3, 6, 6),
        new Name("host-unknown", 3, 7, 7),
        new Name("network-prohibited", 3, 9, 9),
        new Name("host-prohibited", 3, 10, 10),
        new Name("TOS-network-unreachable", 3, 11, 11),
        new Name("TOS-host-unreachable", 3, 12, 12),
        new Name("communication-prohibited", 3, 13, 13),
        new Name("host-precedence-violation", 3, 14, 14),
        new Name("precedence-cutoff", 3, 15, 15),
        new Name("source-quench", 4, 0, 0xff),
        new Name("redirect", 5, 0, 0xff),
        new Name("network-redirect", 5, 0, 0),
        new Name("host-redirect", 5, 1, 1),
        new Name("TOS-network-redirect", 5, 2, 2),
        new Name("TOS-host-redirect", 5, 3, 3),
        new Name("echo-request", 8, 0, 0xff),
        new Name("router-advertisement", 9, 0, 0xff),
        new Name("router-solicitation", 10, 0, 0xff),
        new Name("time-exceeded", 11, 0, 0xff),
        new Name("ttl-zero-during-transit", 11, 0, 0),
        new Name("ttl-zero-during-reassembly", 11, 1, 1),
        new Name("parameter-problem", 12, 0, 0xff),
        new Name("ip-header-bad", 12, 0, 0),
        new Name("required-option-missing", 12, 1, 1),
        new Name("timestamp-request", 13, 0, 0xff),
        new Name("timestamp-reply", 14, 0, 0xff),
        new Name("address-mask-request", 17, 0, 0xff),
        new Name("address-mask-reply", 18, 0, 0xff),
    };

    /** libip6t_icmp6's names (RFC 4443 and RFC 4861 types), with its aliases. */
    private static final Name[] NAMES6 = {
        new Name("destination-unreachable", 1, 0, 0xff),
        new Name("no-route", 1, 0, 0),
        new Name("communication-prohibited", 1, 1, 1),
        new Name("beyond-scope", 1, 2, 2),
        new Name("address-unreachable", 1, 3, 3),
        new Name("port-unreachable", 1, 4, 4),
        new Name("failed-policy", 1, 5, 5),
        new Name("reject-route", 1, 6, 6),
        new Name("packet-too-big", 2, 0, 0xff),
        new Name("time-exceeded", 3, 0, 0xff),
        new Name("ttl-exceeded", 3, 0, 0xff),
        new Name("ttl-zero-during-transit", 3, 0, 0),
        new Name("ttl-zero-during-reassembly", 3, 1, 1),
        new Name("parameter-problem", 4, 0, 0xff),
        new Name("bad-header", 4, 0, 0),
        new Name("unknown-header-type", 4, 1, 1),
        new Name("unknown-option", 4, 2, 2),
        new Name("echo-request", 128, 0, 0xff),
        new Name("ping", 128, 0, 0xff),
        new Name("echo-reply", 129, 0, 0xff),
        new Name("pong", 129, 0, 0xff),
        new Name("mld-listener-query", 130, 0, 0xff),
        new Name("mld-listener-report", 131, 0, 0xff),
        new Name("mld-listener-done", 132, 0, 0xff),
        new Name("mld-listener-reduction", 132, 0, 0xff),
        new Name("router-solicitation", 133, 0, 0xff),
        new Name("router-advertisement", 134, 0, 0xff),
        new Name("neighbour-solicitation", 135, 0, 0xff),
        new Name("neighbor-solicitation", 135, 0, 0xff),
        new Name("neighbour-advertisement", 136, 0, 0xff),
        new Name("neighbor-advertisement", 136, 0, 0xff),
        new Name("redirect", 137, 0, 0xff),
    };

    /** iptables' icmp match. */
    static final Dialect ICMP = new Dialect("icmp", "--icmp-type", Ipv4Packet.IPPROTO_ICMP, "icmp", NAMES);
    /** ip6tables' icmp6 match. */
    static final Dialect ICMP6 = new Dialect("icmp6", "--icmpv6-type", Ipv6Packet.NEXTHDR_ICMP, "ipv6-icmp", NAMES6);

    private final Dialect dialect;
    private final int type;
    private final int codeMin;
    private final int codeMax;
    private final boolean invert;

    private IcmpMatch(Dialect dialect, int type, int codeMin, int codeMax, boolean invert) {
        this.dialect = dialect;
        this.type = type;
        this.codeMin = codeMin;
        this.codeMax = codeMax;
        this.invert = invert;
    }

    @Override
    public String name() {
        return dialect.match;
    }

    @Override
    public boolean matches(XtPacket p) {
        if (p.icmpType == XtPacket.NONE) {
            return false;
        }
        boolean m = (type == ANY && dialect == ICMP) || (p.icmpType == type && p.icmpCode >= codeMin && p.icmpCode <= codeMax);
        return m != invert;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m ").append(dialect.match);
        String t = type == ANY && dialect == ICMP ? "any"
                : codeMin == 0 && codeMax == 0xff ? Integer.toString(type) : type + "/" + codeMin;
        Xt.saveOption(sb, invert, dialect.option + " " + t);
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(' ').append(dialect.listWord);
        if (!numeric) {
            for (Name n : dialect.names) {
                if (n.type == type && n.codeMin == codeMin && n.codeMax == codeMax) {
                    sb.append(' ').append(invert ? "!" : "").append(n.name);
                    return;
                }
            }
        }
        sb.append(invert ? " !" : "").append("type ").append(type);
        if (codeMin == codeMax) {
            sb.append(" code ").append(codeMin);
        } else if (codeMin != 0 || codeMax != 0xff) {
            sb.append(" codes ").append(codeMin).append('-').append(codeMax);
        }
    }

    static final class Parser implements MatchParser {
        private final Dialect dialect;
        private int type = -1;
        private int codeMin;
        private int codeMax = 0xff;
        private boolean invert;

        Parser(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals(dialect.option)) {
                return false;
            }
            String v = w.value(option);
            this.invert = invert;
            for (Name n : dialect.names) {
                if (n.name.equalsIgnoreCase(v)) {
                    type = n.type;
                    codeMin = n.codeMin;
                    codeMax = n.codeMax;
                    return true;
                }
            }
            int slash = v.indexOf('/');
            long t = Xt.number(slash < 0 ? v : v.substring(0, slash), 255);
            long c = slash < 0 ? -2 : Xt.number(v.substring(slash + 1), 255);
            if (t < 0 || c == -1) {
                throw IptablesException.usage(dialect == ICMP ? "Invalid ICMP type `" + v + "'"
                        : "Unknown ICMPv6 type `" + v + "'");
            }
            type = (int) t;
            if (c >= 0) {
                codeMin = codeMax = (int) c;
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (type < 0) {
                throw IptablesException.usage(dialect.match + " match: You must specify `" + dialect.option + "'");
            }
            if (rule.protocol != dialect.protocol || rule.protocolInvert) {
                throw IptablesException.refused("iptables: Invalid argument (the " + dialect.match + " match needs -p "
                        + Protocols.name(dialect.protocol) + ")");
            }
            return new IcmpMatch(dialect, type, codeMin, codeMax, invert);
        }
    }
}
