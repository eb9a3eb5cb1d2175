package io.ustack.cli.daemon;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.rules.Table;
import io.ustack.core.stack.NetStack;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the configuration file's firewall rules go: an engine that reads iptables-save's format, as
 * {@code iptables-restore} and {@code iptables-save} do. The daemon parses none of that text itself; it hands the
 * text over whole, so the rules have one parser, the engine's. {@link #forStack} is the one place an engine is
 * bound.
 */
public interface RuleLoader {
    /**
     * Replaces every rule and policy with those of {@code rules}, all or nothing, as {@code iptables-restore}
     * without {@code --noflush} does for the tables it names, and empties the others. A configuration is
     * checked by restoring its rules into a scratch stack's engine first, so this is also the check.
     *
     * @throws IllegalArgumentException with one sentence naming the line of {@code rules} that is wrong; nothing
     *                                  has changed then
     */
    void restore(String rules);

    /**
     * The running rules in iptables-save's format without its dated comment lines, for {@code ustack save}
     * and for telling whether a reload changed them; null if this engine cannot say them.
     */
    String save();

    /** The engine bound to {@code stack}'s rules: its iptables-restore and iptables-save. */
    static RuleLoader forStack(NetStack stack) {
        return forStack(stack, NfProto.IPV4);
    }

    /** The engine bound to {@code stack}'s rules of {@code family}: iptables' or ip6tables' restore and save. */
    static RuleLoader forStack(NetStack stack, NfProto family) {
        return new RuleLoader() {
            @Override
            public void restore(String rules) {
                stack.iptables(family).replace(rules);
            }

            @Override
            public String save() {
                return withoutNoise(stack.iptables(family).save(false));
            }
        };
    }

    /**
     * {@code saved} without what says nothing about the rules: the dated comment lines, the policies' packet
     * counts (zeroed), the tables that are empty with ACCEPT policies and the order the tables were made in,
     * so that two saves of the same rules are the same text.
     */
    private static String withoutNoise(String saved) {
        Map<String, String> tables = new HashMap<>();
        StringBuilder table = new StringBuilder();
        String name = null;
        boolean empty = true;
        for (String line : saved.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                name = line.substring(1);
            } else if (line.startsWith(":")) {
                line = line.replaceFirst("\\[\\d+:\\d+\\]$", "[0:0]");
                empty &= line.matches(":[A-Z]+ ACCEPT \\[0:0\\]");
            } else if (!line.equals("COMMIT")) {
                empty = false;
            }
            table.append(line).append('\n');
            if (line.equals("COMMIT")) {
                if (!empty) {
                    tables.put(name, table.toString());
                }
                table.setLength(0);
                empty = true;
            }
        }
        // one order whatever order the tables were made in, so that saves of the same rules compare equal
        return Arrays.stream(Table.values()).map(t -> tables.getOrDefault(t.text(), "")).collect(Collectors.joining());
    }
}
