package io.ustack.cli.packetdrill;

import java.util.Locale;

/**
 * How run.c turns an event's written time into script time, and how it words a timing error. All times in
 * microseconds since the script began; -1 stands for {@code *}, any time.
 */
final class EventTimes {
    private EventTimes() {
    }

    /** The event's time, or its range's start: a relative time counts from {@code base}. */
    static long start(EventTime t, long base) {
        return switch (t.kind()) {
            case ABSOLUTE, ABSOLUTE_RANGE -> t.usecs();
            case RELATIVE, RELATIVE_RANGE -> base + t.usecs();
            case ANY -> -1;
        };
    }

    /** A range's end; the start for any other time. */
    static long end(EventTime t, long base, long start) {
        return switch (t.kind()) {
            case ABSOLUTE_RANGE -> t.endUsecs();
            case RELATIVE_RANGE -> base + t.endUsecs();
            default -> start;
        };
    }

    /** verify_time's tolerance: --tolerance_usecs, or a share of the time since the previous event if more. */
    static long tolerance(RunConfig config, long start, long prevScheduled) {
        long share = start < 0 ? 0 : (long) ((start - prevScheduled) * config.tolerancePercent() / 100.0);
        return Math.max(config.toleranceUsecs(), share);
    }

    static String timing(String what, long expected, long actual, long tolerance) {
        return String.format(Locale.ROOT, "timing error: expected %s at %.6f sec but happened at %.6f sec; tolerance %.6f sec",
                what, expected / 1e6, actual / 1e6, tolerance / 1e6);
    }

    static String timingRange(String what, long start, long end, long actual) {
        return String.format(Locale.ROOT, "timing error: expected %s in time range %.6f~%.6f sec but happened at %.6f sec",
                what, start / 1e6, end / 1e6, actual / 1e6);
    }

    /** {@code %9.6f}: seconds as packetdrill prints them beside a packet. */
    static String seconds(long usecs) {
        return String.format(Locale.ROOT, "%9.6f", usecs / 1e6);
    }
}
