package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stack.NetStack;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code route add}: {@code ip route add [TYPE] DST [via GATEWAY] [dev DEV] [table T]}, or a multipath route,
 * IPv4 or IPv6 as the destination or gateway says (an IPv6 default route is ::/0 without an IPv6 gateway),
 * with args {@code dst}, {@code gateway}, {@code dev}, {@code table}, {@code type} (blackhole, unreachable,
 * prohibit) and {@code nexthops} (an array of {@code {"gateway", "dev", "weight"}}). Answers with the route as
 * {@code route list} shows it.
 */
public final class RouteAddHandler implements ControlHandler {
    private final NetStack stack;

    public RouteAddHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "route add";
    }

    /** The {@code type} argument: one of RouteSpec's error route types. */
    private DstEntry.Type errorType(String type) throws ControlException {
        DstEntry.Type t = RouteSpec.errorType(type);
        if (t == null) {
            throw new ControlException(name() + "'s \"type\" is blackhole, unreachable or prohibit, not " + type);
        }
        return t;
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "dst", "gateway", "dev", "table", "type", "nexthops");
        String type = Args.optional(args, name(), "type");
        try {
            RouteSpec spec = RouteSpec.of(Args.required(args, name(), "dst", "the destination prefix or \"default\""),
                    Args.optional(args, name(), "gateway"), Args.optional(args, name(), "dev"),
                    Args.optional(args, name(), "table"), type == null ? null : errorType(type), nexthops(args));
            return spec.isInet6() ? RouteEntry.of6(spec.install6In(stack)) : RouteEntry.of(spec.installIn(stack), spec.table());
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
    }

    private List<RouteSpec.NexthopSpec> nexthops(ObjectNode args) throws ControlException {
        JsonNode n = args.get("nexthops");
        List<RouteSpec.NexthopSpec> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new ControlException(name() + "'s \"nexthops\" must be an array of {\"gateway\", \"dev\", \"weight\"}");
        }
        for (JsonNode hop : n) {
            if (!hop.isObject()) {
                throw new ControlException(name() + "'s \"nexthops\" must be an array of objects");
            }
            ObjectNode o = (ObjectNode) hop;
            Args.only(o, name() + "'s nexthop", "gateway", "dev", "weight");
            try {
                out.add(RouteSpec.nexthop(Args.required(o, name(), "gateway", "the nexthop's gateway"),
                        Args.optional(o, name(), "dev"), o.hasNonNull("weight") ? o.get("weight").asText() : null));
            } catch (IllegalArgumentException e) {
                throw new ControlException(e.getMessage());
            }
        }
        return out;
    }
}
