package io.ustack.core.ipv4;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * ip_select_ident: IP IDs from 2048 counters chosen by a keyed hash of the addresses and protocol, so IDs
 * to one destination increase (reassembly needs them distinct) while an observer cannot read this host's
 * total packet rate from them. IPv6's fragment identification (ipv6_select_ident, RFC 7739) takes the same
 * counters at their full 32 bits, chosen by the flow's addresses.
 */
public final class IpIdent {
    private static final int BUCKETS = 2048;
    private final AtomicIntegerArray idents = new AtomicIntegerArray(BUCKETS);
    private final int key = ThreadLocalRandom.current().nextInt();

    public IpIdent() {
        for (int i = 0; i < BUCKETS; i++) {
            idents.set(i, ThreadLocalRandom.current().nextInt());
        }
    }

    /**
     * The next ID to the destination, reserving {@code segs} in a row: a super-packet's segments take one each,
     * counting up from it, so the next packet's must come after them (ip_select_ident_segs).
     */
    int next(int saddr, int daddr, int protocol, int segs) {
        return idents.getAndAdd(bucket(saddr, daddr, protocol), segs) & 0xffff;
    }

    /**
     * The next 32-bit identifier of the counter the three values hash to; IPv6 gives each address folded to
     * an int (its hash) and 0.
     */
    public int nextId(int saddr, int daddr, int protocol) {
        return idents.getAndIncrement(bucket(saddr, daddr, protocol));
    }

    private int bucket(int saddr, int daddr, int protocol) {
        int h = (saddr * 0x9e37_79b9) ^ (daddr * 0x85eb_ca6b) ^ (protocol * 0xc2b2_ae35) ^ key;
        h ^= h >>> 15;
        return h & (BUCKETS - 1);
    }
}
