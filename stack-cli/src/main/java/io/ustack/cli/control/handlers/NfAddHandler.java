package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.Rule;
import io.ustack.core.netfilter.rules.RuleParser;
import io.ustack.core.stack.NetStack;

/**
 * {@code nf add}: {@code iptables -A CHAIN RULE}, args "chain" and "rule" (the rule's words, as typed).
 * Answers with the rule as it now stands in the chain.
 */
public final class NfAddHandler implements ControlHandler {
    private final NetStack stack;

    public NfAddHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf add";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain", "rule");
        Chain chain = NfChains.required(args, name());
        Rule rule = RuleParser.parse(chain, Args.requiredWords(args, name(), "rule", "the rule's words, such as [\"-p\",\"tcp\",\"-j\",\"DROP\"]"));
        return NfChains.RuleEntry.of(stack.iptables().append(chain, rule), rule);
    }
}
