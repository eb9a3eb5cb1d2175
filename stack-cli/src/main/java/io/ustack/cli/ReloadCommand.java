package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.ControlResponse;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ustack reload}: the daemon reads its configuration file again, as on SIGHUP. */
@Command(name = "reload",
        description = {"Make the daemon read its configuration file (--config) again, as SIGHUP does. The file is "
                + "checked whole first: a bad one changes nothing. A good one is applied by difference: "
                + "interfaces and addresses added or removed, routes changed, sysctls set, rules restored; "
                + "connections over what stays keep going. Prints what changed."},
        footer = {"", "Exit status: 0 when applied, 2 if the file is bad (the line and what is wrong are printed), "
                + "1 if a change was refused half-way or the daemon cannot be reached."})
public final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Override
    public Integer call() {
        ControlResponse r = ControlClient.call(control.resolve(), ControlRequest.of("reload"), ControlClient.DEFAULT_TIMEOUT);
        PrintWriter err = spec.commandLine().getErr();
        if (!r.ok()) {
            err.println("ustack: " + r.error());
            err.flush();
            return 2;
        }
        JsonNode result = r.result();
        PrintWriter out = spec.commandLine().getOut();
        for (JsonNode c : result.path("changes")) {
            out.println(c.asText());
        }
        if (result.has("failed")) {
            out.flush();
            err.println("ustack: " + result.get("failed").asText());
            err.flush();
            return UserException.EXIT_CODE;
        }
        if (result.path("changes").isEmpty()) {
            out.println("nothing changed");
        }
        out.flush();
        return 0;
    }
}
