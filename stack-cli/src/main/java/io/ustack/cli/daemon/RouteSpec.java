package io.ustack.cli.daemon;

import io.ustack.core.link.NetDevice;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One route in ip-route's words: {@code [TYPE] PREFIX [via GATEWAY] [dev NAME] [table TABLE]} or
 * {@code PREFIX [table TABLE] nexthop via GATEWAY [dev NAME] [weight W] nexthop ...}, with {@code default}
 * for 0.0.0.0/0; TYPE is {@code blackhole}, {@code unreachable} or {@code prohibit} for an error route, which
 * takes neither gateway nor device. An IPv6 route is written the same way ({@code fd02::/64 via fe80::1 dev
 * tapR}, {@code default via fd02::9}): its destination or gateway says the family, and {@code default} is
 * ::/0 when the gateway is IPv6; it takes no table but main and no nexthops.
 *
 * @param prefix   the destination network of an IPv4 route; null for an IPv6 one
 * @param gateway  the next hop, or 0 for a route straight out of {@code dev} (and for an IPv6 route)
 * @param dev      the interface name, or null to take the device from the gateway's connected network
 * @param table    the routing table (254, main, unless given)
 * @param type     an error route's type, or null for a unicast route
 * @param nexthops a multipath route's paths (two or more), or empty
 * @param prefix6  the destination network of an IPv6 route; null for an IPv4 one
 * @param gateway6 an IPv6 route's next hop, or null for a route straight out of {@code dev}
 */
public record RouteSpec(Ipv4Prefix prefix, int gateway, String dev, int table, DstEntry.Type type,
                        List<NexthopSpec> nexthops, Ipv6Prefix prefix6, Ipv6Address gateway6) {
    private static final String FORMS = "PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY";

    /** One {@code nexthop via GATEWAY [dev NAME] [weight W]} of a multipath route. */
    public record NexthopSpec(int gateway, String dev, int weight) {
    }

    /** An IPv4 route. */
    public RouteSpec(Ipv4Prefix prefix, int gateway, String dev, int table, DstEntry.Type type,
                     List<NexthopSpec> nexthops) {
        this(prefix, gateway, dev, table, type, nexthops, null, null);
    }

    /** A unicast route in the main table. */
    public RouteSpec(Ipv4Prefix prefix, int gateway, String dev) {
        this(prefix, gateway, dev, Fib.TABLE_MAIN, null, List.of());
    }

    /** An IPv6 route: via {@code gateway} (null: on the link of {@code dev}), or an error route of {@code type}. */
    public static RouteSpec inet6(Ipv6Prefix prefix, Ipv6Address gateway, String dev, DstEntry.Type type) {
        return new RouteSpec(null, 0, dev, Fib.TABLE_MAIN, type, List.of(), prefix, gateway);
    }

    /** Whether this is an IPv6 route. */
    public boolean isInet6() {
        return prefix6 != null;
    }

    /** {@link #parse(String, boolean)} with the family told by the route's own addresses. */
    public static RouteSpec parse(String route) {
        return parse(route, false);
    }

    /**
     * Parses a ROUTE; with {@code inet6} (ip's -6) {@code default} is ::/0 whatever follows.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part, without the ROUTE
     *                                  itself (the caller adds it)
     */
    public static RouteSpec parse(String route, boolean inet6) {
        List<String> words = new ArrayList<>(List.of(route.trim().split("\\s+")));
        if (words.get(0).isEmpty()) {
            throw new IllegalArgumentException("a route needs a destination, like '10.0.0.0/8 via 10.77.0.1'");
        }
        DstEntry.Type type = errorType(words.get(0));
        if (type != null) {
            words.remove(0);
            if (words.isEmpty()) {
                throw new IllegalArgumentException("'" + type.name().toLowerCase(Locale.ROOT) + "' needs a destination");
            }
        }
        String via = null;
        String dev = null;
        String table = null;
        List<NexthopSpec> nexthops = new ArrayList<>();
        int i = 1;
        while (i < words.size()) {
            String word = words.get(i);
            if (word.equals("nexthop")) {
                i = nexthop(words, i + 1, nexthops);
                continue;
            }
            if (!word.equals("via") && !word.equals("dev") && !word.equals("table")) {
                throw new IllegalArgumentException("'" + word + "' is not understood; a route reads " + FORMS);
            }
            String value = value(words, i);
            String before = switch (word) {
                case "via" -> via;
                case "dev" -> dev;
                default -> table;
            };
            if (before != null) {
                throw new IllegalArgumentException("'" + word + "' is given twice");
            }
            switch (word) {
                case "via" -> via = value;
                case "dev" -> dev = value;
                default -> table = value;
            }
            i += 2;
        }
        return of(words.get(0), via, dev, table, type, nexthops, inet6);
    }

    /** The words of one nexthop from {@code i}; returns where the next thing starts. */
    private static int nexthop(List<String> words, int i, List<NexthopSpec> out) {
        String via = null;
        String dev = null;
        int weight = 1;
        while (i < words.size() && !words.get(i).equals("nexthop")) {
            String word = words.get(i);
            String value = value(words, i);
            switch (word) {
                case "via" -> via = value;
                case "dev" -> dev = value;
                case "weight" -> weight = weight(value);
                default -> throw new IllegalArgumentException("'" + word + "' is not understood in a nexthop; it reads "
                        + "nexthop via GATEWAY [dev NAME] [weight W]");
            }
            i += 2;
        }
        if (via == null) {
            throw new IllegalArgumentException("each nexthop needs 'via GATEWAY'");
        }
        out.add(new NexthopSpec(gateway(via), dev, weight));
        return i;
    }

    /**
     * One nexthop from its parts, as the control protocol's fields name them: {@code weight} null for 1.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static NexthopSpec nexthop(String via, String dev, String weight) {
        return new NexthopSpec(gateway(via), dev, weight == null ? 1 : weight(weight));
    }

    private static String value(List<String> words, int i) {
        if (i + 1 == words.size()) {
            String word = words.get(i);
            throw new IllegalArgumentException("'" + word + "' needs " + switch (word) {
                case "via" -> "a gateway address";
                case "dev" -> "an interface name";
                case "weight" -> "a number from 1 to 256";
                default -> "a table: main, default or a number";
            });
        }
        return words.get(i + 1);
    }

    private static int weight(String w) {
        try {
            int n = Integer.parseInt(w);
            if (n >= 1 && n <= 256) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("a nexthop's weight is a number from 1 to 256, not '" + w + "'");
    }

    /** blackhole, unreachable or prohibit as a route's TYPE; null for anything else. */
    public static DstEntry.Type errorType(String word) {
        return switch (word) {
            case "blackhole" -> DstEntry.Type.BLACKHOLE;
            case "unreachable" -> DstEntry.Type.UNREACHABLE;
            case "prohibit" -> DstEntry.Type.PROHIBIT;
            default -> null;
        };
    }

    /**
     * A unicast route from its parts, as ip-route's words or the control protocol's fields name them.
     *
     * @param dst a prefix or {@code default}
     * @param via the gateway's address, or null
     * @param dev the interface's name, or null; one of {@code via} and {@code dev} is needed
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static RouteSpec of(String dst, String via, String dev) {
        return of(dst, via, dev, null, null, List.of());
    }

    /**
     * Any route from its parts: {@code table} null for main, {@code type} null for unicast, {@code nexthops}
     * empty for a single path.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static RouteSpec of(String dst, String via, String dev, String table, DstEntry.Type type,
                               List<NexthopSpec> nexthops) {
        return of(dst, via, dev, table, type, nexthops, false);
    }

    /**
     * {@link #of(String, String, String, String, DstEntry.Type, List)}, an IPv6 route when {@code inet6} or
     * when the destination or gateway is an IPv6 address.
     */
    private static RouteSpec of(String dst, String via, String dev, String table, DstEntry.Type type,
                                List<NexthopSpec> nexthops, boolean inet6) {
        if (inet6 || isInet6(dst, via)) {
            return of6(dst, via, dev, table, type, nexthops);
        }
        Ipv4Prefix prefix = destination(dst);
        int t = table == null ? Fib.TABLE_MAIN : table(table);
        if (type != null) {
            if (via != null || dev != null || !nexthops.isEmpty()) {
                throw new IllegalArgumentException("a " + type.name().toLowerCase(Locale.ROOT)
                        + " route takes no gateway, device or nexthop");
            }
            return new RouteSpec(prefix, 0, null, t, type, List.of());
        }
        if (!nexthops.isEmpty()) {
            if (via != null || dev != null) {
                throw new IllegalArgumentException("a multipath route gives its gateways in its nexthops, not with 'via'");
            }
            if (nexthops.size() < 2) {
                throw new IllegalArgumentException("a multipath route needs two nexthops or more");
            }
            return new RouteSpec(prefix, 0, null, t, null, List.copyOf(nexthops));
        }
        int gateway = via == null ? 0 : gateway(via);
        if (via == null && dev == null) {
            throw new IllegalArgumentException("a route needs 'via GATEWAY' or 'dev NAME'; it reads " + FORMS);
        }
        return new RouteSpec(prefix, gateway, dev, t, null, List.of());
    }

    /** Whether a route to {@code dst} via {@code via} (null if none) is written in IPv6 addresses. */
    private static boolean isInet6(String dst, String via) {
        return dst.contains(":") || (via != null && via.contains(":"));
    }

    private static RouteSpec of6(String dst, String via, String dev, String table, DstEntry.Type type,
                                 List<NexthopSpec> nexthops) {
        if (table != null && table(table) != Fib.TABLE_MAIN) {
            throw new IllegalArgumentException("an IPv6 route goes in the main table; there are no other IPv6 tables");
        }
        if (!nexthops.isEmpty()) {
            throw new IllegalArgumentException("a multipath route is IPv4 only");
        }
        Ipv6Prefix prefix = destination6(dst);
        if (type != null) {
            if (via != null || dev != null) {
                throw new IllegalArgumentException("a " + type.name().toLowerCase(Locale.ROOT)
                        + " route takes no gateway or device");
            }
            return inet6(prefix, null, null, type);
        }
        if (via == null && dev == null) {
            throw new IllegalArgumentException("a route needs 'via GATEWAY' or 'dev NAME'; it reads " + FORMS);
        }
        Ipv6Address gateway = via == null ? null : Ipv6Address.parse(via);
        if (gateway != null && gateway.isUnspecified()) {
            throw new IllegalArgumentException("the gateway cannot be ::");
        }
        return inet6(prefix, gateway, dev, null);
    }

    /**
     * An IPv6 route's destination: {@code ADDR/P}, a bare address (a /128) or {@code default} (::/0); host
     * bits are refused, as ip-route refuses them.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static Ipv6Prefix destination6(String dst) {
        Ipv6Prefix prefix = dst.equals("default") ? new Ipv6Prefix(Ipv6Address.UNSPECIFIED, 0) : Ipv6Prefix.parse(dst);
        if (!prefix.address().equals(prefix.network())) {
            throw new IllegalArgumentException("'" + dst + "' has host bits set; did you mean "
                    + new Ipv6Prefix(prefix.network(), prefix.prefixLen()) + "?");
        }
        return prefix;
    }

    private static int gateway(String via) {
        if (via.contains(":")) { // only a nexthop's gateway gets here as IPv6: a single IPv6 route went to of6
            throw new IllegalArgumentException("a multipath route is IPv4 only");
        }
        int gateway = Ipv4Address.parse(via);
        if (gateway == Ipv4Address.ANY) {
            throw new IllegalArgumentException("the gateway cannot be 0.0.0.0");
        }
        return gateway;
    }

    /**
     * A routing table as ip-route names it: {@code main}, {@code default}, {@code local} or a number from 1
     * to 4294967295.
     */
    public static int table(String name) {
        switch (name) {
            case "main":
                return Fib.TABLE_MAIN;
            case "default":
                return Fib.TABLE_DEFAULT;
            case "local":
                return Fib.TABLE_LOCAL;
            default:
                try {
                    long n = Long.parseLong(name);
                    if (n >= 1 && n <= 0xffff_ffffL) {
                        return (int) n;
                    }
                } catch (NumberFormatException e) {
                    // said below
                }
                throw new IllegalArgumentException("'" + name + "' is not a table: main, default, local or a number "
                        + "from 1 to 4294967295");
        }
    }

    /**
     * A route's destination: {@code A.B.C.D/P}, a bare address (a /32) or {@code default}; host bits are
     * refused, as ip-route refuses them.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static Ipv4Prefix destination(String dst) {
        Ipv4Prefix prefix = dst.equals("default") ? new Ipv4Prefix(Ipv4Address.ANY, 0) : Ipv4Prefix.parse(dst);
        if (prefix.address() != prefix.network()) {
            throw new IllegalArgumentException("'" + dst + "' has host bits set; did you mean "
                    + new Ipv4Prefix(prefix.network(), prefix.prefixLen()) + "?");
        }
        return prefix;
    }

    /**
     * Puts the IPv6 route into {@code stack}'s IPv6 FIB, naming its device by its interface name.
     *
     * @throws IllegalArgumentException with a sentence when the device does not exist or the FIB refuses it
     */
    public Ipv6Fib.Route6 install6In(NetStack stack) {
        if (type != null) {
            return stack.fib6().addErrorRoute(prefix6, type);
        }
        return stack.fib6().addRoute(prefix6, gateway6, device(stack, dev));
    }

    /**
     * Puts the IPv4 route into {@code stack}'s FIB, naming devices by their interface names.
     *
     * @throws IllegalArgumentException with a sentence when a device does not exist or the FIB refuses it
     */
    public Route installIn(NetStack stack) {
        if (type != null) {
            return stack.fib().addErrorRoute(prefix, type, table);
        }
        if (!nexthops.isEmpty()) {
            List<Fib.Nexthop> paths = new ArrayList<>();
            for (NexthopSpec nh : nexthops) {
                paths.add(new Fib.Nexthop(nh.gateway(), device(stack, nh.dev()), nh.weight()));
            }
            return stack.fib().addMultipathRoute(prefix, paths, table);
        }
        return stack.fib().addRoute(prefix, gateway, device(stack, dev), table);
    }

    private static NetDevice device(NetStack stack, String name) {
        if (name == null) {
            return null;
        }
        NetDevice d = stack.device(name);
        if (d == null) {
            throw new IllegalArgumentException("there is no interface named " + name);
        }
        return d;
    }

    /** The route {@code r} of {@code table} as its spec, every device named: what {@code ustack save} writes. */
    public static RouteSpec from(Route r, int table) {
        if (r.type().isError()) {
            return new RouteSpec(r.prefix(), 0, null, table, r.type(), List.of());
        }
        if (r.multipath()) {
            return new RouteSpec(r.prefix(), 0, null, table, null, r.nexthops().stream()
                    .map(n -> new NexthopSpec(n.gateway(), n.dev().name(), n.weight())).toList());
        }
        return new RouteSpec(r.prefix(), r.gateway(), r.dev().name(), table, null, List.of());
    }

    /** The IPv6 route {@code r} as its spec, its device named: what {@code ustack save} writes. */
    public static RouteSpec from6(Ipv6Fib.Route6 r) {
        if (r.type().isError()) {
            return inet6(r.prefix(), null, null, r.type());
        }
        return inet6(r.prefix(), r.gateway(), r.dev().name(), null);
    }

    /** This spec with its device left to its gateway, to compare with one written without it. */
    RouteSpec withoutDevice() {
        return new RouteSpec(prefix, gateway, null, table, type, nexthops, prefix6, gateway6);
    }

    /** This spec with its nexthops' devices left to their gateways, to compare with one written without them. */
    RouteSpec withoutNexthopDevices() {
        return new RouteSpec(prefix, gateway, dev, table, type,
                nexthops.stream().map(n -> new NexthopSpec(n.gateway(), null, n.weight())).toList(), prefix6, gateway6);
    }

    /**
     * As ip-route shows it: {@code 10.0.0.0/8 via 10.77.0.1 dev tap0}. An IPv6 default route is written
     * {@code default} only where its gateway tells the family; otherwise {@code ::/0}, so that the text reads
     * back as the same route.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (type != null) {
            sb.append(type.name().toLowerCase(Locale.ROOT)).append(' ');
        }
        if (isInet6()) {
            sb.append(prefix6.prefixLen() == 0 && gateway6 != null ? "default" : prefix6.toString());
        } else {
            sb.append(prefix.prefixLen() == 0 ? "default" : prefix.toString());
        }
        if (gateway != 0) {
            sb.append(" via ").append(Ipv4Address.format(gateway));
        }
        if (gateway6 != null) {
            sb.append(" via ").append(gateway6);
        }
        if (dev != null) {
            sb.append(" dev ").append(dev);
        }
        if (table != Fib.TABLE_MAIN) {
            sb.append(" table ").append(Fib.tableName(table));
        }
        for (NexthopSpec nh : nexthops) {
            sb.append(" nexthop via ").append(Ipv4Address.format(nh.gateway()));
            if (nh.dev() != null) {
                sb.append(" dev ").append(nh.dev());
            }
            if (nh.weight() != 1) {
                sb.append(" weight ").append(nh.weight());
            }
        }
        return sb.toString();
    }
}
