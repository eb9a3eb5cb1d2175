package io.ustack.it;

import io.ustack.core.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command left running while the test does other things (a flood, a ping, a capture), its merged output
 * gathered as it comes so the test can wait for a line that says the command got going, instead of
 * sleeping and hoping it did. Closing kills it if it is still running.
 */
final class Background implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;
    private final String name;

    private Background(Process process, String name) {
        this.process = process;
        this.name = name;
        this.reader = new Thread(this::read, "output of " + name);
        reader.setDaemon(true);
        reader.start();
    }

    static Background start(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            return new Background(p, String.join(" ", argv));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    private void read() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            output.append("\n(output unreadable: ").append(e).append(')');
        }
    }

    /** What it printed so far. */
    String output() {
        return output.toString();
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
        Await.until("'" + text + "' from " + name, limit, () -> output().contains(text) || !isAlive() && !reader.isAlive());
        if (!output().contains(text)) {
            throw new AssertionError(name + " ended without printing '" + text + "':\n" + output());
        }
    }

    /** Waits for it to end by itself within {@code limit} (or kills it) and returns all it printed. */
    String finish(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            output.append("\n(still running after ").append(limit.toSeconds()).append(" s: killed)");
            process.destroyForcibly();
            process.waitFor();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return output();
    }

    /** SIGTERM, then its output once it has ended. */
    String stop() throws InterruptedException {
        process.destroy();
        return finish(Duration.ofSeconds(10));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
