package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.stack.NetStack;
import java.util.Map;

/** {@code nf policy}: {@code iptables -P CHAIN ACCEPT|DROP}, args "chain" and "policy". */
public final class NfPolicyHandler implements ControlHandler {
    private final NetStack stack;

    public NfPolicyHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf policy";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain", "policy");
        Chain chain = NfChains.required(args, name());
        String policy = Args.required(args, name(), "policy", "ACCEPT or DROP");
        if (!policy.equals("ACCEPT") && !policy.equals("DROP")) {
            throw new ControlException("a policy is ACCEPT or DROP, not '" + policy + "'");
        }
        stack.iptables().setPolicy(chain, Verdict.valueOf(policy));
        return Map.of("chain", chain.name(), "policy", policy);
    }
}
