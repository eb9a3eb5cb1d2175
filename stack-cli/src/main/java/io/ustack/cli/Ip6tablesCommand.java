package io.ustack.cli;

import picocli.CommandLine.Command;

/**
 * {@code ustack ip6tables ARGS...}: ip6tables' own command lines on the daemon's IPv6 tables, with what
 * {@link IptablesCommand} does for iptables (the same engine, on the IPv6 hooks).
 */
@Command(name = "ip6tables",
        description = {"Change or list the daemon's IPv6 packet filter with ip6tables' command lines: -t filter|mangle|raw, "
            + "-A -I -D -R -C -L -S -F -Z -N -X -E -P with -v -n -x --line-numbers.",
            "Matches: tcp udp multiport icmp6 (--icmpv6-type) state conntrack mark connmark comment limit length hl "
                + "pkttype mac dscp. Targets: ACCEPT DROP REJECT (icmp6-*, tcp-reset) RETURN, user chains (-j, -g), "
                + "LOG MARK CONNMARK NOTRACK CT."})
public final class Ip6tablesCommand extends IptablesCommand {
    @Override
    String tool() {
        return "ip6tables";
    }
}
