package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The IPv6 side of routing: the interfaces' addresses (struct inet6_ifaddr), the connected routes they bring
 * (addrconf_prefix_route), static routes (on the link, via a gateway, or blackhole, unreachable and prohibit,
 * as {@code ip -6 route add} makes them) matched by longest prefix, the multicast groups each interface has
 * joined (the all-nodes group and each address's solicited-node group, as ipv6_dev_mc_inc does in addrconf),
 * and source address selection. Link-local addresses and link-scope groups belong to one interface: the same
 * fe80:: address on two links is two addresses.
 *
 * <p>One table (main): IPv6 has no policy rules here yet.
 *
 * <p>Readers (the receive and transmit paths) take no lock; changes are synchronized and rare.
 */
public final class Ipv6Fib {
    /** Builds the shared DstEntry of a decision: where its packets go next, via {@code gateway} if not null. */
    @FunctionalInterface
    public interface DstFactory {
        DstEntry make(DstEntry.Type type, NetDevice dev, Ipv6Address gateway);
    }

    /**
     * struct inet6_ifaddr: an IPv6 address with its prefix length, on a device, and where Duplicate Address
     * Detection has it ({@link State}).
     */
    public record Inet6Address(NetDevice dev, Ipv6Prefix prefix, State state) {
        /**
         * IFA_F_TENTATIVE while DAD runs, IFA_F_DADFAILED (Linux keeps tentative set too) when another node
         * has it: neither is used (RFC 4862 5.4), as a source or to take packets in; VALID once DAD passed or
         * when there was none.
         */
        public enum State { TENTATIVE, VALID, DADFAILED }

        public Ipv6Address address() {
            return prefix.address();
        }

        public Ipv6Address.Scope scope() {
            return prefix.address().scope();
        }
    }

    /**
     * A route (fib6_info): {@code prefix} is on the link of {@code dev}, or behind {@code gateway} on that link
     * when it is not null; an error route (blackhole, unreachable, prohibit) has the loopback device and no
     * gateway, as Linux gives it.
     */
    public record Route6(Ipv6Prefix prefix, Ipv6Address gateway, NetDevice dev, DstEntry.Type type,
                         Route.Origin origin, DstEntry dst) {
        /** As `ip -6 route` shows it (without metric and preference, which this FIB does not keep). */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (type != DstEntry.Type.UNICAST) {
                sb.append(type.name().toLowerCase(Locale.ROOT)).append(' ');
            }
            sb.append(prefix.prefixLen() == 0 ? "default" : prefix.network() + "/" + prefix.prefixLen());
            if (gateway != null) {
                sb.append(" via ").append(gateway);
            }
            sb.append(" dev ").append(dev.name());
            if (origin == Route.Origin.KERNEL) {
                sb.append(" proto kernel");
            }
            return sb.toString();
        }
    }

    private final List<Inet6Address> addresses = new CopyOnWriteArrayList<>();
    private final List<Route6> routes = new CopyOnWriteArrayList<>();
    /** Joined groups per device, each with how many addresses joined it (ipv6_dev_mc_inc's users). */
    private final Map<NetDevice, Map<Ipv6Address, Integer>> groups = new ConcurrentHashMap<>();
    private final Map<NetDevice, DstEntry> onLink = new ConcurrentHashMap<>();
    private final Map<NetDevice, DstEntry> multicast = new ConcurrentHashMap<>();
    /** The decisions of error routes, one per type (ip6_blk_hole_entry, ip6_null_entry, ip6_prohibit_entry). */
    private final Map<DstEntry.Type, DstEntry> errors = new EnumMap<>(DstEntry.Type.class);
    private final DstFactory dsts;
    private final NetDevice loopback;
    private final DstEntry local;

    public Ipv6Fib(NetDevice loopback, DstFactory dsts) {
        this.dsts = dsts;
        this.loopback = loopback;
        this.local = dsts.make(DstEntry.Type.LOCAL, loopback, null);
        for (DstEntry.Type t : new DstEntry.Type[] {DstEntry.Type.BLACKHOLE, DstEntry.Type.UNREACHABLE,
                DstEntry.Type.PROHIBIT}) {
            errors.put(t, dsts.make(t, loopback, null));
        }
    }

    /** {@link #addAddress(NetDevice, Ipv6Prefix, Inet6Address.State)} of an address usable at once. */
    public void addAddress(NetDevice dev, Ipv6Prefix p) {
        addAddress(dev, p, Inet6Address.State.VALID);
    }

    /**
     * ipv6_add_addr and addrconf_prefix_route: the address in {@code state}, its connected route (none for a
     * /128) and its solicited-node group (joined before DAD, which listens there), with the all-nodes group
     * joined on the device's first address. Throws IllegalArgumentException with a sentence when the address
     * is on the device already, or when a global address is on another device.
     */
    public synchronized void addAddress(NetDevice dev, Ipv6Prefix p, Inet6Address.State state) {
        Ipv6Address a = p.address();
        if (a.isUnspecified() || a.isMulticast()) {
            throw new IllegalArgumentException(a + " cannot be an interface address");
        }
        for (Inet6Address have : addresses) {
            if (have.address().equals(a) && (have.dev() == dev || !a.isLinkLocal())) {
                throw new IllegalArgumentException(have.prefix() + " is already on " + have.dev().name());
            }
        }
        addresses.add(new Inet6Address(dev, p, state));
        if (!dev.isLoopback()) {
            join(dev, Ipv6Address.ALL_NODES);
            join(dev, a.solicitedNode());
        }
        if (p.prefixLen() < 128 && !dev.isLoopback()) {
            Ipv6Prefix net = new Ipv6Prefix(p.network(), p.prefixLen());
            boolean have = routes.stream().anyMatch(r -> r.dev() == dev && r.prefix().equals(net));
            if (!have) {
                routes.add(new Route6(net, null, dev, DstEntry.Type.UNICAST, Route.Origin.KERNEL, onLink(dev)));
            }
        }
    }

    /**
     * ipv6_del_addr: removes {@code p} from {@code dev}, with its connected route when no other address of
     * the device is on that prefix, and leaves its solicited-node group. Throws IllegalArgumentException with
     * a sentence when {@code dev} has no such address.
     */
    public synchronized void removeAddress(NetDevice dev, Ipv6Prefix p) {
        Inet6Address gone = addresses.stream().filter(a -> a.dev() == dev && a.prefix().equals(p)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(dev.name() + " has no address " + p));
        addresses.remove(gone);
        if (!dev.isLoopback()) {
            leave(dev, p.address().solicitedNode());
        }
        Ipv6Prefix net = new Ipv6Prefix(p.network(), p.prefixLen());
        boolean stillUsed = addresses.stream().anyMatch(a -> a.dev() == dev
                && new Ipv6Prefix(a.prefix().network(), a.prefix().prefixLen()).equals(net));
        if (!stillUsed) {
            routes.removeIf(r -> r.dev() == dev && r.prefix().equals(net) && r.origin() == Route.Origin.KERNEL);
        }
    }

    /** ipv6_dev_mc_inc: {@code dev} joins {@code group}, or counts one more user of it. */
    public void join(NetDevice dev, Ipv6Address group) {
        groups.computeIfAbsent(dev, d -> new ConcurrentHashMap<>()).merge(group, 1, Integer::sum);
    }

    /** ipv6_dev_mc_dec: one user of {@code group} on {@code dev} less; the last one leaves it. */
    public void leave(NetDevice dev, Ipv6Address group) {
        Map<Ipv6Address, Integer> g = groups.get(dev);
        if (g != null) {
            g.computeIfPresent(group, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    private DstEntry onLink(NetDevice dev) {
        return onLink.computeIfAbsent(dev, d -> dsts.make(DstEntry.Type.UNICAST, d, null));
    }

    private DstEntry multicastDst(NetDevice dev) {
        return multicast.computeIfAbsent(dev, d -> dsts.make(DstEntry.Type.MULTICAST, d, null));
    }

    /** ipv6_chk_mcast_addr: {@code dev} has joined {@code group}. */
    public boolean isMember(NetDevice dev, Ipv6Address group) {
        Map<Ipv6Address, Integer> g = groups.get(dev);
        return g != null && g.containsKey(group);
    }

    /** The groups {@code dev} has joined, as `ip -6 maddr` lists them. */
    public List<Ipv6Address> groups(NetDevice dev) {
        Map<Ipv6Address, Integer> g = groups.get(dev);
        return g == null ? List.of() : List.copyOf(g.keySet());
    }

    /**
     * ipv6_get_ifaddr: our address {@code a} whatever its DAD state, or null. A link-local address counts
     * only on {@code dev} (which may be null for "any device" when {@code a} is not link-local).
     */
    public Inet6Address address(Ipv6Address a, NetDevice dev) {
        for (Inet6Address have : addresses) {
            if (have.address().equals(a) && (!a.isLinkLocal() || have.dev() == dev)) {
                return have;
            }
        }
        return null;
    }

    /**
     * ipv6_chk_addr, which bans IFA_F_TENTATIVE: {@code a} is one of ours and usable ({@code dev} as in
     * {@link #address}).
     */
    public boolean isLocal(Ipv6Address a, NetDevice dev) {
        Inet6Address have = address(a, dev);
        return have != null && have.state() == Inet6Address.State.VALID;
    }

    /**
     * DAD's verdict on {@code a} of {@code dev}: the address now in {@code state}. Returns false if it is no
     * longer there (removed meanwhile).
     */
    public synchronized boolean setState(NetDevice dev, Ipv6Address a, Inet6Address.State state) {
        for (int i = 0; i < addresses.size(); i++) {
            Inet6Address have = addresses.get(i);
            if (have.dev() == dev && have.address().equals(a)) {
                addresses.set(i, new Inet6Address(dev, have.prefix(), state));
                return true;
            }
        }
        return false;
    }

    /**
     * ip6_route_input for a unicast destination: LOCAL for one of our addresses (a link-local one only on the
     * device it came in on), else the route that covers {@code daddr} longest (a link-local destination is on
     * the link it came from, the strict interface match of RT6_LOOKUP_F_IFACE); null when nothing covers it.
     * Multicast is the caller's ({@link #isMember}).
     */
    public DstEntry inputRoute(Ipv6Address daddr, NetDevice in) {
        if (isLocal(daddr, in)) {
            return local;
        }
        if (daddr.isLinkLocal()) {
            return onLink(in);
        }
        Route6 r = lookup(daddr, null);
        return r == null ? null : r.dst();
    }

    /** The decision for multicast this host takes in on {@code dev} (ip6_mc_input's ip6_input). */
    public DstEntry multicastInput(NetDevice dev) {
        return multicastDst(dev);
    }

    /**
     * ip6_route_output: our own address goes to the loopback; a destination that needs its interface named
     * (link-local, link-scope multicast) goes out {@code oif}, and without one there is no route; anything
     * else takes the longest route (on {@code oif} when it is given), which may be an error route's decision.
     * Null when there is no route.
     */
    public DstEntry outputRoute(Ipv6Address daddr, NetDevice oif) {
        if (daddr.isMulticast()) {
            return oif == null ? null : multicastDst(oif);
        }
        if (isLocal(daddr, oif)) {
            return local;
        }
        if (daddr.isLinkLocal()) {
            return oif == null ? null : onLink(oif);
        }
        Route6 r = lookup(daddr, oif);
        return r == null ? null : r.dst();
    }

    /**
     * icmp6_dst_alloc: the decision for a packet that goes out {@code dev} to {@code daddr} on that link
     * whatever the routes say, as Neighbour Discovery's do (a group, or a neighbour resolved on the link).
     */
    public DstEntry linkRoute(Ipv6Address daddr, NetDevice dev) {
        return daddr.isMulticast() ? multicastDst(dev) : onLink(dev);
    }

    /**
     * fib6_lookup's longest-prefix match, on {@code oif} only if it is given. Of two routes for the same prefix
     * the connected one wins, as its metric (256) is below a static route's (1024).
     */
    public Route6 lookup(Ipv6Address daddr, NetDevice oif) {
        Route6 best = null;
        for (Route6 r : routes) {
            if ((oif == null || r.dev() == oif) && r.prefix().contains(daddr) && (best == null
                    || r.prefix().prefixLen() > best.prefix().prefixLen()
                    || (r.prefix().prefixLen() == best.prefix().prefixLen() && r.origin() == Route.Origin.KERNEL
                    && best.origin() != Route.Origin.KERNEL))) {
                best = r;
            }
        }
        return best;
    }

    /**
     * {@code ip -6 route add PREFIX via GATEWAY [dev DEV]} or {@code ip -6 route add PREFIX dev DEV} (gateway
     * null), checked as ip6_validate_gw checks a gateway: a unicast address not of this host; a link-local
     * one needs its device named; any other must be on the link of a route without a gateway (on {@code dev}
     * when it is given), whose device the route takes. Throws IllegalArgumentException with a sentence when
     * the gateway or device will not do, or when there is a route for the prefix already (`ip route add`
     * says "File exists"; delete it first).
     */
    public synchronized Route6 addRoute(Ipv6Prefix prefix, Ipv6Address gateway, NetDevice dev) {
        Ipv6Prefix net = tableSlot(prefix);
        NetDevice out = gateway == null ? dev : gatewayDevice(gateway, dev);
        if (out == null) {
            throw new IllegalArgumentException("a route needs a gateway or a device");
        }
        if (out.isLoopback()) {
            throw new IllegalArgumentException("a route cannot leave by the loopback device");
        }
        Route6 r = new Route6(net, gateway, out, DstEntry.Type.UNICAST, Route.Origin.STATIC,
                gateway == null ? onLink(out) : dsts.make(DstEntry.Type.UNICAST, out, gateway));
        routes.add(r);
        return r;
    }

    /** ip6_validate_gw and ip6_route_check_nh: the device a route via {@code gateway} leaves by. */
    private NetDevice gatewayDevice(Ipv6Address gateway, NetDevice dev) {
        if (gateway.isUnspecified() || gateway.isMulticast() || gateway.isLoopback()) {
            throw new IllegalArgumentException("the gateway " + gateway + " is not a unicast address");
        }
        if (address(gateway, dev) != null) {
            throw new IllegalArgumentException("the gateway " + gateway + " is an address of this host");
        }
        if (gateway.isLinkLocal()) {
            if (dev == null) {
                throw new IllegalArgumentException("a link-local gateway needs its device: via " + gateway + " dev NAME");
            }
            return dev;
        }
        Route6 via = lookup(gateway, dev);
        if (via == null || via.gateway() != null || via.type() != DstEntry.Type.UNICAST) {
            throw new IllegalArgumentException("the gateway " + gateway + " is not on a connected network"
                    + (dev != null ? " of " + dev.name() : ""));
        }
        return via.dev();
    }

    /** {@code ip -6 route add blackhole|unreachable|prohibit PREFIX}: the loopback's route of that type. */
    public synchronized Route6 addErrorRoute(Ipv6Prefix prefix, DstEntry.Type type) {
        if (!type.isError()) {
            throw new IllegalArgumentException(type + " is not an error route type");
        }
        Route6 r = new Route6(tableSlot(prefix), null, loopback, type, Route.Origin.STATIC, errors.get(type));
        routes.add(r);
        return r;
    }

    /** The network of {@code prefix}, refused with a sentence when the table has a route for it already. */
    private Ipv6Prefix tableSlot(Ipv6Prefix prefix) {
        Ipv6Prefix net = new Ipv6Prefix(prefix.network(), prefix.prefixLen());
        if (routes.stream().anyMatch(r -> r.prefix().equals(net))) {
            throw new IllegalArgumentException("there is a route for " + (net.prefixLen() == 0 ? "default" : net)
                    + " already; delete it first");
        }
        return net;
    }

    /**
     * {@code ip -6 route del PREFIX}: removes the route for exactly {@code prefix} (a connected one too, as ip
     * lets it; the first one when several devices have that prefix); returns it, or null.
     */
    public synchronized Route6 removeRoute(Ipv6Prefix prefix) {
        Ipv6Prefix net = new Ipv6Prefix(prefix.network(), prefix.prefixLen());
        for (Route6 r : routes) {
            if (r.prefix().equals(net)) {
                routes.remove(r);
                return r;
            }
        }
        return null;
    }

    /** rt6_sync_down_dev on unregister: every route that leaves by {@code dev} goes. */
    public synchronized void removeRoutes(NetDevice dev) {
        routes.removeIf(r -> r.dev() == dev);
    }

    /**
     * ipv6_dev_get_saddr: the source for a packet to {@code daddr} leaving by {@code dev}, by RFC 6724's
     * rules as far as they matter here: the destination itself if it is ours (rule 1), an address of the
     * destination's scope (rule 2: a link-local destination gets the link-local source), the outgoing
     * interface's own (rule 5), then the longest prefix in common (rule 8). Null if there is none.
     */
    public Ipv6Address chooseSource(Ipv6Address daddr, NetDevice dev) {
        if (!daddr.isMulticast() && isLocal(daddr, dev)) {
            return daddr;
        }
        Ipv6Address.Scope want = daddr.scope();
        Inet6Address best = null;
        for (Inet6Address a : addresses) {
            if (a.dev().isLoopback() && (dev == null || !dev.isLoopback())) {
                continue;
            }
            if (a.address().isLinkLocal() && a.dev() != dev) {
                continue; // a link-local source only ever leaves by its own link
            }
            if (a.state() != Inet6Address.State.VALID) {
                continue; // RFC 4862 5.4: a tentative address is no source
            }
            if (best == null || better(a, best, want, dev, daddr)) {
                best = a;
            }
        }
        return best == null ? null : best.address();
    }

    /** RFC 6724 section 5, rules 2, 5 and 8: whether {@code a} is a better source than {@code b}. */
    private static boolean better(Inet6Address a, Inet6Address b, Ipv6Address.Scope want, NetDevice dev, Ipv6Address d) {
        int sa = a.scope().ordinal();
        int sb = b.scope().ordinal();
        if (sa != sb) {
            // rule 2: of two scopes, the smaller one if it still reaches the destination's, else the larger
            return sa < sb ? sa >= want.ordinal() : sb < want.ordinal();
        }
        boolean aDev = a.dev() == dev;
        boolean bDev = b.dev() == dev;
        if (aDev != bDev) {
            return aDev;
        }
        return commonPrefix(a.address(), d) > commonPrefix(b.address(), d);
    }

    private static int commonPrefix(Ipv6Address x, Ipv6Address y) {
        long h = x.hi() ^ y.hi();
        if (h != 0) {
            return Long.numberOfLeadingZeros(h);
        }
        return 64 + Long.numberOfLeadingZeros(x.lo() ^ y.lo());
    }

    /** The addresses on {@code dev}, in the order added. */
    public List<Inet6Address> addresses(NetDevice dev) {
        List<Inet6Address> out = new ArrayList<>();
        for (Inet6Address a : addresses) {
            if (a.dev() == dev) {
                out.add(a);
            }
        }
        return out;
    }

    public List<Inet6Address> addresses() {
        return List.copyOf(addresses);
    }

    /** Every route, connected and static, in the order added. */
    public List<Route6> routes() {
        return List.copyOf(routes);
    }

    /** A snapshot of who has joined what, by device name. */
    public Map<String, List<Ipv6Address>> memberships() {
        Map<String, List<Ipv6Address>> out = new HashMap<>();
        groups.forEach((d, g) -> out.put(d.name(), List.copyOf(g.keySet())));
        return out;
    }
}
