package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.stack.NetStack;
import java.util.List;
import java.util.Map;

/**
 * {@code conntrack list}: {@code conntrack -L} and {@code conntrack -S} in one answer: whether tracking is on
 * (a rule needs it), the flows with their seconds left, and the table's counters.
 */
public final class ConntrackListHandler implements ControlHandler {
    private final NetStack stack;

    public ConntrackListHandler(NetStack stack) {
        this.stack = stack;
    }

    /** The answer: {@code enabled}, the counters ({@code entries}, {@code max}, {@code found}...) and the flows. */
    public record Listing(boolean enabled, Map<String, Long> stats, List<Conntrack.Entry> flows) {
    }

    @Override
    public String name() {
        return "conntrack list";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        Conntrack ct = stack.conntrack();
        return new Listing(ct.enabled(), ct.stats(), ct.list());
    }
}
