package io.ustack.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TCP ends of the router tests (nf_peer.py): servers on the right host, their lines appended to one log,
 * and connections from the left host. Closing stops the servers.
 */
final class NfPeer implements AutoCloseable {
    final Path script;
    private final Path log;
    private final NetNs server;
    private final NetNs client;
    private final List<Process> servers = new ArrayList<>();

    /** nf_peer.py copied into {@code work}; servers run in {@code server}, connections start in {@code client}. */
    NfPeer(Path work, NetNs server, NetNs client) throws IOException {
        this.script = work.resolve("nf_peer.py");
        try (InputStream in = NfPeer.class.getResourceAsStream("/nf_peer.py")) {
            Files.copy(in, script);
        }
        this.log = work.resolve("server.log");
        this.server = server;
        this.client = client;
    }

    /** nf_peer.py's {@code mode} (serve or sink) on {@code port}; waits until it listens. */
    void start(String mode, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", server.name, "python3", "-u", script.toString(), mode,
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int want = servers.size();
        while (log().lines().filter(l -> l.startsWith("listening")).count() < want) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the test server on port " + port + " did not start:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    /** Everything the servers printed. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The "peer ADDR PORT mss MSS" lines' words, oldest first. */
    List<String[]> peers() {
        return log().lines().filter(l -> l.startsWith("peer ")).map(l -> l.split(" ")).toList();
    }

    /** A TCP connection from the client's side; returns what nf_peer.py's connect printed. */
    Cmd connect(String host, int port) {
        return client.exec("python3", script.toString(), "connect", host, Integer.toString(port));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
