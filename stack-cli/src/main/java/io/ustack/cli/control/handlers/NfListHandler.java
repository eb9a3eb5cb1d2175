package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.stack.NetStack;
import java.util.List;

/** {@code nf list}: {@code iptables -L -v -n -x}, every chain or the one named by "chain", with counters. */
public final class NfListHandler implements ControlHandler {
    private final NetStack stack;

    public NfListHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf list";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain");
        Chain chain = NfChains.optional(args, name());
        return (chain == null ? stack.iptables().list() : List.of(stack.iptables().list(chain))).stream()
                .map(NfChains.ChainEntry::of).toList();
    }
}
