package io.ustack.cli.daemon;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The request to stop the daemon: SIGINT or SIGTERM, or {@link #stop} from a test. Handling the signals
 * (rather than letting the JVM run its shutdown hooks) is what lets the daemon exit 0 after a clean stop
 * instead of 130 or 143.
 */
public final class StopSignal {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String cause;

    /** A stop signal raised by SIGINT and SIGTERM; replaces the JVM's handlers for both. */
    public static StopSignal onInterruptOrTerminate() {
        StopSignal s = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> s.stop("SIG" + sig.getName()));
        }
        return s;
    }

    /** Raises the signal; the first cause is kept, later ones are ignored. */
    public void stop(String why) {
        synchronized (stopped) {
            if (cause == null) {
                cause = why;
            }
        }
        stopped.countDown();
    }

    /** Waits until {@link #stop} and returns its cause; an interrupt counts as a stop too. */
    public String await() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop("an interrupt");
        }
        return cause;
    }
}
