package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;

/** {@code route list}: the main table, most specific first, as {@code ip route} lists it. */
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
        return stack.fib().mainRoutes().stream().map(RouteEntry::of).toList();
    }
}
