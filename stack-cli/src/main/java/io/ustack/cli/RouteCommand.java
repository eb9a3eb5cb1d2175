package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.wire.Ipv4Address;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack route}: the daemon's main routing table, listed and changed like {@code ip route}. */
@Command(name = "route",
        description = {"List the daemon's routes (the main table, as ip route lists it), or change them.",
            "Without a subcommand: list."},
        subcommands = {RouteCommand.ListRoutes.class, RouteCommand.Add.class, RouteCommand.Del.class})
public final class RouteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON (ip -j route's field names) instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return list(spec, control, json);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json) {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("route list"));
        Output.print(spec, result, json, RouteCommand::text);
        return 0;
    }

    /** One line per route, as ip-route prints it. */
    static String text(JsonNode routes) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode r : routes) {
            if (r.has("type")) {
                sb.append(r.get("type").asText()).append(' ');
            }
            sb.append(r.path("dst").asText());
            if (r.has("gateway")) {
                sb.append(" via ").append(r.get("gateway").asText());
            }
            sb.append(" dev ").append(r.path("dev").asText());
            if (r.path("protocol").asText().equals("kernel")) {
                sb.append(" proto kernel");
            }
            if (r.has("scope")) {
                sb.append(" scope ").append(r.get("scope").asText());
            }
            if (r.has("prefsrc")) {
                sb.append(" src ").append(r.get("prefsrc").asText());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code ustack route list}. */
    @Command(name = "list", description = "List the routes (the default).")
    static final class ListRoutes implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print JSON (ip -j route's field names) instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return list(spec, control, json);
        }
    }

    /** {@code ustack route add PREFIX via GW [dev IF]} or {@code ustack route add PREFIX dev IF}. */
    @Command(name = "add", description = "Add a route: PREFIX via GATEWAY [dev NAME], PREFIX dev NAME, "
            + "or default via GATEWAY.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "ROUTE", arity = "1..*", description = "PREFIX via GATEWAY [dev NAME] | PREFIX dev NAME")
        List<String> words;

        @Override
        public Integer call() {
            String text = String.join(" ", words);
            RouteSpec r;
            try {
                r = RouteSpec.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "route add '" + text + "': " + e.getMessage());
            }
            ObjectNode args = Json.MAPPER.createObjectNode();
            args.put("dst", r.prefix().prefixLen() == 0 ? "default" : r.prefix().toString());
            if (r.gateway() != 0) {
                args.put("gateway", Ipv4Address.format(r.gateway()));
            }
            if (r.dev() != null) {
                args.put("dev", r.dev());
            }
            ControlClient.result(control.resolve(), new ControlRequest("route add", args));
            return 0;
        }
    }

    /** {@code ustack route del PREFIX}. */
    @Command(name = "del", description = "Delete the route for PREFIX (or default).")
    static final class Del implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "PREFIX", description = "A.B.C.D/P or default")
        String dst;

        @Override
        public Integer call() {
            try {
                RouteSpec.destination(dst);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "route del: " + e.getMessage());
            }
            ControlClient.result(control.resolve(), new ControlRequest("route del", Json.MAPPER.createObjectNode().put("dst", dst)));
            return 0;
        }
    }
}
