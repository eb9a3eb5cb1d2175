package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.RuleParser;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ustack nf}: the daemon's netfilter rules, listed with their counters as {@code iptables -L -v -n -x
 * --line-numbers} lists them and changed as {@code iptables -A/-I/-D/-P/-F} change them. A rule is checked
 * here first, so a mistake in it is a bad command line (exit 2) that never reaches the daemon.
 */
@Command(name = "nf",
        description = {"List the daemon's netfilter chains with their rules and counters, or change them.",
            "Without a subcommand: list every chain."},
        subcommands = {NfCommand.ListRules.class, NfCommand.Add.class, NfCommand.Insert.class, NfCommand.Del.class,
            NfCommand.Policy.class, NfCommand.Flush.class})
public final class NfCommand implements Callable<Integer> {
    private static final String RULE_HELP = "MATCH... -j TARGET: -p icmp|tcp|udp|NUM, -s/-d A.B.C.D[/P], -i/-o NAME[+], "
            + "--sport/--dport PORT[:PORT], --state NEW,ESTABLISHED,RELATED,INVALID (each may follow '!'); "
            + "-j ACCEPT|DROP|REJECT [--reject-with tcp-reset|icmp-...], -j SNAT --to ADDR[:PORT[-PORT]] (POSTROUTING), "
            + "-j MASQUERADE [--to-ports PORT[-PORT]] (POSTROUTING), -j DNAT --to ADDR[:PORT] (PREROUTING)";

    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print the daemon's JSON answer instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return list(spec, control, json, null);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json, String chain) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (chain != null) {
            args.put("chain", chain(spec, chain).name());
        }
        JsonNode result = ControlClient.result(control.resolve(), new ControlRequest("nf list", args));
        Output.print(spec, result, json, NfCommand::text);
        return 0;
    }

    /** The chain named on the command line; a bad name is a usage error. */
    private static Chain chain(CommandSpec spec, String name) {
        try {
            return Chain.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Checks the rule as the daemon will, so that a mistake in it is a usage error. */
    private static ArrayNode rule(CommandSpec spec, Chain chain, List<String> words) {
        try {
            RuleParser.parse(chain, words);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ArrayNode a = Json.MAPPER.createArrayNode();
        words.forEach(a::add);
        return a;
    }

    /** The chains as iptables -L -v -n -x --line-numbers prints them, a blank line between chains. */
    static String text(JsonNode chains) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : chains) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append("Chain ").append(c.path("chain").asText()).append(" (policy ").append(c.path("policy").asText())
                    .append(' ').append(c.path("packets").asLong()).append(" packets, ")
                    .append(c.path("bytes").asLong()).append(" bytes)\n");
            sb.append(row("num", "pkts", "bytes", "target", "prot", "opt", "in", "out", " source", " destination", ""));
            for (JsonNode r : c.path("rules")) {
                sb.append(row(r.path("num").asText(), r.path("packets").asText(), r.path("bytes").asText(),
                        r.path("target").asText(), r.path("prot").asText(), "--", r.path("in").asText(),
                        r.path("out").asText(), negatable(r.path("source").asText()),
                        negatable(r.path("destination").asText()), r.path("extra").asText()));
            }
        }
        return sb.toString();
    }

    /** iptables' columns; prot, source and destination have a column of their own for a leading '!'. */
    private static String row(String num, String pkts, String bytes, String target, String prot, String opt,
                              String in, String out, String source, String destination, String extra) {
        String line = String.format("%-4s %8s %10s %-9s %-6s%-3s %-6s %-6s %-20s %-20s  %s", num, pkts, bytes,
                target, negatable(prot), opt, in, out, source, destination, extra);
        return line.stripTrailing() + "\n";
    }

    /** A ' ' in front of what is not negated, so negated and plain values line up after the '!'. */
    private static String negatable(String v) {
        return v.startsWith("!") ? v : " " + v;
    }

    /** {@code ustack nf list [CHAIN]}. */
    @Command(name = "list", description = "List every chain, or CHAIN (the default).")
    static final class ListRules implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print the daemon's JSON answer instead of text.")
        boolean json;

        @Parameters(paramLabel = "CHAIN", arity = "0..1", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Override
        public Integer call() {
            return list(spec, control, json, chain);
        }
    }

    /** A rule's words start with '-', which picocli must take as the rule's, not as unknown options. */
    private static void wordsAsParameters(CommandSpec spec) {
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    /** {@code ustack nf add CHAIN RULE...}. */
    @Command(name = "add", description = {"Append a rule to CHAIN, like iptables -A.", RULE_HELP})
    static final class Add implements Callable<Integer> {
        CommandSpec spec;

        @Spec
        void spec(CommandSpec spec) {
            this.spec = spec;
            wordsAsParameters(spec);
        }

        @Mixin
        ControlOption control;

        @Parameters(index = "0", paramLabel = "CHAIN", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "RULE", description = "MATCH... -j TARGET")
        List<String> words;

        @Override
        public Integer call() {
            Chain c = chain(spec, chain);
            ObjectNode args = Json.MAPPER.createObjectNode().put("chain", c.name());
            args.set("rule", rule(spec, c, words));
            ControlClient.result(control.resolve(), new ControlRequest("nf add", args));
            return 0;
        }
    }

    /** N, a rule's number, which counts from 1 as iptables' do. */
    static int ruleNumber(CommandSpec spec, int num) {
        if (num < 1) {
            throw new ParameterException(spec.commandLine(), "N must be a rule number from 1, not " + num);
        }
        return num;
    }

    /** {@code ustack nf insert CHAIN N RULE...}. */
    @Command(name = "insert", description = {"Insert a rule into CHAIN as rule N (from 1), like iptables -I.", RULE_HELP})
    static final class Insert implements Callable<Integer> {
        CommandSpec spec;

        @Spec
        void spec(CommandSpec spec) {
            this.spec = spec;
            wordsAsParameters(spec);
        }

        @Mixin
        ControlOption control;

        @Parameters(index = "0", paramLabel = "CHAIN", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Parameters(index = "1", paramLabel = "N", description = "the position the rule takes, from 1")
        int num;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "RULE", description = "MATCH... -j TARGET")
        List<String> words;

        @Override
        public Integer call() {
            Chain c = chain(spec, chain);
            ruleNumber(spec, num);
            ObjectNode args = Json.MAPPER.createObjectNode().put("chain", c.name()).put("num", num);
            args.set("rule", rule(spec, c, words));
            ControlClient.result(control.resolve(), new ControlRequest("nf insert", args));
            return 0;
        }
    }

    /** {@code ustack nf del CHAIN N}. */
    @Command(name = "del", description = "Delete rule N (from 1, as nf list numbers them) of CHAIN, like iptables -D.")
    static final class Del implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(index = "0", paramLabel = "CHAIN", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Parameters(index = "1", paramLabel = "N", description = "the rule's number, from 1")
        int num;

        @Override
        public Integer call() {
            ObjectNode args = Json.MAPPER.createObjectNode().put("chain", chain(spec, chain).name())
                    .put("num", ruleNumber(spec, num));
            ControlClient.result(control.resolve(), new ControlRequest("nf del", args));
            return 0;
        }
    }

    /** {@code ustack nf policy CHAIN ACCEPT|DROP}. */
    @Command(name = "policy", description = "Set what CHAIN does with packets no rule decided, like iptables -P.")
    static final class Policy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(index = "0", paramLabel = "CHAIN", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Parameters(index = "1", paramLabel = "POLICY", description = "ACCEPT or DROP")
        String policy;

        @Override
        public Integer call() {
            Chain c = chain(spec, chain);
            if (!policy.equals("ACCEPT") && !policy.equals("DROP")) {
                throw new ParameterException(spec.commandLine(), "a policy is ACCEPT or DROP, not '" + policy + "'");
            }
            ObjectNode args = Json.MAPPER.createObjectNode().put("chain", c.name()).put("policy", policy);
            ControlClient.result(control.resolve(), new ControlRequest("nf policy", args));
            return 0;
        }
    }

    /** {@code ustack nf flush [CHAIN]}. */
    @Command(name = "flush", description = "Delete every rule of every chain, or of CHAIN, like iptables -F; policies stay.")
    static final class Flush implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "CHAIN", arity = "0..1", description = "PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING")
        String chain;

        @Override
        public Integer call() {
            ObjectNode args = Json.MAPPER.createObjectNode();
            if (chain != null) {
                args.put("chain", chain(spec, chain).name());
            }
            ControlClient.result(control.resolve(), new ControlRequest("nf flush", args));
            return 0;
        }
    }
}
