package io.ustack.core.stack;

import io.ustack.core.ipv4.Reassembler;
import io.ustack.core.neigh.NeighParams;
import io.ustack.core.softnet.Softnet;
import io.ustack.core.time.Clock;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * How a {@link NetStack} is built. {@code backlogThreads} 0 turns RPS off: packets are processed on the
 * thread that received them (the driver's poll thread), which tests use for determinism. {@code random}
 * picks ephemeral ports and timer jitter; {@code secrets} keys what must not be guessed from outside (the
 * ISN and SYN cookie hash, RFC 6528), a SecureRandom unless a test seeds it to make a run repeatable.
 */
public record StackConfig(Clock clock, RandomGenerator random, RandomGenerator secrets, int backlogThreads,
                          int maxBacklog, NeighParams neigh, long fragHighThresh, long fragLowThresh,
                          long fragTimeoutMs, long housekeepingMs) {

    /** The kernel's defaults, one backlog thread per processor. */
    public static StackConfig defaults() {
        return new StackConfig(Clock.SYSTEM, RandomGenerator.getDefault(), new SecureRandom(),
                Runtime.getRuntime().availableProcessors(), Softnet.DEFAULT_MAX_BACKLOG, NeighParams.defaults(),
                Reassembler.DEFAULT_HIGH_THRESH, Reassembler.DEFAULT_LOW_THRESH, Reassembler.DEFAULT_TIMEOUT_MS,
                100);
    }

    public StackConfig withBacklogThreads(int n) {
        return new StackConfig(clock, random, secrets, n, maxBacklog, neigh, fragHighThresh, fragLowThresh, fragTimeoutMs, housekeepingMs);
    }

    public StackConfig withClock(Clock c) {
        return new StackConfig(c, random, secrets, backlogThreads, maxBacklog, neigh, fragHighThresh, fragLowThresh, fragTimeoutMs, housekeepingMs);
    }

    public StackConfig withRandom(RandomGenerator r) {
        return new StackConfig(clock, r, secrets, backlogThreads, maxBacklog, neigh, fragHighThresh, fragLowThresh, fragTimeoutMs, housekeepingMs);
    }

    public StackConfig withSecrets(RandomGenerator r) {
        return new StackConfig(clock, random, r, backlogThreads, maxBacklog, neigh, fragHighThresh, fragLowThresh, fragTimeoutMs, housekeepingMs);
    }

    public StackConfig withFragmentMemory(long high, long low) {
        return new StackConfig(clock, random, secrets, backlogThreads, maxBacklog, neigh, high, low, fragTimeoutMs, housekeepingMs);
    }

    /** {@code ms} 0 leaves the timers to be run by hand ({@link NetStack#runTimers()}), as tests do. */
    public StackConfig withHousekeepingMs(long ms) {
        return new StackConfig(clock, random, secrets, backlogThreads, maxBacklog, neigh, fragHighThresh, fragLowThresh, fragTimeoutMs, ms);
    }
}
