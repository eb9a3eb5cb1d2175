package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import io.ustack.core.udp.UdpDatagramReceived;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;

/**
 * A UDP service on one port of both families: one socket on :: (net.ipv6.bindv6only 0: it takes IPv4 too, its
 * peers v4-mapped), and one on 0.0.0.0 beside it only when bindv6only=1 left the first IPv6's alone: each datagram is answered (or not) by {@link #answer}, over the family it came by. It reads from
 * each socket's readiness callback, so the work runs on the backlog thread that received the datagram, and it
 * never blocks there.
 */
abstract class UdpService implements Service {
    private static final System.Logger LOG = System.getLogger(UdpService.class.getName());

    private final int port;
    private UdpSocket socket;
    private UdpSocket socket6;

    UdpService(int port) {
        this.port = port;
    }

    @Override
    public void start(NetStack stack) throws IOException {
        socket6 = stack.udp().open6();
        socket6.bind6(Ipv6Address.UNSPECIFIED, port);
        socket6.onReadable(() -> serve(socket6));
        if (socket6.v6only()) {
            socket = stack.udp().open();
            socket.bind(0, port);
            socket.onReadable(() -> serve(socket));
        }
    }

    private void serve(UdpSocket s) {
        try {
            for (UdpDatagramReceived d; (d = s.poll()) != null; ) {
                byte[] reply = answer(d.data());
                if (reply != null) {
                    s.reply(d, reply, 0, reply.length);
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
        if (socket6 != null) {
            socket6.close();
        }
    }
}
