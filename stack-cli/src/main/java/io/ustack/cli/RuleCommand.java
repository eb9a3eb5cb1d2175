package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.cli.daemon.RuleSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack rule}: the daemon's policy routing rules, listed and changed like {@code ip rule}. */
@Command(name = "rule",
        description = {"List the daemon's policy routing rules (as ip rule lists them), or change them.",
            "Without a subcommand: list."},
        subcommands = {RuleCommand.ListRules.class, RuleCommand.Add.class, RuleCommand.Del.class})
public final class RuleCommand implements Callable<Integer> {
    private static final String WORDS = "[from PREFIX] [to PREFIX] [fwmark MARK[/MASK]] [iif NAME] [oif NAME] "
            + "[priority N] lookup TABLE|blackhole|unreachable|prohibit";

    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON (ip -j rule's field names) instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return list(spec, control, json);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json) {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("rule list"));
        Output.print(spec, result, json, RuleCommand::text);
        return 0;
    }

    /** One line per rule, as ip rule prints it: {@code 100:\tfrom 10.1.0.0/24 lookup 100}. */
    static String text(JsonNode rules) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode r : rules) {
            sb.append(r.path("priority").asInt()).append(":\tfrom ").append(r.path("src").asText());
            if (r.has("srclen")) {
                sb.append('/').append(r.get("srclen").asInt());
            }
            if (r.has("dst")) {
                sb.append(" to ").append(r.get("dst").asText());
                if (r.has("dstlen")) {
                    sb.append('/').append(r.get("dstlen").asInt());
                }
            }
            if (r.has("fwmark")) {
                sb.append(" fwmark ").append(r.get("fwmark").asText());
                if (r.has("fwmask")) {
                    sb.append('/').append(r.get("fwmask").asText());
                }
            }
            if (r.has("iif")) {
                sb.append(" iif ").append(r.get("iif").asText());
            }
            if (r.has("oif")) {
                sb.append(" oif ").append(r.get("oif").asText());
            }
            sb.append(r.has("action") ? " " + r.get("action").asText() : " lookup " + r.path("table").asText());
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Checks the words here, so that a mistake is a usage error (exit 2) before the daemon is asked. */
    static void check(CommandSpec spec, String verb, List<String> words) {
        try {
            RuleSpec.parse(words, List.of());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "rule " + verb + " '" + String.join(" ", words) + "': "
                    + e.getMessage());
        }
    }

    static int change(ControlOption control, String verb, List<String> words) {
        ControlClient.result(control.resolve(), new ControlRequest("rule " + verb,
                Json.MAPPER.createObjectNode().set("words", Json.MAPPER.valueToTree(words))));
        return 0;
    }

    /** {@code ustack rule list}. */
    @Command(name = "list", description = "List the rules (the default).")
    static final class ListRules implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print JSON (ip -j rule's field names) instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return list(spec, control, json);
        }
    }

    /** What rule add and rule del share: the words, checked here, then sent. */
    abstract static class Change implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "RULE", arity = "1..*", description = WORDS)
        List<String> words;

        abstract String verb();

        @Override
        public Integer call() {
            check(spec, verb(), words);
            return change(control, verb(), words);
        }
    }

    /** {@code ustack rule add ...}. */
    @Command(name = "add", description = "Add a rule: " + WORDS + ".")
    static final class Add extends Change {
        @Override
        String verb() {
            return "add";
        }
    }

    /** {@code ustack rule del ...}: the first rule that matches (the priority too, if given). */
    @Command(name = "del", description = "Delete the first rule that matches: " + WORDS + ".")
    static final class Del extends Change {
        @Override
        String verb() {
            return "del";
        }
    }
}
