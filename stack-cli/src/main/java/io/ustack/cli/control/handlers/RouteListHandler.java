package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.Fib;
import io.ustack.core.stack.NetStack;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code route list}: a table (arg {@code table}: main when absent, a name, a number, or {@code all} for every
 * table but local) in the order {@code ip route} lists it (default first, then by address); with {@code family}
 * "inet6" the IPv6 routes, as {@code ip -6 route} lists them (one table, main).
 */
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
        Args.only(args, name(), "table", "family");
        String table = Args.optional(args, name(), "table");
        if (RouteEntry.inet6(args, name())) {
            if (table != null && !table.equals("all") && !table.equals("main")) {
                throw new ControlException("IPv6 routes have one table here, main");
            }
            return stack.fib6().routes().stream().sorted(RouteEntry.IP6_ROUTE_ORDER).map(RouteEntry::of6).toList();
        }
        List<Integer> tables;
        try {
            tables = table == null ? List.of(Fib.TABLE_MAIN)
                    : table.equals("all") ? stack.fib().tableIds().stream().filter(t -> t != Fib.TABLE_LOCAL).toList()
                    : List.of(RouteSpec.table(table));
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
        List<RouteEntry> out = new ArrayList<>();
        for (int t : tables) {
            stack.fib().routes(t).stream().sorted(RouteEntry.IP_ROUTE_ORDER).map(r -> RouteEntry.of(r, t)).forEach(out::add);
        }
        return out;
    }
}
