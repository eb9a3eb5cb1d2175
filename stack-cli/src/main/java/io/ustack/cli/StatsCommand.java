package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack stats}: the running daemon's counters, like nstat -az. */
@Command(name = "stats",
        description = {
            "Print the daemon's counters, one \"Name value\" line each.",
            "The SNMP counters come first under nstat's names (IpInReceives, IcmpOutEchoReps...), then drops by "
                    + "reason, backlog threads, devices and buffers. With --json, print the daemon's whole answer: "
                    + "the structured parts and the flat map."})
public final class StatsCommand implements Callable<Integer> {
    /** nstat pads names to 32 columns; so does this, so that the output reads the same. */
    private static final int NAME_WIDTH = 32;

    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of \"Name value\" lines.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("stats"));
        Output.print(spec, result, json, r -> nstat(r.path("flat")));
        return 0;
    }

    /** The flat map as nstat prints it: the name left-aligned in 32 columns, then the value. */
    static String nstat(JsonNode flat) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : flat.properties()) {
            String name = e.getKey();
            sb.append(name).append(" ".repeat(Math.max(1, NAME_WIDTH - name.length())))
                    .append(e.getValue().asText()).append('\n');
        }
        return sb.toString();
    }
}
