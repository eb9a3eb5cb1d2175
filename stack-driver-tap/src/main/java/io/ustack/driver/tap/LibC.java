package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * The few libc calls the driver needs that Netty does not offer: open, ioctl, socket and close, bound by
 * JNA direct mapping (one JNI stub per method, no proxy). They are control-path calls; the per-frame
 * read and write go through Netty's {@code FileDescriptor} instead, which is several times cheaper.
 * Every method throws {@link LastErrorException} carrying errno when the call returns -1.
 */
final class LibC {
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    static {
        com.sun.jna.Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int open(String path, int flags) throws LastErrorException;

    /** ioctl with a struct ifreq (or any in/out struct) passed as bytes; JNA copies it back after the call. */
    static native int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

    /** ioctl whose argument is a number passed by value (TUNSETOFFLOAD). */
    static native int ioctl(int fd, NativeLong request, NativeLong arg) throws LastErrorException;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /** Closes {@code fd} on an error path, where a failure to close must not hide the first error. */
    static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // the fd is gone either way (close never leaves it open on Linux)
        }
    }
}
