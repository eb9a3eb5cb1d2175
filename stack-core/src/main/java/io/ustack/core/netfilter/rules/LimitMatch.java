package io.ustack.core.netfilter.rules;

/**
 * The limit match (limit_mt): a token bucket per rule on the stack's clock. It holds {@code burst} tokens
 * and gains one every {@code 1/rate}; a packet that finds a token takes it and matches. The rate is a
 * {@link Rate} at XT_LIMIT_SCALE.
 */
final class LimitMatch implements Match {
    /** XT_LIMIT_SCALE. */
    static final long SCALE = 10_000;
    private static final int DEFAULT_BURST = 5;

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
        this.cost = Rate.nanos(avg, SCALE);
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
            credit = Rate.credit(credit, last, now, capacity);
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
        sb.append(" -m limit --limit ").append(Rate.format(avg, SCALE));
        if (burst != DEFAULT_BURST) {
            sb.append(" --limit-burst ").append(burst);
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" limit: avg ").append(Rate.format(avg, SCALE)).append(" burst ").append(burst);
    }

    static final class Parser implements MatchParser {
        private long avg = 60 * 60 * SCALE / 3; // XT_LIMIT_AVG's default, 3/hour
        private int burst = DEFAULT_BURST;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--limit" -> avg = Rate.parse(w.value(option), SCALE);
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

        @Override
        public Match build(RuleParser.Builder rule) {
            return new LimitMatch(avg, burst);
        }
    }
}
