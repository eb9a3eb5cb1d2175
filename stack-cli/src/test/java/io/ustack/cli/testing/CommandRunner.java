package io.ustack.cli.testing;

import io.ustack.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the `ustack` command line in-process and keeps what it printed, as a user would see it. */
public final class CommandRunner {
    private final Path control;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** @param control the control socket every command is pointed at, or null to add no --control */
    public CommandRunner(Path control) {
        this.control = control;
    }

    /** Runs {@code ustack ARGS...}; returns the exit code. Output of earlier runs is forgotten. */
    public int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        if (control == null) {
            return cl.execute(args);
        }
        String[] all = new String[args.length + 2];
        all[0] = "--control";
        all[1] = control.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return cl.execute(all);
    }

    public String out() {
        return out.toString();
    }

    public String err() {
        return err.toString();
    }
}
