package io.ustack.core.socket;

import io.ustack.core.time.Clock;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where blocking calls of one socket table sleep (the sockets' wait queues, folded into one): every event on
 * any of its sockets bumps a sequence number and wakes them all, and each sleeper tries its call again.
 * Reading the sequence before trying and sleeping only while it is unchanged means a wake-up that lands
 * between the try and the sleep is never lost.
 *
 * <p>Deadlines are on the stack's clock. With the system clock a sleeper times out by itself; with any other
 * (a test's or packetdrill's virtual clock) it sleeps until {@link #wake} is called, which whoever moves that
 * clock does after each move ({@link Sockets#clockAdvanced}).
 */
final class WaitQueue {
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long sequence;
    /** Sleepers that went to sleep having seen every event so far: they will not move until the next one. */
    private int settled;

    WaitQueue(Clock clock) {
        this.clock = clock;
    }

    /** sk_data_ready, sk_write_space, sk_state_change: something changed, sleepers look again. */
    void wake() {
        lock.lock();
        try {
            sequence++;
            settled = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long sequence() {
        lock.lock();
        try {
            return sequence;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps until a wake-up after {@code seen} or the deadline ({@code Long.MAX_VALUE}: none). Returns false
     * when the deadline passed first. An interrupted sleeper fails with EINTR, as a signal would make it.
     */
    boolean await(long seen, long deadlineNanos) throws ErrnoException {
        lock.lock();
        try {
            while (sequence == seen) {
                long left = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - clock.nanos();
                if (left <= 0) {
                    return false;
                }
                settled++;
                if (clock == Clock.SYSTEM && left != Long.MAX_VALUE) {
                    changed.awaitNanos(left);
                } else {
                    changed.await();
                }
                if (sequence == seen) {
                    settled--; // a spurious or timed wake-up: it looks again, and settles again
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR);
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many callers sleep here having seen every event so far. Whoever drives a virtual clock waits for a
     * call it started to be either finished or counted here before moving on, so the call's result and the
     * time it came back at do not depend on thread scheduling.
     */
    int settledSleepers() {
        lock.lock();
        try {
            return settled;
        } finally {
            lock.unlock();
        }
    }

    long now() {
        return clock.nanos();
    }
}
