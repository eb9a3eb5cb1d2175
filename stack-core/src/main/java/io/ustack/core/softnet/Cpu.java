package io.ustack.core.softnet;

import io.ustack.core.time.Timer;

/**
 * What a connection needs of the thread that owns it (a CPU's softnet_data, as far as TCP is concerned):
 * a place to run work, and timers that fire there. A connection's segments, timers and transmissions all
 * run on its Cpu, so its protocol state is only ever touched by one thread at a time.
 */
public interface Cpu {
    /** Runs {@code work} on this CPU, after what is already queued there. */
    void execute(Runnable work);

    /**
     * Runs {@code work} on the calling thread at once when this CPU is free to run it there, else as
     * {@link #execute}: for a socket's own thread, which holds no lock the work takes.
     */
    default void runOrExecute(Runnable work) {
        execute(work);
    }

    /** Arms (or re-arms) {@code timer} to fire on this CPU at {@code deadlineNanos}. */
    void schedule(Timer timer, long deadlineNanos);

    /** Disarms {@code timer} if it is pending. */
    void cancel(Timer timer);
}
