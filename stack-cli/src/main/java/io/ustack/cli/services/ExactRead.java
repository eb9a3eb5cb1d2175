package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.EOFException;
import java.io.IOException;

/**
 * Reads a message of known length from a non-blocking socket across as many readiness callbacks as it takes.
 * The buffer exists only while a message is partly read, and the caller bounds its length.
 */
final class ExactRead {
    private byte[] buf;
    private int have;

    /**
     * The {@code n} bytes once they have all come, null until then; the caller asks again, for the same
     * {@code n}, on its next readable callback. End of stream before the last byte is an EOFException.
     */
    byte[] read(TcpSocket socket, int n) throws IOException {
        if (buf == null) {
            buf = new byte[n];
            have = 0;
        }
        while (have < n) {
            int got = socket.tryRead(buf, have, n - have);
            if (got == 0) {
                return null;
            }
            if (got < 0) {
                throw new EOFException("the peer closed after " + have + " of " + n + " bytes");
            }
            have += got;
        }
        byte[] done = buf;
        buf = null;
        return done;
    }
}
