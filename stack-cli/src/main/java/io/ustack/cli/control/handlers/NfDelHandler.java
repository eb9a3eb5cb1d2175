package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.stack.NetStack;

/** {@code nf del}: {@code iptables -D CHAIN NUM}, args "chain" and "num". Answers with the rule that went. */
public final class NfDelHandler implements ControlHandler {
    private final NetStack stack;

    public NfDelHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf del";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain", "num");
        Chain chain = NfChains.required(args, name());
        int num = Args.requiredInt(args, name(), "num", "the number of the rule to delete, from 1");
        return NfChains.RuleEntry.of(num, stack.iptables().delete(chain, num));
    }
}
