package io.ustack.core.netfilter.conntrack;

import io.ustack.core.wire.Ipv6Address;

import java.util.ArrayList;
import java.util.List;

/**
 * nf_conntrack_hash: the confirmed connections, each in the buckets of both its directions, with chained
 * buckets of {@link TupleHash} so that a lookup compares integers and allocates nothing. The hash is keyed
 * with a random seed (nf_conntrack_hash_rnd), so nobody can aim a flood of tuples at one bucket.
 *
 * <p>Not thread-safe: {@link Conntrack} calls it holding its lock.
 */
final class ConntrackTable {
    /** NF_CT_EVICTION_RANGE: how many buckets early_drop looks through for a victim. */
    static final int EVICTION_RANGE = 8;

    private final TupleHash[] buckets;
    private final int mask;
    private final int seed;
    private int count;

    /** At least {@code size} buckets: the next power of two. */
    ConntrackTable(int size, int seed) {
        int n = Integer.highestOneBit(Math.max(1, size - 1) << 1);
        this.buckets = new TupleHash[n];
        this.mask = n - 1;
        this.seed = seed;
    }

    int count() {
        return count;
    }

    private int bucket(int protocol, int src, int dst, int sport, int dport) {
        int h = seed ^ protocol;
        h = (h ^ src) * 0x9e37_79b1;
        h = (Integer.rotateLeft(h, 13) ^ dst) * 0x85eb_ca6b;
        h = (Integer.rotateLeft(h, 13) ^ (sport << 16 | dport)) * 0xc2b2_ae35;
        return (h ^ (h >>> 16)) & mask;
    }

    private int bucket(TupleHash t) {
        return bucket(t.ct.protocol, t.src, t.dst, t.sport, t.dport);
    }

    /**
     * __nf_conntrack_find_get: the direction of a live connection that packets with these fields belong to,
     * or null. Expired entries met on the way are removed (nf_ct_gc_expired).
     */
    TupleHash find(int protocol, int src, int dst, int sport, int dport, long now) {
        return find(protocol, src, dst, null, null, sport, dport, now);
    }

    /** {@link #find} for a tuple of either family: IPv6's addresses in {@code src6} and {@code dst6}, folded in {@code src} and {@code dst}. */
    TupleHash find(int protocol, int src, int dst, Ipv6Address src6, Ipv6Address dst6, int sport, int dport, long now) {
        for (TupleHash t = buckets[bucket(protocol, src, dst, sport, dport)]; t != null; t = t.next) {
            if (t.matches(protocol, src, dst, src6, dst6, sport, dport)) {
                if (now - t.ct.deadline >= 0) {
                    remove(t.ct);
                    return null;
                }
                return t;
            }
        }
        return null;
    }

    /** Whether a connection has a direction with this tuple (nf_nat_used_tuple's question). */
    boolean taken(int protocol, int src, int dst, int sport, int dport, long now) {
        return find(protocol, src, dst, sport, dport, now) != null;
    }

    private boolean taken(TupleHash t, long now) {
        return find(t.ct.protocol, t.src, t.dst, t.src6, t.dst6, t.sport, t.dport, now) != null;
    }

    /**
     * __nf_conntrack_confirm's insertion: both directions, unless either tuple is in use already (a clash,
     * such as two NAT bindings racing for one port); returns false then, leaving the table as it was.
     */
    boolean insert(Conn ct, long now) {
        TupleHash o = ct.orig;
        TupleHash r = ct.reply;
        if (taken(o, now) || taken(r, now)) {
            return false;
        }
        link(o);
        link(r);
        count++;
        return true;
    }

    private void link(TupleHash t) {
        int b = bucket(t);
        t.next = buckets[b];
        buckets[b] = t;
    }

    /** nf_ct_delete: takes the connection out of the table (if it is in it) and marks it dying. */
    void remove(Conn ct) {
        if (ct.has(Conn.IPS_CONFIRMED) && !ct.has(Conn.IPS_DYING)) {
            unlink(ct.orig);
            unlink(ct.reply);
            count--;
        }
        ct.status |= Conn.IPS_DYING;
    }

    private void unlink(TupleHash t) {
        int b = bucket(t);
        TupleHash prev = null;
        for (TupleHash e = buckets[b]; e != null; prev = e, e = e.next) {
            if (e == t) {
                if (prev == null) {
                    buckets[b] = e.next;
                } else {
                    prev.next = e.next;
                }
                e.next = null;
                return;
            }
        }
    }

    /**
     * early_drop: makes room by removing one connection that never became ASSURED, looking in the
     * {@link #EVICTION_RANGE} buckets from the one a new tuple hashes to. Returns whether it found one.
     */
    boolean earlyDrop(int protocol, int src, int dst, int sport, int dport) {
        int start = bucket(protocol, src, dst, sport, dport);
        for (int i = 0; i < EVICTION_RANGE; i++) {
            for (TupleHash t = buckets[(start + i) & mask]; t != null; t = t.next) {
                if (!t.ct.has(Conn.IPS_ASSURED)) {
                    remove(t.ct);
                    return true;
                }
            }
        }
        return false;
    }

    /** gc_worker: removes every expired connection; returns how many went. */
    int expire(long now) {
        int n = 0;
        for (int b = 0; b < buckets.length; b++) {
            TupleHash t = buckets[b];
            while (t != null) {
                TupleHash next = t.next;
                if (now - t.ct.deadline >= 0) {
                    // removing may unlink `next` too (the other direction in the same bucket): start over
                    remove(t.ct);
                    n++;
                    next = buckets[b];
                }
                t = next;
            }
        }
        return n;
    }

    /** Every connection once (by its original direction), for listing. */
    List<Conn> connections() {
        List<Conn> out = new ArrayList<>(count);
        for (TupleHash head : buckets) {
            for (TupleHash t = head; t != null; t = t.next) {
                if (!t.reply) {
                    out.add(t.ct);
                }
            }
        }
        return out;
    }

    /** conntrack -F: removes everything; returns how many went. */
    int flush() {
        int n = 0;
        for (Conn ct : connections()) {
            remove(ct);
            n++;
        }
        return n;
    }
}
