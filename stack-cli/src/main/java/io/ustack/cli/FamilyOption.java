package io.ustack.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** ip's and ping's {@code -4} and {@code -6}: one address family, or either when neither is given. */
final class FamilyOption {
    @Option(names = "-4", description = "IPv4 only, as ip -4 and ping -4 take it.")
    boolean inet;

    @Option(names = "-6", description = "IPv6 only, as ip -6 and ping -6 take it.")
    boolean inet6;

    /** The control protocol's {@code family} argument: "inet", "inet6", or null for either. */
    String family(CommandSpec spec) {
        if (inet && inet6) {
            throw new ParameterException(spec.commandLine(), "-4 and -6 exclude each other");
        }
        return inet ? "inet" : inet6 ? "inet6" : null;
    }
}
