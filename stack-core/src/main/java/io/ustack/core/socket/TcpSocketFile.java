package io.ustack.core.socket;

import static io.ustack.core.socket.Abi.POLLERR;
import static io.ustack.core.socket.Abi.POLLHUP;
import static io.ustack.core.socket.Abi.POLLIN;
import static io.ustack.core.socket.Abi.POLLOUT;
import static io.ustack.core.socket.Abi.POLLPRI;
import static io.ustack.core.socket.Abi.POLLRDHUP;
import static io.ustack.core.socket.Abi.POLLRDNORM;
import static io.ustack.core.socket.Abi.POLLWRNORM;

import io.ustack.core.tcp.Keepalive;
import io.ustack.core.tcp.TcpConfig;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpProtocol;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.tcp.TcpState;
import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;

/**
 * A SOCK_STREAM socket: inet_stream_ops over TCP. It starts unconnected (TCP_CLOSE) and becomes either a
 * listener or a connection, once. Options set on it are kept here and applied to the connection it makes or,
 * for a listener, inherited by the connections it accepts.
 */
final class TcpSocketFile extends SocketFile {
    /** SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF: what a tiny SO_SNDBUF/SO_RCVBUF is raised to. */
    private static final int MIN_SNDBUF = 4_608;
    private static final int MIN_RCVBUF = 2_304;
    /** net.core.wmem_max and rmem_max: the most SO_SNDBUF/SO_RCVBUF may ask for. */
    private static final int WMEM_MAX = 212_992;
    private static final int RMEM_MAX = 212_992;

    private final TcpProtocol tcp;
    private final Sockets table;
    private int boundAddr;
    private int boundPort;
    private TcpListener listener;
    private TcpSocket conn;
    /** sk_err: an error not reported yet, given to the next call or SO_ERROR, once. */
    private Errno pendingError;
    /** The connection's end was reported (an error once, then end of file or EPIPE). */
    private boolean endReported;
    private boolean shutRd;
    private boolean shutWr;
    final TcpOptions options;

    TcpSocketFile(Sockets table, TcpProtocol tcp, WaitQueue waits, boolean nonBlocking, TcpOptions options) {
        super(waits, nonBlocking);
        this.table = table;
        this.tcp = tcp;
        this.options = options;
    }

    /** An accepted connection: bound to its four-tuple, established, with its listener's options. */
    static TcpSocketFile accepted(TcpSocketFile parent, TcpSocket s, boolean nonBlocking) {
        TcpSocketFile f = new TcpSocketFile(parent.table, parent.tcp, parent.waits, nonBlocking, parent.options.copy());
        f.boundAddr = s.localAddress();
        f.boundPort = s.localPort();
        f.attach(s);
        return f;
    }

    private void attach(TcpSocket s) {
        conn = s;
        s.onReadable(this::wake);
        s.onWritable(this::wake);
        if (options.keepalive) {
            s.setKeepAlive(Keepalive.LINUX);
        }
        if (options.userTimeoutMs > 0) {
            s.setUserTimeout(options.userTimeoutMs);
        }
        if (options.oobInline) {
            s.setOobInline(true);
        }
    }

    boolean bound() {
        return boundPort != 0;
    }

    int boundAddr() {
        return boundAddr;
    }

    int boundPort() {
        return boundPort;
    }

    void setBound(int addr, int port) {
        boundAddr = addr;
        boundPort = port;
    }

    boolean listening() {
        return listener != null;
    }

    TcpSocket connection() {
        return conn;
    }

    // ---- listen and accept ----

    /** inet_listen: a second listen(2) only changes the backlog, which this stack fixes at the first. */
    void listen(int backlog) throws ErrnoException {
        if (conn != null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (listener != null) {
            return;
        }
        try {
            listener = tcp.listen(boundAddr, boundPort, backlog, options::apply);
        } catch (BindException e) {
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        listener.onAcceptable(this::wake);
    }

    /** inet_csk_accept: the next established connection, or null when accept(2) would block. */
    TcpSocket tryAccept() throws ErrnoException {
        if (listener == null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        return listener.tryAccept();
    }

    // ---- connect ----

    /**
     * inet_stream_connect: sends the SYN and returns WOULD_BLOCK (the caller waits, or says EINPROGRESS), or
     * says where an earlier connect stands: EALREADY while it is under way, EISCONN once it completed, its
     * error once if it failed.
     */
    int connect(int addr, int port) throws ErrnoException {
        if (listener != null) {
            throw new ErrnoException(Errno.EISCONN);
        }
        if (conn != null) {
            TcpSocket.Readiness r = conn.readiness();
            if (r.connecting()) {
                throw new ErrnoException(Errno.EALREADY);
            }
            if (r.established()) {
                throw new ErrnoException(Errno.EISCONN);
            }
            Errno e = takeError();
            throw new ErrnoException(e != null ? e : Errno.ECONNABORTED);
        }
        if (port == 0) {
            throw new ErrnoException(Errno.ECONNREFUSED);
        }
        try {
            attach(tcp.connect(boundAddr, boundPort, addr, port, options::apply));
        } catch (NoRouteToHostException e) {
            throw new ErrnoException(Errno.ENETUNREACH);
        } catch (BindException e) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL);
        } catch (IOException e) {
            throw new ErrnoException(Errno.EINVAL);
        }
        boundAddr = conn.localAddress();
        boundPort = conn.localPort();
        return WOULD_BLOCK;
    }

    /** After connect(2) returned WOULD_BLOCK: 0 once established, WOULD_BLOCK while under way, or its error. */
    int connectResult() throws ErrnoException {
        TcpSocket.Readiness r = conn.readiness();
        if (r.established()) {
            return 0;
        }
        if (r.connecting()) {
            return WOULD_BLOCK;
        }
        Errno e = takeError();
        throw new ErrnoException(e != null ? e : Errno.ECONNREFUSED);
    }

    // ---- data ----

    /** tcp_recvmsg: bytes read, 0 at end of file, or WOULD_BLOCK. */
    int read(byte[] b, int off, int len) throws ErrnoException {
        return read(b, off, len, false);
    }

    /** {@link #read(byte[], int, int)}; {@code peek} (MSG_PEEK) leaves the bytes to be read again. */
    int read(byte[] b, int off, int len, boolean peek) throws ErrnoException {
        if (conn == null) {
            throw new ErrnoException(Errno.ENOTCONN);
        }
        if (shutRd) {
            return 0;
        }
        TcpSocket.Readiness r = conn.readiness();
        if (r.readable() == 0) {
            if (r.connecting()) {
                return WOULD_BLOCK;
            }
            Errno e = endError(r);
            if (e != null) {
                throw new ErrnoException(e);
            }
            if (r.closed() || r.peerFinished()) {
                return 0;
            }
            if (len == 0) {
                return 0;
            }
            return WOULD_BLOCK;
        }
        if (len == 0) {
            return 0;
        }
        try {
            int n = conn.tryRead(b, off, len, peek);
            return n < 0 ? 0 : n == 0 ? WOULD_BLOCK : n;
        } catch (IOException e) {
            return read(b, off, len, peek); // it ended under us: report that as above
        }
    }

    /** tcp_sendmsg: bytes queued (maybe fewer than asked), or WOULD_BLOCK when none fit. */
    int write(byte[] b, int off, int len) throws ErrnoException {
        return write(b, off, len, false);
    }

    /** {@link #write(byte[], int, int)}; {@code urgent} (MSG_OOB): the last byte queued is urgent data. */
    int write(byte[] b, int off, int len, boolean urgent) throws ErrnoException {
        if (conn == null) {
            throw new ErrnoException(Errno.EPIPE); // sk_stream_wait_connect: never connected
        }
        TcpSocket.Readiness r = conn.readiness();
        if (r.connecting()) {
            return WOULD_BLOCK;
        }
        Errno e = endError(r);
        if (e != null) {
            throw new ErrnoException(e);
        }
        if (shutWr || r.closed() || !canSend(r.state())) {
            throw new ErrnoException(Errno.EPIPE);
        }
        if (len == 0) {
            return 0;
        }
        try {
            int n = conn.tryWrite(b, off, len, urgent);
            return n == 0 ? WOULD_BLOCK : n;
        } catch (IOException ex) {
            return write(b, off, len, urgent);
        }
    }

    private static boolean canSend(TcpState s) {
        return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT;
    }

    /** The error an abnormal end leaves in sk_err, reported once; null for an orderly end or none. */
    private Errno endError(TcpSocket.Readiness r) {
        if (pendingError != null) {
            return takeError();
        }
        if (r.closed() && r.closeReason() != null && !endReported) {
            endReported = true;
            return errnoFor(r);
        }
        return null;
    }

    private Errno takeError() {
        Errno e = pendingError;
        pendingError = null;
        if (e == null && conn != null) {
            TcpSocket.Readiness r = conn.readiness();
            if (r.closed() && r.closeReason() != null && !endReported) {
                endReported = true;
                e = errnoFor(r);
            }
        }
        return e;
    }

    /** SO_ERROR: the pending error, cleared. */
    int soError() {
        Errno e = takeError();
        return e == null ? 0 : e.number();
    }

    /** The errno Linux leaves in sk_err for a connection that ended this way (tcp_reset, tcp_write_err, tcp_v4_err). */
    private static Errno errnoFor(TcpSocket.Readiness r) {
        return switch (r.closeReason()) {
            case REFUSED, ICMP_UNREACHABLE -> Errno.ECONNREFUSED;
            case TIMEOUT -> Errno.ETIMEDOUT;
            case RESET_RECEIVED, LISTEN_QUEUE_OVERFLOW, UNREAD_DATA, LISTENER_CLOSED, LINGER_ZERO, EMBRYONIC_RESET -> Errno.ECONNRESET;
        };
    }

    /** shutdown(2). */
    void shutdown(int how) throws ErrnoException {
        if (how < Abi.SHUT_RD || how > Abi.SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (listener != null) {
            if (how != Abi.SHUT_WR) {
                listener.close(); // inet_shutdown of a listener: tcp_disconnect
                listener = null;
            }
            return;
        }
        if (conn == null) {
            throw new ErrnoException(Errno.ENOTCONN);
        }
        if (how != Abi.SHUT_WR) {
            shutRd = true;
        }
        if (how != Abi.SHUT_RD && !shutWr) {
            shutWr = true;
            conn.shutdownOutput();
        }
        wake();
    }

    /** tcp_poll. */
    @Override
    int poll() {
        if (listener != null) {
            return listener.acceptQueueLength() > 0 ? POLLIN | POLLRDNORM : 0;
        }
        if (conn == null) {
            return POLLOUT | POLLWRNORM | POLLHUP; // TCP_CLOSE: hung up, and writing would not block (EPIPE)
        }
        TcpSocket.Readiness r = conn.readiness();
        int mask = 0;
        boolean rcvShut = shutRd || r.peerFinished();
        if ((shutWr && rcvShut) || r.closed()) {
            mask |= POLLHUP;
        }
        if (rcvShut || r.closed()) {
            mask |= POLLIN | POLLRDNORM | POLLRDHUP;
        }
        if (!r.connecting()) {
            if (r.readable() > 0) {
                mask |= POLLIN | POLLRDNORM;
            }
            if (r.urgent()) {
                mask |= POLLPRI;
            }
            if (shutWr || r.closed()) {
                mask |= POLLOUT | POLLWRNORM;
            } else if (r.established() && r.writeSpace() >= minWriteSpace(r) && belowNotSentLowat(r)) {
                mask |= POLLOUT | POLLWRNORM;
            }
        }
        if (pendingError != null || (r.closed() && r.closeReason() != null && !endReported)) {
            mask |= POLLERR;
        }
        return mask;
    }

    /**
     * tcp_stream_memory_free as tcp_poll asks it (wake 1): with TCP_NOTSENT_LOWAT set, writable only while
     * twice the bytes not yet sent stay under it, so that an application writes close to when data leaves.
     */
    private boolean belowNotSentLowat(TcpSocket.Readiness r) {
        return options.notSentLowat < 0 || ((long) r.notSent() << 1) < options.notSentLowat;
    }

    /** sk_stream_min_wspace: writable once the free space is at least half of what is queued. */
    private static int minWriteSpace(TcpSocket.Readiness r) {
        return Math.max(1, r.sendQueue() / 2);
    }

    int bytesToRead() {
        return conn == null ? 0 : conn.readiness().readable();
    }

    int bytesUnacknowledged() {
        return conn == null ? 0 : conn.readiness().sendQueue();
    }

    int bytesNotSent() {
        return conn == null ? 0 : conn.readiness().notSent();
    }

    boolean atUrgentMark() {
        return conn != null && conn.readiness().atMark();
    }

    /**
     * recv(MSG_OOB), tcp_recv_urg: the urgent byte into {@code b}, 1 (0 at the end of the stream); EINVAL with
     * SO_OOBINLINE, with no urgent byte or one already read; EAGAIN while it is announced but not here, even
     * on a blocking socket, as Linux never waits for it.
     */
    int readUrgent(byte[] b, int off, int len, boolean peek) throws ErrnoException {
        if (conn == null) {
            throw new ErrnoException(Errno.ENOTCONN);
        }
        int u = conn.readUrgent(peek);
        if (u == -3 || (u >= 0 && len == 0)) {
            return 0;
        }
        if (u < 0) {
            throw new ErrnoException(u == -2 ? Errno.EAGAIN : Errno.EINVAL);
        }
        b[off] = (byte) u;
        return 1;
    }

    /** SO_KEEPALIVE on a connection that exists; a later one takes it from the options. */
    void keepaliveChanged() {
        if (conn != null) {
            conn.setKeepAlive(options.keepalive ? Keepalive.LINUX : null);
        }
    }

    /**
     * The options a connection that exists takes at once, as Linux's do_tcp_setsockopt applies them to the
     * running socket: TCP_NODELAY, TCP_CONGESTION, TCP_USER_TIMEOUT and SO_OOBINLINE. The buffer sizes and TCP_MAXSEG
     * count from the next connection only: a running connection keeps the buffers and the MSS it began with.
     */
    void liveOptionsChanged() {
        if (conn != null) {
            conn.setNoDelay(options.noDelay);
            if (options.congestion != null) {
                conn.setCongestion(options.congestion);
            }
            conn.setUserTimeout(options.userTimeoutMs);
            conn.setOobInline(options.oobInline);
        }
    }

    static int sndBufFor(int asked) {
        return Math.max(MIN_SNDBUF, Math.min(asked, WMEM_MAX) * 2);
    }

    static int rcvBufFor(int asked) {
        return Math.max(MIN_RCVBUF, Math.min(asked, RMEM_MAX) * 2);
    }

    /**
     * tcp_close: a listener stops; a connection sends its FIN after what is queued, or a RST when SO_LINGER
     * is on with a zero timeout or unread data would be lost.
     */
    @Override
    void release() {
        if (listener != null) {
            listener.close();
        } else if (conn != null) {
            if (options.lingerOn && options.lingerSeconds == 0) {
                conn.reset();
            } else {
                conn.close();
            }
        }
        table.unbind(this);
    }

    /** The options of one socket (its struct sock's settings), and how they change a connection's TcpConfig. */
    static final class TcpOptions {
        boolean reuseAddr;
        int sndBuf;
        int rcvBuf;
        boolean noDelay;
        int maxSeg;
        String congestion;
        boolean keepalive;
        boolean lingerOn;
        int lingerSeconds;
        int userTimeoutMs;
        int notSentLowat = -1;
        boolean inq;
        boolean oobInline;

        TcpConfig apply(TcpConfig c) {
            TcpConfig out = c;
            if (sndBuf != 0 || rcvBuf != 0) {
                out = out.withBuffers(rcvBuf != 0 ? rcvBuf : out.rcvBuf(), sndBuf != 0 ? sndBuf : out.sndBuf());
            }
            if (noDelay) {
                out = out.withNoDelay(true);
            }
            if (maxSeg != 0 && maxSeg < out.mss()) {
                out = out.withMss(maxSeg);
            }
            if (congestion != null) {
                out = out.withCongestion(congestion);
            }
            return out;
        }

        TcpOptions copy() {
            TcpOptions o = new TcpOptions();
            o.reuseAddr = reuseAddr;
            o.sndBuf = sndBuf;
            o.rcvBuf = rcvBuf;
            o.noDelay = noDelay;
            o.maxSeg = maxSeg;
            o.congestion = congestion;
            o.keepalive = keepalive;
            o.lingerOn = lingerOn;
            o.lingerSeconds = lingerSeconds;
            o.userTimeoutMs = userTimeoutMs;
            o.notSentLowat = notSentLowat;
            o.inq = inq;
            o.oobInline = oobInline;
            return o;
        }
    }
}
