package io.ustack.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log output for the command: System.Logger over java.util.logging, whose console handler writes to
 * stderr, which keeps stdout for results and the daemon's "up" line. One line per record, at System.Logger's
 * levels: {@code 2025-01-31 12:00:00 INFO io.ustack...: message}. Under systemd (stderr is the journal,
 * {@code $JOURNAL_STREAM} set) each line starts with its syslog priority instead of a time, as sd-daemon(3)
 * has it ({@code <6>INFO ...}), so the journal keeps the levels and its own timestamps.
 */
public final class Logging {
    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** The levels a user picks from, System.Logger's names, with the JUL level and syslog priority of each. */
    public enum Level {
        OFF(java.util.logging.Level.OFF, 0), ERROR(java.util.logging.Level.SEVERE, 3),
        WARNING(java.util.logging.Level.WARNING, 4), INFO(java.util.logging.Level.INFO, 6),
        DEBUG(java.util.logging.Level.FINE, 7), TRACE(java.util.logging.Level.FINER, 7);

        final java.util.logging.Level jul;
        final int syslogPriority;

        Level(java.util.logging.Level jul, int syslogPriority) {
            this.jul = jul;
            this.syslogPriority = syslogPriority;
        }

        /** The level of a JUL record: the highest of ours at or below it. */
        static Level of(java.util.logging.Level l) {
            int v = l.intValue();
            for (Level ours : new Level[] {ERROR, WARNING, INFO, DEBUG}) {
                if (v >= ours.jul.intValue()) {
                    return ours;
                }
            }
            return TRACE;
        }

        /** The level named {@code name} (any case), or null. */
        public static Level parse(String name) {
            for (Level l : values()) {
                if (l.name().equalsIgnoreCase(name) || l == WARNING && name.equalsIgnoreCase("warn")) {
                    return l;
                }
            }
            return null;
        }

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Logging() {
    }

    /**
     * Installs the one-line format on the console handler; must run before the first logger is created. A
     * format given with -D{@value #FORMAT_PROPERTY} is kept, with JUL's own formatter.
     */
    static void configure() {
        if (System.getProperty(FORMAT_PROPERTY) != null) {
            return;
        }
        boolean journal = System.getenv("JOURNAL_STREAM") != null;
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(new LineFormatter(journal));
                h.setLevel(java.util.logging.Level.ALL); // the root logger's level decides
            }
        }
    }

    /** ustack's own loggers; held here because JUL forgets the level of a logger nobody references. */
    private static final Logger USTACK = Logger.getLogger("io.ustack");

    /**
     * Logs records at {@code level} and above (INFO unless changed). DEBUG is ustack's own: the libraries (Netty,
     * JNA) stay at INFO, or their start-up chatter would bury it; TRACE is everyone's.
     */
    public static void setLevel(Level level) {
        Logger.getLogger("").setLevel(level == Level.DEBUG ? Level.INFO.jul : level.jul);
        USTACK.setLevel(level.jul);
    }

    /** One line a record (and the stack trace after it, if any). */
    static final class LineFormatter extends Formatter {
        private final boolean journal;

        LineFormatter(boolean journal) {
            this.journal = journal;
        }

        @Override
        public String format(LogRecord r) {
            Level level = Level.of(r.getLevel());
            StringBuilder sb = new StringBuilder();
            if (journal) {
                sb.append('<').append(level.syslogPriority).append('>');
            } else {
                sb.append(LocalDateTime.ofInstant(r.getInstant(), java.time.ZoneId.systemDefault()).format(TIME)).append(' ');
            }
            sb.append(level.name()).append(' ').append(r.getLoggerName()).append(": ").append(formatMessage(r));
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            }
            return sb.append(System.lineSeparator()).toString();
        }
    }
}
