package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack conntrack}: the daemon's connection tracking table, like {@code conntrack -L} and {@code -F}. */
@Command(name = "conntrack",
        description = {"List the connections the daemon tracks (as conntrack -L does), with the table's counters, "
            + "or flush them.", "Without a subcommand: list."},
        subcommands = {ConntrackCommand.ListFlows.class, ConntrackCommand.Flush.class})
public final class ConntrackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print the daemon's JSON answer instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return list(spec, control, json);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json) {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("conntrack list"));
        Output.print(spec, result, json, ConntrackCommand::text);
        return 0;
    }

    /** One line per flow as conntrack -L prints it, then one line of the table's counters (conntrack -S). */
    static String text(JsonNode listing) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode f : listing.path("flows")) {
            sb.append(String.format("%-8s %d %d ", f.path("protocol").asText(), f.path("protocolNumber").asInt(),
                    f.path("timeoutSeconds").asLong()));
            if (f.hasNonNull("state")) {
                sb.append(f.get("state").asText()).append(' ');
            }
            sb.append(f.path("original").asText());
            if (f.path("unreplied").asBoolean()) {
                sb.append(" [UNREPLIED]");
            }
            sb.append(' ').append(f.path("reply").asText());
            if (f.path("assured").asBoolean()) {
                sb.append(" [ASSURED]");
            }
            sb.append('\n');
        }
        JsonNode s = listing.path("stats");
        sb.append("conntrack: ").append(listing.path("enabled").asBoolean() ? "on" : "off (no rule needs it)")
                .append(", ").append(s.path("entries").asLong()).append(" flow entries (max ").append(s.path("max").asLong())
                .append("), found ").append(s.path("found").asLong()).append(", invalid ").append(s.path("invalid").asLong())
                .append(", insert ").append(s.path("insert").asLong()).append(", insert_failed ")
                .append(s.path("insert_failed").asLong()).append(", drop ").append(s.path("drop").asLong())
                .append(", early_drop ").append(s.path("early_drop").asLong()).append('\n');
        return sb.toString();
    }

    /** {@code ustack conntrack list}. */
    @Command(name = "list", description = "List the flows and counters (the default).")
    static final class ListFlows implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print the daemon's JSON answer instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return list(spec, control, json);
        }
    }

    /** {@code ustack conntrack flush}. */
    @Command(name = "flush", description = "Forget every flow, like conntrack -F.")
    static final class Flush implements Callable<Integer> {
        @Mixin
        ControlOption control;

        @Override
        public Integer call() {
            ControlClient.result(control.resolve(), ControlRequest.of("conntrack flush"));
            return 0;
        }
    }
}
