package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.IpTables;
import io.ustack.core.netfilter.rules.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code nf} commands share: reading the "chain" argument and the JSON form of chains and rules,
 * with the columns of {@code iptables -L -v -n -x --line-numbers} as fields.
 */
final class NfChains {
    private NfChains() {
    }

    /** One rule: its number, counters, the listing's columns, and the rule as typed ({@code spec}). */
    record RuleEntry(int num, long packets, long bytes, String target, String prot, String in, String out,
                     String source, String destination, String extra, String spec) {

        static RuleEntry of(int num, Rule r) {
            return new RuleEntry(num, r.packets(), r.bytes(), r.target().name(), r.protocolText(), r.inText(),
                    r.outText(), r.sourceText(), r.destinationText(), r.extraText(), r.spec());
        }
    }

    /** One chain: its policy with the policy's counters, and its rules in order. */
    record ChainEntry(String chain, String policy, long packets, long bytes, List<RuleEntry> rules) {

        static ChainEntry of(IpTables.ChainView v) {
            List<RuleEntry> rules = new ArrayList<>();
            for (Rule r : v.rules()) {
                rules.add(RuleEntry.of(rules.size() + 1, r));
            }
            return new ChainEntry(v.chain().name(), v.policy().name(), v.packets(), v.bytes(), rules);
        }
    }

    /** The chain named by the argument "chain", which must be there. */
    static Chain required(ObjectNode args, String cmd) throws ControlException {
        return Chain.parse(Args.required(args, cmd, "chain", "one of PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING"));
    }

    /** The chain named by the argument "chain", or null for every chain. */
    static Chain optional(ObjectNode args, String cmd) throws ControlException {
        String name = Args.optional(args, cmd, "chain");
        return name == null ? null : Chain.parse(name);
    }
}
