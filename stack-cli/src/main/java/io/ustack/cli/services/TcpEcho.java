package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.util.Arrays;

/**
 * Echo (RFC 862) over TCP: what is read is written back. When the send buffer is full it stops reading,
 * so a client that does not read its echo is slowed by TCP's own flow control rather than by our memory.
 */
final class TcpEcho extends TcpService.Connection {
    /** Bytes read but not yet taken by the send buffer; null when there are none. */
    private byte[] pending;
    private int pendingOff;
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
        if (!flushPending()) {
            return; // wait for writable
        }
        byte[] buf = TcpService.SCRATCH.get();
        while (true) {
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
            int written = socket.tryWrite(buf, 0, n);
            if (written < n) {
                pending = Arrays.copyOfRange(buf, written, n);
                pendingOff = 0;
                if (!flushPending()) {
                    return;
                }
            }
        }
    }

    /** Writes what is pending; true when nothing is left. */
    private boolean flushPending() throws IOException {
        while (pending != null) {
            int n = socket.tryWrite(pending, pendingOff, pending.length - pendingOff);
            if (n == 0) {
                return false;
            }
            pendingOff += n;
            if (pendingOff == pending.length) {
                pending = null;
            }
        }
        return true;
    }
}
