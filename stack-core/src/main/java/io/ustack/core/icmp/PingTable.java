package io.ustack.core.icmp;

import java.util.concurrent.ConcurrentHashMap;

/**
 * ping_table (net/ipv4/ping.c): who hears the echo replies of each echo id, as a ping socket owns its id.
 * IPv4 and IPv6 each keep one, so an id is taken per family.
 *
 * @param <L> the family's listener
 */
public final class PingTable<L> {
    private final ConcurrentHashMap<Integer, L> byId = new ConcurrentHashMap<>();

    /** Registers {@code l} for echo id {@code id} (0..65535); false if the id is taken. */
    public boolean add(int id, L l) {
        if (id < 0 || id > 0xffff) {
            throw new IllegalArgumentException("an echo id is 0 to 65535, not " + id);
        }
        return byId.putIfAbsent(id, l) == null;
    }

    /** Forgets the listener of {@code id}, if it is still {@code l}. */
    public void remove(int id, L l) {
        byId.remove(id, l);
    }

    /** ping_lookup: the listener of {@code id}, or null. */
    L get(int id) {
        return byId.get(id);
    }
}
