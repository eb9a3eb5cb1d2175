package io.ustack.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/** How a control command prints the daemon's answer: text for people, or with --json the answer itself. */
final class Output {
    private Output() {
    }

    /** Prints {@code result} on the command's stdout: pretty JSON if {@code json}, else {@code text}'s lines. */
    static void print(CommandSpec spec, JsonNode result, boolean json, Function<JsonNode, String> text) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? pretty(result) + "\n" : text.apply(result));
        out.flush();
    }

    private static String pretty(JsonNode n) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
