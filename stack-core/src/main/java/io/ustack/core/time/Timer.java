package io.ustack.core.time;

/**
 * One timer of a {@link TimerWheel}: the kernel's timer_list. An owner allocates it once per purpose (a
 * connection's retransmission, delayed-ACK, keepalive and TIME_WAIT timers are fields) and arms, re-arms
 * and cancels it as often as it likes; the wheel links it in place, so arming allocates nothing.
 *
 * <p>A timer belongs to at most one wheel at a time and, like the wheel, to one thread.
 */
public final class Timer {
    /** The function a timer runs when it expires. */
    @FunctionalInterface
    public interface Action {
        /** Runs on the wheel's thread, with the time the wheel was asked to expire up to. */
        void run(long nowNanos);
    }

    /** {@link #slot} when the timer is not armed. */
    static final int IDLE = -1;
    /** {@link #slot} while the timer waits, due, in the wheel's run list. */
    static final int DUE = -2;

    final Action action;
    long deadline;
    /** When it was armed, among all arms of its wheel: equal deadlines run in arming order. */
    long armed;
    Timer next;
    Timer prev;
    int slot = IDLE;
    TimerWheel wheel;

    public Timer(Action action) {
        if (action == null) {
            throw new NullPointerException("action");
        }
        this.action = action;
    }

    /** timer_pending: armed and not yet run or cancelled. */
    public boolean isPending() {
        return wheel != null;
    }

    /** The deadline it was last armed for, in the clock's nanoseconds. */
    public long deadline() {
        return deadline;
    }
}
