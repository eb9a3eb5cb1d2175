package io.ustack.core.icmp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.IcmpPacket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * icmpv4_xrlim_allow and icmp_global_allow: the kernel's two limits on ICMP errors. Only the types in
 * icmp_ratemask (destination unreachable but "fragmentation needed", source quench, time exceeded, parameter
 * problem) are limited: globally by a token bucket of icmp_msgs_per_sec with icmp_msgs_burst, and per
 * destination by inet_peer_xrlim_allow, one per icmp_ratelimit with a burst of six.
 */
public final class IcmpRateLimiter {
    /** net.ipv4.icmp_ratemask's default: 0x1818. */
    static final int RATEMASK = (1 << IcmpPacket.DEST_UNREACH) | (1 << IcmpPacket.SOURCE_QUENCH)
            | (1 << IcmpPacket.TIME_EXCEEDED) | (1 << IcmpPacket.PARAMETERPROB);
    /** XRLIM_BURST_FACTOR. */
    private static final int BURST_FACTOR = 6;
    /** Peers remembered at once; the least recently used is forgotten first. */
    private static final int MAX_PEERS = 4096;

    private final Clock clock;
    private final MibCounters mib;
    private final long perPeerIntervalNanos;
    private final long msgsPerSec;
    private final long burst;
    private long globalTokens;
    private long globalStampNanos;
    private final Map<Integer, long[]> peers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, long[]> eldest) {
            return size() > MAX_PEERS;
        }
    };

    /** The kernel's defaults: icmp_ratelimit 1000 ms, icmp_msgs_per_sec 1000, icmp_msgs_burst 50. */
    public IcmpRateLimiter(Clock clock, MibCounters mib) {
        this(clock, mib, 1000, 1000, 50);
    }

    public IcmpRateLimiter(Clock clock, MibCounters mib, long ratelimitMs, long msgsPerSec, long burst) {
        this.clock = clock;
        this.mib = mib;
        this.perPeerIntervalNanos = ratelimitMs * 1_000_000L;
        this.msgsPerSec = msgsPerSec;
        this.burst = burst;
        this.globalTokens = burst;
        this.globalStampNanos = clock.nanos();
    }

    /** True if an error of {@code type}/{@code code} may go to {@code daddr} now; counts the refusals. */
    public synchronized boolean allow(int type, int code, int daddr, boolean loopback) {
        if (type > 31 || (RATEMASK & (1 << type)) == 0
                || (type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.FRAG_NEEDED)) {
            return true; // not rate limited: PMTU discovery must get through
        }
        long now = clock.nanos();
        if (!globalAllow(now)) {
            mib.inc(Mib.IcmpOutRateLimitGlobal);
            return false;
        }
        if (loopback) {
            return true;
        }
        long[] peer = peers.computeIfAbsent(daddr, a -> new long[] {BURST_FACTOR * perPeerIntervalNanos, now});
        long tokens = Math.min(BURST_FACTOR * perPeerIntervalNanos, peer[0] + (now - peer[1]));
        peer[1] = now;
        if (tokens >= perPeerIntervalNanos) {
            peer[0] = tokens - perPeerIntervalNanos;
            return true;
        }
        peer[0] = tokens;
        mib.inc(Mib.IcmpOutRateLimitHost);
        return false;
    }

    private boolean globalAllow(long now) {
        long elapsedMs = (now - globalStampNanos) / 1_000_000L;
        long incr = elapsedMs * msgsPerSec / 1000;
        if (incr > 0) {
            if (globalTokens + incr >= burst) {
                globalTokens = burst;
                globalStampNanos = now;
            } else {
                // The stamp moves by the time the whole tokens took, so a fraction of a token carries over.
                // (Moving it by all the elapsed time lost the fraction: below 1000 msgs/s, errors tried every
                // few milliseconds never earned a token at all.)
                globalTokens += incr;
                globalStampNanos += incr * 1_000_000_000L / msgsPerSec;
            }
        }
        if (globalTokens > 0) {
            globalTokens--;
            return true;
        }
        return false;
    }
}
