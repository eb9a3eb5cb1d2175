package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * TCP with Linux as the peer: curl, nc, dd and Python sockets in a test namespace against the daemon's
 * built-in services, a gigabyte each way, hundreds of connections at once, a SYN flood, and 3% loss in both
 * directions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpIT {
    private StackOnTap env;
    private Path probe;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "curl", "nc", "python3", "iptables", "hping3");
        env = StackOnTap.start("--serve", "all");
        probe = env.work.resolve("tcp_probe.py");
        try (InputStream in = TcpIT.class.getResourceAsStream("/tcp_probe.py")) {
            Files.copy(in, probe);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private Cmd sh(long timeoutSeconds, String shell) {
        return env.ns.execWithin(timeoutSeconds, "sh", "-c", shell);
    }

    @Test
    @Order(1)
    void curlGetsTheStatusPage() {
        Cmd c = sh(30, "curl -s -m 10 http://" + env.stackIp + "/");
        assertTrue(c.output().contains("<h1>ustack</h1>") && c.output().contains(env.stackIp), c.output() + env.diagnostics());
    }

    @Test
    @Order(2)
    void aClosedPortIsRefusedAtOnce() {
        long start = System.nanoTime();
        Cmd c = sh(30, "nc -z -w 5 " + env.stackIp + " 4444");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, c.exit(), c.output());
        assertTrue(ms < 2000, "refused by a RST, not a timeout: " + ms + " ms");
    }

    @Test
    @Order(3)
    void aGigabyteFromBytes() {
        Cmd c = sh(300, "curl -s -m 240 -o /dev/null -w '%{size_download} %{speed_download}' http://" + env.stackIp
                + "/bytes/1000000000");
        assertTrue(c.output().startsWith("1000000000 "), c.output() + env.diagnostics());
    }

    @Test
    @Order(4)
    void aGigabyteToDiscard() {
        long before = env.daemon.stats().get("TcpInSegs");
        Cmd c = sh(300, "dd if=/dev/zero bs=1M count=1000 2>/dev/null | nc -N -w 30 " + env.stackIp + " 9");
        assertEquals(0, c.exit(), c.output() + env.diagnostics());
        assertTrue(env.daemon.stats().get("TcpInSegs") - before > 1_000_000_000L / 1460, "the gigabyte arrived as segments");
    }

    @Test
    @Order(5)
    void threeHundredConnectionsAtOnce() {
        Cmd c = env.ns.execWithin(120, "python3", probe.toString(), "many", env.stackIp, "7", "300");
        assertEquals("ok 300", c.output().strip(), c.output() + env.diagnostics());
    }

    @Test
    @Order(6)
    void aSynFloodIsMetWithCookiesWhileConnectionsGoOn() throws Exception {
        // the namespace's kernel would answer our SYN-ACKs to hping3's SYNs with resets and empty the SYN
        // queue; with those resets dropped, half-open connections pile up as they do under a real flood
        env.ns.exec("iptables", "-A", "OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP").ok();
        try {
            Process flood = new ProcessBuilder("ip", "netns", "exec", env.ns.name, "timeout", "8", "hping3", "-S",
                    "-p", "80", "-i", "u200", "-q", env.stackIp).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Thread.sleep(3000);
                Cmd page = sh(30, "curl -s -m 10 http://" + env.stackIp + "/");
                assertTrue(page.output().contains("<h1>ustack</h1>"), "a new connection to the flooded port: " + page.output());
                Cmd echo = env.ns.execWithin(60, "python3", probe.toString(), "echo", env.stackIp, "7", "1000000");
                assertEquals("same", echo.output().strip(), "echo goes on during the flood: " + echo.output());
            } finally {
                flood.waitFor();
            }
            assertTrue(env.daemon.stats().get("TcpExtSyncookiesSent") > 0, "the full SYN queue was met with cookies");
        } finally {
            env.ns.exec("iptables", "-F");
        }
    }

    @Test
    @Order(7)
    void twentyMegabytesThroughEchoWithThreePercentLossEachWay() {
        String drop = " -p tcp -m statistic --mode random --probability 0.03 -j DROP";
        env.ns.exec("sh", "-c", "iptables -A INPUT" + drop + " && iptables -A OUTPUT" + drop).ok();
        try {
            Map<String, Long> before = env.daemon.stats();
            Cmd c = env.ns.execWithin(300, "python3", probe.toString(), "echo", env.stackIp, "7", "20000000");
            assertEquals("same", c.output().strip(), c.output() + env.diagnostics());
            Map<String, Long> after = env.daemon.stats();
            assertTrue(after.get("TcpRetransSegs") > before.get("TcpRetransSegs"), "losses were repaired");
            assertTrue(after.get("TcpExtTCPSackRecovery") > before.get("TcpExtTCPSackRecovery"),
                    "by SACK recovery, with Linux's SACK blocks on the scoreboard");
        } finally {
            env.ns.exec("iptables", "-F");
        }
    }
}
