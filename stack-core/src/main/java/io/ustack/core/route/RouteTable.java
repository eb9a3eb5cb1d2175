package io.ustack.core.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A routing table with longest-prefix match (fib_table_lookup). Routes are kept in one hash map per prefix
 * length; a lookup masks the address for each length that has routes, longest first, so it costs at most
 * one map probe per distinct length in use. Readers take no lock: writers publish a fresh copy.
 */
public final class RouteTable {
    private volatile Snapshot snap = new Snapshot(new HashMap<>(), new int[0]);

    private record Snapshot(Map<Long, Route> byKey, int[] lengthsLongestFirst) {
    }

    private static long key(int network, int prefixLen) {
        return ((long) prefixLen << 32) | (network & 0xffff_ffffL);
    }

    /** Adds or replaces the route for its prefix. */
    public synchronized void add(Route r) {
        Map<Long, Route> m = new HashMap<>(snap.byKey());
        m.put(key(r.prefix().network(), r.prefix().prefixLen()), r);
        publish(m);
    }

    /** The route for exactly {@code network/prefixLen}, or null. */
    public Route get(int network, int prefixLen) {
        return snap.byKey().get(key(network, prefixLen));
    }

    /** Removes the route for exactly {@code network/prefixLen}; returns it, or null if there was none. */
    public synchronized Route remove(int network, int prefixLen) {
        Map<Long, Route> m = new HashMap<>(snap.byKey());
        Route r = m.remove(key(network, prefixLen));
        publish(m);
        return r;
    }

    /** Removes every route that goes out {@code devName}. */
    public synchronized void removeDevice(String devName) {
        Map<Long, Route> m = new HashMap<>(snap.byKey());
        m.values().removeIf(r -> r.dev().name().equals(devName));
        publish(m);
    }

    private void publish(Map<Long, Route> m) {
        int[] lengths = m.values().stream().mapToInt(r -> r.prefix().prefixLen()).distinct()
                .map(l -> -l).sorted().map(l -> -l).toArray();
        snap = new Snapshot(m, lengths);
    }

    /** fib_table_lookup: the most specific route covering {@code daddr}, or null. */
    public Route lookup(int daddr) {
        Snapshot s = snap;
        for (int len : s.lengthsLongestFirst()) {
            int mask = len == 0 ? 0 : -1 << (32 - len);
            Route r = s.byKey().get(key(daddr & mask, len));
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Every route, most specific first. */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(snap.byKey().values());
        out.sort((a, b) -> a.prefix().prefixLen() != b.prefix().prefixLen()
                ? b.prefix().prefixLen() - a.prefix().prefixLen()
                : Integer.compareUnsigned(a.prefix().network(), b.prefix().network()));
        return out;
    }
}
