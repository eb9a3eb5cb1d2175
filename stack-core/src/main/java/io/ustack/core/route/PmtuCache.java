package io.ustack.core.route;

import io.ustack.core.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Route exceptions for path MTU (struct fib_nh_exception, update_or_create_fnhe): an ICMP "fragmentation
 * needed" about a packet this host sent lowers the path MTU to its destination, for ip_rt_mtu_expires (600 s)
 * after which the route's own MTU holds again. An MTU under net.ipv4.route.min_pmtu (552) is raised to it and
 * locked: packets to that destination then leave without DF and are fragmented to fit, as __ip_rt_update_pmtu
 * does. Nothing here ever raises a path MTU above the route's.
 */
public final class PmtuCache {
    /** net.ipv4.route.min_pmtu. */
    public static final int MIN_PMTU = 552;
    /** net.ipv4.route.mtu_expires: 600 s. */
    public static final long MTU_EXPIRES_NANOS = 600_000_000_000L;
    /** The exceptions kept at most (FNHE_RECLAIM_DEPTH keeps a few per bucket; a bound is what matters). */
    private static final int MAX_ENTRIES = 4096;

    private record Exception(DstEntry base, DstEntry dst, long expires) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<Integer, Exception> exceptions = new ConcurrentHashMap<>();

    public PmtuCache(Clock clock) {
        this.clock = clock;
    }

    /**
     * The decision for a packet to {@code daddr} on a route whose own entry is {@code base}: an entry with the
     * destination's path MTU while one is learnt and fresh, else {@code base}.
     */
    public DstEntry dst(DstEntry base, int daddr) {
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
     * __ip_rt_update_pmtu: {@code mtu} from an ICMP "fragmentation needed" about a packet to {@code daddr},
     * which left on {@code base} (its current decision {@code current}). Ignored if the path MTU is locked
     * or the news is no smaller than what is known.
     */
    public void update(DstEntry base, DstEntry current, int daddr, int mtu) {
        int old = current.mtu();
        if (current.mtuLocked() || old < mtu) {
            return;
        }
        boolean lock = false;
        if (mtu < MIN_PMTU) {
            lock = true;
            mtu = Math.min(old, MIN_PMTU);
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
