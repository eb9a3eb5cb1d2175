package io.ustack.core.socket;

/**
 * The numbers of Linux's socket ABI that {@link Sockets} takes and returns, as the C headers name them
 * (sys/socket.h, netinet/in.h, netinet/tcp.h, poll.h, sys/epoll.h, fcntl.h, linux/sockios.h), so code
 * written against the C API, and packetdrill scripts, carry over number for number.
 */
public final class Abi {
    private Abi() {
    }

    public static final int AF_INET = 2;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    /** Flags socket(2) and accept4(2) take in their type argument. */
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    public static final int SOL_SOCKET = 1;
    public static final int SOL_TCP = IPPROTO_TCP;
    public static final int SOL_IP = IPPROTO_IP;

    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_RCVLOWAT = 18;
    public static final int SO_SNDLOWAT = 19;

    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_INFO = 11;
    public static final int TCP_CONGESTION = 13;
    public static final int TCP_USER_TIMEOUT = 18;
    public static final int TCP_NOTSENT_LOWAT = 25;
    public static final int TCP_INQ = 36;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;

    /** SIOCINQ (FIONREAD): bytes ready to read; for UDP the size of the next datagram. */
    public static final int SIOCINQ = 0x541B;
    /** SIOCOUTQ (TIOCOUTQ): bytes sent and not acknowledged or not sent yet. */
    public static final int SIOCOUTQ = 0x5411;
    /** SIOCOUTQNSD: bytes not sent yet. */
    public static final int SIOCOUTQNSD = 0x894B;
    /** SIOCATMARK: whether the next byte to read is the urgent mark. */
    public static final int SIOCATMARK = 0x8905;

    public static final int POLLIN = 0x1;
    public static final int POLLPRI = 0x2;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;
    public static final int POLLRDNORM = 0x40;
    public static final int POLLWRNORM = 0x100;
    public static final int POLLRDHUP = 0x2000;

    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    /** The epoll event bits are poll's; these two ask for edge-triggered and one-shot reports. */
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;
}
