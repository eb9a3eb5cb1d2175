package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;

/** {@code route list}: the main table in the order {@code ip route} lists it (default first, then by address). */
public final class RouteListHandler implements ControlHandler {
    private final NetStack stack;

    public RouteListHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "route list";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        return stack.fib().mainRoutes().stream().sorted(RouteEntry.IP_ROUTE_ORDER).map(RouteEntry::of).toList();
    }
}
