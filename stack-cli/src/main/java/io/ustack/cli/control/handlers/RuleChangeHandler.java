package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.RuleSpec;
import io.ustack.core.route.FibRule;
import io.ustack.core.stack.NetStack;
import java.util.List;

/**
 * {@code rule add} and {@code rule del}, with arg {@code words}: ip-rule's words after {@code add} or
 * {@code del} ({@link RuleSpec}). A del without a priority takes the first rule that matches the rest, as
 * ip rule del does. Answers with the rule added or taken away.
 */
public final class RuleChangeHandler implements ControlHandler {
    private final NetStack stack;
    private final boolean add;

    public RuleChangeHandler(NetStack stack, boolean add) {
        this.stack = stack;
        this.add = add;
    }

    @Override
    public String name() {
        return add ? "rule add" : "rule del";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "words");
        List<String> words = Args.requiredWords(args, name(), "words", "ip rule's words, like [\"from\", \"10.1.0.0/24\", \"lookup\", \"100\"]");
        List<FibRule> rules = stack.fib().rules();
        try {
            FibRule parsed = RuleSpec.parse(words, rules);
            FibRule rule = parsed;
            if (!add && !words.contains("priority") && !words.contains("pref") && !words.contains("preference")) {
                rule = rules.stream().filter(r -> sameApartFromPriority(r, parsed)).findFirst().orElse(parsed);
            }
            if (add) {
                stack.fib().addRule(rule);
            } else {
                stack.fib().removeRule(rule);
            }
            return RuleEntry.of(rule);
        } catch (IllegalArgumentException e) {
            throw new ControlException(e.getMessage());
        }
    }

    private static boolean sameApartFromPriority(FibRule a, FibRule b) {
        return a.equals(new FibRule(a.priority(), b.from(), b.to(), b.fwmark(), b.fwmask(), b.iif(), b.oif(), b.action(),
                b.table()));
    }
}
