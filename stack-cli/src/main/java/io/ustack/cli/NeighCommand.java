package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack neigh}: the daemon's neighbour tables (ARP and Neighbour Discovery), like {@code ip neigh}. */
@Command(name = "neigh",
        description = {"List the daemon's neighbour tables, ARP then IPv6 Neighbour Discovery (address, interface, "
                + "MAC, NUD state), or flush them.",
            "Without a subcommand: list; -4 or -6 for one family."},
        subcommands = {NeighCommand.ListNeigh.class, NeighCommand.Flush.class})
public final class NeighCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON (ip -j neigh's field names) instead of text.")
    boolean json;

    @Mixin
    FamilyOption family;

    @Override
    public Integer call() {
        return list(spec, control, json, family);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json, FamilyOption family) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        String f = family.family(spec);
        if (f != null) {
            args.put("family", f);
        }
        JsonNode result = ControlClient.result(control.resolve(), new ControlRequest("neigh list", args));
        Output.print(spec, result, json, NeighCommand::text);
        return 0;
    }

    /** One line per entry, as ip-neigh prints it. */
    static String text(JsonNode entries) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : entries) {
            sb.append(n.path("dst").asText()).append(" dev ").append(n.path("dev").asText());
            if (n.has("lladdr")) {
                sb.append(" lladdr ").append(n.get("lladdr").asText());
            }
            sb.append(' ').append(n.path("state").asText()).append('\n');
        }
        return sb.toString();
    }

    /** {@code ustack neigh list}. */
    @Command(name = "list", description = "List the entries (the default).")
    static final class ListNeigh implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print JSON (ip -j neigh's field names) instead of text.")
        boolean json;

        @Mixin
        FamilyOption family;

        @Override
        public Integer call() {
            return list(spec, control, json, family);
        }
    }

    /** {@code ustack neigh flush}. */
    @Command(name = "flush", description = "Forget every entry but permanent ones, both families, like ip neigh flush all.")
    static final class Flush implements Callable<Integer> {
        @Mixin
        ControlOption control;

        @Override
        public Integer call() {
            ControlClient.result(control.resolve(), ControlRequest.of("neigh flush"));
            return 0;
        }
    }
}
