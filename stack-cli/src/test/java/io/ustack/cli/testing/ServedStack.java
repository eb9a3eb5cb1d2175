package io.ustack.cli.testing;

import io.ustack.cli.control.ControlDispatcher;
import io.ustack.cli.control.ControlHandlers;
import io.ustack.cli.control.ControlServer;
import io.ustack.core.testing.StackHarness;
import java.nio.file.Path;

/**
 * A test stack served on a control socket in {@code dir} with every handler the daemon has, and a command
 * line pointed at it: how the CLI tests meet `ustack` as a user does, without a TAP.
 */
public final class ServedStack implements AutoCloseable {
    public final StackHarness harness = new StackHarness();
    public final CommandRunner cli;
    private final ControlServer server;

    public ServedStack(Path dir) {
        server = ControlServer.bind(dir.resolve("ustack.sock"), new ControlDispatcher(ControlHandlers.forStack(harness.stack)));
        cli = new CommandRunner(server.path());
    }

    /** Stops serving, then closes the stack (which checks for leaked buffers). */
    @Override
    public void close() {
        server.close();
        harness.close();
    }
}
