package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Messages for a non-blocking socket, sent in order: what the send buffer cannot take now waits here for the
 * next writable callback. For a protocol's own few, small messages, whose total it bounds itself.
 */
final class PendingWrites {
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int headOff;

    /** Queues {@code message} (which it then owns) and writes what fits; true when all of it is out. */
    boolean send(TcpSocket socket, byte[] message) throws IOException {
        queue.add(message);
        return flush(socket);
    }

    /** Writes what is waiting; true when nothing is left. */
    boolean flush(TcpSocket socket) throws IOException {
        for (byte[] head; (head = queue.peek()) != null; ) {
            int n = socket.tryWrite(head, headOff, head.length - headOff);
            if (n == 0) {
                return false;
            }
            headOff += n;
            if (headOff == head.length) {
                queue.poll();
                headOff = 0;
            }
        }
        return true;
    }
}
