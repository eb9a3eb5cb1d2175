package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Address;

/** The iprange match (iprange_mt4): source and/or destination addresses within inclusive ranges. */
final class IprangeMatch implements Match {
    private final boolean src;
    private final int srcLo;
    private final int srcHi;
    private final boolean srcInvert;
    private final boolean dst;
    private final int dstLo;
    private final int dstHi;
    private final boolean dstInvert;

    private IprangeMatch(Parser p) {
        src = p.src != null;
        srcLo = src ? p.src[0] : 0;
        srcHi = src ? p.src[1] : 0;
        srcInvert = p.srcInvert;
        dst = p.dst != null;
        dstLo = dst ? p.dst[0] : 0;
        dstHi = dst ? p.dst[1] : 0;
        dstInvert = p.dstInvert;
    }

    @Override
    public String name() {
        return "iprange";
    }

    @Override
    public boolean matches(XtPacket p) {
        if (src && in(p.saddr, srcLo, srcHi) == srcInvert) {
            return false;
        }
        return !dst || in(p.daddr, dstLo, dstHi) != dstInvert;
    }

    /** Addresses compare unsigned, as the kernel's ntohl values do. */
    private static boolean in(int a, int lo, int hi) {
        return Integer.compareUnsigned(a, lo) >= 0 && Integer.compareUnsigned(a, hi) <= 0;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m iprange");
        if (src) {
            Xt.saveOption(sb, srcInvert, "--src-range " + range(srcLo, srcHi));
        }
        if (dst) {
            Xt.saveOption(sb, dstInvert, "--dst-range " + range(dstLo, dstHi));
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        if (src) {
            sb.append(" source IP range ").append(srcInvert ? "! " : "").append(range(srcLo, srcHi));
        }
        if (dst) {
            sb.append(" destination IP range ").append(dstInvert ? "! " : "").append(range(dstLo, dstHi));
        }
    }

    private static String range(int lo, int hi) {
        return Ipv4Address.format(lo) + "-" + Ipv4Address.format(hi);
    }

    static final class Parser implements MatchParser {
        int[] src;
        boolean srcInvert;
        int[] dst;
        boolean dstInvert;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--src-range" -> {
                    src = parse(w.value(option));
                    srcInvert = invert;
                }
                case "--dst-range" -> {
                    dst = parse(w.value(option));
                    dstInvert = invert;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** FROM[-TO]. */
        private static int[] parse(String v) {
            int dash = v.indexOf('-');
            int lo = Xt.address(dash < 0 ? v : v.substring(0, dash));
            int hi = dash < 0 ? lo : Xt.address(v.substring(dash + 1));
            if (Integer.compareUnsigned(lo, hi) > 0) {
                throw IptablesException.usage("iprange: range " + v + " is reversed and will never match");
            }
            return new int[] {lo, hi};
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (src == null && dst == null) {
                throw IptablesException.usage("iprange match: You must specify `--src-range' or `--dst-range'");
            }
            return new IprangeMatch(this);
        }
    }
}
