package io.ustack.driver.tap;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Runs a command (ip, ping) for a test and returns its exit code and output; never hangs. */
final class Shell {
    private static final int TIMEOUT_SECONDS = 20;

    record Result(int exit, String out) {
    }

    private Shell() {
    }

    static Result run(String... cmd) {
        File out = null;
        Process p = null;
        try {
            out = File.createTempFile("ustack-shell", ".out");
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), Files.readString(out.toPath()));
        } catch (IOException e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                p.destroyForcibly();
            }
            return new Result(-1, "interrupted");
        } finally {
            if (out != null) {
                out.delete();
            }
        }
    }

    /** Runs {@code cmd} and returns its output; a non-zero exit fails the test with the output. */
    static String ok(String... cmd) {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }
}
