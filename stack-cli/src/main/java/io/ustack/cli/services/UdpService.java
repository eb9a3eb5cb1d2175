package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import io.ustack.core.udp.UdpDatagramReceived;
import io.ustack.core.udp.UdpSocket;
import java.io.IOException;

/**
 * A UDP service on one port: each datagram is answered (or not) by {@link #answer}. It reads from the
 * socket's readiness callback, so the work runs on the backlog thread that received the datagram, and it
 * never blocks there.
 */
abstract class UdpService implements Service {
    private static final System.Logger LOG = System.getLogger(UdpService.class.getName());

    private final int port;
    private UdpSocket socket;

    UdpService(int port) {
        this.port = port;
    }

    @Override
    public void start(NetStack stack) throws IOException {
        socket = stack.udp().open();
        socket.bind(0, port);
        socket.onReadable(this::serve);
    }

    private void serve() {
        try {
            for (UdpDatagramReceived d; (d = socket.poll()) != null; ) {
                byte[] reply = answer(d.data());
                if (reply != null) {
                    socket.sendTo(reply, 0, reply.length, d.sourceAddress(), d.sourcePort());
                }
            }
        } catch (IOException e) {
            // one client's bad luck (no route back, say) must not stop the service for the others
            LOG.log(System.Logger.Level.DEBUG, "udp/" + port + ": " + e.getMessage());
        }
    }

    /** The reply to one datagram, or null for none. */
    abstract byte[] answer(byte[] request);

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
