package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.testing.CommandRunner;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {
    @Test
    void oneLineAtSystemLoggerLevels() {
        LogRecord r = new LogRecord(Level.FINE, "stopping on {0}");
        r.setParameters(new Object[] {"SIGTERM"});
        r.setLoggerName("io.ustack.cli.daemon.DaemonCommand");
        String line = new Logging.LineFormatter(false).format(r);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d DEBUG io.ustack.cli.daemon.DaemonCommand: "
                + "stopping on SIGTERM" + System.lineSeparator()), line);
    }

    @Test
    void underSystemdTheSyslogPriorityLeads() {
        LogRecord r = new LogRecord(Level.SEVERE, "control command 'x' failed");
        r.setLoggerName("c");
        r.setThrown(new IllegalStateException("boom"));
        String text = new Logging.LineFormatter(true).format(r);
        assertTrue(text.startsWith("<3>ERROR c: control command 'x' failed" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom"), text);
        LogRecord w = new LogRecord(Level.WARNING, "w");
        w.setLoggerName("c");
        assertEquals("<4>WARNING c: w" + System.lineSeparator(), new Logging.LineFormatter(true).format(w));
        LogRecord i = new LogRecord(Level.INFO, "i");
        i.setLoggerName("c");
        assertEquals("<6>INFO c: i" + System.lineSeparator(), new Logging.LineFormatter(true).format(i));
    }

    @Test
    void debugIsUstacksOwnAndTraceEveryones() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level before = root.getLevel();
        try {
            Logging.setLevel(Logging.Level.DEBUG);
            assertTrue(java.util.logging.Logger.getLogger("io.ustack.cli.daemon.Daemon").isLoggable(Level.FINE));
            assertTrue(!java.util.logging.Logger.getLogger("io.netty.util.NetUtil").isLoggable(Level.FINE));
            Logging.setLevel(Logging.Level.TRACE);
            assertTrue(java.util.logging.Logger.getLogger("io.netty.util.NetUtil").isLoggable(Level.FINER));
            Logging.setLevel(Logging.Level.WARNING);
            assertTrue(!java.util.logging.Logger.getLogger("io.ustack.cli.daemon.Daemon").isLoggable(Level.INFO));
        } finally {
            Logging.setLevel(Logging.Level.INFO);
            root.setLevel(before);
        }
    }

    @Test
    void levelsByName() {
        assertEquals(Logging.Level.WARNING, Logging.Level.parse("warn"));
        assertEquals(Logging.Level.DEBUG, Logging.Level.parse("DEBUG"));
        assertNull(Logging.Level.parse("verbose"));
    }

    @Test
    void aBadLogLevelIsAUsageError() {
        CommandRunner cli = new CommandRunner(null);
        assertEquals(2, cli.run("daemon", "--log-level", "verbose"));
        assertEquals("ustack: --log-level must be error, warning, info, debug, trace or off, not 'verbose'\n", cli.err());
    }
}
