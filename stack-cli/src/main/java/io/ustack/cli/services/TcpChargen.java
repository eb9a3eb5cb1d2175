package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;

/**
 * Character generator (RFC 864) over TCP: the rotating pattern, endlessly, as fast as the client takes it;
 * what the client sends is discarded, and its FIN ends the stream.
 */
final class TcpChargen extends TcpService.Connection {
    /** 95 lines of the pattern repeat exactly: write whole cycles. */
    private static final byte[] CYCLE = Chargen.lines(95 * 74);
    private int offset;

    TcpChargen(TcpSocket socket) {
        super(socket);
    }

    @Override
    void start() throws IOException {
        writable();
    }

    @Override
    void readable() throws IOException {
        byte[] sink = TcpService.SCRATCH.get();
        for (int n; (n = socket.tryRead(sink, 0, sink.length)) != 0; ) {
            if (n < 0) {
                socket.close();
                return;
            }
        }
    }

    @Override
    void writable() throws IOException {
        for (int n; (n = socket.tryWrite(CYCLE, offset, CYCLE.length - offset)) > 0; ) {
            offset = (offset + n) % CYCLE.length;
        }
    }
}
