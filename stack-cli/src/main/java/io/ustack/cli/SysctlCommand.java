package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import io.ustack.core.stack.Sysctl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack sysctl}: the daemon's tunables under the kernel's names, read and written as sysctl does. */
@Command(name = "sysctl",
        description = {"Read or set the daemon's tunables by their kernel names (net.ipv4.tcp_sack, "
            + "net.ipv4.ip_forward, net.netfilter.nf_conntrack_max...), as sysctl does.",
            "NAME reads a key; NAME=VALUE sets it. Without one: every key (-a)."})
public final class SysctlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = {"-a", "--all"}, description = "Show every key (what no NAME does too).")
    boolean all;

    @Option(names = {"-w", "--write"}, description = "Every word is NAME=VALUE, to set.")
    boolean write;

    @Option(names = "--json", description = "Print JSON (key to value) instead of text.")
    boolean json;

    @Parameters(paramLabel = "NAME[=VALUE]", arity = "0..*", description = "Keys to read, or to set.")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        if (all && !words.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "sysctl -a takes no NAME: it shows every key");
        }
        for (String w : words) {
            if (write && w.indexOf('=') <= 0) {
                throw new ParameterException(spec.commandLine(), "sysctl -w '" + w + "': expected NAME=VALUE, as net.ipv4.tcp_sack=0");
            }
            int eq = w.indexOf('=');
            if (eq > 0) {
                // the daemon's own table judges the value, here, so that a bad one is a usage error like any other
                try {
                    Sysctl.check(w.substring(0, eq).strip(), w.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (!words.isEmpty()) {
            args.set("settings", Json.MAPPER.valueToTree(words));
        }
        JsonNode result = ControlClient.result(control.resolve(), new ControlRequest("sysctl", args));
        Output.print(spec, result, json, SysctlCommand::text);
        return 0;
    }

    /** sysctl's lines: "net.ipv4.tcp_sack = 1". */
    static String text(JsonNode values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) values::fields) {
            sb.append(e.getKey()).append(" = ").append(e.getValue().asText()).append('\n');
        }
        return sb.toString();
    }
}
