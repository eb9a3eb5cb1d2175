package io.ustack.core.udp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.Gso;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.UdpDatagram;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP socket on the stack: bind, connect, send and receive, blocking or not.
 *
 * <p>Threads: any application thread may send and receive. Datagrams are queued by the backlog thread
 * that RPS gives their flow, which also runs the {@link #onReadable} callback, so a service that answers
 * from the callback does its protocol work on that thread. The receive queue holds at most
 * {@link #DEFAULT_RCVBUF} bytes of buffers (net.core.rmem_default); beyond that datagrams are dropped and
 * counted as UdpRcvbufErrors.
 *
 * <p>As on Linux, an ICMP error about a datagram sent from a connected socket (port unreachable, say)
 * makes the socket's next send or receive fail once (sk_err).
 */
public final class UdpSocket implements AutoCloseable {
    /** net.core.rmem_default. */
    public static final int DEFAULT_RCVBUF = 212_992;

    private final UdpProtocol udp;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>();
    private int queuedBytes;
    private volatile int localAddress;
    private volatile int localPort;
    private volatile int remoteAddress;
    private volatile int remotePort;
    private volatile IOException pendingError;
    private volatile Runnable onReadable;
    private volatile boolean closed;
    private volatile int segmentSize;

    UdpSocket(UdpProtocol udp) {
        this.udp = udp;
    }

    /** bind(2): {@code port} 0 picks an ephemeral port; {@code addr} 0 is any local address. */
    public void bind(int addr, int port) throws IOException {
        checkOpen();
        if (localPort != 0) {
            throw new SocketException("the socket is already bound to port " + localPort);
        }
        localPort = udp.table().bind(this, addr, port);
        localAddress = addr;
    }

    /** connect(2): fixes the peer; datagrams from anyone else are no longer delivered here. Binds if needed. */
    public void connect(int addr, int port) throws IOException {
        checkOpen();
        if (localPort == 0) {
            bind(0, 0);
        }
        remoteAddress = addr;
        remotePort = port;
    }

    /**
     * setsockopt(UDP_SEGMENT): a send of more than {@code size} bytes leaves as one super-packet that the
     * device, or software GSO before one that cannot, cuts into datagrams of {@code size} payload bytes, the
     * last perhaps shorter (UDP GSO: one trip through the stack for up to {@link Gso#UDP_MAX_SEGMENTS}
     * datagrams). 0, the default, sends every send as one datagram.
     *
     * @throws IllegalArgumentException outside 0 to 65535, as Linux refuses it with EINVAL
     */
    public void setSegmentSize(int size) {
        if (size < 0 || size > 0xffff) {
            throw new IllegalArgumentException("UDP_SEGMENT of " + size + ": 0 to 65535");
        }
        segmentSize = size;
    }

    /** getsockopt(UDP_SEGMENT): the gso_size sends are cut at, 0 for none. */
    public int segmentSize() {
        return segmentSize;
    }

    /** send(2) on a connected socket. */
    public void send(byte[] data, int off, int len) throws IOException {
        if (remotePort == 0) {
            throw new SocketException("the socket is not connected: use sendTo");
        }
        sendTo(data, off, len, remoteAddress, remotePort);
    }

    /** sendto(2): one datagram; binds to an ephemeral port first if unbound. Larger than the MTU, it leaves fragmented. */
    public void sendTo(byte[] data, int off, int len, int addr, int port) throws IOException {
        checkOpen();
        throwPendingError();
        if (localPort == 0) {
            bind(0, 0);
        }
        udp.sendmsg(this, data, off, len, addr, port);
    }

    /**
     * sendto(2) to 255.255.255.255 on a socket bound to {@code dev} (SO_BINDTODEVICE with SO_BROADCAST): the
     * limited broadcast leaves on that device alone, from {@code saddr}, to the Ethernet broadcast address,
     * as a DHCP server answers a client that has no address yet.
     */
    public void sendBroadcast(byte[] data, int off, int len, io.ustack.core.link.NetDevice dev, int saddr, int port)
            throws IOException {
        checkOpen();
        if (localPort == 0) {
            bind(0, 0);
        }
        udp.sendBroadcast(this, data, off, len, dev, saddr, port);
    }

    /** recvfrom(2), blocking up to {@code timeout}; throws SocketTimeoutException when nothing came. */
    public UdpDatagramReceived receive(long timeout, TimeUnit unit) throws IOException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (queue.isEmpty()) {
                checkOpen();
                throwPendingError();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no datagram within " + unit.toMillis(timeout) + " ms");
                }
                readable.awaitNanos(left);
            }
            return take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** recvfrom(2) with MSG_DONTWAIT: the next datagram, or null if none is queued. */
    public UdpDatagramReceived poll() throws IOException {
        lock.lock();
        try {
            if (queue.isEmpty()) {
                throwPendingError();
                return null;
            }
            return take();
        } finally {
            lock.unlock();
        }
    }

    /** Copies out and releases the first queued datagram. Caller holds the lock. */
    private UdpDatagramReceived take() {
        PacketBuffer pkt = queue.pollFirst();
        queuedBytes -= pkt.end();
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        UdpDatagram udpHdr = UdpDatagram.wrap(pkt, pkt.transportHeader());
        UdpDatagramReceived d = new UdpDatagramReceived(ip.saddr(), udpHdr.sourcePort(), ip.daddr(), pkt.toByteArray(),
                pkt.dev() == null ? 0 : pkt.dev().ifindex());
        pkt.release();
        return d;
    }

    /**
     * The readiness callback of the non-blocking form: runs on the backlog thread each time a datagram is
     * queued. It should {@link #poll} until null and must not block.
     */
    public void onReadable(Runnable callback) {
        this.onReadable = callback;
    }

    /**
     * __udp_queue_rcv_skb: queues a datagram (data at the payload, headers set) for the reader. Takes
     * ownership. Returns false if the receive buffer was full and the datagram dropped.
     */
    boolean enqueue(PacketBuffer pkt) {
        lock.lock();
        try {
            if (closed || queuedBytes + pkt.end() > DEFAULT_RCVBUF) {
                return false;
            }
            queue.addLast(pkt);
            queuedBytes += pkt.end();
            readable.signal();
        } finally {
            lock.unlock();
        }
        Runnable cb = onReadable;
        if (cb != null) {
            cb.run();
        }
        return true;
    }

    /** udp_err: remembers an error for the next call (sk_err), and wakes a blocked reader to see it. */
    void error(IOException e) {
        pendingError = e;
        lock.lock();
        try {
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        Runnable cb = onReadable;
        if (cb != null) {
            cb.run();
        }
    }

    private void throwPendingError() throws IOException {
        IOException e = pendingError;
        if (e != null) {
            pendingError = null; // sock_error: reported once
            throw e;
        }
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("the socket is closed");
        }
    }

    /** close(2): unbinds and drops what is still queued. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (localPort != 0) {
            udp.table().unbind(this, localPort);
        }
        lock.lock();
        try {
            PacketBuffer p;
            while ((p = queue.pollFirst()) != null) {
                udp.drops().drop(p, DropReason.SOCKET_CLOSE);
            }
            queuedBytes = 0;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static PortUnreachableException refused(int addr, int port) {
        return new PortUnreachableException("connection refused by " + io.ustack.core.wire.Ipv4Address.format(addr) + ":" + port);
    }

    public int localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Bytes of buffers in the receive queue (ss's Recv-Q). */
    public int receiveQueueBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** udp_poll and SIOCINQ: the payload length of the next datagram queued, -1 when none is. */
    public int nextDatagramLength() {
        lock.lock();
        try {
            PacketBuffer p = queue.peekFirst();
            return p == null ? -1 : p.len();
        } finally {
            lock.unlock();
        }
    }

    /** sk_err is set: an ICMP error waits to be reported by the next call. */
    public boolean errorPending() {
        return pendingError != null;
    }

    public boolean isClosed() {
        return closed;
    }
}
