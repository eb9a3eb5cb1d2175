package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.Rule;
import io.ustack.core.netfilter.rules.RuleParser;
import io.ustack.core.stack.NetStack;

/**
 * {@code nf insert}: {@code iptables -I CHAIN NUM RULE}, args "chain", "num" (from 1) and "rule". Answers
 * with the rule as it now stands in the chain.
 */
public final class NfInsertHandler implements ControlHandler {
    private final NetStack stack;

    public NfInsertHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf insert";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain", "num", "rule");
        Chain chain = NfChains.required(args, name());
        int num = Args.requiredInt(args, name(), "num", "the position the rule takes, from 1");
        Rule rule = RuleParser.parse(chain, Args.requiredWords(args, name(), "rule", "the rule's words, such as [\"-p\",\"tcp\",\"-j\",\"DROP\"]"));
        stack.iptables().insert(chain, num, rule);
        return NfChains.RuleEntry.of(num, rule);
    }
}
