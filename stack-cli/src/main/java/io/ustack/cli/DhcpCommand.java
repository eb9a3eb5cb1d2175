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

/** {@code ustack dhcp leases}: the DHCP server's leases. */
@Command(name = "dhcp", description = {"The daemon's DHCP server (--iface ...,dhcp=FIRST-LAST).",
            "Without a subcommand: leases."},
        subcommands = {DhcpCommand.Leases.class})
public final class DhcpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return Leases.list(spec, control, json);
    }

    /** {@code ustack dhcp leases}. */
    @Command(name = "leases", description = "List the leases: interface, MAC, address, expiry, state, host name.")
    static final class Leases implements Callable<Integer> {
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
            JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("dhcp leases"));
            Output.print(spec, result, json, Leases::text);
            return 0;
        }

        static String text(JsonNode leases) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode l : leases) {
                sb.append(l.path("dev").asText()).append(' ').append(l.path("mac").asText()).append(' ')
                        .append(l.path("ip").asText()).append(" expires ").append(l.path("expires").asText())
                        .append(' ').append(l.path("state").asText());
                if (l.hasNonNull("hostname")) {
                    sb.append(" hostname ").append(l.get("hostname").asText());
                }
                sb.append('\n');
            }
            return sb.toString();
        }
    }
}
