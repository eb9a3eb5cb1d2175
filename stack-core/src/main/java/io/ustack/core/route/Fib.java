package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The forwarding information base: the "local" table (this host's addresses and broadcast addresses),
 * consulted first, and the "main" table (connected networks and static routes), as `ip route show table
 * local` and `ip route` list them. Adding an interface address adds its local, broadcast and connected
 * routes, as the kernel's fib_add_ifaddr does.
 */
public final class Fib {
    /** Builds the shared DstEntry of a route: where its packets go next. */
    @FunctionalInterface
    public interface DstFactory {
        DstEntry make(DstEntry.Type type, NetDevice dev, int gateway, int prefsrc);
    }

    /** The inetaddr notifier chain's NETDEV_DOWN: told after an address was removed, outside the FIB's lock. */
    @FunctionalInterface
    public interface AddressRemoved {
        void removed(NetDevice dev, int addr);
    }

    private final RouteTable local = new RouteTable();
    private final RouteTable main = new RouteTable();
    private final List<InterfaceAddress> addresses = new CopyOnWriteArrayList<>();
    private final Map<NetDevice, DstEntry> limitedBroadcast = new ConcurrentHashMap<>();
    private final NetDevice loopback;
    private final DstFactory dsts;
    private final List<AddressRemoved> removedListeners = new CopyOnWriteArrayList<>();

    public Fib(NetDevice loopback, DstFactory dsts) {
        this.loopback = loopback;
        this.dsts = dsts;
    }

    /**
     * fib_add_ifaddr: the address, then its local, broadcast and connected-network routes. Throws
     * IllegalArgumentException with a sentence when the address is configured already, on any device.
     */
    public synchronized void addAddress(NetDevice dev, Ipv4Prefix p) {
        for (InterfaceAddress a : addresses) {
            if (a.address() == p.address()) {
                throw new IllegalArgumentException(a.prefix() + " is already on " + a.dev().name());
            }
        }
        addresses.add(new InterfaceAddress(dev, p));
        addRoutes(dev, p);
    }

    private void addRoutes(NetDevice dev, Ipv4Prefix p) {
        int addr = p.address();
        Ipv4Prefix localPrefix = dev.isLoopback() ? new Ipv4Prefix(p.network(), p.prefixLen()) : new Ipv4Prefix(addr, 32);
        local.add(route(localPrefix, 0, loopback, addr, DstEntry.Type.LOCAL, Route.Origin.KERNEL));
        if (dev.isLoopback()) {
            return;
        }
        if (p.prefixLen() < 31) {
            addUnlessKernel(local, new Ipv4Prefix(p.broadcast(), 32), dev, addr, DstEntry.Type.BROADCAST);
        }
        limitedBroadcast.computeIfAbsent(dev, d -> dsts.make(DstEntry.Type.BROADCAST, d, 0, addr));
        if (p.prefixLen() < 32) {
            // a /32 address has no connected network, so no prefix route (fib_add_ifaddr)
            addUnlessKernel(main, new Ipv4Prefix(p.network(), p.prefixLen()), dev, addr, DstEntry.Type.UNICAST);
        }
    }

    /**
     * A second address on a network is a secondary (IFA_F_SECONDARY): the network's broadcast and connected
     * routes stay the primary's, sending from it, until the primary goes and the secondary is promoted.
     */
    private void addUnlessKernel(RouteTable t, Ipv4Prefix prefix, NetDevice dev, int addr, DstEntry.Type type) {
        Route there = t.get(prefix.network(), prefix.prefixLen());
        if (there == null || there.origin() != Route.Origin.KERNEL) {
            t.add(route(prefix, 0, dev, addr, type, Route.Origin.KERNEL));
        }
    }

    /**
     * `ip addr del` (inet_del_ifa, fib_del_ifaddr): removes {@code addr} from {@code dev} with every route
     * that sent from it (fib_sync_down_addr: its local, broadcast and connected routes and static routes
     * with it as source), gives the device's remaining addresses their routes back where those went too,
     * then tells the {@link #onAddressRemoved} listeners. As inet_rtm_deladdr, the prefix length must match
     * too. Throws IllegalArgumentException with a sentence when {@code dev} has no such address.
     */
    public void removeAddress(NetDevice dev, Ipv4Prefix p) {
        int addr = p.address();
        synchronized (this) {
            InterfaceAddress gone = addresses.stream().filter(a -> a.dev() == dev && a.prefix().equals(p)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(dev.name() + " has no address " + p));
            addresses.remove(gone);
            for (RouteTable t : new RouteTable[] {local, main}) {
                for (Route r : t.routes()) {
                    if (r.prefsrc() == addr) {
                        t.remove(r.prefix().network(), r.prefix().prefixLen());
                    }
                }
            }
            limitedBroadcast.remove(dev);
            for (InterfaceAddress a : addresses) {
                if (a.dev() == dev) {
                    addRoutes(dev, a.prefix()); // the kernel's promotion of the addresses that remain
                }
            }
        }
        for (AddressRemoved l : removedListeners) {
            l.removed(dev, addr);
        }
    }

    /** register_inetaddr_notifier, for removals: {@code l} hears of every address {@link #removeAddress} takes away. */
    public void onAddressRemoved(AddressRemoved l) {
        removedListeners.add(l);
    }

    /**
     * Adds a static route via {@code gateway} (dev may be null: found from the connected route that covers
     * the gateway) or, with gateway 0, directly out {@code dev}. Throws IllegalArgumentException with a
     * sentence when the gateway is not on a connected network, the device has no address, or the main table
     * has a route for the prefix already (`ip route add` says "File exists"; delete it first).
     */
    public synchronized Route addRoute(Ipv4Prefix prefix, int gateway, NetDevice dev) {
        Ipv4Prefix net = new Ipv4Prefix(prefix.network(), prefix.prefixLen());
        if (main.get(net.network(), net.prefixLen()) != null) {
            throw new IllegalArgumentException("there is a route for " + (net.prefixLen() == 0 ? "default" : net)
                    + " already; delete it first");
        }
        NetDevice out = dev;
        if (gateway != 0) {
            Route via = main.lookup(gateway);
            if (via == null || via.gateway() != 0 || (dev != null && via.dev() != dev)) {
                throw new IllegalArgumentException("gateway " + Ipv4Address.format(gateway)
                        + " is not on a connected network" + (dev != null ? " of " + dev.name() : ""));
            }
            out = via.dev();
        } else if (dev == null) {
            throw new IllegalArgumentException("a route needs a gateway or a device");
        }
        InterfaceAddress src = primaryAddress(out);
        if (src == null) {
            throw new IllegalArgumentException(out.name() + " has no IPv4 address to send from");
        }
        Route r = route(net, gateway, out, src.address(), DstEntry.Type.UNICAST, Route.Origin.STATIC);
        main.add(r);
        return r;
    }

    /** Removes the main-table route for exactly {@code prefix}; returns it, or null. */
    public Route removeRoute(Ipv4Prefix prefix) {
        return main.remove(prefix.network(), prefix.prefixLen());
    }

    private Route route(Ipv4Prefix prefix, int gw, NetDevice dev, int prefsrc, DstEntry.Type type, Route.Origin origin) {
        return new Route(prefix, gw, dev, prefsrc, type, origin, dsts.make(type, dev, gw, prefsrc));
    }

    /** fib_lookup: the local table first, then the main table; null when nothing covers {@code daddr}. */
    public Route lookup(int daddr) {
        Route r = local.lookup(daddr);
        return r != null ? r : main.lookup(daddr);
    }

    /** ip_route_input: the decision for a packet to {@code daddr} that arrived on {@code in}; null if none. */
    public DstEntry inputRoute(int daddr, NetDevice in) {
        if (daddr == Ipv4Address.BROADCAST) {
            return limitedBroadcast.get(in);
        }
        Route r = lookup(daddr);
        return r == null ? null : r.dst();
    }

    /** inet_addr_type == RTN_LOCAL: {@code addr} is one of this host's addresses. */
    public boolean isLocal(int addr) {
        Route r = local.lookup(addr);
        return r != null && r.type() == DstEntry.Type.LOCAL;
    }

    /**
     * inet_addr_type == RTN_BROADCAST: {@code addr} is the limited broadcast or one of the broadcast addresses
     * of this host's networks (the local table's broadcast routes).
     */
    public boolean isBroadcast(int addr) {
        if (addr == Ipv4Address.BROADCAST) {
            return true;
        }
        Route r = local.lookup(addr);
        return r != null && r.type() == DstEntry.Type.BROADCAST;
    }

    /** The first address configured on {@code dev}, or null. */
    public InterfaceAddress primaryAddress(NetDevice dev) {
        for (InterfaceAddress a : addresses) {
            if (a.dev() == dev) {
                return a;
            }
        }
        return null;
    }

    public List<InterfaceAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** The main table, as `ip route` shows it. */
    public List<Route> mainRoutes() {
        return main.routes();
    }

    /** The local table, as `ip route show table local` shows it. */
    public List<Route> localRoutes() {
        return local.routes();
    }
}
