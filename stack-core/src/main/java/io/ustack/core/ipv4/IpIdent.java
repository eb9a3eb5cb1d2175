package io.ustack.core.ipv4;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * ip_select_ident: IP IDs from 2048 counters chosen by a keyed hash of the addresses and protocol, so IDs
 * to one destination increase (reassembly needs them distinct) while an observer cannot read this host's
 * total packet rate from them.
 */
final class IpIdent {
    private static final int BUCKETS = 2048;
    private final AtomicIntegerArray idents = new AtomicIntegerArray(BUCKETS);
    private final int key = ThreadLocalRandom.current().nextInt();

    IpIdent() {
        for (int i = 0; i < BUCKETS; i++) {
            idents.set(i, ThreadLocalRandom.current().nextInt());
        }
    }

    /**
     * The next ID to the destination, reserving {@code segs} in a row: a super-packet's segments take one each,
     * counting up from it, so the next packet's must come after them (ip_select_ident_segs).
     */
    int next(int saddr, int daddr, int protocol, int segs) {
        int h = (saddr * 0x9e37_79b9) ^ (daddr * 0x85eb_ca6b) ^ (protocol * 0xc2b2_ae35) ^ key;
        h ^= h >>> 15;
        return idents.getAndAdd(h & (BUCKETS - 1), segs) & 0xffff;
    }
}
