package io.ustack.core.socket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An open socket in a {@link Sockets} table (struct file with its struct socket): what every kind shares,
 * the blocking mode and the readiness poll(2) and epoll read.
 */
abstract class SocketFile {
    /** What a call returns in place of a result when it would have to wait. */
    static final int WOULD_BLOCK = Integer.MIN_VALUE;

    final WaitQueue waits;
    private volatile boolean nonBlocking;
    /** Bumped by each event on this socket, so an edge-triggered epoll reports it once per event. */
    private final AtomicLong events = new AtomicLong();

    SocketFile(WaitQueue waits, boolean nonBlocking) {
        this.waits = waits;
        this.nonBlocking = nonBlocking;
    }

    boolean nonBlocking() {
        return nonBlocking;
    }

    void setNonBlocking(boolean on) {
        nonBlocking = on;
    }

    /** An event on this socket (data, space, a state change): count it and wake the sleepers. */
    void wake() {
        events.incrementAndGet();
        waits.wake();
    }

    long eventCount() {
        return events.get();
    }

    /** The poll(2) events ({@link Abi}'s POLL* bits) that hold now: the protocol's poll method. */
    abstract int poll();

    /** The last close(2) of the descriptor. */
    abstract void release();
}
