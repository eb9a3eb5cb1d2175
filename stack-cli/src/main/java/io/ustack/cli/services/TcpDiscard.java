package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;

/** Discard (RFC 863) over TCP: reads and forgets; after the client's FIN it closes its own side. */
final class TcpDiscard extends TcpService.Connection {
    TcpDiscard(TcpSocket socket) {
        super(socket);
    }

    @Override
    void readable() throws IOException {
        byte[] buf = TcpService.SCRATCH.get();
        for (int n; (n = socket.tryRead(buf, 0, buf.length)) != 0; ) {
            if (n < 0) {
                socket.close();
                return;
            }
        }
    }
}
