package io.ustack.cli.daemon;

import io.ustack.core.link.NetDevice;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One route in ip-route's words: {@code [TYPE] PREFIX [via GATEWAY] [dev NAME] [table TABLE]} or
 * {@code PREFIX [table TABLE] nexthop via GATEWAY [dev NAME] [weight W] nexthop ...}, with {@code default}
 * for 0.0.0.0/0; TYPE is {@code blackhole}, {@code unreachable} or {@code prohibit} for an error route, which
 * takes neither gateway nor device.
 *
 * @param prefix   the destination network
 * @param gateway  the next hop, or 0 for a route straight out of {@code dev}
 * @param dev      the interface name, or null to take the device from the gateway's connected network
 * @param table    the routing table (254, main, unless given)
 * @param type     an error route's type, or null for a unicast route
 * @param nexthops a multipath route's paths (two or more), or empty
 */
public record RouteSpec(Ipv4Prefix prefix, int gateway, String dev, int table, DstEntry.Type type,
                        List<NexthopSpec> nexthops) {
    private static final String FORMS = "PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY";

    /** One {@code nexthop via GATEWAY [dev NAME] [weight W]} of a multipath route. */
    public record NexthopSpec(int gateway, String dev, int weight) {
    }

    /** A unicast route in the main table. */
    public RouteSpec(Ipv4Prefix prefix, int gateway, String dev) {
        this(prefix, gateway, dev, Fib.TABLE_MAIN, null, List.of());
    }

    /**
     * Parses a ROUTE.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part, without the ROUTE
     *                                  itself (the caller adds it)
     */
    public static RouteSpec parse(String route) {
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
        return of(words.get(0), via, dev, table, type, nexthops);
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

    private static int gateway(String via) {
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
     * Puts the route into {@code stack}'s FIB, naming devices by their interface names.
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

    /** This spec with its nexthops' devices left to their gateways, to compare with one written without them. */
    RouteSpec withoutNexthopDevices() {
        return new RouteSpec(prefix, gateway, dev, table, type,
                nexthops.stream().map(n -> new NexthopSpec(n.gateway(), null, n.weight())).toList());
    }

    /** As ip-route shows it: {@code 10.0.0.0/8 via 10.77.0.1 dev tap0}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (type != null) {
            sb.append(type.name().toLowerCase(Locale.ROOT)).append(' ');
        }
        sb.append(prefix.prefixLen() == 0 ? "default" : prefix.toString());
        if (gateway != 0) {
            sb.append(" via ").append(Ipv4Address.format(gateway));
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
