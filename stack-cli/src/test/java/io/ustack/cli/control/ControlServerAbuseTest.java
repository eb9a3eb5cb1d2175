package io.ustack.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket under hostile and broken clients: each gets an error line or is cut off, and a
 * well-behaved client beside them is still answered promptly.
 */
class ControlServerAbuseTest {
    /** The defaults but a short idle timeout and two long-running commands at most, so the tests run quickly. */
    private static final ControlLimits LIMITS = new ControlLimits(ControlLimits.DEFAULT.maxRequestBytes(),
            ControlLimits.DEFAULT.maxPending(), ControlLimits.DEFAULT.maxConnections(), Duration.ofMillis(500), 2);
    private static final long DEADLINE_MS = 20_000;

    @TempDir
    Path dir;
    private Path sock;
    private NetStack stack;
    private ControlServer server;

    @BeforeEach
    void start() {
        sock = dir.resolve("ustack.sock");
        stack = new NetStack(StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0));
        server = ControlServer.bind(sock, new ControlDispatcher(ControlHandlers.forStack(stack)), LIMITS);
    }

    @AfterEach
    void stop() {
        server.close();
        stack.close();
    }

    @Test
    void malformedJsonGetsAnErrorAndTheConnectionServesOn() throws Exception {
        try (Conn c = new Conn(sock)) {
            for (String bad : List.of("{", "{\"cmd\":", "[1,2]", "{\"cmd\":7}", "{\"cmd\":\"stats\",\"args\":[]}",
                    "\u0000\u00ff\u00fe", "[".repeat(5000) + "]".repeat(5000), "{\"cmd\":\"stats\"} trailing")) {
                c.send(bad + "\n");
                ControlResponse r = ControlResponse.parse(c.line());
                assertFalse(r.ok(), bad);
                assertTrue(r.error().startsWith("the request is not valid JSON") || r.error().startsWith("a request must be")
                        || r.error().startsWith("the request's \"args\""), r.error());
            }
            c.send("{\"cmd\":\"stats\"}\n");
            assertTrue(ControlResponse.parse(c.line()).ok());
        }
    }

    @Test
    void aHundredMegabyteRequestIsCutOffAfterTheLimit() throws Exception {
        try (Conn c = new Conn(sock)) {
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
                try {
                    while (sent.get() < 100L << 20) {
                        chunk.clear();
                        sent.addAndGet(c.ch.write(chunk));
                    }
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertEquals("the request is longer than 65536 bytes", ControlResponse.parse(c.line()).error());
            assertEquals(null, c.line(), "then the connection is closed");
            assertTrue(ControlClient.result(sock, ControlRequest.of("stats")).has("flat"), "others are served meanwhile");
            Throwable e = writer.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            assertTrue(e instanceof IOException, "the writer is cut off (broken pipe), not read to the end: " + e);
            assertTrue(sent.get() < 100L << 20, "the daemon stopped reading after " + sent.get() + " bytes");
        }
    }

    @Test
    void halfARequestAndThenNothingIsCutOffByTheIdleTimeout() throws Exception {
        try (Conn half = new Conn(sock); Conn silent = new Conn(sock)) {
            half.send("{\"cmd\":\"st");
            assertEquals("no whole request came within 0.5 s; closing the connection", ControlResponse.parse(half.line()).error());
            assertNull(half.line());
            assertEquals("no whole request came within 0.5 s; closing the connection", ControlResponse.parse(silent.line()).error());
            assertNull(silent.line());
        }
    }

    @Test
    void aTrickleThatNeverEndsALineIsCutOffToo() throws Exception {
        try (Conn c = new Conn(sock)) {
            long start = System.nanoTime();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.line();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            while (!answer.isDone() && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS)) {
                try {
                    c.send(" ");
                } catch (IOException e) {
                    break; // closed by the daemon
                }
                Thread.sleep(50); // a trickle: one byte every 50 ms, well inside the 500 ms idle timeout
            }
            assertEquals("no whole request came within 0.5 s; closing the connection",
                    ControlResponse.parse(answer.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).error());
        }
    }

    @Test
    void fiveHundredConnectionsAtOnceDoNotLockOutTheNextClient() throws Exception {
        // an idle timeout longer than opening 500 connections can take on a loaded machine: each of those
        // closed here must be closed to make room, not for idling
        server.close();
        server = ControlServer.bind(sock, new ControlDispatcher(ControlHandlers.forStack(stack)), new ControlLimits(
                LIMITS.maxRequestBytes(), LIMITS.maxPending(), LIMITS.maxConnections(), Duration.ofMillis(3 * DEADLINE_MS),
                LIMITS.maxLongRunning()));
        List<Conn> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                flood.add(new Conn(sock));
            }
            assertTrue(ControlClient.result(sock, ControlRequest.of("stats")).has("flat"), "a well-behaved client is served");
            int max = LIMITS.maxConnections();
            for (int i = 0; i < 500 - max; i++) {
                String line = flood.get(i).line();
                assertTrue(ControlResponse.parse(line).error().startsWith("closed to make room: " + max
                        + " control connections were open and this one was idle the longest"), line);
                assertNull(flood.get(i).line());
            }
        } finally {
            for (Conn c : flood) {
                c.close();
            }
        }
    }

    @Test
    void requestsSentFarAheadOfTheirAnswersCloseTheConnection() throws Exception {
        try (Conn c = new Conn(sock)) {
            c.send("{\"cmd\":\"stats\"}\n".repeat(1000));
            List<String> lines = new ArrayList<>();
            for (String l = c.line(); l != null; l = c.line()) {
                lines.add(l);
            }
            assertTrue(lines.size() <= 1 + LIMITS.maxPending(), "answers: " + lines.size());
            assertEquals("more than 4 requests were sent ahead of their answers; read each answer before sending more",
                    ControlResponse.parse(lines.get(lines.size() - 1)).error());
        }
    }

    @Test
    void captureRunsOnItsOwnThreadAndEndsWhenItsClientLeaves() throws Exception {
        Path pcap1 = dir.resolve("a.pcap");
        Path pcap2 = dir.resolve("b.pcap");
        try (Conn a = new Conn(sock); Conn b = new Conn(sock)) {
            // two captures of an hour: before, each held one of the two control workers, and stats waited behind them
            a.send(capture(pcap1));
            b.send(capture(pcap2));
            waitFor(() -> Files.exists(pcap1) && Files.exists(pcap2), "both captures to start");
            long t0 = System.nanoTime();
            assertTrue(ControlClient.result(sock, ControlRequest.of("stats")).has("flat"));
            assertTrue(ControlClient.call(sock, ControlRequest.of("ss"), Duration.ofSeconds(5)).ok());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "stats and ss are answered at once");
            try (Conn third = new Conn(sock)) {
                third.send(capture(dir.resolve("c.pcap")));
                assertEquals("'capture' must wait: 2 long-running commands (ping, capture) are running already, the most "
                        + "at once", ControlResponse.parse(third.line()).error());
            }
            assertEquals(2, captureThreads());
        }
        waitFor(() -> captureThreads() == 0, "the captures to end once their clients closed their connections");
        assertEquals(24, Files.size(pcap1), "a pcap file with its header, closed properly");
        try (Conn again = new Conn(sock)) {
            again.send("{\"cmd\":\"capture\",\"args\":{\"iface\":\"lo\",\"file\":\"" + dir.resolve("d.pcap")
                    + "\",\"timeoutMs\":1}}\n");
            assertTrue(ControlResponse.parse(again.line()).ok(), "the long-running slots are free again");
        }
    }

    @Test
    void theSecondLongCommandOnAConnectionEndsWithItsClientToo() throws Exception {
        try (Conn c = new Conn(sock)) {
            for (int i = 0; i < 20; i++) {
                c.send("{\"cmd\":\"capture\",\"args\":{\"iface\":\"lo\",\"file\":\"" + dir.resolve("s" + i + ".pcap")
                        + "\",\"timeoutMs\":1}}\n");
                assertTrue(ControlResponse.parse(c.line()).ok());
            }
            c.send(capture(dir.resolve("long.pcap")));
            waitFor(() -> Files.exists(dir.resolve("long.pcap")) && captureThreads() == 1, "the long capture to start");
        }
        waitFor(() -> captureThreads() == 0, "the long capture to end with its client");
    }

    private static String capture(Path file) {
        return "{\"cmd\":\"capture\",\"args\":{\"iface\":\"lo\",\"file\":\"" + file + "\",\"timeoutMs\":3600000}}\n";
    }

    private static long captureThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ustack-control-capture")).count();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + DEADLINE_MS + " ms for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A raw client connection: bytes out, lines in. */
    private static final class Conn implements AutoCloseable {
        final SocketChannel ch;
        private final OutputStream out;
        private final BufferedReader in;

        Conn(Path sock) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(sock));
            out = Channels.newOutputStream(ch);
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The next line, or null at the end; an error if none comes within the deadline. */
        String line() throws IOException {
            try {
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.readLine();
                    } catch (IOException e) {
                        return null; // reset by the daemon: the end, as far as the client can tell
                    }
                }).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IOException("no line within " + DEADLINE_MS + " ms", e);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
