package io.ustack.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion, merging its output, with a time limit. */
record Cmd(int exit, String output) {

    static Cmd run(long timeoutSeconds, List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                out = p.getInputStream().readAllBytes();
                return new Cmd(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", argv) + "\n"
                        + new String(out, StandardCharsets.UTF_8));
            }
            out = p.getInputStream().readAllBytes();
            return new Cmd(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Cmd(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Cmd(-1, e.toString());
        }
    }

    static Cmd run(String... argv) {
        return run(60, List.of(argv));
    }

    /** Throws with the command's output unless it exited 0. */
    Cmd ok() {
        if (exit != 0) {
            throw new AssertionError("command failed (exit " + exit + "): " + output);
        }
        return this;
    }
}
