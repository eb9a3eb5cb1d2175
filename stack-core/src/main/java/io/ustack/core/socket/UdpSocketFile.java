package io.ustack.core.socket;

import io.ustack.core.udp.UdpDatagramReceived;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.UdpDatagram;
import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;

/** A SOCK_DGRAM socket: inet_dgram_ops over UDP. */
final class UdpSocketFile extends SocketFile {
    private final UdpSocket sock;

    UdpSocketFile(UdpSocket sock, WaitQueue waits, boolean nonBlocking) {
        super(waits, nonBlocking);
        this.sock = sock;
        sock.onReadable(this::wake);
    }

    UdpSocket socket() {
        return sock;
    }

    /** inet_bind for UDP: udp_v4_get_port. */
    void bind(int addr, int port) throws ErrnoException {
        if (sock.localPort() != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        try {
            sock.bind(addr, port);
        } catch (BindException e) {
            throw new ErrnoException(Errno.EADDRINUSE);
        } catch (IOException e) {
            throw new ErrnoException(Errno.EBADF);
        }
    }

    /** ip4_datagram_connect: fixes the peer, binding first if needed. */
    void connect(int addr, int port) throws ErrnoException {
        try {
            sock.connect(addr, port);
        } catch (IOException e) {
            throw new ErrnoException(Errno.EADDRINUSE);
        }
    }

    /** udp_sendmsg: to {@code port} at {@code addr}, or to the connected peer when port is -1. */
    int sendTo(byte[] b, int off, int len, int addr, int port) throws ErrnoException {
        if (port < 0) {
            if (sock.remotePort() == 0) {
                throw new ErrnoException(Errno.EDESTADDRREQ);
            }
            addr = sock.remoteAddress();
            port = sock.remotePort();
        }
        if (len > UdpDatagram.MAX_PAYLOAD) {
            throw new ErrnoException(Errno.EMSGSIZE);
        }
        if (port == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        try {
            sock.sendTo(b, off, len, addr, port);
            return len;
        } catch (PortUnreachableException e) {
            throw new ErrnoException(Errno.ECONNREFUSED);
        } catch (NoRouteToHostException e) {
            throw new ErrnoException(Errno.ENETUNREACH);
        } catch (BindException e) {
            throw new ErrnoException(Errno.EAGAIN); // no ephemeral port left (inet_autobind)
        } catch (IOException e) {
            throw new ErrnoException(Errno.EBADF);
        }
    }

    /**
     * udp_recvmsg: copies the next datagram (as much as fits; the rest is lost, as without MSG_TRUNC) and
     * says whom from, or null when the call would block.
     */
    Sockets.Received recvFrom(byte[] b, int off, int len) throws ErrnoException {
        UdpDatagramReceived d;
        try {
            d = sock.poll();
        } catch (PortUnreachableException e) {
            throw new ErrnoException(Errno.ECONNREFUSED);
        } catch (IOException e) {
            throw new ErrnoException(Errno.EBADF);
        }
        if (d == null) {
            return null;
        }
        int n = Math.min(len, d.data().length);
        System.arraycopy(d.data(), 0, b, off, n);
        return new Sockets.Received(n, d.sourceAddress(), d.sourcePort());
    }

    /** udp_poll: readable with a datagram queued, in error with sk_err set, always writable. */
    @Override
    int poll() {
        int mask = Abi.POLLOUT | Abi.POLLWRNORM;
        if (sock.nextDatagramLength() >= 0) {
            mask |= Abi.POLLIN | Abi.POLLRDNORM;
        }
        if (sock.errorPending()) {
            mask |= Abi.POLLERR;
        }
        return mask;
    }

    /** SIOCINQ for UDP: the next datagram's payload, 0 when none is queued. */
    int bytesToRead() {
        return Math.max(0, sock.nextDatagramLength());
    }

    @Override
    void release() {
        sock.close();
    }
}
