package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;

/**
 * A connection to the iperf3 port: it reads the client's cookie, then takes its role. With the server free it
 * is a new test's control connection; during the running test's stream set-up, one with that test's cookie is
 * one of its data streams; anyone else is denied. Like iperf3's iperf_accept, a connection arriving while a
 * test runs is denied at once, without waiting for its cookie.
 */
final class Iperf3Connection extends TcpService.Connection {
    /** What the connection does once it knows what it is. Its methods run on the connection's Cpu. */
    interface Role {
        void readable() throws IOException;

        default void writable() throws IOException {
        }

        /** The connection failed (the peer reset it, or broke the protocol): it is being closed. */
        default void failed(Exception cause) {
        }
    }

    private static final Role DENIED = () -> {
    };

    private final Iperf3Server server;
    private final ExactRead cookie = new ExactRead();
    /** Null while the cookie is read. */
    private Role role;

    Iperf3Connection(TcpSocket socket, Iperf3Server server) {
        super(socket);
        this.server = server;
    }

    @Override
    void start() throws IOException {
        Iperf3Test running = server.current();
        if (running != null && !running.acceptsStreams()) {
            deny();
            return;
        }
        readable();
    }

    @Override
    void readable() throws IOException {
        if (role == null) {
            takeRole();
        }
        if (role != null) {
            run(role::readable);
        }
    }

    @Override
    void writable() throws IOException {
        if (role != null) {
            run(role::writable);
        }
    }

    private void takeRole() throws IOException {
        byte[] c = cookie.read(socket, Iperf3.COOKIE_SIZE);
        if (c == null) {
            return;
        }
        if (!Iperf3.wellFormedCookie(c)) {
            throw new IOException("not an iperf3 cookie");
        }
        Iperf3Test running = server.current();
        Role r = running != null ? running.addStream(socket, c) : server.claim(socket, c);
        if (r == null) {
            deny();
            return;
        }
        role = r;
        if (r instanceof Iperf3Test t) {
            run(t::start);
        }
    }

    /** ACCESS_DENIED, as iperf3 tells a client that comes while it is busy, then a FIN. */
    private void deny() throws IOException {
        role = DENIED;
        byte[] sink = TcpService.SCRATCH.get();
        while (socket.tryRead(sink, 0, sink.length) > 0) {
            // what the client sent (its cookie) is read, so that closing sends a FIN, not a RST
        }
        socket.tryWrite(new byte[] {Iperf3.ACCESS_DENIED}, 0, 1);
        socket.close();
    }

    /** Runs a step of the role; if it throws, the role hears of it before the connection is closed. */
    private void run(TcpService.Step step) throws IOException {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            role.failed(e);
            throw e;
        }
    }
}
