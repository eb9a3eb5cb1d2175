package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack addr}: the daemon's interfaces, like {@code ip -s addr}. */
@Command(name = "addr",
        description = {
            "Print the daemon's interfaces: index, name, flags, MTU, state, MAC, IPv4 addresses and link counters.",
            "With --json, the daemon's answer as ip -j names the fields (ifname, mtu, operstate, address, "
                    + "addr_info, stats)."})
public final class AddrCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
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
                sb.append("    inet ").append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt());
                if (a.has("broadcast")) {
                    sb.append(" brd ").append(a.path("broadcast").asText());
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
}
