package io.ustack.core.socket;

import java.net.SocketException;

/** A system call of the socket layer failed with {@link #errno()}: what returns -1 and sets errno in C. */
public final class ErrnoException extends SocketException {
    private final Errno errno;

    public ErrnoException(Errno errno) {
        super(errno.name() + " (" + errno.message() + ")");
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
