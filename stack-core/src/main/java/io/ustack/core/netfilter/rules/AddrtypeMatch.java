package io.ustack.core.netfilter.rules;

import io.ustack.core.route.Fib;
import java.util.Arrays;
import java.util.Locale;

/**
 * The addrtype match (addrtype_mt_v1): the routing type of the source and/or destination address
 * (inet_addr_type): LOCAL for this host's addresses, BROADCAST for 0.0.0.0, 255.255.255.255 and subnet
 * broadcasts, MULTICAST for 224/4, UNREACHABLE with no route, else UNICAST.
 */
final class AddrtypeMatch implements Match {
    /** enum rtn_type's order: each type's bit is 1 << its number. */
    private static final String[] TYPES = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
        "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};
    private static final int UNICAST = 1;
    private static final int LOCAL = 2;
    private static final int BROADCAST = 3;
    private static final int MULTICAST = 5;
    private static final int UNREACHABLE = 7;

    private final int srcMask;
    private final boolean srcInvert;
    private final int dstMask;
    private final boolean dstInvert;

    private AddrtypeMatch(int srcMask, boolean srcInvert, int dstMask, boolean dstInvert) {
        this.srcMask = srcMask;
        this.srcInvert = srcInvert;
        this.dstMask = dstMask;
        this.dstInvert = dstInvert;
    }

    @Override
    public String name() {
        return "addrtype";
    }

    @Override
    public boolean matches(XtPacket p) {
        if (srcMask != 0 && ((srcMask & (1 << type(p.env.fib(), p.saddr))) != 0) == srcInvert) {
            return false;
        }
        return dstMask == 0 || ((dstMask & (1 << type(p.env.fib(), p.daddr))) != 0) != dstInvert;
    }

    /** inet_dev_addr_type. */
    static int type(Fib fib, int addr) {
        if (addr == 0 || addr == -1) {
            return BROADCAST;
        }
        if ((addr & 0xf0000000) == 0xe0000000) {
            return MULTICAST;
        }
        if (fib.isLocal(addr)) {
            return LOCAL;
        }
        if (fib.isBroadcast(addr)) {
            return BROADCAST;
        }
        return fib.lookup(addr) == null ? UNREACHABLE : UNICAST;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m addrtype");
        if (srcMask != 0) {
            Xt.saveOption(sb, srcInvert, "--src-type " + names(srcMask));
        }
        if (dstMask != 0) {
            Xt.saveOption(sb, dstInvert, "--dst-type " + names(dstMask));
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" ADDRTYPE match");
        if (srcMask != 0) {
            sb.append(" src-type ").append(srcInvert ? "!" : "").append(names(srcMask));
        }
        if (dstMask != 0) {
            sb.append(" dst-type ").append(dstInvert ? "!" : "").append(names(dstMask));
        }
    }

    private static String names(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < TYPES.length; i++) {
            if ((mask & (1 << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(TYPES[i]);
            }
        }
        return sb.toString();
    }

    static final class Parser implements MatchParser {
        private int srcMask;
        private boolean srcInvert;
        private int dstMask;
        private boolean dstInvert;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--src-type" -> {
                    srcMask = parse(w.value(option));
                    srcInvert = invert;
                }
                case "--dst-type" -> {
                    dstMask = parse(w.value(option));
                    dstInvert = invert;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private static int parse(String v) {
            int mask = 0;
            for (String t : v.split(",", -1)) {
                int i = Arrays.asList(TYPES).indexOf(t.toUpperCase(Locale.ROOT));
                if (i < 0) {
                    throw IptablesException.usage("addrtype: bad type \"" + t + "\"");
                }
                mask |= 1 << i;
            }
            return mask;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (srcMask == 0 && dstMask == 0) {
                throw IptablesException.usage("addrtype: you must specify --src-type or --dst-type");
            }
            return new AddrtypeMatch(srcMask, srcInvert, dstMask, dstInvert);
        }
    }
}
