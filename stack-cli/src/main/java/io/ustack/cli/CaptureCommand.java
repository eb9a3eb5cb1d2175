package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.ControlResponse;
import io.ustack.cli.control.Json;
import io.ustack.cli.control.handlers.CaptureHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ustack capture}: {@code tcpdump -i IF [-Q in|out|inout] -w FILE} for the daemon's interfaces. */
@Command(name = "capture", description = {"Write the frames the daemon receives and sends on an interface to a pcap file.",
    "tcpdump -r and Wireshark read it. The daemon writes it until COUNT frames or SECONDS have passed, or until this "
            + "command is stopped (Ctrl-C)."})
public final class CaptureCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "-i", paramLabel = "IF", required = true, description = "The daemon's interface to capture on.")
    String iface;

    @Option(names = "-c", paramLabel = "COUNT", description = "Stop after COUNT frames (default: none, only the time limit).")
    int count;

    @Option(names = "-w", paramLabel = "FILE", required = true, description = "The pcap file the daemon writes (overwritten).")
    Path file;

    @Option(names = {"-Q", "--direction"}, paramLabel = "DIR",
            description = "in, out or inout (the default): frames received, sent, or both.")
    String direction = "inout";

    @Option(names = "--seconds", paramLabel = "SECONDS", description = "Stop after SECONDS (default 60, at most 3600).")
    long seconds = 60;

    @Override
    public Integer call() {
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "-c must be 0 (no limit) or more frames, not " + count);
        }
        long maxSeconds = CaptureHandler.MAX_TIMEOUT_MS / 1000;
        if (seconds < 1 || seconds > maxSeconds) {
            throw new ParameterException(spec.commandLine(), "--seconds must be from 1 to " + maxSeconds + " seconds, not "
                    + seconds);
        }
        if (!List.of("in", "out", "inout").contains(direction)) {
            throw new ParameterException(spec.commandLine(), "-Q must be in, out or inout, not " + direction);
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        args.put("iface", iface);
        args.put("file", file.toAbsolutePath().normalize().toString());
        if (count > 0) {
            args.put("count", count);
        }
        args.put("timeoutMs", seconds * 1000);
        args.put("direction", direction);
        ControlResponse r = ControlClient.call(control.resolve(), new ControlRequest("capture", args),
                Duration.ofSeconds(seconds + 10));
        if (!r.ok()) {
            throw new UserException(r.error());
        }
        JsonNode res = r.result();
        spec.commandLine().getErr().printf("%d packets captured%n%d packets dropped%n", res.path("captured").asLong(),
                res.path("dropped").asLong());
        spec.commandLine().getErr().flush();
        return 0;
    }
}
