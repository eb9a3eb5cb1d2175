package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;

/** {@code rule list}: the policy rules by priority, as {@code ip rule} lists them. */
public final class RuleListHandler implements ControlHandler {
    private final NetStack stack;

    public RuleListHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "rule list";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        return stack.fib().rules().stream().map(RuleEntry::of).toList();
    }
}
