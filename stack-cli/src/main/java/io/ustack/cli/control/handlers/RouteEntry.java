package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Route;
import io.ustack.core.wire.Ipv4Address;

/**
 * One main-table route as {@code ip -j route} names its fields; what {@code route list} answers with and
 * {@code route add} takes ({@code dst}, {@code gateway}, {@code dev}).
 *
 * @param dst      {@code default} or {@code A.B.C.D/P}
 * @param gateway  the next hop; absent for a route straight out of {@code dev}
 * @param protocol {@code kernel} for connected networks, {@code static} for added routes
 * @param type     absent for unicast routes, as ip-route leaves it out
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteEntry(String type, String dst, String gateway, String dev, String protocol, String prefsrc) {

    static RouteEntry of(Route r) {
        return new RouteEntry(r.type() == DstEntry.Type.UNICAST ? null : r.type().name().toLowerCase(),
                r.prefix().prefixLen() == 0 ? "default" : r.prefix().toString(),
                r.gateway() == 0 ? null : Ipv4Address.format(r.gateway()), r.dev().name(),
                r.origin().name().toLowerCase(), r.prefsrc() == 0 ? null : Ipv4Address.format(r.prefsrc()));
    }
}
