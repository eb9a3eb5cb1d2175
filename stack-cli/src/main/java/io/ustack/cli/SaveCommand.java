package io.ustack.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack save [FILE]}: the daemon writes its running configuration, for {@code daemon --config}. */
@Command(name = "save",
        description = {"Write the daemon's running configuration (interfaces, addresses, routes, sysctls, services, "
                + "DHCP pools, and changes made with the commands since it started) to FILE, so that "
                + "ustack daemon --config FILE runs the same state. The file is replaced atomically.",
            "Without FILE: the file the daemon was started with (--config)."},
        footer = {"", "Exit status: 0 when saved, 1 if the daemon cannot write the file or cannot be reached."})
public final class SaveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "Where to write, relative to this folder.")
    Path file;

    @Override
    public Integer call() {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (file != null) {
            // the daemon has its own working folder: a relative name is this shell's
            args.put("file", file.toAbsolutePath().normalize().toString());
        }
        String written = ControlClient.result(control.resolve(), new ControlRequest("save", args)).path("file").asText();
        spec.commandLine().getOut().println("saved to " + written);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
