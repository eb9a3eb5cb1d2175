package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.cli.daemon.RouteSpec;
import io.ustack.core.route.Fib;
import io.ustack.core.wire.Ipv4Address;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack route}: the daemon's routing tables, listed and changed like {@code ip route}. */
@Command(name = "route",
        description = {"List the daemon's routes (the main table, as ip route lists it), or change them.",
            "Without a subcommand: list; 'list table N' or 'list table all' for other tables; -6 for IPv6 routes."},
        subcommands = {RouteCommand.ListRoutes.class, RouteCommand.Add.class, RouteCommand.Del.class})
public final class RouteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON (ip -j route's field names) instead of text.")
    boolean json;

    @Option(names = "-6", description = "The IPv6 routes, as ip -6 route lists them.")
    boolean inet6;

    @Override
    public Integer call() {
        return list(spec, control, json, List.of(), inet6);
    }

    /** {@code route list [-6] [table TABLE|all]}. */
    static int list(CommandSpec spec, ControlOption control, boolean json, List<String> words, boolean inet6) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (inet6) {
            args.put("family", "inet6");
        }
        if (!words.isEmpty()) {
            if (words.size() != 2 || !words.get(0).equals("table")) {
                throw new ParameterException(spec.commandLine(), "route list takes 'table TABLE' or 'table all', not '"
                        + String.join(" ", words) + "'");
            }
            if (!words.get(1).equals("all")) {
                try {
                    RouteSpec.table(words.get(1));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "route list: " + e.getMessage());
                }
            }
            args.put("table", words.get(1));
        }
        JsonNode result = ControlClient.result(control.resolve(), new ControlRequest("route list", args));
        Output.print(spec, result, json, RouteCommand::text);
        return 0;
    }

    /** One line per route, as ip-route prints it (a multipath route's nexthops on lines of their own). */
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
            if (r.has("dev")) {
                sb.append(" dev ").append(r.get("dev").asText());
            }
            if (r.has("table")) {
                sb.append(" table ").append(r.get("table").asText());
            }
            if (r.path("protocol").asText().equals("kernel")) {
                sb.append(" proto kernel");
            }
            if (r.has("scope")) {
                sb.append(" scope ").append(r.get("scope").asText());
            }
            if (r.has("prefsrc")) {
                sb.append(" src ").append(r.get("prefsrc").asText());
            }
            for (JsonNode nh : r.path("nexthops")) {
                sb.append("\n\tnexthop via ").append(nh.path("gateway").asText()).append(" dev ")
                        .append(nh.path("dev").asText()).append(" weight ").append(nh.path("weight").asInt());
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

        @Option(names = "-6", description = "The IPv6 routes, as ip -6 route lists them.")
        boolean inet6;

        @Parameters(paramLabel = "table TABLE", arity = "0..2", description = "table main|default|N|all (main when absent)")
        List<String> words = List.of();

        @Override
        public Integer call() {
            return list(spec, control, json, words, inet6);
        }
    }

    /** {@code ustack route add [TYPE] PREFIX via GW [dev IF] [table T]}, or a multipath route. */
    @Command(name = "add", description = {"Add a route: PREFIX via GATEWAY [dev NAME], PREFIX dev NAME, "
            + "or default via GATEWAY, with [table TABLE].",
        "Also blackhole|unreachable|prohibit PREFIX, and PREFIX nexthop via GATEWAY [dev NAME] [weight W] "
            + "nexthop via ... (ECMP, per flow).",
        "IPv6 alike: fd02::/64 via fe80::1 dev tapR, default via fd02::9 (-6: default is ::/0)."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "-6", description = "An IPv6 route, whatever its words say ('default' is ::/0).")
        boolean inet6;

        @Parameters(paramLabel = "ROUTE", arity = "1..*", description = "[TYPE] PREFIX via GATEWAY [dev NAME] [table TABLE] "
                + "| PREFIX dev NAME | PREFIX nexthop via GATEWAY [weight W] nexthop ...")
        List<String> words;

        @Override
        public Integer call() {
            String text = String.join(" ", words);
            RouteSpec r;
            try {
                r = RouteSpec.parse(text, inet6);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "route add '" + text + "': " + e.getMessage());
            }
            ObjectNode args = Json.MAPPER.createObjectNode();
            if (r.isInet6()) {
                args.put("dst", r.prefix6().toString()); // ::/0 for default: the daemon reads the family from it
            } else {
                args.put("dst", r.prefix().prefixLen() == 0 ? "default" : r.prefix().toString());
            }
            if (r.gateway() != 0) {
                args.put("gateway", Ipv4Address.format(r.gateway()));
            }
            if (r.gateway6() != null) {
                args.put("gateway", r.gateway6().toString());
            }
            if (r.dev() != null) {
                args.put("dev", r.dev());
            }
            if (r.table() != Fib.TABLE_MAIN) {
                args.put("table", Fib.tableName(r.table()));
            }
            if (r.type() != null) {
                args.put("type", r.type().name().toLowerCase(Locale.ROOT));
            }
            if (!r.nexthops().isEmpty()) {
                ArrayNode hops = args.putArray("nexthops");
                for (RouteSpec.NexthopSpec nh : r.nexthops()) {
                    ObjectNode hop = hops.addObject().put("gateway", Ipv4Address.format(nh.gateway())).put("weight", nh.weight());
                    if (nh.dev() != null) {
                        hop.put("dev", nh.dev());
                    }
                }
            }
            ControlClient.result(control.resolve(), new ControlRequest("route add", args));
            return 0;
        }
    }

    /** {@code ustack route del PREFIX [table T]}. */
    @Command(name = "del", description = {"Delete the route for PREFIX (or default), from TABLE if given (main if not).",
        "An IPv6 PREFIX, or -6 default, deletes an IPv6 route."})
    static final class Del implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "-6", description = "An IPv6 route ('default' is ::/0).")
        boolean inet6;

        @Parameters(paramLabel = "PREFIX [table TABLE]", arity = "1..3",
                description = "A.B.C.D/P, an IPv6 prefix or default, then table TABLE")
        List<String> words;

        @Override
        public Integer call() {
            String dst = words.get(0);
            ObjectNode args = Json.MAPPER.createObjectNode().put("dst", dst);
            if (inet6) {
                args.put("family", "inet6");
            }
            try {
                if (inet6 || dst.contains(":")) {
                    RouteSpec.destination6(dst);
                } else {
                    RouteSpec.destination(dst);
                }
                if (words.size() == 3 && words.get(1).equals("table")) {
                    args.put("table", Fib.tableName(RouteSpec.table(words.get(2))));
                } else if (words.size() != 1) {
                    throw new IllegalArgumentException("after the prefix only 'table TABLE' may follow");
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "route del: " + e.getMessage());
            }
            ControlClient.result(control.resolve(), new ControlRequest("route del", args));
            return 0;
        }
    }
}
