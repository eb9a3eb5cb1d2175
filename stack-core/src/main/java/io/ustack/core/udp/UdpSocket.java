package io.ustack.core.udp;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.Gso;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
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
 * <p>A socket is of one family for its life, as socket(2) makes it: AF_INET ({@link UdpProtocol#open}), whose
 * addresses are ints, or AF_INET6 ({@link UdpProtocol#open6}), whose addresses are {@link Ipv6Address}es and
 * whose calls are the ones ending in 6. An IPv6 socket without IPV6_V6ONLY ({@link #setV6Only}; its default is
 * net.ipv6.bindv6only, 0 as in Linux) bound to :: takes IPv4 datagrams too, and names their peers as v4-mapped
 * addresses (::ffff:a.b.c.d), to which it also sends over IPv4; so it holds its port in both families. One with
 * IPV6_V6ONLY takes IPv6 alone, and shares its port with an IPv4 socket.
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
    private final boolean ipv6;
    private volatile boolean v6only;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>();
    private int queuedBytes;
    private volatile int localAddress;
    private volatile int localPort;
    private volatile int remoteAddress;
    private volatile int remotePort;
    private volatile Ipv6Address localAddress6 = Ipv6Address.UNSPECIFIED;
    private volatile Ipv6Address remoteAddress6 = Ipv6Address.UNSPECIFIED;
    /** The interface index of a link-local peer connected to (sk_bound_dev_if), else 0. */
    private volatile int remoteScopeId;
    private volatile IOException pendingError;
    private volatile Runnable onReadable;
    private volatile boolean closed;
    private volatile int segmentSize;

    UdpSocket(UdpProtocol udp, boolean ipv6, boolean v6only) {
        this.udp = udp;
        this.ipv6 = ipv6;
        this.v6only = v6only;
    }

    /**
     * setsockopt(IPV6_V6ONLY) of an IPv6 socket: on, it takes and sends IPv6 alone; off, bound to :: it takes
     * IPv4 too (v4-mapped). Refused once the socket is bound (EINVAL), as Linux refuses it.
     */
    public void setV6Only(boolean on) throws SocketException {
        checkFamily(true);
        if (localPort != 0) {
            throw new SocketException("IPV6_V6ONLY cannot change once the socket is bound");
        }
        v6only = on;
    }

    /** getsockopt(IPV6_V6ONLY); false for an IPv4 socket. */
    public boolean v6only() {
        return v6only;
    }

    /** bind(2): {@code port} 0 picks an ephemeral port; {@code addr} 0 is any local address. */
    public void bind(int addr, int port) throws IOException {
        checkFamily(false);
        bind(addr, Ipv6Address.UNSPECIFIED, port);
    }

    /**
     * bind(2) of an IPv6 socket: {@code port} 0 picks an ephemeral port; {@code addr} :: is any local address, a
     * v4-mapped one an IPv4 address (refused with IPV6_V6ONLY, as inet6_bind refuses it).
     */
    public void bind6(Ipv6Address addr, int port) throws IOException {
        checkFamily(true);
        bind(mappedV4(addr), addr, port);
    }

    /**
     * inet_bind and inet6_bind: the address of this socket's family is the one used; an IPv6 socket keeps a
     * v4-mapped address's IPv4 address in the int too (0 for any other), which IPv4 lookups compare.
     */
    private void bind(int addr, Ipv6Address addr6, int port) throws IOException {
        checkOpen();
        if (localPort != 0) {
            throw new SocketException("the socket is already bound to port " + localPort);
        }
        localPort = udp.table().bind(this, addr, addr6, port);
        localAddress = addr;
        localAddress6 = addr6;
    }

    /** inet_autobind: an unbound socket that sends or connects gets an ephemeral port on any address. */
    private void autobind() throws IOException {
        if (localPort == 0) {
            bind(0, Ipv6Address.UNSPECIFIED, 0);
        }
    }

    /** connect(2): fixes the peer; datagrams from anyone else are no longer delivered here. Binds if needed. */
    public void connect(int addr, int port) throws IOException {
        checkFamily(false);
        connect(addr, Ipv6Address.UNSPECIFIED, port);
    }

    /** connect(2) of an IPv6 socket, as {@link #connect}; to a v4-mapped address it talks IPv4. */
    public void connect6(Ipv6Address addr, int port) throws IOException {
        connect6(addr, 0, port);
    }

    /** {@link #connect6(Ipv6Address, int)} to a peer on the link of interface {@code scopeId} (sin6_scope_id). */
    public void connect6(Ipv6Address addr, int scopeId, int port) throws IOException {
        checkFamily(true);
        udp.ipv6Context().scope(addr, scopeId); // ip6_datagram_connect's EINVAL, now rather than at the first send
        connect(mappedV4(addr), addr, port);
        remoteScopeId = scopeId;
    }

    /**
     * The IPv4 address in a v4-mapped {@code addr}, 0 for any other; a v4-mapped address on a socket with
     * IPV6_V6ONLY is EINVAL's mistake, as in inet6_bind and __ip6_datagram_connect.
     */
    private int mappedV4(Ipv6Address addr) throws SocketException {
        if (!addr.isV4Mapped()) {
            return 0;
        }
        if (v6only) {
            throw new SocketException("a v4-mapped address on a socket with IPV6_V6ONLY: " + addr);
        }
        return addr.v4();
    }

    /** inet_dgram_connect: as {@link #bind(int, Ipv6Address, int)}, the family's address is the one used. */
    private void connect(int addr, Ipv6Address addr6, int port) throws IOException {
        checkOpen();
        autobind();
        remoteAddress = addr;
        remoteAddress6 = addr6;
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
        if (ipv6) {
            sendTo6(data, off, len, remoteAddress6, remoteScopeId, remotePort);
        } else {
            sendTo(data, off, len, remoteAddress, remotePort);
        }
    }

    /** sendto(2): one datagram; binds to an ephemeral port first if unbound. Larger than the MTU, it leaves fragmented. */
    public void sendTo(byte[] data, int off, int len, int addr, int port) throws IOException {
        checkFamily(false);
        prepareSend();
        udp.sendmsg(this, data, off, len, addr, port);
    }

    /** {@link #sendTo6(byte[], int, int, Ipv6Address, int, int)} with no scope id. */
    public void sendTo6(byte[] data, int off, int len, Ipv6Address addr, int port) throws IOException {
        sendTo6(data, off, len, addr, 0, port);
    }

    /**
     * sendto(2) of an IPv6 socket (udpv6_sendmsg): as {@link #sendTo}, its source chosen by source address
     * selection when the socket is bound to ::, fragmented at this source when over the path MTU. A link-local
     * destination needs {@code scopeId}, the interface index it is on (sin6_scope_id; 0 for none). To a
     * v4-mapped address the datagram goes over IPv4 (udp_sendmsg), unless the socket has IPV6_V6ONLY.
     */
    public void sendTo6(byte[] data, int off, int len, Ipv6Address addr, int scopeId, int port) throws IOException {
        checkFamily(true);
        prepareSend();
        udp.sendmsg6(this, data, off, len, addr, scopeId, port);
    }

    /**
     * sendto(2) back to whoever sent {@code d}, as recvfrom named it: over IPv4 to an IPv4 peer (v4-mapped on
     * an IPv6 socket), over IPv6 on the interface it came in by, which a link-local peer needs.
     */
    public void reply(UdpDatagramReceived d, byte[] data, int off, int len) throws IOException {
        if (ipv6) {
            sendTo6(data, off, len, d.sourceAddress6(), d.ifindex(), d.sourcePort());
        } else {
            sendTo(data, off, len, d.sourceAddress(), d.sourcePort());
        }
    }

    private void prepareSend() throws IOException {
        checkOpen();
        throwPendingError();
        autobind();
    }

    /**
     * sendto(2) to 255.255.255.255 on a socket bound to {@code dev} (SO_BINDTODEVICE with SO_BROADCAST): the
     * limited broadcast leaves on that device alone, from {@code saddr}, to the Ethernet broadcast address,
     * as a DHCP server answers a client that has no address yet.
     */
    public void sendBroadcast(byte[] data, int off, int len, io.ustack.core.link.NetDevice dev, int saddr, int port)
            throws IOException {
        checkFamily(false);
        checkOpen();
        autobind();
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
        int sport = UdpDatagram.wrap(pkt, pkt.transportHeader()).sourcePort();
        int ifindex = pkt.dev() == null ? 0 : pkt.dev().ifindex();
        UdpDatagramReceived d;
        if (pkt.u8(pkt.networkHeader()) >>> 4 == 6) {
            Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
            d = new UdpDatagramReceived(0, sport, 0, pkt.toByteArray(), ifindex, ip.saddr(), ip.daddr());
        } else {
            Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
            d = ipv6 // an IPv6 socket names an IPv4 peer v4-mapped, as recvfrom's sockaddr_in6 does
                    ? new UdpDatagramReceived(ip.saddr(), sport, ip.daddr(), pkt.toByteArray(), ifindex,
                            Ipv6Address.v4Mapped(ip.saddr()), Ipv6Address.v4Mapped(ip.daddr()))
                    : new UdpDatagramReceived(ip.saddr(), sport, ip.daddr(), pkt.toByteArray(), ifindex);
        }
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

    /** The family's own calls only: an address of the other family is EAFNOSUPPORT's mistake. */
    private void checkFamily(boolean v6) throws SocketException {
        if (v6 != ipv6) {
            throw new SocketException("an " + (ipv6 ? "IPv6" : "IPv4") + " socket: use the calls of its family");
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
        return new PortUnreachableException("connection refused by " + Ipv4Address.format(addr) + ":" + port);
    }

    /** Whether this is an AF_INET6 socket. */
    public boolean isIpv6() {
        return ipv6;
    }

    /**
     * Whether a socket of family {@code ipv6} bound to {@code addr6} (for an IPv6 one) holds its port for IPv4:
     * an IPv4 socket, or an IPv6 one without IPV6_V6ONLY on :: or a v4-mapped address.
     */
    static boolean bindsIpv4(boolean ipv6, boolean v6only, Ipv6Address addr6) {
        return !ipv6 || (!v6only && (addr6.isUnspecified() || addr6.isV4Mapped()));
    }

    /** Whether a socket of family {@code ipv6} bound to {@code addr6} holds its port for IPv6: not on a v4-mapped address. */
    static boolean bindsIpv6(boolean ipv6, Ipv6Address addr6) {
        return ipv6 && !addr6.isV4Mapped();
    }

    boolean bindsIpv4() {
        return bindsIpv4(ipv6, v6only, localAddress6);
    }

    boolean bindsIpv6() {
        return bindsIpv6(ipv6, localAddress6);
    }

    /** Whether IPv4 datagrams may come here: it binds IPv4, and is connected to no peer or to an IPv4 one. */
    boolean takesIpv4() {
        return bindsIpv4() && (!ipv6 || remotePort == 0 || remoteAddress6.isV4Mapped());
    }

    /** Whether IPv6 datagrams may come here: it binds IPv6, and is connected to no peer or to an IPv6 one. */
    boolean takesIpv6() {
        return bindsIpv6() && (remotePort == 0 || !remoteAddress6.isV4Mapped());
    }

    /**
     * Bound to the wildcard of the family asked about ({@code v6}: ::, else 0.0.0.0; an IPv6 socket on :: is
     * on 0.0.0.0 as well): it takes datagrams to any of our addresses.
     */
    boolean boundToAny(boolean v6) {
        return v6 ? localAddress6.isUnspecified() : localAddress == 0;
    }

    /** Bound to {@code addr6}, or with {@code addr6} null to the IPv4 address {@code addr} (v4-mapped on an IPv6 socket). */
    boolean boundTo(int addr, Ipv6Address addr6) {
        return addr6 == null ? localAddress == addr : localAddress6.equals(addr6);
    }

    /** Connected to {@code addr6} (or with it null to the IPv4 {@code addr}) and {@code port}. */
    boolean connectedTo(int addr, Ipv6Address addr6, int port) {
        return remotePort == port && (addr6 == null ? remoteAddress == addr : remoteAddress6.equals(addr6));
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

    /** The local address of an IPv6 socket (:: when unbound or bound to any). */
    public Ipv6Address localAddress6() {
        return localAddress6;
    }

    /** The peer of a connected IPv6 socket (:: when not connected). */
    public Ipv6Address remoteAddress6() {
        return remoteAddress6;
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
