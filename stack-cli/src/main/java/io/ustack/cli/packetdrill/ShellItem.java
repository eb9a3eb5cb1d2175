package io.ustack.cli.packetdrill;

/**
 * What a backtick command comes to once {@link ShellCommands} has read it: sysctl settings for the stack,
 * and everything it cannot do without a host shell, kept with its text for the runner to report.
 */
sealed interface ShellItem {
    /** The file and line the item comes from: the .pkt's line, or a line of a script it called. */
    String file();

    int line();

    /**
     * Set sysctl {@code name} (dotted, as {@code net.ipv4.tcp_rmem}) to {@code value} (as sysctl would
     * write it: quotes removed, {@code $((...))} worked out, inner spaces kept).
     */
    record Sysctl(String name, String value, String file, int line) implements ShellItem {
    }

    /** A command not interpreted ({@code tc qdisc ...}, {@code ip tcp_metrics ...}, a pipeline...), and why. */
    record Unsupported(String command, String reason, String file, int line) implements ShellItem {
        @Override
        public String toString() {
            return file + ":" + line + ": unsupported command: " + command + " (" + reason + ")";
        }
    }
}
