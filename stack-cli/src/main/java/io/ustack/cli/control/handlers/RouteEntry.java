package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Route;
import io.ustack.core.wire.Ipv4Address;
import java.util.Comparator;

/**
 * One main-table route as {@code ip -j route} names its fields; what {@code route list} answers with and
 * {@code route add} takes ({@code dst}, {@code gateway}, {@code dev}).
 *
 * @param dst      {@code default} or {@code A.B.C.D/P}
 * @param gateway  the next hop; absent for a route straight out of {@code dev}
 * @param protocol {@code kernel} for connected networks, {@code static} for added routes
 * @param scope    {@code link} for a unicast route without a gateway (its destinations are on the link), absent
 *                 for the rest (universe), as ip-route prints it
 * @param type     absent for unicast routes, as ip-route leaves it out
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteEntry(String type, String dst, String gateway, String dev, String protocol, String scope,
                         String prefsrc) {

    static RouteEntry of(Route r) {
        boolean onLink = r.type() == DstEntry.Type.UNICAST && r.gateway() == 0;
        return new RouteEntry(r.type() == DstEntry.Type.UNICAST ? null : r.type().name().toLowerCase(),
                r.prefix().prefixLen() == 0 ? "default" : r.prefix().toString(),
                r.gateway() == 0 ? null : Ipv4Address.format(r.gateway()), r.dev().name(),
                r.origin().name().toLowerCase(), onLink ? "link" : null,
                r.prefsrc() == 0 ? null : Ipv4Address.format(r.prefsrc()));
    }

    /**
     * The order ip route lists a table in, the FIB trie's: by network address, default first, and for one address
     * the longer prefix first.
     */
    static final Comparator<Route> IP_ROUTE_ORDER = Comparator
            .comparingLong((Route r) -> Integer.toUnsignedLong(r.prefix().network()))
            .thenComparing(r -> -r.prefix().prefixLen());
}
