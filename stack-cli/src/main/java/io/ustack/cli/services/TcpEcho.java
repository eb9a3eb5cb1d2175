package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;

/**
 * Echo (RFC 862) over TCP: what is read is written back. When the send buffer is full it stops reading,
 * so a client that does not read its echo is slowed by TCP's own flow control rather than by our memory.
 */
final class TcpEcho extends TcpService.Connection {
    private final byte[] buf = new byte[65536];
    private int pendingOff;
    private int pendingLen;
    private boolean peerDone;

    TcpEcho(TcpSocket socket) {
        super(socket);
    }

    @Override
    void readable() throws IOException {
        pump();
    }

    @Override
    void writable() throws IOException {
        pump();
    }

    private void pump() throws IOException {
        while (true) {
            while (pendingLen > 0) {
                int n = socket.tryWrite(buf, pendingOff, pendingLen);
                if (n == 0) {
                    return; // wait for writable
                }
                pendingOff += n;
                pendingLen -= n;
            }
            if (peerDone) {
                socket.close();
                return;
            }
            int n = socket.tryRead(buf, 0, buf.length);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                peerDone = true;
                continue;
            }
            pendingOff = 0;
            pendingLen = n;
        }
    }
}
