package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.stack.NetStack;

/**
 * {@code route add}: {@code ip route add DST via GATEWAY [dev DEV]} or {@code ip route add DST dev DEV}, with
 * args {@code dst}, {@code gateway}, {@code dev}. Answers with the route as {@code route list} shows it.
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

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "dst", "gateway", "dev");
        RouteSpec spec = RouteSpec.of(Args.required(args, name(), "dst", "the destination prefix or \"default\""),
                Args.optional(args, name(), "gateway"), Args.optional(args, name(), "dev"));
        return RouteEntry.of(stack.addRoute(spec.prefix(), spec.gateway(),
                spec.dev() == null ? null : Args.device(stack, spec.dev())));
    }
}
