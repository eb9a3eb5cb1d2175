package io.ustack.core.time;

import java.util.concurrent.TimeUnit;

/** A clock that moves only when a test advances it. */
public final class ManualClock implements Clock {
    private volatile long now;

    public ManualClock() {
        this(1_000_000_000L);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    /** Its nanoseconds, read as time since the epoch: wall time moves with the test's clock. */
    @Override
    public long wallMillis() {
        return now / 1_000_000L;
    }

    public void advance(long amount, TimeUnit unit) {
        now += unit.toNanos(amount);
    }

    public void advanceMillis(long ms) {
        advance(ms, TimeUnit.MILLISECONDS);
    }
}
