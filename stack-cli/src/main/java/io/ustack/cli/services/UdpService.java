package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import io.ustack.core.udp.UdpDatagramReceived;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;

/**
 * A UDP service on one port of both families, a socket on 0.0.0.0 and one on :: with IPV6_V6ONLY, as inetd and
 * most daemons open them (rather than one on :: taking IPv4 as v4-mapped, which bindv6only=1 would turn off, and
 * which would show IPv4 clients as ::ffff:a.b.c.d): each datagram is answered (or not) by {@link #answer}, over the family it came by. It reads from
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
        socket = stack.udp().open();
        socket.bind(0, port);
        socket.onReadable(() -> serve(socket));
        socket6 = stack.udp().open6();
        socket6.setV6Only(true);
        socket6.bind6(Ipv6Address.UNSPECIFIED, port);
        socket6.onReadable(() -> serve(socket6));
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
