package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistakes, made with the real jar: each gets one sentence on stderr and a non-zero exit, and
 * leaves nothing behind.
 */
class DaemonErrorsIT {
    @TempDir
    Path work;
    private String tap;

    @BeforeEach
    void names() {
        RootRequirement.require("ip", "setpriv", "unshare");
        tap = "ut" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    private List<String> daemonArgs(String control) {
        return List.of("daemon", "--control", work.resolve(control).toString(), "--iface", tap + ",addr=10.202.0.2/24");
    }

    /** Asserts one line of output, the sentence, containing {@code expect}; and that no TAP was left. */
    private void assertOneSentence(Cmd c, int exit, String expect) {
        assertEquals(exit, c.exit(), c.output());
        String[] lines = c.output().strip().split("\n");
        assertEquals(1, lines.length, "one sentence, no stack trace:\n" + c.output());
        assertTrue(lines[0].startsWith("ustack: ") && lines[0].contains(expect), lines[0]);
        assertTrue(Files.notExists(Path.of("/sys/class/net", tap)), "no TAP left behind");
    }

    @Test
    void withoutCapNetAdminTheDaemonSaysWhatItNeeds() {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"));
        cmd.addAll(Daemon.command(daemonArgs("a.sock").toArray(String[]::new)));
        assertOneSentence(Cmd.run(60, cmd), 1, "CAP_NET_ADMIN");
    }

    @Test
    void withoutDevNetTunTheDaemonSaysSo() {
        // a mount namespace of its own where /dev/net is an empty tmpfs
        String java = String.join(" ", Daemon.command(daemonArgs("b.sock").toArray(String[]::new)));
        Cmd c = Cmd.run(60, List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /dev/net && exec " + java));
        assertOneSentence(c, 1, "/dev/net/tun");
    }

    @Test
    void aBusyTapIsRefused() throws Exception {
        try (Daemon first = Daemon.start(work, "--iface", tap + ",addr=10.202.0.2/24", "--backlog-threads", "1")) {
            Cmd second = Cmd.run(60, Daemon.command(daemonArgs("second.sock").toArray(String[]::new)));
            assertEquals(1, second.exit(), second.output());
            String[] lines = second.output().strip().split("\n");
            assertEquals(1, lines.length, second.output());
            assertTrue(lines[0].contains("busy"), lines[0]);
            assertTrue(first.isAlive(), "the first daemon is untouched");
            assertEquals(0, first.stop());
        }
        assertTrue(Files.notExists(Path.of("/sys/class/net", tap)), "the first daemon removed its TAP");
    }

    @Test
    void aBadSpecIsAUsageError() {
        Cmd c = Cmd.run(60, Daemon.command("daemon", "--control", work.resolve("c.sock").toString(),
                "--iface", tap + ",mtu=abc"));
        assertOneSentence(c, 2, "mtu must be a number");
    }
}
