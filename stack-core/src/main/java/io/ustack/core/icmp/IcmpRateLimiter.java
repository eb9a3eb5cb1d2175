package io.ustack.core.icmp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * icmpv4_xrlim_allow and icmp_global_allow: the kernel's two limits on ICMP errors. Only the types in
 * icmp_ratemask (destination unreachable but "fragmentation needed", source quench, time exceeded, parameter
 * problem) are limited: globally by a token bucket of icmp_msgs_per_sec with icmp_msgs_burst, and per
 * destination by inet_peer_xrlim_allow, one per icmp_ratelimit with a burst of six.
 *
 * <p>ICMPv6 (icmpv6_global_allow, icmpv6_xrlim_allow) shares the global bucket, as the kernel's icmp_global is
 * one per namespace for both families, and keeps its peers beside IPv4's in the same bounded table.
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
    /** inet_peer by address: an Integer for IPv4, an {@link Ipv6Address} for IPv6. */
    private final Map<Object, long[]> peers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, long[]> eldest) {
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
        return loopback || peerAllow(daddr, perPeerIntervalNanos, now, Mib.IcmpOutRateLimitHost);
    }

    /**
     * icmpv6_mask_allow, icmpv6_global_allow and icmpv6_xrlim_allow: true if an ICMPv6 message of {@code type}
     * may go to {@code daddr}, whose route has a prefix of {@code prefixLen} bits, now; counts the refusals.
     * icmpv6_ratemask's default (0-1,3-127) limits every error but Packet Too Big, which PMTU discovery needs;
     * informational messages are not limited. Nothing about a packet that came in on the loopback is
     * (icmp6_send skips the global bucket for it, and its route is the loopback's). A wider prefix gets more
     * room: icmpv6_time (1 s) halves for every 32 bits under 128, 250 ms on a /64.
     */
    public synchronized boolean allow6(int type, Ipv6Address daddr, int prefixLen, boolean loopback) {
        if (!Icmpv6Packet.isError(type) || type == Icmpv6Packet.PKT_TOOBIG || loopback) {
            return true;
        }
        long now = clock.nanos();
        if (!globalAllow(now)) {
            mib.inc(Mib.IcmpOutRateLimitGlobal); // ICMP_MIB_RATELIMITGLOBAL: the one counter of both families
            return false;
        }
        long interval = prefixLen < 128 ? perPeerIntervalNanos >> ((128 - prefixLen) >> 5) : perPeerIntervalNanos;
        return peerAllow(daddr, interval, now, Mib.Icmp6OutRateLimitHost);
    }

    /** inet_peer_xrlim_allow: a token bucket of {@code interval} per message, six messages deep. */
    private boolean peerAllow(Object daddr, long interval, long now, Mib refused) {
        long[] peer = peers.computeIfAbsent(daddr, a -> new long[] {BURST_FACTOR * interval, now});
        long tokens = Math.min(BURST_FACTOR * interval, peer[0] + (now - peer[1]));
        peer[1] = now;
        if (tokens >= interval) {
            peer[0] = tokens - interval;
            return true;
        }
        peer[0] = tokens;
        mib.inc(refused);
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
