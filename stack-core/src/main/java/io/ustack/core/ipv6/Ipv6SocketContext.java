package io.ustack.core.ipv6;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv6Address;
import java.net.SocketException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * What the IPv6 sockets of TCP and UDP read from their network namespace: net.ipv6.bindv6only, the
 * IPV6_V6ONLY a new socket starts with (inet6_create), and the interfaces by index, which a scope id names
 * (dev_get_by_index).
 *
 * @param bindV6Only    net.ipv6.bindv6only now
 * @param deviceByIndex the interface of an index, or null for none
 */
public record Ipv6SocketContext(BooleanSupplier bindV6Only, IntFunction<NetDevice> deviceByIndex) {
    /** A stack's before it is wired: bindv6only 0, no interfaces. */
    public static final Ipv6SocketContext NONE = new Ipv6SocketContext(() -> false, i -> null);

    /**
     * The interface a packet to {@code addr} must leave by, named by {@code scopeId} (sin6_scope_id): only an
     * address that needs one has one (__ipv6_addr_needs_scope_id; a scope id on any other is ignored, as
     * Linux ignores it), and such an address without one is refused with EINVAL, as tcp_v6_connect and
     * ip6_datagram_connect refuse it. Null when the route is free to choose.
     *
     * @throws SocketException for a missing scope id or one that names no interface (ENODEV)
     */
    public NetDevice scope(Ipv6Address addr, int scopeId) throws SocketException {
        if (!addr.needsScopeId()) {
            return null;
        }
        if (scopeId == 0) {
            throw new SocketException("invalid argument: " + addr + " is link-local and needs its interface (" + addr
                    + "%IFNAME)");
        }
        NetDevice dev = deviceByIndex.apply(scopeId);
        if (dev == null) {
            throw new SocketException("no such device: scope id " + scopeId + " names no interface");
        }
        return dev;
    }
}
