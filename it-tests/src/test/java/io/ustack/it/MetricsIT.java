package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daemon --metrics}: the real daemon on a TAP, scraped with curl as Prometheus scrapes it, its counters
 * moving with the traffic a namespace sends it; and a port in use refused before any TAP is made.
 */
class MetricsIT {
    @TempDir
    Path work;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String scrape(int port) {
        return Cmd.run(30, List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/metrics")).ok().output();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void countersMoveWithTraffic() throws Exception {
        RootRequirement.require("ip", "ping", "curl");
        int port = freePort();
        try (StackOnTap env = StackOnTap.start("--backlog-threads", "1", "--metrics", "127.0.0.1:" + port)) {
            String rx = "ustack_link_rx_packets_total{device=\"" + env.tap + "\"}";
            String before = scrape(port);
            assertTrue(before.contains("# TYPE ustack_ip_in_receives_total counter"), before);
            assertTrue(before.contains("# TYPE ustack_tcp_curr_estab gauge"), before);

            Cmd ping = env.ns.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", env.stackIp);
            assertEquals(5, TapPingIT.received(ping.output()), ping.output() + env.diagnostics());
            Cmd page = env.ns.exec("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://" + env.stackIp + "/");
            assertEquals("200", page.output().strip(), page.output() + env.diagnostics());

            String after = scrape(port);
            System.out.println("$ curl http://127.0.0.1:" + port + "/metrics | grep -E 'icmp_in_echos|passive_opens|"
                    + env.tap + "'\n" + after.lines().filter(l -> l.startsWith("ustack_icmp_in_echos_total")
                    || l.startsWith("ustack_tcp_passive_opens_total") || l.contains(env.tap)).reduce("", (a, b) -> a + b + "\n"));
            assertTrue(value(after, "ustack_icmp_in_echos_total") >= value(before, "ustack_icmp_in_echos_total") + 5, after);
            assertTrue(value(after, "ustack_icmp_out_echo_reps_total") >= value(before, "ustack_icmp_out_echo_reps_total") + 5,
                    after);
            assertTrue(value(after, "ustack_icmp_msg_in_total{type=\"8\"}") >= 5, after);
            assertTrue(value(after, "ustack_tcp_passive_opens_total") >= value(before, "ustack_tcp_passive_opens_total") + 1,
                    after);
            assertTrue(value(after, "ustack_ip_in_receives_total") >= value(before, "ustack_ip_in_receives_total") + 5, after);
            assertTrue(value(after, rx) >= value(before, rx) + 5, after);
            value(after, "ustack_softnet_processed_total{cpu=\"0\"}"); // the backlog thread is there, with its label
        }
    }

    @Test
    void aPortInUseIsOneSentenceAndNoTap() throws Exception {
        RootRequirement.require("ip");
        String tap = "ut" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cmd c = Cmd.run(60, Daemon.command("daemon", "--control", work.resolve("m.sock").toString(),
                    "--iface", tap + ",addr=10.203.0.2/24", "--metrics", "127.0.0.1:" + taken.getLocalPort()));
            assertEquals(1, c.exit(), c.output());
            assertEquals("ustack: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use",
                    c.output().strip());
        } finally {
            if (Files.exists(Path.of("/sys/class/net", tap))) {
                Cmd.run("ip", "link", "del", tap);
            }
        }
        assertTrue(Files.notExists(Path.of("/sys/class/net", tap)), "no TAP was made");
        assertTrue(Files.notExists(work.resolve("m.sock")), "no control socket left");
    }
}
