package io.ustack.core.netfilter.rules;

/**
 * A packet rate as limit and hashlimit take and print it ({@code 5/sec}, {@code 3/min}): kept as the kernel
 * keeps it, the average time between packets in units of 1/{@code scale} s (limit's XT_LIMIT_SCALE is 10^4,
 * hashlimit's XT_HASHLIMIT_SCALE_v2 10^6), so that iptables' way of printing it back comes out the same.
 */
final class Rate {
    private static final String[] UNITS = {"day", "hour", "min", "sec"};
    private static final long[] SECONDS = {24 * 60 * 60, 60 * 60, 60, 1};

    private Rate() {
    }

    /** parse_rate: N[/second|minute|hour|day], a unit by any prefix of its name; per second without one. */
    static long parse(String v, long scale) {
        int slash = v.indexOf('/');
        long seconds = 1;
        if (slash >= 0) {
            String unit = v.substring(slash + 1);
            seconds = -1;
            for (int i = 0; i < UNITS.length; i++) {
                String full = i == 3 ? "second" : i == 2 ? "minute" : UNITS[i];
                if (!unit.isEmpty() && full.startsWith(unit)) {
                    seconds = SECONDS[i];
                }
            }
        }
        long n = Xt.number(slash < 0 ? v : v.substring(0, slash), Integer.MAX_VALUE);
        if (seconds < 0 || n <= 0) {
            throw IptablesException.usage("bad rate \"" + v + "\"'");
        }
        long avg = seconds * scale / n;
        if (avg == 0) {
            throw IptablesException.usage("Rate too fast \"" + v + "\"");
        }
        return avg;
    }

    /** print_rate: the largest unit that shows the rate without losing more than the next one would. */
    static String format(long avg, long scale) {
        int i = 1;
        for (; i < UNITS.length; i++) {
            long mult = SECONDS[i] * scale;
            if (avg > mult || mult / avg < mult % avg) {
                break;
            }
        }
        return SECONDS[i - 1] * scale / avg + "/" + UNITS[i - 1];
    }

    /**
     * A token bucket's credit (in nanoseconds of allowance) at {@code now}: what it held at {@code last},
     * plus the time since, up to {@code capacity} (the burst's worth).
     */
    static long credit(long credit, long last, long now, long capacity) {
        return Math.min(capacity, credit + Math.max(0, now - last));
    }

    /** The nanoseconds one packet costs from a token bucket at this rate. */
    static long nanos(long avg, long scale) {
        return avg * (1_000_000_000L / scale);
    }
}
