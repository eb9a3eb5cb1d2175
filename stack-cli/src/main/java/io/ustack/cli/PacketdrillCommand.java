package io.ustack.cli;

import io.ustack.cli.packetdrill.Packetdrill;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ustack packetdrill}: runs packetdrill scripts against a fresh stack in this process, on a fake device
 * and a virtual clock: no root, no TAP, no daemon.
 */
@Command(name = "packetdrill",
        description = {"Run packetdrill scripts (.pkt) against a fresh stack in this process, on a virtual clock: "
            + "no root, no TAP, no daemon.",
            "Prints packetdrill's message for a failure and PASS, FAIL or UNSUPPORTED per script. Exit status: 0 when "
            + "every script passed, 1 when one failed, 4 when none failed but one needs something this stack "
            + "does not have."})
public final class PacketdrillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tolerance_usecs", paramLabel = "USECS",
            description = "How far (microseconds) an event may be from its scripted time. Default: the script's, else 4000.")
    Long toleranceUsecs;

    @Option(names = "--tolerance_percent", paramLabel = "PERCENT",
            description = "A timing error may also be this share of the time since the previous event. Default 12.5.")
    Double tolerancePercent;

    @Option(names = "--local_ip", paramLabel = "ADDR", description = "The stack's address. Default 192.168.0.1.")
    String localIp;

    @Option(names = "--remote_ip", paramLabel = "ADDR", description = "The script's (remote) address. Default 192.0.2.1.")
    String remoteIp;

    @Option(names = "--netmask_ip", paramLabel = "MASK", description = "The local network's mask. Default 255.255.0.0.")
    String netmask;

    @Option(names = "--gateway_ip", paramLabel = "ADDR", description = "Accepted for packetdrill's command lines; the "
            + "fake device needs no gateway.")
    String gateway;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "The fake device's MTU. Default 1500.")
    Integer mtu;

    @Option(names = {"-D", "--define"}, paramLabel = "NAME=VALUE",
            description = "Replace NAME with VALUE in the scripts, as packetdrill's -D (Linux's tests pass "
                + "CMSG_LEVEL_IP=SOL_IP and CMSG_TYPE_RECVERR=IP_RECVERR).")
    Map<String, String> defines = new LinkedHashMap<>();

    @Option(names = "--dry_run", description = "Only parse the scripts.")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Also print the notes of passing scripts (settings not applied).")
    boolean verbose;

    @Parameters(paramLabel = "SCRIPT.pkt", arity = "1..*", description = "The scripts to run, in order.")
    List<Path> scripts;

    @Override
    public Integer call() {
        if (toleranceUsecs != null && toleranceUsecs < 0) {
            throw new ParameterException(spec.commandLine(), "--tolerance_usecs must be 0 or more microseconds");
        }
        if (mtu != null && (mtu < 576 || mtu > 65_535)) {
            throw new ParameterException(spec.commandLine(), "--mtu must be from 576 to 65535 bytes");
        }
        for (Path p : scripts) {
            if (!Files.isRegularFile(p)) {
                throw new ParameterException(spec.commandLine(), "no such script: " + p);
            }
        }
        return Packetdrill.run(scripts, new Packetdrill.Settings(toleranceUsecs, tolerancePercent, localIp, remoteIp,
                netmask, mtu, defines, dryRun, verbose), System.out, System.err);
    }
}
