package io.ustack.cli.packetdrill;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.socket.Sockets;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.time.ManualClock;
import io.ustack.core.wire.Ipv4Prefix;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A fresh stack for one script, as packetdrill sets up a fresh network namespace: one {@link ScriptDevice}
 * with the local address, a route to the remote one through it, a socket table for the script's calls, and
 * a virtual clock that moves only when the runner moves it. RPS is off, so what a packet causes happens on
 * the thread that injected it, before {@link ScriptDevice#inject} returns.
 */
final class ScriptStack implements AutoCloseable {
    /** Where the virtual clock starts: script time 0. */
    private static final long START_NANOS = 1_000_000_000L;
    private static final long DEVICE_MAC = 0x02_00_00_00_00_01L;

    final ManualClock clock = new ManualClock(START_NANOS);
    final BufferPool pool = new BufferPool();
    final NetStack stack;
    final ScriptDevice dev;
    final Sockets sockets;

    ScriptStack(RunConfig config) throws IOException {
        StackConfig cfg = StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0).withClock(clock)
                .withRandom(new Random(config.seed())).withSecrets(new Random(config.seed() + 1));
        stack = new NetStack(cfg, pool);
        dev = new ScriptDevice("tun0", DEVICE_MAC, config.mtu(), clock);
        stack.addDevice(dev);
        stack.addAddress(dev, new Ipv4Prefix(config.localIp(), config.prefixLen()));
        if (!new Ipv4Prefix(config.localIp(), config.prefixLen()).contains(config.remoteIp())) {
            stack.addRoute(new Ipv4Prefix(config.remoteIp(), 32), 0, dev);
        }
        stack.start();
        sockets = new Sockets(stack);
    }

    /** The time on the script's clock, in microseconds since the script began. */
    long nowUsecs() {
        return (clock.nanos() - START_NANOS) / 1_000;
    }

    static long usecsOf(long clockNanos) {
        return (clockNanos - START_NANOS) / 1_000;
    }

    /**
     * Moves the clock to script time {@code usecs}, stopping at each timer's deadline on the way so that what a
     * timer sends is stamped with its own time, as the kernel's would be.
     */
    void advanceTo(long usecs) {
        long target = START_NANOS + usecs * 1_000;
        runDue();
        while (clock.nanos() - target < 0) {
            long next = stack.earliestTimerDeadline();
            long to = next != Long.MAX_VALUE && next - target < 0 ? Math.max(next, clock.nanos() + 1) : target;
            clock.advance(to - clock.nanos(), TimeUnit.NANOSECONDS);
            runDue();
        }
    }

    /** Fires what is due now and lets sleeping calls look at their timeouts. */
    void runDue() {
        stack.runTimers();
        sockets.clockAdvanced();
    }

    @Override
    public void close() {
        sockets.close();
        stack.close();
    }
}
