package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.stack.NetStack;
import java.util.Map;

/**
 * {@code nf flush}: {@code iptables -F [CHAIN]}, every chain's rules or those of "chain"; policies stay.
 * Answers with how many rules went.
 */
public final class NfFlushHandler implements ControlHandler {
    private final NetStack stack;

    public NfFlushHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "nf flush";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "chain");
        Chain chain = NfChains.optional(args, name());
        int n = 0;
        for (Chain c : chain == null ? Chain.values() : new Chain[] {chain}) {
            n += stack.iptables().flush(c);
        }
        return Map.of("flushed", n);
    }
}
