package io.ustack.core.softnet;

import io.ustack.core.time.Clock;
import io.ustack.core.time.Timer;
import io.ustack.core.time.TimerWheel;
import java.util.ArrayList;
import java.util.List;

/**
 * The Cpu of a stack with RPS off: work runs on the calling thread (the driver's poll thread, or a test),
 * and timers fire when the stack's housekeeping calls {@link #runTimers}. Callers hold the connection's own
 * lock around what they run, as the TCP layer does; this class guards only its wheel. Work that a timer's
 * action hands to {@link #execute} waits until the wheel's lock is released, so this lock is never held
 * while a connection's is taken.
 */
public final class DirectCpu implements Cpu {
    private final TimerWheel wheel;
    private final List<Runnable> deferred = new ArrayList<>();
    private Thread expiring;

    public DirectCpu(Clock clock) {
        this.wheel = new TimerWheel(clock);
    }

    @Override
    public void execute(Runnable work) {
        synchronized (this) {
            if (expiring == Thread.currentThread()) {
                deferred.add(work);
                return;
            }
        }
        work.run();
    }

    @Override
    public synchronized void schedule(Timer timer, long deadlineNanos) {
        wheel.reschedule(timer, deadlineNanos);
    }

    @Override
    public synchronized void cancel(Timer timer) {
        wheel.cancel(timer);
    }

    /** The earliest deadline of the timers armed here, {@code Long.MAX_VALUE} with none. */
    public synchronized long earliestDeadline() {
        return wheel.earliestDeadline();
    }

    /** Fires every timer due at {@code nowNanos}; their work runs after the wheel is let go. */
    public void runTimers(long nowNanos) {
        List<Runnable> due;
        synchronized (this) {
            expiring = Thread.currentThread();
            try {
                wheel.expire(nowNanos);
            } finally {
                expiring = null;
            }
            due = new ArrayList<>(deferred);
            deferred.clear();
        }
        due.forEach(Runnable::run);
    }
}
