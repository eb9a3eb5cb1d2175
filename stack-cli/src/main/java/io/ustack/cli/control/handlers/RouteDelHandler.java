package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;

/**
 * {@code route del}: {@code ip route del DST [table T]}, args {@code dst} and {@code table} (main when absent),
 * for any route of the table, connected ones included; an IPv6 route when {@code family} is "inet6" or the
 * destination is an IPv6 prefix. Answers with the route that went.
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
        Args.only(args, name(), "dst", "table", "family");
        String dst = Args.required(args, name(), "dst", "the destination prefix or \"default\"");
        String tableName = Args.optional(args, name(), "table");
        if (RouteEntry.inet6(args, name()) || dst.contains(":")) {
            return RouteEntry.of6(removeInet6(dst, tableName));
        }
        Ipv4Prefix prefix;
        int table;
        try {
            prefix = RouteSpec.destination(dst);
            table = tableName == null ? Fib.TABLE_MAIN : RouteSpec.table(tableName);
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
        Route gone = stack.fib().removeRoute(prefix, table);
        if (gone == null) {
            throw new ControlException("there is no route for " + dst
                    + (table == Fib.TABLE_MAIN ? "" : " in table " + Fib.tableName(table)));
        }
        return RouteEntry.of(gone, table);
    }

    /** {@code ip -6 route del DST}: the IPv6 route for exactly {@code dst} goes (there is one table, main). */
    private Ipv6Fib.Route6 removeInet6(String dst, String tableName) throws ControlException {
        Ipv6Prefix prefix;
        try {
            prefix = RouteSpec.destination6(dst);
            if (tableName != null && RouteSpec.table(tableName) != Fib.TABLE_MAIN) {
                throw new IllegalArgumentException("IPv6 routes have one table here, main");
            }
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
        Ipv6Fib.Route6 gone = stack.fib6().removeRoute(prefix);
        if (gone == null) {
            throw new ControlException("there is no IPv6 route for " + dst);
        }
        return gone;
    }
}
