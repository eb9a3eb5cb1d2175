package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.core.link.NetdevFeatures;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack link}: the interfaces' offload features, shown as {@code ethtool -k} and set as {@code ethtool -K}. */
@Command(name = "link",
        description = {"Show the interfaces' offload features (like ethtool -k), or switch them (like ethtool -K).",
            "Without a subcommand: show."},
        subcommands = {LinkCommand.Show.class, LinkCommand.Set.class})
public final class LinkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return show(spec, control, json, null);
    }

    static int show(CommandSpec spec, ControlOption control, boolean json, String dev) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (dev != null) {
            args.put("dev", dev);
        }
        JsonNode result = ControlClient.result(control.resolve(), new ControlRequest("link show", args));
        Output.print(spec, result, json, LinkCommand::text);
        return 0;
    }

    /** ethtool -k's layout, one block per interface. */
    static String text(JsonNode links) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode l : links) {
            sb.append("Features for ").append(l.path("ifname").asText()).append(" (mtu ").append(l.path("mtu").asInt())
                    .append(l.path("up").asBoolean() ? ", up" : ", down")
                    .append(l.path("present").asBoolean(true) ? "" : ", gone: the TAP was deleted; ustack reload opens it again")
                    .append("):\n");
            for (JsonNode f : l.path("features")) {
                sb.append(f.path("name").asText()).append(": ").append(f.path("on").asBoolean() ? "on" : "off")
                        .append(f.path("fixed").asBoolean() ? " [fixed]" : "").append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code ustack link show [DEV]}. */
    @Command(name = "show", description = "Show the features of every interface, or of DEV (the default).")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Parameters(paramLabel = "DEV", arity = "0..1", description = "One interface.")
        String dev;

        @Override
        public Integer call() {
            return show(spec, control, json, dev);
        }
    }

    /** {@code ustack link set DEV FEATURE on|off ...}. */
    @Command(name = "set", description = {"Switch features: DEV FEATURE on|off [FEATURE on|off]...",
        "FEATURE: rx, tx, tso, gso, gro, rx-gro-hw, or ethtool's long names."})
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "DEV", index = "0", description = "The interface.")
        String dev;

        @Parameters(paramLabel = "FEATURE on|off", index = "1..*", arity = "1..*",
                description = "Features and their new state.")
        List<String> changes;

        @Override
        public Integer call() {
            if (changes.size() % 2 != 0) {
                throw new ParameterException(spec.commandLine(), "link set: each feature needs on or off after it");
            }
            ObjectNode features = Json.MAPPER.createObjectNode();
            for (int i = 0; i < changes.size(); i += 2) {
                String name = changes.get(i);
                String state = changes.get(i + 1);
                if (NetdevFeatures.byName(name) == null) {
                    throw new ParameterException(spec.commandLine(), "link set: there is no feature named " + name
                            + " (rx, tx, tso, gso, gro, rx-gro-hw)");
                }
                if (!state.equals("on") && !state.equals("off")) {
                    throw new ParameterException(spec.commandLine(), "link set: " + name + " must be followed by on or off, not " + state);
                }
                features.put(name, state.equals("on"));
            }
            ObjectNode args = Json.MAPPER.createObjectNode().put("dev", dev);
            args.set("features", features);
            ControlClient.result(control.resolve(), new ControlRequest("link set", args));
            return 0;
        }
    }
}
