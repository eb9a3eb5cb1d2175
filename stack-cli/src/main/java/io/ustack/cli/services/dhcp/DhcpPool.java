package io.ustack.cli.services.dhcp;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import java.util.Map;

/**
 * What one interface's DHCP server hands out: {@code first}..{@code last} on the network of {@code server}
 * (the interface's own address, also the router option), for {@code leaseSeconds}, with DNS servers and
 * static MAC-to-address bindings.
 */
public record DhcpPool(Ipv4Prefix server, int first, int last, long leaseSeconds, List<Integer> dns,
                       Map<Long, Integer> statics) {
    public static final long DEFAULT_LEASE_SECONDS = 3600;
    /** The largest pool: a /16's worth. The lease table and the search for a free address grow with it. */
    public static final int MAX_SIZE = 65536;

    public DhcpPool {
        dns = List.copyOf(dns);
        statics = Map.copyOf(statics);
    }

    /** The pool's size: {@code last - first + 1}. */
    public int size() {
        return last - first + 1;
    }

    public boolean inPool(int ip) {
        return Integer.compareUnsigned(ip, first) >= 0 && Integer.compareUnsigned(ip, last) <= 0;
    }

    public boolean onNetwork(int ip) {
        return (ip & server.mask()) == server.network();
    }

    /**
     * Checks that the pool lies on the interface's network and leaves out its own, network and broadcast
     * addresses; throws IllegalArgumentException with one sentence otherwise.
     */
    public static void check(Ipv4Prefix server, int first, int last, Map<Long, Integer> statics) {
        String range = Ipv4Address.format(first) + "-" + Ipv4Address.format(last);
        if (Integer.compareUnsigned(first, last) > 0) {
            throw new IllegalArgumentException("dhcp=" + range + " ends before it starts");
        }
        if (Integer.toUnsignedLong(last) - Integer.toUnsignedLong(first) + 1 > MAX_SIZE) {
            throw new IllegalArgumentException("dhcp=" + range + " holds more than " + MAX_SIZE + " addresses");
        }
        int mask = server.mask();
        if ((first & mask) != server.network() || (last & mask) != server.network()) {
            throw new IllegalArgumentException("dhcp=" + range + " is not inside the interface's network " + Ipv4Address.format(server.network()) + "/" + server.prefixLen());
        }
        if (Integer.compareUnsigned(server.address(), first) >= 0 && Integer.compareUnsigned(server.address(), last) <= 0) {
            throw new IllegalArgumentException("dhcp=" + range + " holds the interface's own address " + Ipv4Address.format(server.address()));
        }
        if (first == server.network() || last == server.broadcast()) {
            throw new IllegalArgumentException("dhcp=" + range + " holds the network's or its broadcast address");
        }
        for (int ip : statics.values()) {
            if ((ip & mask) != server.network() || ip == server.address() || ip == server.network() || ip == server.broadcast()) {
                throw new IllegalArgumentException("dhcp-static address " + Ipv4Address.format(ip) + " is not a host address of the interface's network other than its own");
            }
        }
    }
}
