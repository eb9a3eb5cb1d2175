package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A TAP stand-in that needs no privileges: a non-blocking AF_UNIX SOCK_SEQPACKET socket pair keeps frame
 * boundaries as a TAP fd does, and its send buffer fills up (EAGAIN, then EPOLLOUT once the peer reads),
 * which a real TAP almost never does. The driver gets one end; the test plays the wire on the other.
 */
final class SocketPair implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;

    static {
        com.sun.jna.Native.register(Platform.C_LIBRARY_NAME);
    }

    private static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    final FileDescriptor driverEnd;
    final FileDescriptor wireEnd;
    private final ByteBuffer io = ByteBuffer.allocateDirect(65536);

    SocketPair() {
        int[] sv = new int[2];
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
        driverEnd = new FileDescriptor(sv[0]);
        wireEnd = new FileDescriptor(sv[1]);
    }

    /** Puts one frame on the wire towards the driver; false if the driver's receive side is full (EAGAIN). */
    boolean send(byte[] frame) throws IOException {
        io.clear().put(frame).flip();
        return wireEnd.write(io, 0, frame.length) == frame.length;
    }

    /** The next frame the driver sent, or null if there is none now. */
    byte[] receive() throws IOException {
        io.clear();
        int n = wireEnd.read(io, 0, io.capacity());
        if (n <= 0) {
            return null;
        }
        byte[] out = new byte[n];
        io.get(0, out);
        return out;
    }

    @Override
    public void close() throws IOException {
        wireEnd.close();
        driverEnd.close();
    }
}
