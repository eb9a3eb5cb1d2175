package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * built-in services, a gigabyte each way, hundreds of connections at once, a SYN flood at 5000/s and one at
 * full speed, and 3% loss in both directions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpIT {
    /** How long a flood may take to reach the stack: hping3 and the daemon share a busy machine. */
    private static final Duration FLOOD_START = Duration.ofSeconds(60);
    /** Frames lost in the TAP's full ring that show a flood at full speed, before ping and the rest begin. */
    private static final long FLOOD_UNDER_WAY = 10_000;
    /** The least the stack must read of the flood: a heavy one, where 5000 SYNs a second would take 20 s. */
    private static final long FLOOD_READ = 100_000;
    private static final int PINGS = 100;
    /** The README's bound on how long the established echo may wait for an answer during the flood. */
    private static final int ECHO_STALL_MS = 5000;

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
        long n = 1_000_000_000L;
        Cmd c = env.ns.execWithin(300, "bash", "-o", "pipefail", "-c", "curl -sS -m 240 -w '%{stderr}%{size_download} bytes at "
                + "%{speed_download} B/s\\n' http://" + env.stackIp + "/bytes/" + n + " | sha256sum");
        assertEquals(0, c.exit(), c.output() + env.diagnostics());
        assertEquals(ChargenPattern.sha256(n), ChargenPattern.digestIn(c.output()), "the gigabyte is the pattern, whole and in order: "
                + c.output() + env.diagnostics());
    }

    @Test
    @Order(4)
    void aGigabyteToDiscard() {
        String rx = env.tap + ":rx_bytes";
        long before = env.daemon.stats().get(rx);
        Cmd c = sh(300, "dd if=/dev/zero bs=1M count=1000 2>/dev/null | nc -N -w 30 " + env.stackIp + " 9");
        assertEquals(0, c.exit(), c.output() + env.diagnostics());
        assertTrue(env.daemon.stats().get(rx) - before > 1_000_000_000L, "the gigabyte arrived on the TAP");
    }

    @Test
    @Order(5)
    void threeHundredConnectionsAtOnce() {
        Cmd c = env.ns.execWithin(120, "python3", probe.toString(), "many", env.stackIp, "7", "300");
        assertEquals("ok 300", c.output().strip(), c.output() + env.diagnostics());
    }

    /**
     * hping3 at 5000 SYNs a second with the namespace's resets held back, so half-open connections pile up
     * as under a real flood: once the stack answers with SYN cookies, curl gets the status page from the
     * flooded port and 1 MB goes through echo, both while the flood still runs and cookies still go out.
     */
    @Test
    @Order(6)
    void aSynFloodIsMetWithCookiesWhileConnectionsGoOn() throws Exception {
        // the namespace's kernel would answer our SYN-ACKs to hping3's SYNs with resets and empty the SYN
        // queue; with those resets dropped, half-open connections pile up as they do under a real flood
        env.ns.exec("iptables", "-A", "OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP").ok();
        long before = cookies(env.daemon.stats());
        // the time limit only bounds a test that dies; the test stops the flood itself
        try (Background flood = env.ns.spawn("timeout", "300", "hping3", "-S", "-p", "80", "-i", "u200", "-q", env.stackIp)) {
            long flooded = Await.until("the full SYN queue met with cookies", FLOOD_START, () -> cookies(env.daemon.stats()),
                    sent -> sent > before);
            Cmd page = sh(30, "curl -s -m 10 http://" + env.stackIp + "/");
            assertTrue(page.output().contains("<h1>ustack</h1>"), "a new connection to the flooded port: " + page.output());
            Cmd echo = env.ns.execWithin(60, "python3", probe.toString(), "echo", env.stackIp, "7", "1000000");
            assertEquals("same", echo.output().strip(), "echo goes on during the flood: " + echo.output());
            assertTrue(flood.isAlive(), "the flood lasted until curl and echo were done: " + flood.output());
            assertTrue(cookies(env.daemon.stats()) > flooded, "cookies went out while curl and echo ran: the flood was on");
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
     * hping3 --flood: as many SYNs as this machine can send, more than the stack can read, with the
     * namespace's resets held back. Meanwhile the stack must stay usable as the README says: at least 75% of
     * pings answered (the TAP's ring in the kernel overflows, so some loss is the wire's), an established
     * echo connection never waits 5 s for an answer, a new connection is made, and both sides re-resolve each
     * other by ARP after their neighbour tables are flushed mid-flood. Each step waits for the one before to
     * be under way, and the flood and the echo run until the last is done.
     */
    @Test
    @Order(8)
    void aFullSpeedSynFloodLeavesPingEchoArpAndNewConnectionsWorking() throws Exception {
        env.ns.exec("iptables", "-A", "OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP").ok();
        // time limits that only bound a test that dies: the test stops the echo and the flood itself
        try (Background echo = env.ns.spawn("python3", probe.toString(), "steady", env.stackIp, "7", "300")) {
            echo.awaitOutput("connected", Duration.ofSeconds(30));
            Map<String, Long> before = env.daemon.stats();
            long ringDropsBefore = hostTxDropped();
            long floodStart = System.nanoTime();
            try (Background flood = env.ns.spawn("timeout", "300", "hping3", "-S", "-p", "80", "--flood", "-q", env.stackIp)) {
                // read from the namespace's side, which costs no JVM start: the flood is under way once the
                // TAP's ring in the kernel overflows, the stack reading less than hping3 sends
                Await.until("the flood outrunning the stack by " + FLOOD_UNDER_WAY + " frames", FLOOD_START,
                        () -> hostTxDropped() - ringDropsBefore >= FLOOD_UNDER_WAY);
                Cmd page;
                String pinged;
                // 100 pings in 8 s: enough that the share answered says more than one unlucky second
                try (Background ping = env.ns.spawn("ping", "-c", Integer.toString(PINGS), "-i", "0.08", "-W", "1", env.stackIp)) {
                    ping.awaitOutput("bytes from", Duration.ofSeconds(30));
                    // both sides forget each other: the next packets each way need ARP, through the flood
                    Cmd.run(30, Daemon.command("neigh", "flush", "--control", env.daemon.control.toString())).ok();
                    // one delete, not `ip neigh flush`: flush repeats until the table is empty, which the flood's
                    // next SYN prevents, so it gives up after 10 rounds with exit 255
                    env.ns.exec("ip", "neigh", "del", env.stackIp, "dev", env.tap).ok();
                    // curl's SYN competes with the flood's for half a backlog, and the kernel resends it after
                    // 1, 3, 7 and 15 s: 30 s gives it five tries
                    page = sh(60, "curl -sS -m 30 -o /dev/null -w '%{http_code} connect %{time_connect} s' http://" + env.stackIp + "/ 2>&1; echo \" exit $?\"");
                    pinged = ping.finish(Duration.ofSeconds(30));
                }
                boolean echoing = echo.isAlive();
                String echoed = echo.stop();
                boolean flooding = flood.isAlive();
                String flooded = flood.stop();
                double seconds = (System.nanoTime() - floodStart) / 1e9;
                Map<String, Long> after = env.daemon.stats();
                long ringDrops = hostTxDropped() - ringDropsBefore;
                int answered = TapPingIT.received(pinged);
                String figures = String.format("%.1f s of flood, %d frames received, %d dropped in the TAP's ring; ping: %d/%d "
                        + "answered; echo: %s; curl: %s; hping3: %s; %s", seconds, received(before, after), ringDrops, answered,
                        PINGS, echoed.strip().replace('\n', ' '), page.output().strip(),
                        flooded.lines().filter(l -> l.contains("transmitted")).findFirst().orElse(flooded.strip()),
                        delta(before, after, "DropReasonCPU_BACKLOG_SYN", "DropReasonCPU_BACKLOG", "DropReasonQDISC_CONGESTED",
                                "DropReasonQDISC_DROP", "ArpInRequests", "ArpInReplies", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
                                "TcpExtSyncookiesFailed", "TcpExtListenOverflows", "TcpExtListenDrops", "TcpPassiveOpens"));
                System.out.println("flood: " + figures);
                assertTrue(flooding && echoing, "the flood and the echo went on until ping and curl were done: " + figures);
                // the flood's size: more than the stack could read, enough to fill its backlogs past half
                assertTrue(received(before, after) >= FLOOD_READ, "the stack read at least " + FLOOD_READ + " frames: " + figures);
                assertTrue(grew(before, after, "DropReasonCPU_BACKLOG_SYN") > 0, "the backlog shed bare SYNs: " + figures);
                assertTrue(grew(before, after, "TcpExtSyncookiesSent") > 0, "and met the rest with cookies: " + figures);
                assertTrue(page.output().startsWith("200 "), "a new connection during the flood: " + figures);
                assertTrue(echoed.contains("ok "), "the established connection kept echoing: " + figures);
                String[] e = echoed.substring(echoed.indexOf("ok ")).strip().split(" ");
                assertTrue(Integer.parseInt(e[1]) >= 40 && Integer.parseInt(e[3]) < ECHO_STALL_MS,
                        "at least 40 round trips, none waiting " + ECHO_STALL_MS + " ms: " + figures);
                assertTrue(answered >= PINGS * 3 / 4, "at least 75% of the pings answered: " + figures);
                assertTrue(grew(before, after, "ArpInReplies") > 0, "the stack re-resolved the host: " + figures);
                assertTrue(grew(before, after, "ArpInRequests") > 0, "and answered the host's ARP: " + figures);
            }
        } finally {
            env.ns.exec("iptables", "-F");
        }
    }

    /** Frames the kernel dropped on their way to the stack because the TAP's ring was full. */
    private long hostTxDropped() {
        return Long.parseLong(env.ns.exec("cat", "/sys/class/net/" + env.tap + "/statistics/tx_dropped").ok().output().strip());
    }

    /** Frames the stack's TAP received between two readings of the counters. */
    private long received(Map<String, Long> before, Map<String, Long> after) {
        String rx = env.tap + ":rx_packets";
        return after.get(rx) - before.get(rx);
    }

    private static long cookies(Map<String, Long> stats) {
        return stats.get("TcpExtSyncookiesSent");
    }

    /** How much a counter grew; one that is still zero is not listed. */
    private static long grew(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    private static String delta(Map<String, Long> before, Map<String, Long> after, String... names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(n).append(" +").append(grew(before, after, n)).append(' ');
        }
        return sb.toString().strip();
    }
}
