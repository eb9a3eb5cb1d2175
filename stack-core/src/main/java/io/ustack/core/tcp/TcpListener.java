package io.ustack.core.tcp;

import io.ustack.core.wire.Ipv6Address;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A listening socket: its SYN queue (connections still in SYN_RECEIVED, counted) and its accept queue
 * (established, waiting for {@link #accept}), each bounded by the backlog, as listen(2)'s is.
 */
public final class TcpListener implements AutoCloseable {
    private final TcpProtocol tcp;
    private final int address;
    /** The IPv6 address bound (:: for any), or null for an IPv4 listener. */
    private final Ipv6Address address6;
    /** IPV6_V6ONLY of an IPv6 listener: without it, one on :: takes IPv4 too (v4-mapped). */
    private final boolean v6only;
    private final int port;
    private final int backlog;
    private final UnaryOperator<TcpConfig> options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<TcpSocket> acceptQueue = new ArrayDeque<>();
    private final AtomicInteger synQueue = new AtomicInteger();
    private volatile Runnable onAcceptable;
    private volatile boolean closed;

    TcpListener(TcpProtocol tcp, int address, int port, int backlog, UnaryOperator<TcpConfig> options) {
        this(tcp, address, null, false, port, backlog, options);
    }

    TcpListener(TcpProtocol tcp, Ipv6Address address6, boolean v6only, int port, int backlog,
                UnaryOperator<TcpConfig> options) {
        this(tcp, 0, address6, v6only, port, backlog, options);
    }

    private TcpListener(TcpProtocol tcp, int address, Ipv6Address address6, boolean v6only, int port, int backlog,
                        UnaryOperator<TcpConfig> options) {
        this.tcp = tcp;
        this.address = address;
        this.address6 = address6;
        this.v6only = v6only;
        this.port = port;
        this.backlog = backlog;
        this.options = options;
    }

    /** The listening socket's options, which its connections inherit. */
    UnaryOperator<TcpConfig> options() {
        return options;
    }

    public int address() {
        return address;
    }

    /** The IPv6 address bound (:: for any), or null for an IPv4 listener. */
    public Ipv6Address address6() {
        return address6;
    }

    /** IPV6_V6ONLY: an IPv6 listener that takes IPv6 alone. */
    public boolean v6only() {
        return v6only;
    }

    /**
     * Whether this IPv6 listener holds its port for IPv4 as well (without IPV6_V6ONLY, on :: or a v4-mapped
     * address), so that no IPv4 listener may have it (inet_bind_conflict).
     */
    boolean bindsIpv4() {
        return address6 != null && !v6only && (address6.isUnspecified() || address6.isV4Mapped());
    }

    /** Whether this IPv6 listener takes an IPv4 segment to {@code daddr} (v4-mapped): on ::, or on ::ffff:daddr. */
    boolean takesIpv4(int daddr) {
        return bindsIpv4() && (address6.isUnspecified() || address6.v4() == daddr);
    }

    public int port() {
        return port;
    }

    public int backlog() {
        return backlog;
    }

    /** Connections in the SYN queue (SYN_RECEIVED). */
    public int synQueueLength() {
        return synQueue.get();
    }

    /** Established connections waiting for accept (ss's Recv-Q of a listener). */
    public int acceptQueueLength() {
        lock.lock();
        try {
            return acceptQueue.size();
        } finally {
            lock.unlock();
        }
    }

    /** sk_acceptq_is_full: no room for one more established connection. */
    boolean acceptQueueFull() {
        return acceptQueueLength() >= backlog;
    }

    /** Room for one more half-open connection (inet_csk_reqsk_queue_is_full says no otherwise). */
    boolean reserveSynSlot() {
        while (true) {
            int n = synQueue.get();
            if (n >= backlog || closed) {
                return false;
            }
            if (synQueue.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void releaseSynSlot() {
        synQueue.decrementAndGet();
    }

    /** A child finished its handshake: into the accept queue, or false if that is full. */
    boolean offer(TcpSocket child) {
        lock.lock();
        try {
            if (closed || acceptQueue.size() >= backlog) {
                return false;
            }
            acceptQueue.addLast(child);
            ready.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void notifyAcceptable() {
        Runnable cb = onAcceptable;
        if (cb != null) {
            cb.run();
        }
    }

    /** accept(2): the next established connection, waiting up to {@code timeoutMs} (0: for ever). */
    public TcpSocket accept(long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (acceptQueue.isEmpty()) {
                if (closed) {
                    throw new SocketException("the listener is closed");
                }
                if (timeoutMs == 0) {
                    ready.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("accept timed out after " + timeoutMs + " ms");
                    }
                    ready.awaitNanos(left);
                }
            }
            TcpSocket s = acceptQueue.pollFirst();
            s.accepted();
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** accept4(2) with SOCK_NONBLOCK: the next established connection, or null. */
    public TcpSocket tryAccept() {
        lock.lock();
        try {
            TcpSocket s = acceptQueue.pollFirst();
            if (s != null) {
                s.accepted();
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Runs on a connection's Cpu when one is ready to accept; must not block. */
    public void onAcceptable(Runnable callback) {
        this.onAcceptable = callback;
    }

    /** Stops listening; connections never accepted are reset. */
    @Override
    public void close() {
        closed = true;
        tcp.unlisten(this);
        lock.lock();
        try {
            for (TcpSocket s : acceptQueue) {
                s.abortFromListener();
            }
            acceptQueue.clear();
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
