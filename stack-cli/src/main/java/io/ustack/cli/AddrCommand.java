package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.cli.daemon.AddrSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack addr}: the daemon's interfaces, like {@code ip -s addr}, and their addresses changed like {@code ip addr}. */
@Command(name = "addr",
        description = {
            "Print the daemon's interfaces with their addresses and counters (as ip -s addr does), or add and delete "
                    + "addresses.",
            "Without a subcommand: list each interface's index, name, flags, MTU, state, MAC, IPv4 addresses (secondary "
                    + "ones marked), IPv6 addresses and link counters.",
            "With --json, the daemon's answer as ip -j names the fields (ifname, mtu, operstate, address, "
                    + "addr_info, stats)."},
        subcommands = {AddrCommand.ListAddr.class, AddrCommand.Add.class, AddrCommand.Del.class})
public final class AddrCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return list(spec, control, json);
    }

    static int list(CommandSpec spec, ControlOption control, boolean json) {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("addr"));
        Output.print(spec, result, json, AddrCommand::text);
        return 0;
    }

    /** As ip-addr prints an interface, with ip -s's counters. */
    static String text(JsonNode links) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode l : links) {
            List<String> flags = new ArrayList<>();
            l.path("flags").forEach(f -> flags.add(f.asText()));
            sb.append(l.path("ifindex").asInt()).append(": ").append(l.path("ifname").asText())
                    .append(": <").append(String.join(",", flags)).append("> mtu ").append(l.path("mtu").asInt())
                    .append(" state ").append(l.path("operstate").asText()).append('\n');
            sb.append("    link/").append(l.path("link_type").asText()).append(' ').append(l.path("address").asText())
                    .append('\n');
            for (JsonNode a : l.path("addr_info")) {
                if (a.path("family").asText().equals("inet6")) {
                    // as ip -6 addr: inet6 fd00:77::2/64 scope global
                    sb.append("    inet6 ").append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt())
                            .append(" scope ").append(a.path("scope").asText())
                            .append(a.path("tentative").asBoolean() ? " tentative" : "")
                            .append(a.path("dadfailed").asBoolean() ? " dadfailed" : "").append('\n');
                    continue;
                }
                sb.append("    inet ").append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt());
                if (a.has("broadcast")) {
                    sb.append(" brd ").append(a.path("broadcast").asText());
                }
                if (a.has("scope")) {
                    sb.append(" scope ").append(a.path("scope").asText());
                }
                if (a.path("secondary").asBoolean()) {
                    sb.append(" secondary");
                }
                if (a.has("label")) {
                    sb.append(' ').append(a.path("label").asText());
                }
                sb.append('\n');
            }
            JsonNode s = l.path("stats");
            for (String dir : List.of("rx", "tx")) {
                sb.append("    ").append(dir.toUpperCase()).append(": packets ").append(s.path(dir + "_packets").asLong())
                        .append(" bytes ").append(s.path(dir + "_bytes").asLong())
                        .append(" errors ").append(s.path(dir + "_errors").asLong())
                        .append(" dropped ").append(s.path(dir + "_dropped").asLong()).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code ustack addr list}, or {@code show} as ip says it. */
    @Command(name = "list", aliases = "show", description = "List the interfaces (the default).")
    static final class ListAddr implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return list(spec, control, json);
        }
    }

    /** {@code addr add} and {@code addr del}: the same words, checked here first, sent as their own command. */
    abstract static class Change implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlOption control;

        @Parameters(paramLabel = "ADDRESS", arity = "1..*", description = "A.B.C.D/P dev NAME, or X:X::X/P dev NAME")
        List<String> words;

        private final String cmd;

        Change(String cmd) {
            this.cmd = cmd;
        }

        @Override
        public Integer call() {
            String text = String.join(" ", words);
            AddrSpec a;
            try {
                a = AddrSpec.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), cmd + " '" + text + "': " + e.getMessage());
            }
            ControlClient.result(control.resolve(), new ControlRequest(cmd,
                    Json.MAPPER.createObjectNode().put("local", a.local()).put("dev", a.dev())));
            return 0;
        }
    }

    /** {@code ustack addr add A.B.C.D/P dev NAME}, or an IPv6 address as {@code ip -6 addr add} takes it. */
    @Command(name = "add", description = {"Add an address, A.B.C.D/P dev NAME, with its connected route.",
        "An IPv6 one, X:X::X/P dev NAME, is tentative (as ip -6 addr shows it) until Duplicate Address Detection "
                + "has passed, about two seconds."})
    static final class Add extends Change {
        Add() {
            super("addr add");
        }
    }

    /** {@code ustack addr del A.B.C.D/P dev NAME}, or an IPv6 address. */
    @Command(name = "del", description = "Delete an address, A.B.C.D/P dev NAME or X:X::X/P dev NAME, with the routes that "
            + "send from it.")
    static final class Del extends Change {
        Del() {
            super("addr del");
        }
    }
}
