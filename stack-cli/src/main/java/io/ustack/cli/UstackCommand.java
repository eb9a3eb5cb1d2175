package io.ustack.cli;

import io.ustack.cli.daemon.DaemonCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code ustack}: the top-level command, which only dispatches to its subcommands. Its scope is INHERIT so
 * that every subcommand, present and future, gets -h/--help and -V/--version without repeating them.
 */
@Command(name = "ustack",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A userspace TCP/IP stack, IPv4 and IPv6, on a Linux TAP device.",
        subcommands = {DaemonCommand.class, StatsCommand.class, AddrCommand.class, LinkCommand.class, RouteCommand.class,
            RuleCommand.class, NeighCommand.class, DhcpCommand.class, IptablesCommand.class, IptablesSaveCommand.class,
            IptablesRestoreCommand.class, Ip6tablesCommand.class, Ip6tablesSaveCommand.class,
            Ip6tablesRestoreCommand.class, ConntrackCommand.class, SsCommand.class, PingCommand.class,
            CaptureCommand.class, SysctlCommand.class, SaveCommand.class, ReloadCommand.class, PacketdrillCommand.class,
            HelpCommand.class})
public final class UstackCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Given here it applies to the subcommand too: {@code ustack --control PATH stats}. */
    @Mixin
    ControlOption control;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is needed, such as 'ustack daemon' (see 'ustack --help')");
    }
}
