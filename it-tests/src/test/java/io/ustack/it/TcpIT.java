package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * TCP with Linux as the peer: curl, nc, dd and Python sockets in a test namespace against the daemon's
 * built-in services, a gigabyte each way, hundreds of connections at once, a SYN flood at 5000/s and one at
 * full speed, and 3% loss in both directions.
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

    /**
     * hping3 --flood: as many SYNs as this machine can send (a few hundred thousand a second), for 10 s, with
     * the namespace's resets held back. Meanwhile the stack must stay usable: ping answered (the TAP's ring in
     * the kernel overflows, so some loss is the wire's; at least half must come back), an established echo
     * connection never stalls, a new connection is made, and both sides re-resolve each other by ARP after
     * their neighbour tables are flushed mid-flood. The bare SYNs the backlog sheds are counted.
     */
    @Test
    @Order(8)
    void aFullSpeedSynFloodLeavesPingEchoArpAndNewConnectionsWorking() throws Exception {
        env.ns.exec("iptables", "-A", "OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP").ok();
        try {
            Map<String, Long> before = env.daemon.stats();
            Process echo = inNs("python3", probe.toString(), "steady", env.stackIp, "7", "14");
            Thread.sleep(1000);
            Process flood = inNs("timeout", "10", "hping3", "-S", "-p", "80", "--flood", "-q", env.stackIp);
            Thread.sleep(1000);
            Process ping = inNs("ping", "-c", "40", "-i", "0.2", "-W", "1", env.stackIp);
            Thread.sleep(1000);
            // both sides forget each other: the next packets each way need ARP, through the flood
            Cmd.run(30, Daemon.command("neigh", "flush", "--control", env.daemon.control.toString())).ok();
            // one delete, not `ip neigh flush`: flush repeats until the table is empty, which the flood's next
            // SYN prevents, so it gives up after 10 rounds with exit 255
            env.ns.exec("ip", "neigh", "del", env.stackIp, "dev", env.tap).ok();
            Thread.sleep(1000);
            Cmd page = sh(30, "curl -s -m 10 -o /dev/null -w '%{http_code} connect %{time_connect} s' http://" + env.stackIp + "/");
            String pinged = output(ping, 30);
            String flooded = output(flood, 30);
            String echoed = output(echo, 60);
            Map<String, Long> after = env.daemon.stats();
            int answered = TapPingIT.received(pinged);
            String figures = "ping: " + answered + "/40 answered; echo: " + echoed.strip() + "; curl: " + page.output()
                    + "; hping3: " + flooded.lines().filter(l -> l.contains("transmitted")).findFirst().orElse(flooded)
                    + "; " + delta(before, after, "DropReasonCPU_BACKLOG_SYN", "DropReasonCPU_BACKLOG",
                    "DropReasonQDISC_CONGESTED", "DropReasonQDISC_DROP", "ArpInRequests", "ArpInReplies", "TcpExtSyncookiesSent");
            System.out.println("flood: " + figures);
            assertTrue(page.output().startsWith("200 "), "a new connection during the flood: " + figures);
            assertTrue(echoed.startsWith("ok "), "the established connection kept echoing: " + figures);
            String[] e = echoed.strip().split(" ");
            assertTrue(Integer.parseInt(e[1]) >= 40 && Integer.parseInt(e[3]) < 5000,
                    "at least 40 round trips in 14 s, none slower than 5 s: " + figures);
            assertTrue(answered >= 20, "at most half the pings lost: " + figures);
            assertTrue(after.get("ArpInReplies") > before.get("ArpInReplies"), "the stack re-resolved the host: " + figures);
            assertTrue(after.get("ArpInRequests") > before.get("ArpInRequests"), "and answered the host's ARP: " + figures);
        } finally {
            env.ns.exec("iptables", "-F");
        }
    }

    private Process inNs(String... argv) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", env.ns.name));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }

    private static String output(Process p, long timeoutSeconds) throws Exception {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String delta(Map<String, Long> before, Map<String, Long> after, String... names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(n).append(" +").append(after.getOrDefault(n, 0L) - before.getOrDefault(n, 0L)).append(' ');
        }
        return sb.toString().strip();
    }
}
