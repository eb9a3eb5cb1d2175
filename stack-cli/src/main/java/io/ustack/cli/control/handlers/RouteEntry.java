package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Route;
import io.ustack.core.wire.Ipv4Address;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One route as {@code ip -j route} names its fields; what {@code route list} answers with and
 * {@code route add} takes ({@code dst}, {@code gateway}, {@code dev}, {@code table}, {@code type},
 * {@code nexthops}).
 *
 * @param type     absent for unicast routes, as ip-route leaves it out; blackhole, unreachable, prohibit,
 *                 local, broadcast
 * @param dst      {@code default}, {@code A.B.C.D/P} or an IPv6 prefix
 * @param gateway  the next hop; absent for a route straight out of {@code dev} and for a multipath route
 * @param dev      the device; absent for error and multipath routes
 * @param table    absent for the main table, as ip -j route leaves it out there
 * @param protocol {@code kernel} for connected networks, {@code static} for added routes
 * @param scope    {@code link} for a unicast route without a gateway (its destinations are on the link), absent
 *                 for the rest (universe), as ip-route prints it
 * @param nexthops a multipath route's paths, absent for the rest
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteEntry(String type, String dst, String gateway, String dev, String table, String protocol,
                         String scope, String prefsrc, List<Nexthop> nexthops) {

    /** One path of a multipath route. */
    public record Nexthop(String gateway, String dev, int weight) {
    }

    static RouteEntry of(Route r) {
        return of(r, Fib.TABLE_MAIN);
    }

    static RouteEntry of(Route r, int table) {
        boolean onLink = r.type() == DstEntry.Type.UNICAST && r.gateway() == 0;
        boolean noPath = r.type().isError() || r.multipath();
        return new RouteEntry(r.type() == DstEntry.Type.UNICAST ? null : r.type().name().toLowerCase(),
                r.prefix().prefixLen() == 0 ? "default" : r.prefix().toString(),
                r.gateway() == 0 || noPath ? null : Ipv4Address.format(r.gateway()), noPath ? null : r.dev().name(),
                table == Fib.TABLE_MAIN ? null : Fib.tableName(table),
                r.origin().name().toLowerCase(), onLink && !noPath ? "link" : null,
                r.prefsrc() == 0 || noPath ? null : Ipv4Address.format(r.prefsrc()),
                r.multipath() ? r.nexthops().stream()
                        .map(n -> new Nexthop(Ipv4Address.format(n.gateway()), n.dev().name(), n.weight())).toList()
                        : null);
    }

    /** The {@code family} argument of the route commands: "inet6" for IPv6 routes, "inet" (the default) for IPv4. */
    static boolean inet6(ObjectNode args, String cmd) throws ControlException {
        return "inet6".equals(Args.family(args, cmd));
    }

    /** An IPv6 route as {@code ip -6 -j route} names it: an error route leaves by {@code lo}, as Linux shows it. */
    static RouteEntry of6(Ipv6Fib.Route6 r) {
        return new RouteEntry(r.type() == DstEntry.Type.UNICAST ? null : r.type().name().toLowerCase(Locale.ROOT),
                r.prefix().prefixLen() == 0 ? "default" : r.prefix().network() + "/" + r.prefix().prefixLen(),
                r.gateway() == null ? null : r.gateway().toString(), r.dev().name(), null,
                r.origin().name().toLowerCase(Locale.ROOT), null, null, null);
    }

    /** The order ip -6 route lists the main table in, the fib6 tree walk's: by network, default last. */
    static final Comparator<Ipv6Fib.Route6> IP6_ROUTE_ORDER = Comparator
            .comparing((Ipv6Fib.Route6 r) -> r.prefix().prefixLen() == 0)
            .thenComparing((a, b) -> Long.compareUnsigned(a.prefix().network().hi(), b.prefix().network().hi()))
            .thenComparing((a, b) -> Long.compareUnsigned(a.prefix().network().lo(), b.prefix().network().lo()))
            .thenComparing(r -> -r.prefix().prefixLen());

    /**
     * The order ip route lists a table in, the FIB trie's: by network address, default first, and for one address
     * the longer prefix first.
     */
    static final Comparator<Route> IP_ROUTE_ORDER = Comparator
            .comparingLong((Route r) -> Integer.toUnsignedLong(r.prefix().network()))
            .thenComparing(r -> -r.prefix().prefixLen());
}
