package io.ustack.cli;

/**
 * Log output for the command: System.Logger over java.util.logging, whose console handler writes to
 * stderr, which keeps stdout for results and the daemon's "up" line.
 */
final class Logging {
    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    private Logging() {
    }

    /**
     * One line per record ("2025-01-31 12:00:00 INFO io.ustack...: message"), instead of JUL's default of
     * two. Must run before the first logger is created; a format given with -D is kept.
     */
    static void configure() {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }
}
