package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An iperf3 server on TCP port 5201 (iperf_server_api.c's part of the protocol) for iperf3 clients' TCP
 * tests, both ways and with parallel streams. One test at a time, as iperf3's server runs them: whoever
 * connects while a test runs, other than that test's own data connections, is told ACCESS_DENIED.
 */
final class Iperf3Server implements Service {
    /** A client that has started a test must go on to the next step within this, or the test is ended. */
    private static final long STEP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** iperf3's server_timer_proc: a timed test still running this long after its time and omit is ended. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long stepTimeoutNanos;
    private final long graceNanos;
    private final TcpService tcp = new TcpService(Iperf3.PORT, (s, stack) -> new Iperf3Connection(s, this));
    private final AtomicReference<Iperf3Test> current = new AtomicReference<>();
    private NetStack stack;

    Iperf3Server() {
        this(STEP_TIMEOUT_NANOS, GRACE_NANOS);
    }

    /** With other limits, so a test sees them act without waiting seconds. */
    Iperf3Server(long stepTimeoutNanos, long graceNanos) {
        this.stepTimeoutNanos = stepTimeoutNanos;
        this.graceNanos = graceNanos;
    }

    @Override
    public void start(NetStack stack) throws IOException {
        this.stack = stack;
        tcp.start(stack);
    }

    /** The test in progress, or null when the server is free. */
    Iperf3Test current() {
        return current.get();
    }

    /** Makes the client on {@code control} the one running a test; null if another already is. */
    Iperf3Test claim(TcpSocket control, byte[] cookie) {
        Iperf3Test t = new Iperf3Test(this, control, cookie);
        return current.compareAndSet(null, t) ? t : null;
    }

    /** The test is over, however it ended: the next client may start one. */
    void finished(Iperf3Test t) {
        current.compareAndSet(t, null);
    }

    NetStack stack() {
        return stack;
    }

    long stepTimeoutNanos() {
        return stepTimeoutNanos;
    }

    long graceNanos() {
        return graceNanos;
    }

    @Override
    public void close() {
        tcp.close();
        Iperf3Test t = current.get();
        if (t != null) {
            t.close("the service stops");
        }
    }
}
