package io.ustack.cli.packetdrill;

/**
 * An event's time, parser.y's {@code event_time}, in microseconds: {@code 1.5} absolute, {@code +.1}
 * relative to the previous event, {@code *} any time, {@code 0.1~0.2} and {@code +.1~+.2} ranges (outbound
 * packets only, as {@code *}).
 *
 * @param usecs the time, or the range's start; 0 for ANY
 * @param endUsecs the range's end, or -1 when the time is not a range
 */
record EventTime(Kind kind, long usecs, long endUsecs) {
    /** How the numbers are to be read. */
    enum Kind {
        ABSOLUTE, RELATIVE, ANY, ABSOLUTE_RANGE, RELATIVE_RANGE
    }

    static final long NO_RANGE = -1;

    static EventTime absolute(long usecs) {
        return new EventTime(Kind.ABSOLUTE, usecs, NO_RANGE);
    }

    static EventTime relative(long usecs) {
        return new EventTime(Kind.RELATIVE, usecs, NO_RANGE);
    }

    static EventTime any() {
        return new EventTime(Kind.ANY, 0, NO_RANGE);
    }

    boolean isRange() {
        return kind == Kind.ABSOLUTE_RANGE || kind == Kind.RELATIVE_RANGE;
    }
}
