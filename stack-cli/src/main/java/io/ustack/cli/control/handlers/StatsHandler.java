package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.control.Json;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackStats;

/**
 * {@code stats}: every counter of the stack, as {@link StackStats}'s structured parts ("snmp", "drops",
 * "softnet", "devices", "buffers") followed by "flat", the nstat-style {@code Name value} map that
 * {@code ustack stats} prints.
 */
public final class StatsHandler implements ControlHandler {
    private final NetStack stack;

    public StatsHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "stats";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        if (!args.isEmpty()) {
            throw new ControlException("stats takes no arguments");
        }
        StackStats stats = stack.stats();
        ObjectNode result = Json.MAPPER.valueToTree(stats);
        result.set("flat", Json.MAPPER.valueToTree(stats.flat()));
        return result;
    }
}
