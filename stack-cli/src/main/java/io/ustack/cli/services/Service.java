package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import java.io.IOException;

/** One built-in service the daemon runs on the stack's own sockets (echo, discard, chargen...). */
public interface Service extends AutoCloseable {
    /** Binds the service's sockets on {@code stack}; it serves from then until {@link #close}. */
    void start(NetStack stack) throws IOException;

    @Override
    void close();
}
