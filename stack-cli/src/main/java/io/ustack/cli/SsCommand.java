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

/** {@code ustack ss}: the daemon's sockets, like {@code ss -tuna}. */
@Command(name = "ss", description = "List the daemon's TCP and UDP sockets with their state and queues, like ss -tuna.")
public final class SsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("ss"));
        Output.print(spec, result, json, SsCommand::text);
        return 0;
    }

    /** ss -tuna's columns. */
    static String text(JsonNode entries) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-10s %6s %6s %-21s %-21s%n", "Netid", "State", "Recv-Q",
                "Send-Q", "Local Address:Port", "Peer Address:Port"));
        for (JsonNode e : entries) {
            sb.append(String.format("%-5s %-10s %6d %6d %-21s %-21s%n", e.path("netid").asText(), e.path("state").asText(),
                    e.path("recvQ").asInt(), e.path("sendQ").asInt(), e.path("local").asText(), e.path("peer").asText()));
        }
        return sb.toString();
    }
}
