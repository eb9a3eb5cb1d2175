package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Prefix;

/**
 * {@code route del}: {@code ip route del DST}, arg {@code dst}, for any main-table route, connected ones
 * included. Answers with the route that went.
 */
public final class RouteDelHandler implements ControlHandler {
    private final NetStack stack;

    public RouteDelHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "route del";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "dst");
        String dst = Args.required(args, name(), "dst", "the destination prefix or \"default\"");
        Ipv4Prefix prefix = RouteSpec.destination(dst);
        Route gone = stack.fib().removeRoute(prefix);
        if (gone == null) {
            throw new ControlException("there is no route for " + dst);
        }
        return RouteEntry.of(gone);
    }
}
