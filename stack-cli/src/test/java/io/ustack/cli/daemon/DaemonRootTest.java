package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.Logging;
import io.ustack.cli.services.ServiceList;
import io.ustack.cli.UserException;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Uid;
import io.ustack.core.testing.Requirement;
import io.ustack.driver.tap.Tap;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon in-process on a real TAP: up line, control socket, and the stop path that SIGTERM takes.
 * Needs root and /dev/net/tun; without them it is skipped, loudly, unless CI=true, where it fails.
 */
class DaemonRootTest {
    @TempDir
    Path dir;
    /** Unique per test, so parallel runs and leftovers from a killed run do not collide; "ut" marks ours. */
    private final String tap = "ut" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final StopSignal stop = new StopSignal();
    private final Lines out = new Lines();
    private CompletableFuture<Integer> daemon;

    @BeforeEach
    void needRootAndTun() {
        String missing = Uid.current() != 0 ? "it is not running as root"
                : !Tap.isAvailable() ? Tap.unavailabilityCause() : null;
        if (missing != null) {
            Requirement.unmet("DaemonRootTest needs root and /dev/net/tun, but " + missing);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        stop.stop("the end of the test");
        if (daemon != null) {
            daemon.handle((code, e) -> code).get(30, TimeUnit.SECONDS);
        }
        if (Files.exists(sysfs(tap))) {
            new ProcessBuilder("ip", "link", "del", tap).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void upThenStatsThenStopRemovesTheTapAndTheSocket() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        start(List.of(tap + ",addr=10.250.7.2/24"), sock);

        assertEquals("ustack: up: " + tap + " 10.250.7.2/24, control " + sock, out.next());
        assertTrue(Files.exists(sysfs(tap)), "the TAP exists while the daemon runs");
        JsonNode flat = ControlClient.result(sock, ControlRequest.of("stats")).get("flat");
        assertTrue(flat.has("IpInReceives"));
        assertTrue(flat.has(tap + ":rx_packets"));
        assertEquals("the daemon was started without --config: there is no file to read again",
                ControlClient.result(sock, ControlRequest.of("reload")).path("failed").asText());

        stop.stop("SIGTERM (simulated)");
        assertEquals(0, daemon.get(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(sysfs(tap)), "the TAP the daemon created is removed");
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the control socket is removed");
        assertEquals(List.of(), out.rest(), "one line only on stdout");
    }

    @Test
    void aTapThatCannotBeOpenedLeavesNothingBehind() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        // lo exists and is not a TAP: the second TAP fails after the first and the control socket are up.
        start(List.of(tap, "lo"), sock);

        UserException e = (UserException) assertThrows(Exception.class, () -> daemon.get(30, TimeUnit.SECONDS)).getCause();
        assertTrue(e.getMessage().contains("lo"), e.getMessage());
        assertFalse(Files.exists(sysfs(tap)), "the first TAP is removed again");
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the control socket is removed again");
        assertEquals(List.of(), out.rest(), "no up line");
    }

    @Test
    void metricsServedWhileUpAndGoneAfter() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        start(DaemonConfig.parse(List.of(tap + ",addr=10.250.8.2/24"), List.of(), 1).withMetrics("127.0.0.1:" + port), sock);
        assertEquals("ustack: up: " + tap + " 10.250.8.2/24, control " + sock + ", metrics http://127.0.0.1:" + port
                + "/metrics", out.next());
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        String text = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(text.contains("ustack_link_rx_packets_total{device=\"" + tap + "\"}"), text);
        assertTrue(text.contains("ustack_ip_in_receives_total"), text);

        stop.stop("SIGTERM (simulated)");
        assertEquals(0, daemon.get(30, TimeUnit.SECONDS));
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "the metrics port is free again");
        }
    }

    @Test
    void aMetricsPortInUseStartsNothing() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            start(DaemonConfig.parse(List.of(tap + ",addr=10.250.9.2/24"), List.of(), 1)
                    .withMetrics("127.0.0.1:" + taken.getLocalPort()), sock);
            UserException e = (UserException) assertThrows(Exception.class, () -> daemon.get(30, TimeUnit.SECONDS)).getCause();
            assertEquals("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use", e.getMessage());
        }
        assertFalse(Files.exists(sysfs(tap)), "no TAP was created");
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the control socket is removed again");
        assertEquals(List.of(), out.rest(), "no up line");
    }

    private void start(List<String> ifaces, Path sock) {
        start(DaemonConfig.parse(ifaces, List.of(), 1), sock);
    }

    private void start(DaemonConfig config, Path sock) {
        daemon = CompletableFuture.supplyAsync(() -> DaemonCommand.run(new ConfigSource(null, ConfigSource.Flags.none()),
                new ConfigSource.Loaded(config, "all", Logging.Level.INFO), ServiceList.parse("all"), sock,
                new PrintWriter(out), stop));
    }

    private static Path sysfs(String name) {
        return Path.of("/sys/class/net", name);
    }

    /** Stdout as lines, handed to the test thread as they are completed. */
    static final class Lines extends Writer {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                } else {
                    partial.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String next() throws InterruptedException, IOException {
            String line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("no line on stdout within 30 s");
            }
            return line;
        }

        List<String> rest() {
            return List.copyOf(lines);
        }
    }
}
