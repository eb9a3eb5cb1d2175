package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;
import java.util.Map;

/**
 * {@code neigh flush}: {@code ip neigh flush all}: forgets every entry but permanent ones, dropping packets
 * that waited for an answer. Answers with how many entries went.
 */
public final class NeighFlushHandler implements ControlHandler {
    private final NetStack stack;

    public NeighFlushHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "neigh flush";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        return Map.of("flushed", stack.neighbours().flush() + stack.ndTable().flush()); // both families, as `all`
    }
}
