package io.ustack.core.socket;

/**
 * The errno values the socket layer returns, with Linux's numbers (asm-generic/errno.h) and the C library's
 * strerror texts, so a caller (a packetdrill script, say) sees what it would see on Linux:
 * {@code -1 EINPROGRESS (Operation now in progress)}.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EEXIST(17, "File exists"),
    EINVAL(22, "Invalid argument"),
    EMFILE(24, "Too many open files"),
    EPIPE(32, "Broken pipe"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EDESTADDRREQ(89, "Destination address required"),
    EMSGSIZE(90, "Message too long"),
    EPROTOTYPE(91, "Protocol wrong type for socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    ESOCKTNOSUPPORT(94, "Socket type not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETUNREACH(101, "Network is unreachable"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTUNREACH(113, "No route to host"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /** The value a system call would leave in errno. */
    public int number() {
        return number;
    }

    /** strerror(number). */
    public String message() {
        return message;
    }

    /** The errno called {@code name} ("EAGAIN"; EWOULDBLOCK is its other name), or null. */
    public static Errno named(String name) {
        if ("EWOULDBLOCK".equals(name)) {
            return EAGAIN;
        }
        for (Errno e : values()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
