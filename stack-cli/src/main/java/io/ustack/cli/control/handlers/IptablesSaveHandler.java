package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.stack.NetStack;

/**
 * {@code iptables-save} (or {@code ip6tables-save}): the family's tables in iptables-save's format; arg
 * "counters" (-c) adds rule counters.
 */
public final class IptablesSaveHandler implements ControlHandler {
    private final NetStack stack;
    private final NfProto family;

    public IptablesSaveHandler(NetStack stack, NfProto family) {
        this.stack = stack;
        this.family = family;
    }

    @Override
    public String name() {
        return family.tool() + "-save";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "counters");
        return new IptablesHandler.Result(0, stack.iptables(family).save(args.path("counters").asBoolean(false)), "");
    }
}
