package io.ustack.core.time;

/**
 * Where the stack reads the time. Protocol code never calls System.nanoTime itself, so tests drive timers
 * with a {@link ManualClock} to the microsecond.
 */
public interface Clock {
    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanos();

    default long millis() {
        return nanos() / 1_000_000L;
    }

    /**
     * Wall-clock time in milliseconds since the epoch, for the few answers that must carry it (ICMP
     * timestamps); never for timing.
     */
    default long wallMillis() {
        return System.currentTimeMillis();
    }

    /** The JVM's monotonic clock. */
    Clock SYSTEM = System::nanoTime;
}
