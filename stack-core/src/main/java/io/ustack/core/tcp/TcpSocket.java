package io.ustack.core.tcp;

import io.ustack.core.link.NetDevice;
import io.ustack.core.softnet.Cpu;
import io.ustack.core.time.Timer;
import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP connection as the application holds it (struct socket with its tcp_sock).
 *
 * <p>Threads: the connection's protocol work (segments, timers, sending, window updates) runs on its
 * {@link Cpu}, the backlog thread RPS steers its flow to. Application threads only copy bytes into the send
 * buffer and out of the receive buffer, under this socket's lock, and then hand the sending to the Cpu.
 * Blocking calls wait on the lock's condition; the non-blocking form registers {@link #onReadable} and
 * {@link #onWritable}, which run on the Cpu once the protocol core has finished with the segment that
 * caused them, and uses {@link #tryRead} and {@link #tryWrite}.
 */
public final class TcpSocket implements AutoCloseable {
    private final TcpProtocol tcp;
    private final TcpProtocol.Key key;
    private final Cpu cpu;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Timer timer;
    private final AtomicBoolean pushScheduled = new AtomicBoolean();
    private final AtomicBoolean windowUpdateScheduled = new AtomicBoolean();
    private final Events events = new Events();
    private Tcb tcb;
    private TcpListener listener;
    /** A passive child holding a place in its listener's SYN queue (a SYN cookie's child holds none). */
    private boolean synSlotHeld;
    private boolean established;
    /** Counted in TcpCurrEstab: the state is ESTABLISHED or CLOSE_WAIT. */
    private boolean inCurrEstab;
    private boolean closed;
    private CloseReason closeReason;
    private boolean notifyReadable;
    private boolean notifyWritable;
    private boolean notifyAcceptable;
    private volatile Runnable onReadable;
    private volatile Runnable onWritable;
    private volatile long readTimeoutMs;
    /** An IPv4 connection an IPv6 listener accepted (v4-mapped): the application names its ends ::ffff:a.b.c.d. */
    private final boolean v4Mapped;
    /** The interface a link-local peer is on (sk_bound_dev_if), else null. */
    private final NetDevice boundDevice;

    /** A connection of {@code listener} (null for none), IPv4's v4-mapped when the listener is IPv6's. */
    TcpSocket(TcpProtocol tcp, TcpProtocol.Key key, Cpu cpu, TcpListener listener, boolean synSlotHeld) {
        this(tcp, key, cpu, listener, synSlotHeld, null,
                !key.isIpv6() && listener != null && listener.address6() != null);
    }

    TcpSocket(TcpProtocol tcp, TcpProtocol.Key key, Cpu cpu, TcpListener listener, boolean synSlotHeld,
              NetDevice boundDevice, boolean v4Mapped) {
        this.tcp = tcp;
        this.key = key;
        this.cpu = cpu;
        this.listener = listener;
        this.synSlotHeld = synSlotHeld;
        this.v4Mapped = v4Mapped;
        this.boundDevice = boundDevice;
        this.timer = new Timer(now -> cpu.execute(this::onTimer));
    }

    TcpProtocol.Key key() {
        return key;
    }

    Cpu cpu() {
        return cpu;
    }

    TcpEvents events() {
        return events;
    }

    /** Runs {@code work} on the connection under its lock, then whatever callbacks it caused. On the Cpu. */
    void onCpu(java.util.function.Consumer<Tcb> work) {
        Runnable[] callbacks;
        lock.lock();
        try {
            if (tcb != null) {
                work.accept(tcb);
                rearm();
                trackCurrEstab();
            }
            callbacks = takeCallbacks();
        } finally {
            lock.unlock();
        }
        for (Runnable r : callbacks) {
            r.run();
        }
    }

    /** Installs the protocol block; on the Cpu, before any segment of the connection is processed. */
    void attach(Tcb t) {
        lock.lock();
        try {
            tcb = t;
            rearm();
        } finally {
            lock.unlock();
        }
    }

    /** A connection born established (from a SYN cookie): its listener hears of it, then the ACK is processed. */
    void attachEstablished(Tcb t, Segment ack) {
        attach(t);
        onCpu(tt -> events.established());
        segmentArrives(ack);
    }

    void segmentArrives(Segment seg) {
        onCpu(t -> {
            t.segmentArrives(seg, tcp.now());
            long successorIsn = t.takeSuccessorIsn();
            if (successorIsn >= 0) {
                tcp.synAfterTimeWait(key, boundDevice, seg, (int) successorIsn);
            }
        });
    }

    private void onTimer() {
        onCpu(t -> t.onTimers(tcp.now()));
    }

    /** An ICMP hard error for a connection still opening: it fails as Linux's does (ECONNREFUSED). */
    void hardError(CloseReason reason) {
        onCpu(t -> {
            if (t.state() == TcpState.SYN_SENT) {
                t.abort(reason);
            }
        });
    }

    /** tcp_set_state's part in TcpCurrEstab: the gauge follows the state in and out of ESTABLISHED and CLOSE_WAIT. */
    private void trackCurrEstab() {
        boolean counts = tcb.state() == TcpState.ESTABLISHED || tcb.state() == TcpState.CLOSE_WAIT;
        if (counts != inCurrEstab) {
            inCurrEstab = counts;
            tcp.currEstabChanged(counts ? 1 : -1);
        }
    }

    private void rearm() {
        long d = tcb.nextDeadline();
        if (d == 0) {
            cpu.cancel(timer);
        } else {
            cpu.schedule(timer, d);
        }
    }

    private Runnable[] takeCallbacks() {
        Runnable r = notifyReadable ? onReadable : null;
        Runnable w = notifyWritable ? onWritable : null;
        TcpListener l = notifyAcceptable ? listener : null;
        notifyReadable = false;
        notifyWritable = false;
        notifyAcceptable = false;
        Runnable a = l == null ? null : l::notifyAcceptable;
        int n = (r != null ? 1 : 0) + (w != null ? 1 : 0) + (a != null ? 1 : 0);
        Runnable[] out = new Runnable[n];
        int i = 0;
        if (a != null) {
            out[i++] = a;
        }
        if (r != null) {
            out[i++] = r;
        }
        if (w != null) {
            out[i] = w;
        }
        return out;
    }

    /** What the protocol core says, recorded under the lock; callbacks run after the core returns. */
    private final class Events implements TcpEvents {
        @Override
        public void established() {
            established = true;
            if (listener != null) {
                if (synSlotHeld) {
                    listener.releaseSynSlot();
                    synSlotHeld = false;
                }
                if (listener.offer(TcpSocket.this)) {
                    notifyAcceptable = true;
                } else {
                    tcb.abort(CloseReason.LISTEN_QUEUE_OVERFLOW);
                }
            }
            notifyWritable = true; // sk_state_change: a connect(2) waiting in poll learns it completed
            changed.signalAll();
        }

        @Override
        public void readable() {
            notifyReadable = true;
            changed.signalAll();
        }

        @Override
        public void writable() {
            notifyWritable = true;
            changed.signalAll();
        }

        @Override
        public void closed(CloseReason reason) {
            if (listener != null && synSlotHeld) {
                listener.releaseSynSlot(); // a half-open child that never completed
                synSlotHeld = false;
            }
            closed = true;
            closeReason = reason;
            cpu.cancel(timer);
            tcp.closed(TcpSocket.this, established, reason);
            notifyReadable = true;
            notifyWritable = true;
            changed.signalAll();
        }
    }

    // ---- the application's side ----

    /** Waits until the handshake completes; throws ConnectException (refused, timed out) or on timeout. */
    public void awaitConnected(long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (!established && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("connect timed out after " + timeoutMs + " ms");
                }
                changed.awaitNanos(left);
            }
            if (!established) {
                throw new ConnectException(closeReason != null ? closeReason.text() : "connection closed while opening");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** SO_RCVTIMEO for blocking reads: 0 waits for ever. */
    public void setReadTimeout(long ms) {
        readTimeoutMs = ms;
    }

    /** recv(2): blocks until there is data, end of stream (-1) or an error. */
    public int read(byte[] b, int off, int len) throws IOException {
        long timeout = readTimeoutMs;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        int n;
        lock.lock();
        try {
            while ((n = readLocked(b, off, len)) == 0) {
                if (timeout == 0) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("read timed out after " + timeout + " ms");
                    }
                    changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        } finally {
            lock.unlock();
        }
        afterRead(n);
        return n;
    }

    /** recv(2) with MSG_DONTWAIT: 0 when nothing is there yet, -1 at end of stream. */
    public int tryRead(byte[] b, int off, int len) throws IOException {
        return tryRead(b, off, len, false);
    }

    /** {@link #tryRead(byte[], int, int)}, with {@code peek} for MSG_PEEK: the bytes stay to be read again. */
    public int tryRead(byte[] b, int off, int len, boolean peek) throws IOException {
        int n;
        lock.lock();
        try {
            n = readLocked(b, off, len, peek);
        } finally {
            lock.unlock();
        }
        if (!peek) {
            afterRead(n);
        }
        return n;
    }

    /**
     * recv(MSG_OOB) (tcp_recv_urg): the urgent byte (0 to 255), or -1 (EINVAL: SO_OOBINLINE, none, or read
     * already), -2 (EAGAIN: its pointer came, the byte not yet), -3 (end of stream); {@code peek}: MSG_PEEK.
     */
    public int readUrgent(boolean peek) {
        lock.lock();
        try {
            return tcb == null ? -1 : tcb.readUrgent(peek);
        } finally {
            lock.unlock();
        }
    }

    /** SO_OOBINLINE: the urgent byte stays in the stream, where reads find it. */
    public void setOobInline(boolean on) {
        cpu.execute(() -> onCpu(t -> t.oobInline(on)));
    }

    private int readLocked(byte[] b, int off, int len) throws IOException {
        return readLocked(b, off, len, false);
    }

    private int readLocked(byte[] b, int off, int len, boolean peek) throws IOException {
        if (tcb != null) {
            int n = peek ? tcb.peek(b, off, len) : tcb.read(b, off, len);
            if (n != 0) {
                return n;
            }
        }
        if (closed) {
            if (closeReason != null) {
                throw new SocketException(closeReason.text());
            }
            return -1;
        }
        return 0;
    }

    private void afterRead(int n) {
        if (n > 0 && windowUpdateScheduled.compareAndSet(false, true)) {
            cpu.runOrExecute(() -> {
                windowUpdateScheduled.set(false);
                onCpu(t -> t.windowUpdate(tcp.now()));
            });
        }
    }

    /** send(2): blocks until every byte is queued (not necessarily sent). */
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n;
            lock.lock();
            try {
                while ((n = writeLocked(b, off, len)) == 0) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("interrupted");
            } finally {
                lock.unlock();
            }
            off += n;
            len -= n;
            schedulePush();
        }
    }

    /** send(2) with MSG_DONTWAIT: how many bytes were queued, 0 if the send buffer is full. */
    public int tryWrite(byte[] b, int off, int len) throws IOException {
        return tryWrite(b, off, len, false);
    }

    /**
     * {@link #tryWrite(byte[], int, int)}, with {@code urgent} for send(MSG_OOB): the last byte queued is
     * marked urgent before anything of it can leave.
     */
    public int tryWrite(byte[] b, int off, int len, boolean urgent) throws IOException {
        int n;
        lock.lock();
        try {
            n = writeLocked(b, off, len);
            if (n > 0 && urgent) {
                tcb.markUrgent();
            }
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            schedulePush();
        }
        return n;
    }

    private int writeLocked(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new SocketException(closeReason != null ? closeReason.text() : "the connection is closed");
        }
        if (tcb == null || !established || tcb.writable() == 0) {
            return 0;
        }
        try {
            return tcb.queue(b, off, len);
        } catch (IllegalStateException e) {
            throw new SocketException("the socket is shut down for writing");
        }
    }

    private void schedulePush() {
        if (pushScheduled.compareAndSet(false, true)) {
            cpu.runOrExecute(() -> {
                pushScheduled.set(false);
                onCpu(t -> t.push(tcp.now()));
            });
        }
    }

    /** shutdown(SHUT_WR): a FIN after what is queued; reads go on. */
    public void shutdownOutput() {
        cpu.execute(() -> onCpu(t -> t.close(tcp.now())));
    }

    /**
     * close(2): a FIN after the queued data, or, with unread data left (the application will never see it),
     * a RST as Linux sends (tcp_close's "data was lost").
     */
    @Override
    public void close() {
        boolean lostData;
        lock.lock();
        try {
            lostData = tcb != null && tcb.readable() > 0;
        } finally {
            lock.unlock();
        }
        cpu.execute(() -> onCpu(t -> {
            if (lostData) {
                t.abort(CloseReason.UNREAD_DATA);
            } else {
                t.close(tcp.now());
                t.orphan(tcp.now());
            }
        }));
    }

    /** close(2) with SO_LINGER on and a zero timeout: the connection is reset at once, queued data and all. */
    public void reset() {
        cpu.execute(() -> onCpu(t -> t.abort(CloseReason.LINGER_ZERO)));
    }

    /**
     * Runs {@code work} on this connection's Cpu, where its callbacks run: how a service that accepted it
     * elsewhere starts serving it without two threads touching its state.
     */
    public void runOnCpu(Runnable work) {
        cpu.execute(work);
    }

    /** SO_KEEPALIVE: {@code k} turns keepalive on with those settings ({@link Keepalive#LINUX}), null off. */
    public void setKeepAlive(Keepalive k) {
        cpu.execute(() -> onCpu(t -> t.keepalive(k, tcp.now())));
    }

    /** TCP_NODELAY on this connection: on sends what Nagle holds back at once. */
    public void setNoDelay(boolean on) {
        cpu.execute(() -> onCpu(t -> t.setNoDelay(on, tcp.now())));
    }

    /** TCP_CONGESTION on this connection ("cubic" or "reno"). */
    public void setCongestion(String name) {
        cpu.execute(() -> onCpu(t -> t.setCongestion(name)));
    }

    /** TCP_USER_TIMEOUT on this connection, in milliseconds (0: tcp_retries2 decides). */
    public void setUserTimeout(int ms) {
        cpu.execute(() -> onCpu(t -> t.setUserTimeout(ms)));
    }

    /** The readiness callbacks of the non-blocking form; they run on the connection's Cpu and must not block. */
    public void onReadable(Runnable callback) {
        this.onReadable = callback;
    }

    public void onWritable(Runnable callback) {
        this.onWritable = callback;
    }

    /** An InputStream over {@link #read}. */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = TcpSocket.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : TcpSocket.this.read(b, off, len);
            }
        };
    }

    /** An OutputStream over {@link #write}; close() shuts the output down (FIN). */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                TcpSocket.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                TcpSocket.this.write(b, off, len);
            }

            @Override
            public void close() {
                shutdownOutput();
            }
        };
    }

    /** The listener closed before the application accepted this connection: reset it. */
    void abortFromListener() {
        cpu.execute(() -> onCpu(t -> t.abort(CloseReason.LISTENER_CLOSED)));
    }

    void accepted() {
        lock.lock();
        try {
            listener = null;
        } finally {
            lock.unlock();
        }
    }

    public int localAddress() {
        return key.laddr();
    }

    /**
     * The IPv6 address this end is bound to, v4-mapped for an IPv4 connection an IPv6 listener accepted, or
     * null for one over IPv4 of an IPv4 socket.
     */
    public Ipv6Address localAddress6() {
        return v4Mapped ? Ipv6Address.v4Mapped(key.laddr()) : key.laddr6();
    }

    /** The peer's IPv6 address, as {@link #localAddress6}. */
    public Ipv6Address remoteAddress6() {
        return v4Mapped ? Ipv6Address.v4Mapped(key.raddr()) : key.raddr6();
    }

    /** Whether this is an IPv4 connection of an IPv6 socket, its addresses v4-mapped. */
    public boolean isV4Mapped() {
        return v4Mapped;
    }

    /** The interface a link-local peer is on (the socket's sk_bound_dev_if), or null. */
    public NetDevice boundDevice() {
        return boundDevice;
    }

    public int localPort() {
        return key.lport();
    }

    public int remoteAddress() {
        return key.raddr();
    }

    public int remotePort() {
        return key.rport();
    }

    /** The state, and the queue sizes ss shows (Recv-Q, Send-Q). */
    public TcpInfo info() {
        lock.lock();
        try {
            if (tcb == null) {
                return new TcpInfo(TcpState.CLOSED, 0, 0, false, false, false, false, "", 0, 0, 0, 0, 0, 0, 0, Integer.MAX_VALUE, 0, 0, 0);
            }
            return new TcpInfo(tcb.state(), tcb.readable(), tcb.unacknowledged(), tcb.timestamps(), tcb.sack(),
                    tcb.ecn(), tcb.ecnSeen(), tcb.congestion(), tcb.sndWscale(),
                    tcb.rcvWscale(), tcb.rtoNanos() / 1_000, tcb.srttNanos() / 1_000, tcb.rttvarNanos() / 1_000,
                    tcb.sndMss(), tcb.cwnd(), tcb.ssthresh(), tcb.backoffs(), tcb.totalRetransmissions(),
                    tcb.sackedBytes());
        } finally {
            lock.unlock();
        }
    }

    /** The protocol block's variables, for a test that must say where a connection stands. */
    String debugState() {
        lock.lock();
        try {
            return tcb == null ? "no tcb" : tcb.debugState();
        } finally {
            lock.unlock();
        }
    }

    /**
     * What tcp_poll reads, in one look under the lock: the socket layer turns it into poll(2)'s events and
     * decides there whether a call would block.
     */
    public Readiness readiness() {
        lock.lock();
        try {
            TcpState state = tcb == null ? TcpState.SYN_SENT : tcb.state();
            return new Readiness(state, established, tcb == null ? 0 : tcb.readable(),
                    tcb == null || !established ? 0 : tcb.writable(), tcb == null ? 0 : tcb.unacknowledged(),
                    tcb == null ? 0 : tcb.unsent(), tcb != null && tcb.urgentWaiting(),
                    tcb != null && tcb.atUrgentMark(), closed, closeReason);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A connection's readiness (see {@link #readiness}).
     *
     * @param established the handshake completed at some time (a connection that failed while opening never did)
     * @param readable    bytes waiting to be read (SIOCINQ)
     * @param writeSpace  bytes the send buffer takes now
     * @param sendQueue   bytes queued and not yet acknowledged (SIOCOUTQ: write_seq - snd_una)
     * @param notSent     bytes queued and not yet sent (write_seq - snd_nxt, SIOCOUTQNSD)
     * @param urgent      an urgent byte waits for recv(MSG_OOB) (POLLPRI)
     * @param atMark      the next byte to read is the urgent mark (SIOCATMARK)
     * @param closeReason why the connection ended abnormally (reset, timeout...), null for an orderly end
     */
    public record Readiness(TcpState state, boolean established, int readable, int writeSpace, int sendQueue,
                            int notSent, boolean urgent, boolean atMark, boolean closed, CloseReason closeReason) {
        /** RCV_SHUTDOWN: the peer's FIN arrived, so a read past the data returns end of file. */
        public boolean peerFinished() {
            return switch (state) {
                case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
                case CLOSED -> closed && closeReason == null && established;
                default -> false;
            };
        }

        /** The handshake is still under way. */
        public boolean connecting() {
            return !established && !closed;
        }
    }

    /**
     * tcp_info, the part ss prints: the state and queues (ss -tn), then what ss -ti adds, starting with the
     * options the handshake agreed. Times are in
     * microseconds, windows in bytes; {@code ssthresh} is Integer.MAX_VALUE until the first loss. {@code ecn}: ECN
     * was agreed (TCPI_OPT_ECN), {@code ecnSeen}: the peer's data came ECN-capable (TCPI_OPT_ECN_SEEN).
     */
    public record TcpInfo(TcpState state, int recvQ, int sendQ, boolean timestamps, boolean sack, boolean ecn,
                          boolean ecnSeen, String congestion,
                          int sndWscale, int rcvWscale,
                          long rtoUs, long rttUs, long rttvarUs, int mss, int cwnd, int ssthresh, int backoffs,
                          long totalRetrans, int sackedBytes) {
    }
}
