package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;

/** {@code iptables-save}: the daemon's tables in iptables-save's format; arg "counters" (-c) adds rule counters. */
public final class IptablesSaveHandler implements ControlHandler {
    private final NetStack stack;

    public IptablesSaveHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "iptables-save";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "counters");
        return new IptablesHandler.Result(0, stack.iptables().save(args.path("counters").asBoolean(false)), "");
    }
}
