package io.ustack.cli;

import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack iptables-save [-c]}: the daemon's tables in iptables-save's format, for iptables-restore. */
@Command(name = "iptables-save", description = "Print the daemon's tables as iptables-save does.")
public class IptablesSaveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = {"-c", "--counters"}, description = "Include each rule's packet and byte counters.")
    boolean counters;

    /** The tool whose tables are saved: iptables here, ip6tables for {@link Ip6tablesSaveCommand}. */
    String tool() {
        return "iptables";
    }

    @Override
    public Integer call() {
        return IptablesCommand.answer(spec, tool(), ControlClient.result(control.resolve(),
                new ControlRequest(tool() + "-save", Json.MAPPER.createObjectNode().put("counters", counters))));
    }
}
