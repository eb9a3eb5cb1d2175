package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Address;
import java.util.Arrays;

/**
 * The hashlimit match (hashlimit_mt, revision 2): a token bucket per flow instead of per rule, the flow
 * being what {@code --hashlimit-mode} names (source and/or destination address, under
 * {@code --hashlimit-srcmask}/{@code -dstmask}, and port). {@code --hashlimit-upto} matches while the flow's
 * bucket has a token, {@code --hashlimit-above} once it has none. A flow idle for
 * {@code --hashlimit-htable-expire} ms starts again with a full bucket.
 *
 * <p>The buckets live in an open-addressing table of primitive arrays, so a lookup allocates nothing; when
 * {@code --hashlimit-htable-max} flows are in it, the idle ones are swept out, and if none is, a new flow
 * is not matched (dsthash_alloc_init failing). Unlike the kernel's, rules of the same
 * {@code --hashlimit-name} keep buckets of their own.
 */
final class HashlimitMatch implements Match {
    /** XT_HASHLIMIT_SCALE_v2. */
    static final long SCALE = 1_000_000;
    private static final int DEFAULT_BURST = 5;
    private static final long DEFAULT_EXPIRE_MS = 10_000;
    /** Flows a table holds unless --hashlimit-htable-max says otherwise (the kernel sizes it by memory). */
    private static final int DEFAULT_MAX = 1024;
    /** The most --hashlimit-htable-max may ask: its table then takes about 8 MB. */
    private static final int MAX_MAX = 65536;
    /** XT_HASHLIMIT_HASH_*, in the order iptables prints them. */
    private static final String[] MODES = {"srcip", "srcport", "dstip", "dstport"};
    private static final int SRC_IP = 1;
    private static final int SRC_PORT = 2;
    private static final int DST_IP = 4;
    private static final int DST_PORT = 8;

    private final String name;
    private final long avg;
    private final boolean above;
    private final int burst;
    private final int mode;
    private final int srcPrefix;
    private final int dstPrefix;
    private final long expireMs;
    /** --hashlimit-htable-size and -max as given (0: not given); max bounds the flows either way. */
    private final int size;
    private final int max;
    private final long cost;
    private final long capacity;

    // the table: a flow's key is its addresses (high and low halves of addrs) and ports (ports)
    private long[] addrs;
    private int[] ports;
    private long[] credits;
    private long[] lasts;
    private boolean[] used;
    private int count;

    private HashlimitMatch(Parser p) {
        name = p.name;
        avg = p.avg;
        above = p.above;
        burst = p.burst;
        mode = p.mode;
        srcPrefix = p.srcPrefix;
        dstPrefix = p.dstPrefix;
        expireMs = p.expireMs;
        size = p.size;
        max = p.max;
        cost = Rate.nanos(avg, SCALE);
        capacity = cost * burst;
        allocate(Integer.highestOneBit(Math.max(16, (max > 0 ? max : DEFAULT_MAX) * 2 - 1)) * 2);
    }

    private void allocate(int slots) {
        addrs = new long[slots];
        ports = new int[slots];
        credits = new long[slots];
        lasts = new long[slots];
        used = new boolean[slots];
        count = 0;
    }

    @Override
    public String name() {
        return "hashlimit";
    }

    @Override
    public synchronized boolean matches(XtPacket p) {
        int sport = p.sport == XtPacket.NONE ? 0 : p.sport;
        int dport = p.dport == XtPacket.NONE ? 0 : p.dport;
        long a = ((mode & SRC_IP) != 0 ? (long) (p.saddr & Ipv4Address.mask(srcPrefix)) << 32 : 0)
                | ((mode & DST_IP) != 0 ? p.daddr & Ipv4Address.mask(dstPrefix) & 0xffffffffL : 0);
        int pp = ((mode & SRC_PORT) != 0 ? sport << 16 : 0) | ((mode & DST_PORT) != 0 ? dport : 0);
        long now = p.env.clock().nanos();
        int i = slot(a, pp, now);
        if (i < 0) {
            return false;
        }
        long c = lasts[i] == Long.MIN_VALUE || now - lasts[i] > expireMs * 1_000_000L ? capacity
                : Rate.credit(credits[i], lasts[i], now, capacity);
        lasts[i] = now;
        if (c >= cost) {
            credits[i] = c - cost;
            return !above;
        }
        credits[i] = c;
        return above;
    }

    /** The flow's slot, taken for it with a full bucket if it is new; -1 when the table is full of live flows. */
    private int slot(long a, int pp, long now) {
        int mask = used.length - 1;
        int i = (int) (Long.hashCode(a * 0x9E3779B97F4A7C15L) ^ pp * 0x85EBCA6B) & mask;
        for (; used[i]; i = (i + 1) & mask) {
            if (addrs[i] == a && ports[i] == pp) {
                return i;
            }
        }
        if (count >= (max > 0 ? max : DEFAULT_MAX)) {
            if (!sweep(now)) {
                return -1;
            }
            return slot(a, pp, now);
        }
        used[i] = true;
        addrs[i] = a;
        ports[i] = pp;
        lasts[i] = Long.MIN_VALUE;
        count++;
        return i;
    }

    /** htable_gc: keeps the flows used within --hashlimit-htable-expire; whether any room was made. */
    private boolean sweep(long now) {
        long[] oldAddrs = addrs;
        int[] oldPorts = ports;
        long[] oldCredits = credits;
        long[] oldLasts = lasts;
        boolean[] oldUsed = used;
        int before = count;
        allocate(oldUsed.length);
        for (int j = 0; j < oldUsed.length; j++) {
            if (oldUsed[j] && now - oldLasts[j] <= expireMs * 1_000_000L) {
                int i = slot(oldAddrs[j], oldPorts[j], now);
                credits[i] = oldCredits[j];
                lasts[i] = oldLasts[j];
            }
        }
        return count < before;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m hashlimit ").append(above ? "--hashlimit-above " : "--hashlimit-upto ")
                .append(Rate.format(avg, SCALE)).append(" --hashlimit-burst ").append(burst);
        if (mode != 0) {
            sb.append(" --hashlimit-mode ").append(modes(","));
        }
        sb.append(" --hashlimit-name ").append(name);
        options(sb, " --hashlimit-");
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" limit: ").append(above ? "above " : "up to ").append(Rate.format(avg, SCALE)).append(" burst ")
                .append(burst);
        if (mode != 0) {
            sb.append(" mode ").append(modes("-"));
        }
        options(sb, " ");
    }

    /** The table's options and masks that differ from the defaults, as save ("--hashlimit-...") or list print them. */
    private void options(StringBuilder sb, String prefix) {
        if (size > 0) {
            sb.append(prefix).append("htable-size ").append(size);
        }
        if (max > 0) {
            sb.append(prefix).append("htable-max ").append(max);
        }
        if (expireMs != DEFAULT_EXPIRE_MS) {
            sb.append(prefix).append("htable-expire ").append(expireMs);
        }
        if (srcPrefix != 32) {
            sb.append(prefix).append("srcmask ").append(srcPrefix);
        }
        if (dstPrefix != 32) {
            sb.append(prefix).append("dstmask ").append(dstPrefix);
        }
    }

    private String modes(String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MODES.length; i++) {
            if ((mode & 1 << i) != 0) {
                sb.append(sb.length() == 0 ? "" : separator).append(MODES[i]);
            }
        }
        return sb.toString();
    }

    static final class Parser implements MatchParser {
        /** IFNAMSIZ: the longest name, with its NUL. */
        private static final int MAX_NAME = 15;

        private String name;
        private long avg = -1;
        private boolean above;
        private int burst = DEFAULT_BURST;
        private int mode;
        private int srcPrefix = 32;
        private int dstPrefix = 32;
        private long expireMs = DEFAULT_EXPIRE_MS;
        private int size;
        private int max;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (invert) {
                throw IptablesException.usage("hashlimit: unexpected `!' flag before " + option);
            }
            switch (option) {
                case "--hashlimit-upto", "--hashlimit", "--hashlimit-above" -> {
                    avg = Rate.parse(w.value(option), SCALE);
                    above = option.equals("--hashlimit-above");
                }
                case "--hashlimit-burst" -> burst = Math.max(1, Xt.number(option, w.value(option), 10_000));
                case "--hashlimit-mode" -> {
                    for (String m : w.value(option).split(",", -1)) {
                        int i = Arrays.asList(MODES).indexOf(m);
                        if (i < 0) {
                            throw IptablesException.usage("hashlimit: bad mode \"" + m + "\"");
                        }
                        mode |= 1 << i;
                    }
                }
                case "--hashlimit-name" -> {
                    name = w.value(option);
                    if (name.isEmpty() || name.length() > MAX_NAME) {
                        throw IptablesException.usage("hashlimit: name \"" + name + "\" is empty or longer than "
                                + MAX_NAME + " characters");
                    }
                }
                case "--hashlimit-srcmask" -> srcPrefix = Xt.number(option, w.value(option), 32);
                case "--hashlimit-dstmask" -> dstPrefix = Xt.number(option, w.value(option), 32);
                case "--hashlimit-htable-expire" -> expireMs = Xt.number(option, w.value(option), Integer.MAX_VALUE);
                case "--hashlimit-htable-size" -> size = Xt.number(option, w.value(option), MAX_MAX);
                case "--hashlimit-htable-max" -> max = Math.max(1, Xt.number(option, w.value(option), MAX_MAX));
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (avg < 0) {
                throw IptablesException.usage("hashlimit: option \"--hashlimit-upto\" or \"--hashlimit-above\" must be "
                        + "specified");
            }
            if (name == null) {
                throw IptablesException.usage("hashlimit: option \"--hashlimit-name\" must be specified");
            }
            return new HashlimitMatch(this);
        }
    }
}
