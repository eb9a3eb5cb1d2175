package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;
import java.util.function.BiFunction;

/**
 * A TCP service on one port of both families: one listener on ::, as a Linux program that asks for :: gets it
 * (net.ipv6.bindv6only 0: IPv4 clients come as v4-mapped connections, ss shows *:PORT), and one on 0.0.0.0
 * beside it only when bindv6only=1 left the first IPv6's alone. Non-blocking: each accepted connection gets its own {@link Connection}, which
 * runs on that connection's backlog thread from its readiness callbacks and never blocks there, so the
 * service needs no threads of its own however many clients it has.
 */
final class TcpService implements Service {
    /** listen(2)'s backlog, as somaxconn caps it by default. */
    private static final int BACKLOG = 4096;

    /**
     * A buffer per backlog thread for reading: a connection's handler runs on its own thread and returns
     * before that thread serves another, so an idle connection holds no buffer of its own.
     */
    static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[65536]);

    /** One client's conversation. All of its methods run on the connection's Cpu. */
    abstract static class Connection {
        final TcpSocket socket;

        Connection(TcpSocket socket) {
            this.socket = socket;
        }

        /** Data arrived, or the peer closed: read what there is. */
        abstract void readable() throws IOException;

        /** Room came free in the send buffer. */
        void writable() throws IOException {
        }

        /** Runs once when the connection is accepted, before any callback. */
        void start() throws IOException {
            readable();
        }
    }

    private final int port;
    private final BiFunction<TcpSocket, NetStack, Connection> handler;
    private NetStack stack;
    private TcpListener listener;
    private TcpListener listener6;

    TcpService(int port, BiFunction<TcpSocket, NetStack, Connection> handler) {
        this.port = port;
        this.handler = handler;
    }

    @Override
    public void start(NetStack stack) throws IOException {
        this.stack = stack;
        listener6 = stack.tcp().listen6(Ipv6Address.UNSPECIFIED, port, BACKLOG);
        listener6.onAcceptable(() -> acceptAll(listener6));
        if (listener6.v6only()) {
            listener = stack.tcp().listen(0, port, BACKLOG);
            listener.onAcceptable(() -> acceptAll(listener));
        }
    }

    private void acceptAll(TcpListener from) {
        for (TcpSocket s; (s = from.tryAccept()) != null; ) {
            TcpSocket accepted = s;
            accepted.runOnCpu(() -> serve(accepted));
        }
    }

    private void serve(TcpSocket s) {
        Connection c = handler.apply(s, stack);
        s.onReadable(() -> guarded(c, c::readable));
        s.onWritable(() -> guarded(c, c::writable));
        guarded(c, c::start);
    }

    /** One step of a connection's handler, which may fail with an IOException. */
    interface Step {
        void run() throws IOException;
    }

    /** A client that resets or misbehaves ends its own connection, never the service. */
    private static void guarded(Connection c, Step step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            c.socket.close();
        }
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        if (listener6 != null) {
            listener6.close();
        }
    }
}
