package io.ustack.core.route;

import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Route exceptions for path MTU (struct fib_nh_exception, update_or_create_fnhe; IPv6's RTF_CACHE clones of
 * rt6_do_update_pmtu): news that the path to a destination takes fewer bytes lowers its path MTU for the
 * route's mtu_expires (600 s, ip_rt_mtu_expires and ip6_rt_mtu_expires alike), after which the route's own MTU
 * holds again. Nothing here ever raises a path MTU above the route's.
 *
 * <p>The families differ below their minimum. IPv4 ({@link #ipv4}): an MTU under net.ipv4.route.min_pmtu
 * (552) is raised to it and locked, so packets to that destination leave without DF and are fragmented to
 * fit, as __ip_rt_update_pmtu does. IPv6 ({@link #ipv6}): a Packet Too Big under 1280 means 1280 (RFC 8201;
 * __ip6_rt_update_pmtu), nothing is locked, and news no smaller than what is known is ignored.
 *
 * @param <K> the destination address: an Integer for IPv4, an {@link Ipv6Address}
 */
public final class PmtuCache<K> {
    /** net.ipv4.route.min_pmtu. */
    public static final int MIN_PMTU = 552;
    /** IPV6_MIN_MTU. */
    public static final int IPV6_MIN_MTU = 1280;
    /** net.ipv4.route.mtu_expires and net.ipv6.route.mtu_expires: 600 s. */
    public static final long MTU_EXPIRES_NANOS = 600_000_000_000L;
    /** The exceptions kept at most (FNHE_RECLAIM_DEPTH keeps a few per bucket; a bound is what matters). */
    private static final int MAX_ENTRIES = 4096;

    private record Exception(DstEntry base, DstEntry dst, long expires) {
    }

    private final Clock clock;
    private final int minPmtu;
    private final boolean ipv6;
    private final ConcurrentHashMap<K, Exception> exceptions = new ConcurrentHashMap<>();

    private PmtuCache(Clock clock, int minPmtu, boolean ipv6) {
        this.clock = clock;
        this.minPmtu = minPmtu;
        this.ipv6 = ipv6;
    }

    /** IPv4's exceptions, keyed by destination address. */
    public static PmtuCache<Integer> ipv4(Clock clock) {
        return new PmtuCache<>(clock, MIN_PMTU, false);
    }

    /** IPv6's. */
    public static PmtuCache<Ipv6Address> ipv6(Clock clock) {
        return new PmtuCache<>(clock, IPV6_MIN_MTU, true);
    }

    /**
     * The decision for a packet to {@code daddr} on a route whose own entry is {@code base}: an entry with the
     * destination's path MTU while one is learnt and fresh, else {@code base}.
     */
    public DstEntry dst(DstEntry base, K daddr) {
        if (exceptions.isEmpty()) {
            return base;
        }
        Exception e = exceptions.get(daddr);
        if (e == null) {
            return base;
        }
        if (e.base != base || clock.nanos() - e.expires >= 0) {
            exceptions.remove(daddr, e); // the route changed or the exception expired
            return base;
        }
        return e.dst;
    }

    /**
     * __ip_rt_update_pmtu or __ip6_rt_update_pmtu: {@code mtu} from an ICMP "fragmentation needed" or an ICMPv6
     * Packet Too Big about a packet to {@code daddr}, which left on {@code base} (its current decision
     * {@code current}). Ignored if the path MTU is locked or the news is larger than what is known (for IPv6,
     * no smaller).
     */
    public void update(DstEntry base, DstEntry current, K daddr, int mtu) {
        int old = current.mtu();
        if (current.mtuLocked() || old < mtu) {
            return;
        }
        boolean lock = false;
        if (ipv6) {
            mtu = Math.max(mtu, minPmtu);
            if (mtu >= old) {
                return;
            }
        } else if (mtu < minPmtu) {
            lock = true;
            mtu = Math.min(old, minPmtu);
        }
        if (exceptions.size() >= MAX_ENTRIES && !exceptions.containsKey(daddr)) {
            exceptions.clear(); // under a flood of spoofed errors forget them all rather than grow
        }
        exceptions.put(daddr, new Exception(base, base.withPmtu(mtu, lock), clock.nanos() + MTU_EXPIRES_NANOS));
    }

    /** How many destinations have a path MTU of their own. */
    public int size() {
        return exceptions.size();
    }
}
