package io.ustack.it;

import io.ustack.core.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command left running while the test does other things (a flood, a ping, a capture), its merged output
 * written to a file that the test reads as it grows, so it can wait for a line that says the command got
 * going instead of sleeping and hoping it did. Closing kills it if it is still running.
 */
final class Background implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final String name;

    private Background(Process process, Path output, String name) {
        this.process = process;
        this.output = output;
        this.name = name;
    }

    static Background start(List<String> argv) {
        try {
            Path out = Files.createTempFile("ustack-it-", ".out");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            return new Background(p, out, String.join(" ", argv));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    /** Its process id (ip netns exec execs the command, so this is the command's own). */
    long pid() {
        return process.pid();
    }

    /** What it printed so far. */
    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit status, once it has ended. */
    int exit() {
        return process.exitValue();
    }

    /** Waits until its output contains {@code text}; fails if it does not within {@code limit}. */
    void awaitOutput(String text, Duration limit) {
        Await.until("'" + text + "' from " + name, limit, () -> output().contains(text) || !isAlive());
        if (!output().contains(text)) {
            throw new AssertionError(name + " ended with " + exit() + " without printing '" + text + "':\n" + output());
        }
    }

    /** Waits for it to end by itself within {@code limit} (or kills it) and returns all it printed. */
    String finish(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            return output() + "\n(still running after " + limit.toSeconds() + " s: killed)";
        }
        return output();
    }

    /** SIGTERM, then its output once it has ended. */
    String stop() throws InterruptedException {
        process.destroy();
        return finish(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                stop();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a file left in the temporary directory is no reason to fail a test
            }
        }
    }
}
