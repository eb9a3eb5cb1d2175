package io.ustack.cli;

import picocli.CommandLine.Command;

/** {@code ustack ip6tables-restore [--noflush] [--counters] [FILE]}: IPv6 rules in, all or nothing. */
@Command(name = "ip6tables-restore", description = {"Load IPv6 rules in ip6tables-save's format from FILE or standard "
        + "input, all or nothing, as ip6tables-restore does.", "Each table in the input is replaced whole unless --noflush."})
public final class Ip6tablesRestoreCommand extends IptablesRestoreCommand {
    @Override
    String tool() {
        return "ip6tables";
    }
}
