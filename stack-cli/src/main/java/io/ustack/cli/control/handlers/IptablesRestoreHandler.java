package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.rules.IptablesException;
import io.ustack.core.stack.NetStack;

/**
 * {@code iptables-restore} (or {@code ip6tables-restore}, for the family's tables): arg "text" in iptables-save's format, applied all or nothing; "noflush" keeps
 * what the tables have, "counters" takes the counters in the text. Answers as {@link IptablesHandler} does.
 */
public final class IptablesRestoreHandler implements ControlHandler {
    private final NetStack stack;
    private final NfProto family;

    public IptablesRestoreHandler(NetStack stack, NfProto family) {
        this.stack = stack;
        this.family = family;
    }

    @Override
    public String name() {
        return family.tool() + "-restore";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "text", "noflush", "counters");
        String text = Args.required(args, name(), "text", "the rules in iptables-save's format");
        try {
            stack.iptables(family).restore(text, args.path("noflush").asBoolean(false), args.path("counters").asBoolean(false));
            return new IptablesHandler.Result(0, "", "");
        } catch (IptablesException e) {
            return IptablesHandler.Result.of(e);
        }
    }
}
