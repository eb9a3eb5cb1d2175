package io.ustack.core.netfilter.rules;

import java.util.Locale;

/**
 * The matches on one IP header field: length (length_mt: the total length within a range), ttl (ttl_mt:
 * equal, not equal, below or above), its IPv6 twin hl (hl_mt6, on the hop limit) and dscp (dscp_mt: the
 * DSCP bits of the TOS byte or traffic class).
 */
final class HeaderMatch implements Match {
    enum Kind { LENGTH, TTL_EQ, TTL_LT, TTL_GT, DSCP }

    private final Kind kind;
    /** A TTL test on IPv6's hop limit: ip6tables' hl match, which names and prints itself so. */
    private final boolean hl;
    private final int lo;
    private final int hi;
    private final boolean invert;

    private HeaderMatch(Kind kind, boolean hl, int lo, int hi, boolean invert) {
        this.kind = kind;
        this.hl = hl;
        this.lo = lo;
        this.hi = hi;
        this.invert = invert;
    }

    @Override
    public String name() {
        return kind == Kind.LENGTH ? "length" : kind == Kind.DSCP ? "dscp" : hl ? "hl" : "ttl";
    }

    @Override
    public boolean matches(XtPacket p) {
        boolean m = switch (kind) {
            case LENGTH -> p.len >= lo && p.len <= hi;
            case TTL_EQ -> p.ttl == lo;
            case TTL_LT -> p.ttl < lo;
            case TTL_GT -> p.ttl > lo;
            case DSCP -> p.tos >>> 2 == lo;
        };
        return m != invert;
    }

    @Override
    public void save(StringBuilder sb) {
        switch (kind) {
            case LENGTH -> {
                sb.append(" -m length");
                Xt.saveOption(sb, invert, "--length " + Xt.range(lo, hi));
            }
            case DSCP -> {
                sb.append(" -m dscp");
                Xt.saveOption(sb, invert, "--dscp " + Xt.hex2(lo));
            }
            default -> {
                sb.append(" -m ").append(name());
                String op = kind == Kind.TTL_EQ ? "-eq " : kind == Kind.TTL_LT ? "-lt " : "-gt ";
                Xt.saveOption(sb, invert, "--" + name() + op + lo);
            }
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        switch (kind) {
            case LENGTH -> sb.append(" length ").append(invert ? "!" : "").append(Xt.range(lo, hi));
            case DSCP -> sb.append(" DSCP match ").append(invert ? "!" : "").append(Xt.hex2(lo));
            default -> sb.append(hl ? " HL match HL " : " TTL match TTL ").append(switch (kind) {
                case TTL_EQ -> invert ? "!=" : "==";
                case TTL_LT -> "<";
                default -> ">";
            }).append(' ').append(lo);
        }
    }

    /** The DiffServ class names --dscp-class takes (RFC 2474 class selectors, RFC 2597 AF, RFC 3246 EF). */
    private static int dscpClass(String v) {
        String c = v.toUpperCase(Locale.ROOT);
        if (c.matches("CS[0-7]")) {
            return (c.charAt(2) - '0') << 3;
        }
        if (c.matches("AF[1-4][1-3]")) {
            return (c.charAt(2) - '0') << 3 | (c.charAt(3) - '0') << 1;
        }
        if (c.equals("EF")) {
            return 46;
        }
        throw IptablesException.usage("Invalid DSCP class value `" + v + "'");
    }

    /** The DSCP value --dscp or --set-dscp takes: 0 to 63, decimal or 0x hex. */
    static int dscp(String option, String v) {
        long n = Xt.number(v, 63);
        if (n < 0) {
            throw IptablesException.usage("DSCP `" + v + "' out of range");
        }
        return (int) n;
    }

    static int dscpOrClass(String option, String v) {
        return option.endsWith("-class") ? dscpClass(v) : dscp(option, v);
    }

    static final class Parser implements MatchParser {
        private final String name;
        private Kind kind;
        private int lo;
        private int hi;
        private boolean invert;

        Parser(String name) {
            this.name = name;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            Kind k;
            switch (name + option) {
                case "length--length" -> {
                    k = Kind.LENGTH;
                    String v = w.value(option);
                    int colon = v.indexOf(':');
                    lo = Xt.number(option, colon < 0 ? v : v.substring(0, colon), 0xffff);
                    hi = colon < 0 ? lo : Xt.number(option, v.substring(colon + 1), 0xffff);
                    if (lo > hi) {
                        throw IptablesException.usage("length: invalid range " + v);
                    }
                }
                case "ttl--ttl-eq", "ttl--ttl-lt", "ttl--ttl-gt", "hl--hl-eq", "hl--hl-lt", "hl--hl-gt" -> {
                    k = option.endsWith("-eq") ? Kind.TTL_EQ : option.endsWith("-lt") ? Kind.TTL_LT : Kind.TTL_GT;
                    if (invert && k != Kind.TTL_EQ) {
                        throw IptablesException.usage(name.equals("hl") ? "hl: option \"" + option + "\" cannot be inverted."
                                : "ttl: unexpected `!' flag before " + option);
                    }
                    lo = hi = Xt.number(option, w.value(option), 255);
                }
                case "dscp--dscp", "dscp--dscp-class" -> {
                    k = Kind.DSCP;
                    lo = hi = dscpOrClass(option, w.value(option));
                }
                default -> {
                    return false;
                }
            }
            if (kind != null) {
                throw IptablesException.usage(name + ": only one of its options may be given");
            }
            kind = k;
            this.invert = invert;
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (kind == null) {
                throw IptablesException.usage(name.equals("hl") ? "HL match: You must specify one of `--hl-eq', `--hl-lt', "
                        + "`--hl-gt'" : name + " match: an option is required");
            }
            return new HeaderMatch(kind, name.equals("hl"), lo, hi, invert);
        }
    }
}
