package io.ustack.cli;

import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ustack iptables-restore [--noflush] [--counters] [FILE]}: loads rules in iptables-save's format from
 * FILE or standard input into the daemon, all or nothing: a bad line leaves every table as it was, and the
 * error names the line.
 */
@Command(name = "iptables-restore", description = {"Load rules in iptables-save's format from FILE or standard input, "
        + "all or nothing, as iptables-restore does.", "Each table in the input is replaced whole unless --noflush."})
public class IptablesRestoreCommand implements Callable<Integer> {
    /** A firewall this large is far beyond any script; a bigger input is a mistake, not a rule set. */
    private static final int MAX_INPUT = 16 * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = {"-n", "--noflush"}, description = "Add to the tables instead of replacing them.")
    boolean noflush;

    @Option(names = {"-c", "--counters"}, description = "Restore the packet and byte counters in the input.")
    boolean counters;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The rules; standard input when absent.")
    Path file;

    /** The tool whose tables are restored: iptables here, ip6tables for {@link Ip6tablesRestoreCommand}. */
    String tool() {
        return "iptables";
    }

    @Override
    public Integer call() {
        String text = read();
        return IptablesCommand.answer(spec, tool(), ControlClient.result(control.resolve(), new ControlRequest(tool() + "-restore",
                Json.MAPPER.createObjectNode().put("text", text).put("noflush", noflush).put("counters", counters))));
    }

    private String read() {
        try (InputStream in = file == null ? System.in : Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_INPUT + 1);
            if (bytes.length > MAX_INPUT) {
                throw new ParameterException(spec.commandLine(), "the input is over " + MAX_INPUT / (1024 * 1024)
                        + " MB; " + tool() + "-restore takes rules, not a file that large");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read " + (file == null ? "standard input" : file)
                    + ": " + e.getMessage());
        }
    }
}
