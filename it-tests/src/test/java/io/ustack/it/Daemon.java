package io.ustack.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real `ustack daemon`, run from the shaded jar in its own process, as a user would run it. Its stdout
 * and stderr go to a log file that failures print.
 */
final class Daemon implements AutoCloseable {
    private final Process process;
    private final Path log;
    final Path control;

    private Daemon(Process process, Path log, Path control) {
        this.process = process;
        this.log = log;
        this.control = control;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("ustack.jar", "../stack-cli/target/ustack.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build stack-cli first (mvnw package)");
        }
        return jar;
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the daemon and waits for its "ustack: up:" line. */
    static Daemon start(Path workDir, String... args) throws IOException, InterruptedException {
        return startIn(null, workDir, args);
    }

    /**
     * As {@link #start}, inside network namespace {@code netns} when it is not null (ip netns exec runs the JVM
     * itself there, so SIGTERM still reaches the daemon): its TAPs and their host sides live in that namespace.
     */
    static Daemon startIn(String netns, Path workDir, String... args) throws IOException, InterruptedException {
        Path control = workDir.resolve("ustack.sock");
        Path log = workDir.resolve("daemon.log");
        List<String> cmd = new ArrayList<>(List.of("daemon", "--control", control.toString()));
        cmd.addAll(List.of(args));
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(command(cmd.toArray(String[]::new)));
        Process p = new ProcessBuilder(argv)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        Daemon d = new Daemon(p, log, control);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (d.log().contains("ustack: up:")) {
                return d;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the daemon exited with " + p.exitValue() + " before coming up:\n" + d.log());
            }
            Thread.sleep(50);
        }
        d.close();
        throw new AssertionError("the daemon did not come up within 30 s:\n" + d.log());
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** `ustack stats`, parsed from its "Name value" lines. */
    /** A ustack control command ({@code route -6}, {@code addr}...) against this daemon. */
    Cmd ustack(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--control", control.toString()));
        return Cmd.run(60, command(argv.toArray(String[]::new)));
    }

    Map<String, Long> stats() {
        Cmd c = ustack("stats").ok();
        Map<String, Long> m = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(c.output().getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[1].matches("-?\\d+")) {
                    m.put(parts[0], Long.parseLong(parts[1]));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    /** Sends SIGTERM and waits; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError("the daemon ignored SIGTERM for 20 s:\n" + log());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
