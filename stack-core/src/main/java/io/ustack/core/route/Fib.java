package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The forwarding information base: routing tables by number, as `ip route show table N` lists them, and the
 * policy rules that choose among them (fib_rules, `ip rule`). The "local" table (255: this host's addresses
 * and broadcast addresses), "main" (254: connected networks and static routes) and "default" (253) are there
 * from the start, with Linux's three rules: 0 lookup local, 32766 lookup main, 32767 lookup default. While
 * only those rules exist a lookup takes the short way through local and main. Adding an interface address
 * adds its local, broadcast and connected routes, as the kernel's fib_add_ifaddr does.
 */
public final class Fib {
    /** RT_TABLE_LOCAL, RT_TABLE_MAIN and RT_TABLE_DEFAULT. */
    public static final int TABLE_LOCAL = 255;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_DEFAULT = 253;
    /** The priorities of Linux's own rules (fib_default_rules_init). */
    private static final int PRIO_LOCAL = 0;
    private static final int PRIO_MAIN = 32766;
    private static final int PRIO_DEFAULT = 32767;
    private static final List<FibRule> DEFAULT_RULES = List.of(
            new FibRule(PRIO_LOCAL, null, null, 0, 0, null, null, FibRule.Action.LOOKUP, TABLE_LOCAL),
            new FibRule(PRIO_MAIN, null, null, 0, 0, null, null, FibRule.Action.LOOKUP, TABLE_MAIN),
            new FibRule(PRIO_DEFAULT, null, null, 0, 0, null, null, FibRule.Action.LOOKUP, TABLE_DEFAULT));

    /** One path of a multipath route: {@code ip route add P nexthop via GATEWAY [dev DEV] [weight W]}. */
    public record Nexthop(int gateway, NetDevice dev, int weight) {
    }

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
    private final RouteTable defaultTable = new RouteTable();
    private final Map<Integer, RouteTable> tables = new ConcurrentHashMap<>(
            Map.of(TABLE_LOCAL, local, TABLE_MAIN, main, TABLE_DEFAULT, defaultTable));
    /** The rules by priority, published whole; {@code onlyDefaultRules} while they are Linux's three. */
    private volatile FibRule[] rules = DEFAULT_RULES.toArray(new FibRule[0]);
    private volatile boolean onlyDefaultRules = true;
    /** The routes error rules answer with, one per type. */
    private final Map<DstEntry.Type, Route> errorRoutes = new EnumMap<>(DstEntry.Type.class);
    private final List<InterfaceAddress> addresses = new CopyOnWriteArrayList<>();
    private final Map<NetDevice, DstEntry> limitedBroadcast = new ConcurrentHashMap<>();
    private final NetDevice loopback;
    private final DstFactory dsts;
    private final List<AddressRemoved> removedListeners = new CopyOnWriteArrayList<>();

    public Fib(NetDevice loopback, DstFactory dsts) {
        this.loopback = loopback;
        this.dsts = dsts;
        for (FibRule.Action a : new FibRule.Action[] {FibRule.Action.BLACKHOLE, FibRule.Action.UNREACHABLE,
                FibRule.Action.PROHIBIT}) {
            errorRoutes.put(a.routeType(), route(new Ipv4Prefix(0, 0), 0, loopback, 0, a.routeType(), Route.Origin.KERNEL));
        }
    }

    /** Linux's three rules, which every FIB starts with: 0 lookup local, 32766 main, 32767 default. */
    public static List<FibRule> defaultRules() {
        return DEFAULT_RULES;
    }

    /** The table's name as ip-route prints it: local, main, default or its number. */
    public static String tableName(int table) {
        return switch (table) {
            case TABLE_LOCAL -> "local";
            case TABLE_MAIN -> "main";
            case TABLE_DEFAULT -> "default";
            default -> Integer.toUnsignedString(table);
        };
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
            for (RouteTable t : tables.values()) {
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
     * Adds a static route to the main table via {@code gateway} (dev may be null: found from the connected
     * route that covers the gateway) or, with gateway 0, directly out {@code dev}. Throws
     * IllegalArgumentException with a sentence when the gateway is not on a connected network, the device has
     * no address, or the table has a route for the prefix already (`ip route add` says "File exists"; delete
     * it first).
     */
    public Route addRoute(Ipv4Prefix prefix, int gateway, NetDevice dev) {
        return addRoute(prefix, gateway, dev, TABLE_MAIN);
    }

    /** {@link #addRoute(Ipv4Prefix, int, NetDevice)} into {@code table}, made if it is new. */
    public synchronized Route addRoute(Ipv4Prefix prefix, int gateway, NetDevice dev, int table) {
        Ipv4Prefix net = network(prefix);
        RouteTable t = tableForAdd(table, net);
        Route r = path(net, gateway, dev, 1);
        t.add(r);
        return r;
    }

    /**
     * A multipath route (ECMP) into {@code table}: one path per nexthop, each checked as a single route's
     * gateway is, chosen per flow by {@link Route#select}.
     */
    public synchronized Route addMultipathRoute(Ipv4Prefix prefix, List<Nexthop> nexthops, int table) {
        if (nexthops.size() < 2) {
            throw new IllegalArgumentException("a multipath route needs two nexthops or more");
        }
        Ipv4Prefix net = network(prefix);
        RouteTable t = tableForAdd(table, net);
        List<Route> paths = new ArrayList<>();
        for (Nexthop nh : nexthops) {
            if (nh.gateway() == 0) {
                throw new IllegalArgumentException("each nexthop of a multipath route needs 'via GATEWAY'");
            }
            if (nh.weight() < 1 || nh.weight() > 256) {
                throw new IllegalArgumentException("a nexthop's weight is from 1 to 256, not " + nh.weight());
            }
            paths.add(path(net, nh.gateway(), nh.dev(), nh.weight()));
        }
        Route first = paths.get(0);
        Route r = new Route(net, first.gateway(), first.dev(), first.prefsrc(), DstEntry.Type.UNICAST,
                Route.Origin.STATIC, first.dst(), 1, List.copyOf(paths));
        t.add(r);
        return r;
    }

    /** {@code ip route add blackhole|unreachable|prohibit PREFIX [table N]}. */
    public synchronized Route addErrorRoute(Ipv4Prefix prefix, DstEntry.Type type, int table) {
        if (!type.isError()) {
            throw new IllegalArgumentException(type + " is not an error route type");
        }
        Ipv4Prefix net = network(prefix);
        RouteTable t = tableForAdd(table, net);
        Route r = route(net, 0, loopback, 0, type, Route.Origin.STATIC);
        t.add(r);
        return r;
    }

    private static Ipv4Prefix network(Ipv4Prefix prefix) {
        return new Ipv4Prefix(prefix.network(), prefix.prefixLen());
    }

    private RouteTable tableForAdd(int table, Ipv4Prefix net) {
        if (table == TABLE_LOCAL) {
            throw new IllegalArgumentException("the local table holds this host's own addresses only");
        }
        RouteTable t = tables.computeIfAbsent(table, n -> new RouteTable());
        if (t.get(net.network(), net.prefixLen()) != null) {
            throw new IllegalArgumentException("there is a route for " + (net.prefixLen() == 0 ? "default" : net)
                    + (table == TABLE_MAIN ? "" : " in table " + tableName(table)) + " already; delete it first");
        }
        return t;
    }

    /** One unicast path via {@code gateway} (on a connected network of the main table) or out {@code dev}. */
    private Route path(Ipv4Prefix net, int gateway, NetDevice dev, int weight) {
        NetDevice out = dev;
        if (gateway != 0) {
            Route via = main.lookup(gateway);
            if (via == null || via.gateway() != 0 || via.type() != DstEntry.Type.UNICAST
                    || (dev != null && via.dev() != dev)) {
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
        return weight == 1 ? r : new Route(r.prefix(), r.gateway(), r.dev(), r.prefsrc(), r.type(), r.origin(),
                r.dst(), weight, List.of());
    }

    /** Removes the main-table route for exactly {@code prefix}; returns it, or null. */
    public Route removeRoute(Ipv4Prefix prefix) {
        return removeRoute(prefix, TABLE_MAIN);
    }

    /** Removes {@code table}'s route for exactly {@code prefix}; returns it, or null. */
    public Route removeRoute(Ipv4Prefix prefix, int table) {
        RouteTable t = tables.get(table);
        return t == null ? null : t.remove(prefix.network(), prefix.prefixLen());
    }

    private Route route(Ipv4Prefix prefix, int gw, NetDevice dev, int prefsrc, DstEntry.Type type, Route.Origin origin) {
        return new Route(prefix, gw, dev, prefsrc, type, origin, dsts.make(type, dev, gw, prefsrc));
    }

    /**
     * fib_lookup for a flow known by its destination alone (this host's own decisions: a gateway, a path MTU):
     * the local table first, then the main table, or the rules when there are more than Linux's three.
     */
    public Route lookup(int daddr) {
        return lookup(daddr, 0, 0, loopback);
    }

    /**
     * ip_route_output_key: the route for a packet this host sends to {@code daddr} from {@code saddr} (0 when
     * not chosen yet) with mark {@code mark}; its iif is loopback, as Linux's output lookups are. A multipath
     * route gives the flow's path. Null when nothing covers it.
     */
    public Route outputRoute(int daddr, int saddr, int mark) {
        Route r = lookup(daddr, saddr, mark, loopback);
        return r == null ? null : r.select(saddr, daddr);
    }

    /**
     * fib_lookup with fib_rules_lookup: each rule in order of priority that matches the flow either ends the
     * lookup (an error action) or looks in its table; a table with no route for the destination sends the
     * lookup on to the next rule.
     */
    private Route lookup(int daddr, int saddr, int mark, NetDevice in) {
        if (onlyDefaultRules) {
            Route r = local.lookup(daddr);
            if (r == null) {
                r = main.lookup(daddr);
            }
            return r != null ? r : defaultTable.lookup(daddr);
        }
        for (FibRule rule : rules) {
            if (!rule.matches(saddr, daddr, mark, in, null)) {
                continue;
            }
            if (rule.action() != FibRule.Action.LOOKUP) {
                return errorRoutes.get(rule.action().routeType());
            }
            RouteTable t = tables.get(rule.table());
            Route r = t == null ? null : t.lookup(daddr);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** ip_route_input: the decision for a packet to {@code daddr} that arrived on {@code in}; null if none. */
    public DstEntry inputRoute(int daddr, NetDevice in) {
        return inputRoute(daddr, 0, 0, in);
    }

    /**
     * ip_route_input_slow with the flow's source and mark, which policy rules may select on: the decision
     * for a packet from {@code saddr} to {@code daddr} that arrived on {@code in}; null if none.
     */
    public DstEntry inputRoute(int daddr, int saddr, int mark, NetDevice in) {
        if (daddr == Ipv4Address.BROADCAST) {
            return limitedBroadcast.get(in);
        }
        Route r = lookup(daddr, saddr, mark, in);
        return r == null ? null : r.select(saddr, daddr).dst();
    }

    // ---- policy rules (ip rule) ----

    /** The rules, by priority, as `ip rule` lists them. */
    public List<FibRule> rules() {
        return List.of(rules);
    }

    /**
     * `ip rule add`: a rule at its priority, after the rules of the same priority already there. A lookup
     * rule's table need not exist yet (it is empty until routes go in).
     */
    public synchronized void addRule(FibRule rule) {
        if (rule.action() == FibRule.Action.LOOKUP && rule.table() == 0) {
            throw new IllegalArgumentException("a lookup rule needs a table");
        }
        List<FibRule> next = new ArrayList<>(Arrays.asList(rules));
        next.add(rule);
        next.sort(Comparator.comparingInt(FibRule::priority)); // stable: equal priorities keep their order
        publishRules(next);
    }

    /**
     * `ip rule del`: the first rule equal to {@code rule} in every selector, action, table and priority;
     * Throws IllegalArgumentException when there is none.
     */
    public synchronized void removeRule(FibRule rule) {
        List<FibRule> next = new ArrayList<>(Arrays.asList(rules));
        if (!next.remove(rule)) {
            throw new IllegalArgumentException("there is no rule '" + rule + "'");
        }
        publishRules(next);
    }

    private void publishRules(List<FibRule> next) {
        rules = next.toArray(new FibRule[0]);
        onlyDefaultRules = next.equals(DEFAULT_RULES);
    }

    /** The tables that exist, by number: local, main, default and those routes or rules were added to. */
    public List<Integer> tableIds() {
        return List.copyOf(new TreeSet<>(tables.keySet()));
    }

    /** {@code table}'s routes, as `ip route show table N` shows them; empty for a table with none. */
    public List<Route> routes(int table) {
        RouteTable t = tables.get(table);
        return t == null ? List.of() : t.routes();
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
