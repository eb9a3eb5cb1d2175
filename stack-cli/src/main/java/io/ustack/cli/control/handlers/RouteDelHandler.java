package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Prefix;

/**
 * {@code route del}: {@code ip route del DST [table T]}, args {@code dst} and {@code table} (main when absent),
 * for any route of the table, connected ones included. Answers with the route that went.
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
        Args.only(args, name(), "dst", "table");
        String dst = Args.required(args, name(), "dst", "the destination prefix or \"default\"");
        String tableName = Args.optional(args, name(), "table");
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
}
