package io.ustack.cli;

import picocli.CommandLine.Command;

/** {@code ustack ip6tables-save [-c]}: the daemon's IPv6 tables in ip6tables-save's format. */
@Command(name = "ip6tables-save", description = "Print the daemon's IPv6 tables as ip6tables-save does.")
public final class Ip6tablesSaveCommand extends IptablesSaveCommand {
    @Override
    String tool() {
        return "ip6tables";
    }
}
