package io.ustack.core.netfilter.rules;

/**
 * The limit match (limit_mt): a token bucket per rule on the stack's clock. It holds {@code burst} tokens
 * and gains one every {@code 1/rate}; a packet that finds a token takes it and matches. The rate is kept
 * as the kernel keeps it, {@code avg} in units of 1/{@value #SCALE} s per packet, so that iptables' way of
 * printing it back ({@link #rate()}) comes out the same.
 */
final class LimitMatch implements Match {
    /** XT_LIMIT_SCALE. */
    static final long SCALE = 10_000;
    private static final int DEFAULT_BURST = 5;
    private static final long NANOS_PER_SCALE = 1_000_000_000L / SCALE;
    private static final String[] UNITS = {"day", "hour", "min", "sec"};
    private static final long[] UNIT_MULT = {24 * 60 * 60 * SCALE, 60 * 60 * SCALE, 60 * SCALE, SCALE};

    private final long avg;
    private final int burst;
    /** Nanoseconds a packet costs, and what a full bucket holds. */
    private final long cost;
    private final long capacity;
    private long credit;
    private long last = Long.MIN_VALUE;

    private LimitMatch(long avg, int burst) {
        this.avg = avg;
        this.burst = burst;
        this.cost = avg * NANOS_PER_SCALE;
        this.capacity = cost * burst;
        this.credit = capacity;
    }

    @Override
    public String name() {
        return "limit";
    }

    @Override
    public synchronized boolean matches(XtPacket p) {
        long now = p.env.clock().nanos();
        if (last != Long.MIN_VALUE) {
            credit = Math.min(capacity, credit + Math.max(0, now - last));
        }
        last = now;
        if (credit >= cost) {
            credit -= cost;
            return true;
        }
        return false;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m limit --limit ").append(rate());
        if (burst != DEFAULT_BURST) {
            sb.append(" --limit-burst ").append(burst);
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" limit: avg ").append(rate()).append(" burst ").append(burst);
    }

    /** print_rate: the largest unit that shows the rate without losing more than the next one would. */
    private String rate() {
        int i = 1;
        for (; i < UNITS.length; i++) {
            if (avg > UNIT_MULT[i] || UNIT_MULT[i] / avg < UNIT_MULT[i] % avg) {
                break;
            }
        }
        return UNIT_MULT[i - 1] / avg + "/" + UNITS[i - 1];
    }

    static final class Parser implements MatchParser {
        private long avg = UNIT_MULT[1] / 3; // XT_LIMIT_AVG's default, 3/hour
        private int burst = DEFAULT_BURST;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--limit" -> avg = parseRate(w.value(option));
                case "--limit-burst" -> {
                    burst = Xt.number(option, w.value(option), 10_000);
                    if (burst == 0) {
                        throw IptablesException.usage("limit: Bad value for \"--limit-burst\" option: \"0\"");
                    }
                }
                default -> {
                    return false;
                }
            }
            if (invert) {
                throw IptablesException.usage("limit does not support invert");
            }
            return true;
        }

        /** parse_rate: N[/second|minute|hour|day], a unit by any prefix of its name. */
        private static long parseRate(String v) {
            int slash = v.indexOf('/');
            long mult = SCALE;
            if (slash >= 0) {
                String unit = v.substring(slash + 1);
                mult = switch (unit.isEmpty() ? ' ' : unit.charAt(0)) {
                    case 's' -> "second".startsWith(unit) ? SCALE : -1;
                    case 'm' -> "minute".startsWith(unit) ? 60 * SCALE : -1;
                    case 'h' -> "hour".startsWith(unit) ? 60 * 60 * SCALE : -1;
                    case 'd' -> "day".startsWith(unit) ? 24 * 60 * 60 * SCALE : -1;
                    default -> -1;
                };
            }
            long n = Xt.number(slash < 0 ? v : v.substring(0, slash), Integer.MAX_VALUE);
            if (mult < 0 || n <= 0) {
                throw IptablesException.usage("bad rate \"" + v + "\"'");
            }
            long r = mult / n;
            if (r == 0) {
                throw IptablesException.usage("Rate too fast \"" + v + "\"");
            }
            return r;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            return new LimitMatch(avg, burst);
        }
    }
}
