package io.ustack.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** ip's {@code -4} and {@code -6}: one address family for a listing, or both when neither is given. */
final class FamilyOption {
    @Option(names = "-4", description = "IPv4 only (ARP), as ip -4 shows it.")
    boolean inet;

    @Option(names = "-6", description = "IPv6 only (Neighbour Discovery), as ip -6 shows it.")
    boolean inet6;

    /** The control protocol's {@code family} argument: "inet", "inet6", or null for both. */
    String family(CommandSpec spec) {
        if (inet && inet6) {
            throw new ParameterException(spec.commandLine(), "-4 and -6 exclude each other: give one, or neither for both");
        }
        return inet ? "inet" : inet6 ? "inet6" : null;
    }
}
