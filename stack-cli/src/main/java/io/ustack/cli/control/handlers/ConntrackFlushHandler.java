package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;
import java.util.Map;

/**
 * {@code conntrack flush}: {@code conntrack -F}: forgets every flow; the next packet of each starts it
 * anew (as NEW). Answers with how many went.
 */
public final class ConntrackFlushHandler implements ControlHandler {
    private final NetStack stack;

    public ConntrackFlushHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "conntrack flush";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        return Map.of("flushed", stack.conntrack().flush());
    }
}
