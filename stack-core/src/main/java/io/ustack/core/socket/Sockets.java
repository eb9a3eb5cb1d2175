package io.ustack.core.socket;

import io.ustack.core.stack.NetStack;
import io.ustack.core.tcp.TcpConfig;
import io.ustack.core.tcp.TcpProtocol;
import io.ustack.core.tcp.TcpSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The BSD socket calls over one stack, with Linux's semantics: a table of descriptors (one process's file
 * table), errno values ({@link ErrnoException}), blocking and non-blocking calls, poll and epoll. The numbers
 * are Linux's ({@link Abi}), so a program written against the C API, or a packetdrill script, carries over.
 *
 * <p>Threads: any thread may call; a blocking call sleeps on this table's wait queue until an event on a
 * socket or its timeout. Timeouts are on the stack's clock; a caller that moves a virtual clock calls
 * {@link #clockAdvanced} after each move.
 */
public final class Sockets implements AutoCloseable {
    /** The lowest descriptor handed out: 0, 1 and 2 are a process's standard streams. */
    static final int FIRST_FD = 3;

    private final NetStack stack;
    private final TcpProtocol tcp;
    private final WaitQueue waits;
    private final List<SocketFile> files = new ArrayList<>();
    /** TCP ports this table's sockets are bound to, and whether a socket there is listening or connected. */
    private final Set<TcpSocketFile> tcpBound = new HashSet<>();

    public Sockets(NetStack stack) {
        this.stack = stack;
        this.tcp = stack.tcp();
        this.waits = new WaitQueue(stack.config().clock());
    }

    /** A datagram or stream read: its length and, for recvfrom, the sender. */
    public record Received(int length, int address, int port) {
    }

    /** One epoll_wait result: the events that hold and the data the descriptor was added with. */
    public record EpollEvent(int events, long data) {
    }

    /** One struct pollfd: {@link #poll} fills in {@link #revents}. */
    public static final class PollFd {
        public final int fd;
        public final int events;
        public int revents;

        public PollFd(int fd, int events) {
            this.fd = fd;
            this.events = events;
        }
    }

    // ---- descriptors ----

    /** socket(2): AF_INET with SOCK_STREAM (TCP) or SOCK_DGRAM (UDP), SOCK_NONBLOCK and SOCK_CLOEXEC allowed. */
    public synchronized int socket(int domain, int type, int protocol) throws ErrnoException {
        if (domain != Abi.AF_INET) {
            throw new ErrnoException(Errno.EAFNOSUPPORT);
        }
        boolean nonBlocking = (type & Abi.SOCK_NONBLOCK) != 0;
        int kind = type & ~(Abi.SOCK_NONBLOCK | Abi.SOCK_CLOEXEC);
        SocketFile f;
        if (kind == Abi.SOCK_STREAM) {
            if (protocol != 0 && protocol != Abi.IPPROTO_TCP) {
                throw new ErrnoException(Errno.EPROTONOSUPPORT);
            }
            f = new TcpSocketFile(this, tcp, waits, nonBlocking, new TcpSocketFile.TcpOptions());
        } else if (kind == Abi.SOCK_DGRAM) {
            if (protocol != 0 && protocol != Abi.IPPROTO_UDP) {
                throw new ErrnoException(Errno.EPROTONOSUPPORT);
            }
            f = new UdpSocketFile(stack.udp().open(), waits, nonBlocking);
        } else {
            throw new ErrnoException(Errno.ESOCKTNOSUPPORT);
        }
        return install(f);
    }

    /** epoll_create1(2). */
    public synchronized int epollCreate() {
        return install(new EpollFile(waits));
    }

    private int install(SocketFile f) {
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i) == null) {
                files.set(i, f);
                return i + FIRST_FD;
            }
        }
        files.add(f);
        return files.size() - 1 + FIRST_FD;
    }

    private synchronized SocketFile file(int fd) throws ErrnoException {
        int i = fd - FIRST_FD;
        SocketFile f = i >= 0 && i < files.size() ? files.get(i) : null;
        if (f == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        return f;
    }

    /** close(2). */
    public void close(int fd) throws ErrnoException {
        SocketFile f;
        synchronized (this) {
            f = file(fd);
            files.set(fd - FIRST_FD, null);
            for (SocketFile o : files) {
                if (o instanceof EpollFile e) {
                    e.forget(fd);
                }
            }
        }
        f.release();
        waits.wake();
    }

    /** Closes every descriptor still open. */
    @Override
    public void close() {
        List<Integer> open = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < files.size(); i++) {
                if (files.get(i) != null) {
                    open.add(i + FIRST_FD);
                }
            }
        }
        for (int fd : open) {
            try {
                close(fd);
            } catch (ErrnoException e) {
                // closed meanwhile by another thread
            }
        }
    }

    /**
     * How many blocking calls sleep with nothing new to look at: a call started on another thread is settled
     * when it has returned or is counted here (see {@link #clockAdvanced} for who needs this).
     */
    public int settledSleepers() {
        return waits.settledSleepers();
    }

    /** The stack's clock moved (a virtual one): sleepers look at their timeouts again. */
    public void clockAdvanced() {
        waits.wake();
    }

    // ---- addresses ----

    /** bind(2): {@code addr} 0 is INADDR_ANY, {@code port} 0 an ephemeral port. */
    public void bind(int fd, int addr, int port) throws ErrnoException {
        SocketFile f = file(fd);
        if (port < 0 || port > 65_535) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (addr != 0 && !stack.fib().isLocal(addr)) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL);
        }
        if (f instanceof UdpSocketFile u) {
            u.bind(addr, port);
        } else if (f instanceof TcpSocketFile t) {
            bindTcp(t, addr, port);
        } else {
            throw new ErrnoException(Errno.ENOTSOCK);
        }
    }

    /**
     * inet_csk_get_port: a TCP port is free for a socket unless another holds it on an overlapping address
     * and they may not share it: sharing needs SO_REUSEADDR on both and neither listening.
     */
    private synchronized void bindTcp(TcpSocketFile t, int addr, int port) throws ErrnoException {
        if (t.bound() || t.listening() || t.connection() != null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (port == 0) {
            int span = TcpProtocol.EPHEMERAL_HIGH - TcpProtocol.EPHEMERAL_LOW + 1;
            int start = stack.config().random().nextInt(span);
            for (int i = 0; i < span; i++) {
                int candidate = TcpProtocol.EPHEMERAL_LOW + (start + i) % span;
                if (tcpPortFree(t, addr, candidate)) {
                    port = candidate;
                    break;
                }
            }
            if (port == 0) {
                throw new ErrnoException(Errno.EADDRINUSE);
            }
        } else if (!tcpPortFree(t, addr, port)) {
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        t.setBound(addr, port);
        tcpBound.add(t);
    }

    private boolean tcpPortFree(TcpSocketFile t, int addr, int port) {
        for (var l : tcp.listeners()) {
            if (l.port() == port && (l.address() == 0 || addr == 0 || l.address() == addr)) {
                return false;
            }
        }
        for (TcpSocketFile o : tcpBound) {
            if (o.boundPort() == port && (o.boundAddr() == 0 || addr == 0 || o.boundAddr() == addr)) {
                boolean share = t.options.reuseAddr && o.options.reuseAddr && !o.listening();
                if (!share) {
                    return false;
                }
            }
        }
        return true;
    }

    synchronized void unbind(TcpSocketFile t) {
        tcpBound.remove(t);
    }

    /** listen(2); an unbound socket gets an ephemeral port first (inet_autobind). */
    public void listen(int fd, int backlog) throws ErrnoException {
        TcpSocketFile t = stream(fd);
        if (!t.bound() && t.connection() == null) {
            bindTcp(t, 0, 0);
        }
        t.listen(Math.min(Math.max(backlog, 0) + 1, 4096)); // sk_max_ack_backlog: backlog + 1 fit, as Linux counts
    }

    /** accept(2) and accept4(2) (SOCK_NONBLOCK in {@code flags}): the new descriptor. */
    public int accept(int fd, int flags) throws ErrnoException {
        TcpSocketFile t = stream(fd);
        TcpSocket s = blocking(t, Long.MAX_VALUE, () -> t.tryAccept());
        synchronized (this) {
            TcpSocketFile child = TcpSocketFile.accepted(t, s, (flags & Abi.SOCK_NONBLOCK) != 0);
            tcpBound.add(child);
            return install(child);
        }
    }

    /** The peer of an accepted or connected socket, as getpeername(2) gives it: {address, port}. */
    public int[] peerName(int fd) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof TcpSocketFile t && t.connection() != null) {
            return new int[] {t.connection().remoteAddress(), t.connection().remotePort()};
        }
        if (f instanceof UdpSocketFile u && u.socket().remotePort() != 0) {
            return new int[] {u.socket().remoteAddress(), u.socket().remotePort()};
        }
        throw new ErrnoException(Errno.ENOTCONN);
    }

    /** getsockname(2): {address, port}. */
    public int[] sockName(int fd) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof TcpSocketFile t) {
            return t.connection() != null ? new int[] {t.connection().localAddress(), t.connection().localPort()}
                    : new int[] {t.boundAddr(), t.boundPort()};
        }
        if (f instanceof UdpSocketFile u) {
            return new int[] {u.socket().localAddress(), u.socket().localPort()};
        }
        throw new ErrnoException(Errno.ENOTSOCK);
    }

    /**
     * connect(2). A blocking socket returns once the handshake completed or failed; a non-blocking one fails
     * with EINPROGRESS, and poll says POLLOUT when it is done (SO_ERROR tells how).
     */
    public void connect(int fd, int addr, int port) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            u.connect(addr, port);
            return;
        }
        TcpSocketFile t = stream(fd);
        synchronized (this) {
            if (t.connect(addr, port) != SocketFile.WOULD_BLOCK) {
                return;
            }
            tcpBound.add(t);
        }
        if (t.nonBlocking()) {
            throw new ErrnoException(Errno.EINPROGRESS);
        }
        blocking(t, Long.MAX_VALUE, () -> t.connectResult() == SocketFile.WOULD_BLOCK ? null : Boolean.TRUE);
    }

    private TcpSocketFile stream(int fd) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof TcpSocketFile t) {
            return t;
        }
        throw new ErrnoException(f instanceof UdpSocketFile ? Errno.EOPNOTSUPP : Errno.ENOTSOCK);
    }

    // ---- data ----

    /**
     * read(2) and recv(2) (MSG_DONTWAIT, MSG_PEEK and MSG_OOB in {@code flags}): bytes read, 0 at end of
     * file.
     */
    public int recv(int fd, byte[] b, int off, int len, int flags) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            return recvFrom(fd, b, off, len, flags).length();
        }
        TcpSocketFile t = stream(fd);
        if ((flags & Abi.MSG_OOB) != 0) {
            return t.readUrgent(b, off, len, (flags & Abi.MSG_PEEK) != 0);
        }
        boolean dontWait = (flags & Abi.MSG_DONTWAIT) != 0;
        boolean peek = (flags & Abi.MSG_PEEK) != 0;
        return blockingInt(t, dontWait, () -> t.read(b, off, len, peek));
    }

    public int read(int fd, byte[] b, int off, int len) throws ErrnoException {
        return recv(fd, b, off, len, 0);
    }

    /**
     * write(2) and send(2). A blocking stream write returns when all of it is queued; a non-blocking one
     * queues what fits and says how much, or fails with EAGAIN when nothing does. MSG_OOB sends the last
     * byte as urgent data.
     */
    public int send(int fd, byte[] b, int off, int len, int flags) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            return u.sendTo(b, off, len, 0, -1);
        }
        TcpSocketFile t = stream(fd);
        boolean dontWait = (flags & Abi.MSG_DONTWAIT) != 0;
        boolean urgent = (flags & Abi.MSG_OOB) != 0; // tcp_push's tcp_mark_urg: each push marks what is queued
        if (dontWait || t.nonBlocking()) {
            return blockingInt(t, true, () -> t.write(b, off, len, urgent));
        }
        int done = 0;
        do {
            int at = off + done;
            int left = len - done;
            done += blockingInt(t, false, () -> t.write(b, at, left, urgent));
        } while (done < len);
        return done;
    }

    public int write(int fd, byte[] b, int off, int len) throws ErrnoException {
        return send(fd, b, off, len, 0);
    }

    /** sendto(2); on a stream socket the address is ignored, as Linux ignores it on a connected one. */
    public int sendTo(int fd, byte[] b, int off, int len, int flags, int addr, int port) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            return u.sendTo(b, off, len, addr, port);
        }
        return send(fd, b, off, len, flags);
    }

    /** recvfrom(2): the bytes and who sent them (for a stream, its peer). */
    public Received recvFrom(int fd, byte[] b, int off, int len, int flags) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            boolean dontWait = (flags & Abi.MSG_DONTWAIT) != 0;
            return blocking(u, dontWait ? 0 : Long.MAX_VALUE, () -> u.recvFrom(b, off, len));
        }
        int n = recv(fd, b, off, len, flags);
        TcpSocket c = stream(fd).connection();
        return new Received(n, c.remoteAddress(), c.remotePort());
    }

    /** shutdown(2). */
    public void shutdown(int fd, int how) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof TcpSocketFile t) {
            t.shutdown(how);
        } else if (!(f instanceof UdpSocketFile)) {
            throw new ErrnoException(Errno.ENOTSOCK);
        }
    }

    // ---- options and control ----

    /** setsockopt(2) with an int value (a boolean option takes 0 or non-zero). */
    public void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        SocketFile f = file(fd);
        if (!(f instanceof TcpSocketFile t)) {
            if (f instanceof UdpSocketFile && level == Abi.SOL_SOCKET
                    && (name == Abi.SO_REUSEADDR || name == Abi.SO_SNDBUF || name == Abi.SO_RCVBUF)) {
                return; // accepted; UDP keeps net.core's buffer sizes
            }
            throw new ErrnoException(f instanceof EpollFile ? Errno.ENOTSOCK : Errno.ENOPROTOOPT);
        }
        TcpSocketFile.TcpOptions o = t.options;
        if (level == Abi.SOL_SOCKET) {
            switch (name) {
                case Abi.SO_REUSEADDR -> o.reuseAddr = value != 0;
                case Abi.SO_SNDBUF -> o.sndBuf = TcpSocketFile.sndBufFor(value);
                case Abi.SO_RCVBUF -> o.rcvBuf = TcpSocketFile.rcvBufFor(value);
                case Abi.SO_KEEPALIVE -> {
                    o.keepalive = value != 0;
                    t.keepaliveChanged();
                }
                case Abi.SO_OOBINLINE -> {
                    o.oobInline = value != 0;
                    t.liveOptionsChanged();
                }
                default -> throw new ErrnoException(Errno.ENOPROTOOPT);
            }
        } else if (level == Abi.SOL_TCP) {
            switch (name) {
                case Abi.TCP_NODELAY -> {
                    o.noDelay = value != 0;
                    t.liveOptionsChanged();
                }
                case Abi.TCP_MAXSEG -> {
                    if (value != 0 && (value < 88 || value > 32_767)) { // TCP_MIN_MSS .. MAX_TCP_WINDOW
                        throw new ErrnoException(Errno.EINVAL);
                    }
                    o.maxSeg = value;
                }
                case Abi.TCP_USER_TIMEOUT -> {
                    if (value < 0) {
                        throw new ErrnoException(Errno.EINVAL);
                    }
                    o.userTimeoutMs = value;
                    t.liveOptionsChanged();
                }
                case Abi.TCP_NOTSENT_LOWAT -> o.notSentLowat = value;
                case Abi.TCP_INQ -> o.inq = value != 0;
                default -> throw new ErrnoException(Errno.ENOPROTOOPT);
            }
        } else {
            throw new ErrnoException(Errno.ENOPROTOOPT);
        }
    }

    /** setsockopt(2) with a string: TCP_CONGESTION. An algorithm the stack does not have is ENOENT. */
    public void setsockopt(int fd, int level, int name, String value) throws ErrnoException {
        TcpSocketFile t = stream(fd);
        if (level != Abi.SOL_TCP || name != Abi.TCP_CONGESTION) {
            throw new ErrnoException(Errno.ENOPROTOOPT);
        }
        try {
            TcpConfig.defaults().withCongestion(value);
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(Errno.ENOENT);
        }
        t.options.congestion = value;
        t.liveOptionsChanged();
    }

    /** setsockopt(SO_LINGER) with struct linger. */
    public void setLinger(int fd, boolean on, int seconds) throws ErrnoException {
        TcpSocketFile t = stream(fd);
        t.options.lingerOn = on;
        t.options.lingerSeconds = Math.max(0, seconds);
    }

    /** getsockopt(2) for the int options {@link #setsockopt(int, int, int, int)} takes, SO_ERROR and SO_TYPE. */
    public int getsockopt(int fd, int level, int name) throws ErrnoException {
        SocketFile f = file(fd);
        if (level == Abi.SOL_SOCKET && name == Abi.SO_TYPE) {
            return f instanceof UdpSocketFile ? Abi.SOCK_DGRAM : Abi.SOCK_STREAM;
        }
        if (f instanceof UdpSocketFile u) {
            if (level == Abi.SOL_SOCKET && name == Abi.SO_ERROR) {
                try {
                    u.socket().poll();
                    return 0;
                } catch (java.io.IOException e) {
                    return Errno.ECONNREFUSED.number();
                }
            }
            throw new ErrnoException(Errno.ENOPROTOOPT);
        }
        TcpSocketFile t = stream(fd);
        TcpSocketFile.TcpOptions o = t.options;
        TcpConfig route = tcp.config();
        if (level == Abi.SOL_SOCKET) {
            return switch (name) {
                case Abi.SO_ERROR -> t.soError();
                case Abi.SO_REUSEADDR -> o.reuseAddr ? 1 : 0;
                case Abi.SO_SNDBUF -> o.sndBuf != 0 ? o.sndBuf : route.sndBuf();
                case Abi.SO_RCVBUF -> o.rcvBuf != 0 ? o.rcvBuf : route.rcvBuf();
                case Abi.SO_KEEPALIVE -> o.keepalive ? 1 : 0;
                case Abi.SO_OOBINLINE -> o.oobInline ? 1 : 0;
                default -> throw new ErrnoException(Errno.ENOPROTOOPT);
            };
        }
        if (level == Abi.SOL_TCP) {
            return switch (name) {
                case Abi.TCP_NODELAY -> o.noDelay ? 1 : 0;
                case Abi.TCP_MAXSEG -> t.connection() != null ? t.connection().info().mss()
                        : o.maxSeg != 0 ? o.maxSeg : 536; // TCP_MSS_DEFAULT before a connection
                case Abi.TCP_USER_TIMEOUT -> o.userTimeoutMs;
                case Abi.TCP_NOTSENT_LOWAT -> o.notSentLowat;
                case Abi.TCP_INQ -> o.inq ? 1 : 0;
                default -> throw new ErrnoException(Errno.ENOPROTOOPT);
            };
        }
        throw new ErrnoException(Errno.ENOPROTOOPT);
    }

    /** getsockopt(TCP_CONGESTION). */
    public String congestion(int fd) throws ErrnoException {
        TcpSocketFile t = stream(fd);
        if (t.connection() != null) {
            return t.connection().info().congestion();
        }
        return t.options.congestion != null ? t.options.congestion : tcp.config().congestion();
    }

    /** fcntl(2): F_GETFL and F_SETFL (O_NONBLOCK). */
    public int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        SocketFile f = file(fd);
        switch (cmd) {
            case Abi.F_GETFL:
                return Abi.O_RDWR | (f.nonBlocking() ? Abi.O_NONBLOCK : 0);
            case Abi.F_SETFL:
                f.setNonBlocking((arg & Abi.O_NONBLOCK) != 0);
                return 0;
            default:
                throw new ErrnoException(Errno.EINVAL);
        }
    }

    /** ioctl(2): SIOCINQ, SIOCOUTQ, SIOCOUTQNSD and SIOCATMARK. A listener has none of them (EINVAL). */
    public int ioctl(int fd, int request) throws ErrnoException {
        SocketFile f = file(fd);
        if (f instanceof UdpSocketFile u) {
            if (request == Abi.SIOCINQ) {
                return u.bytesToRead();
            }
            if (request == Abi.SIOCOUTQ) {
                return 0;
            }
            throw new ErrnoException(Errno.EINVAL);
        }
        TcpSocketFile t = stream(fd);
        if (t.listening()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        return switch (request) {
            case Abi.SIOCINQ -> t.bytesToRead();
            case Abi.SIOCOUTQ -> t.bytesUnacknowledged();
            case Abi.SIOCOUTQNSD -> t.bytesNotSent();
            case Abi.SIOCATMARK -> t.atUrgentMark() ? 1 : 0;
            default -> throw new ErrnoException(Errno.EINVAL);
        };
    }

    /** tcp_info of a connection, the fields ss and TCP_INFO show; null before it has one. */
    public TcpSocket.TcpInfo tcpInfo(int fd) throws ErrnoException {
        TcpSocket c = stream(fd).connection();
        return c == null ? null : c.info();
    }

    // ---- readiness ----

    /**
     * poll(2): fills each {@code revents} and returns how many descriptors have some, waiting up to
     * {@code timeoutMs} (negative: for ever, 0: not at all) for one to.
     */
    public int poll(PollFd[] fds, long timeoutMs) throws ErrnoException {
        long deadline = deadline(timeoutMs);
        while (true) {
            long seen = waits.sequence();
            int n = 0;
            for (PollFd p : fds) {
                p.revents = 0;
                if (p.fd < 0) {
                    continue;
                }
                SocketFile f;
                try {
                    f = file(p.fd);
                } catch (ErrnoException e) {
                    p.revents = Abi.POLLNVAL;
                    n++;
                    continue;
                }
                p.revents = f.poll() & (p.events | Abi.POLLERR | Abi.POLLHUP);
                if (p.revents != 0) {
                    n++;
                }
            }
            if (n > 0 || !waits.await(seen, deadline)) {
                return n;
            }
        }
    }

    /** epoll_ctl(2). */
    public void epollCtl(int epfd, int op, int fd, int events, long data) throws ErrnoException {
        if (!(file(epfd) instanceof EpollFile e)) {
            throw new ErrnoException(Errno.EINVAL);
        }
        SocketFile target = file(fd);
        if (target == e) {
            throw new ErrnoException(Errno.EINVAL);
        }
        e.control(op, fd, target, events, data);
    }

    /** epoll_wait(2): up to {@code max} events, waiting up to {@code timeoutMs} (negative: for ever). */
    public List<EpollEvent> epollWait(int epfd, int max, long timeoutMs) throws ErrnoException {
        if (!(file(epfd) instanceof EpollFile e) || max <= 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long deadline = deadline(timeoutMs);
        while (true) {
            long seen = waits.sequence();
            List<EpollEvent> ready = e.ready(max);
            if (!ready.isEmpty() || !waits.await(seen, deadline)) {
                return ready;
            }
        }
    }

    private long deadline(long timeoutMs) {
        if (timeoutMs < 0) {
            return Long.MAX_VALUE;
        }
        return waits.now() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    // ---- blocking ----

    /** One try of a call that may have to wait: its result, or null (WOULD_BLOCK for ints) to wait. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws ErrnoException;
    }

    @FunctionalInterface
    private interface IntAttempt {
        int run() throws ErrnoException;
    }

    /**
     * sk_wait_event: tries {@code call}; if it would block, fails with EAGAIN on a non-blocking socket (or a
     * zero timeout), and otherwise sleeps until an event and tries again.
     */
    private <T> T blocking(SocketFile f, long timeoutMs, Attempt<T> call) throws ErrnoException {
        long deadline = f.nonBlocking() ? 0 : timeoutMs == Long.MAX_VALUE ? Long.MAX_VALUE : deadline(timeoutMs);
        while (true) {
            long seen = waits.sequence();
            T r = call.run();
            if (r != null) {
                return r;
            }
            if (deadline == 0 || !waits.await(seen, deadline)) {
                throw new ErrnoException(Errno.EAGAIN);
            }
        }
    }

    private int blockingInt(SocketFile f, boolean dontWait, IntAttempt call) throws ErrnoException {
        Integer r = blocking(f, dontWait ? 0 : Long.MAX_VALUE, () -> {
            int n = call.run();
            return n == SocketFile.WOULD_BLOCK ? null : n;
        });
        return r;
    }
}
