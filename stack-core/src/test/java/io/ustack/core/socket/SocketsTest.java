package io.ustack.core.socket;

import static io.ustack.core.socket.Abi.AF_INET;
import static io.ustack.core.socket.Abi.EPOLLET;
import static io.ustack.core.socket.Abi.POLLHUP;
import static io.ustack.core.socket.Abi.POLLIN;
import static io.ustack.core.socket.Abi.POLLOUT;
import static io.ustack.core.socket.Abi.POLLRDHUP;
import static io.ustack.core.socket.Abi.SOCK_DGRAM;
import static io.ustack.core.socket.Abi.SOCK_NONBLOCK;
import static io.ustack.core.socket.Abi.SOCK_STREAM;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import io.ustack.core.testing.StackHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The socket calls as Linux answers them, driven from the wire: the host's segments are injected, the
 * stack's read back, and every call's result or errno checked against what the kernel returns.
 */
class SocketsTest {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    /** Where the TCP header starts in a frame the stack sent: Ethernet 14 + IPv4 20. */
    private static final int TCP = 34;

    private final StackHarness h = new StackHarness();
    private final Sockets sk = new Sockets(h.stack);

    @AfterEach
    void leakCheck() {
        sk.close();
        h.close();
    }

    private static void assertErrno(Errno expected, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(expected, e.errno());
    }

    /** The host sends one segment to {@code dport}; returns the last frame the stack answered with, or null. */
    private byte[] host(int sport, int dport, int seq, int ack, int flags, String data) {
        byte[] payload = data.getBytes(StandardCharsets.US_ASCII);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0x4000, tcp(HOST_IP, STACK_IP, sport, dport, seq, ack, flags, payload)));
        List<byte[]> out = h.sent();
        return out.isEmpty() ? null : out.get(out.size() - 1);
    }

    /** A listener on port 8080 and one connection accepted from it; returns {listenFd, connFd, ourIsn}. */
    private int[] acceptedConnection() throws Exception {
        h.hostArps();
        int lfd = sk.socket(AF_INET, SOCK_STREAM, 0);
        sk.bind(lfd, 0, 8080);
        sk.listen(lfd, 1);
        byte[] synAck = host(40000, 8080, 1000, 0, SYN, "");
        assertEquals(SYN | ACK, u8(synAck, TCP + 13));
        int iss = i32(synAck, TCP + 4);
        host(40000, 8080, 1001, iss + 1, ACK, "");
        int cfd = sk.accept(lfd, 0);
        return new int[] {lfd, cfd, iss};
    }

    @Test
    void descriptorsStartAtThreeAndTheLowestFreeIsReused() throws Exception {
        assertEquals(3, sk.socket(AF_INET, SOCK_STREAM, 0));
        assertEquals(4, sk.socket(AF_INET, SOCK_DGRAM, 0));
        sk.close(3);
        assertEquals(3, sk.socket(AF_INET, SOCK_STREAM, 6));
        assertErrno(Errno.EBADF, () -> sk.close(9));
        assertErrno(Errno.EAFNOSUPPORT, () -> sk.socket(10, SOCK_STREAM, 0));
        assertErrno(Errno.EPROTONOSUPPORT, () -> sk.socket(AF_INET, SOCK_STREAM, 17));
    }

    @Test
    void bindRefusesForeignAddressesAndPortsInUse() throws Exception {
        int a = sk.socket(AF_INET, SOCK_STREAM, 0);
        int b = sk.socket(AF_INET, SOCK_STREAM, 0);
        assertErrno(Errno.EADDRNOTAVAIL, () -> sk.bind(a, HOST_IP, 8080));
        sk.bind(a, STACK_IP, 8080);
        assertErrno(Errno.EINVAL, () -> sk.bind(a, STACK_IP, 8081)); // bound already
        assertErrno(Errno.EADDRINUSE, () -> sk.bind(b, 0, 8080));
        sk.close(a);
        sk.bind(b, 0, 8080); // free again once closed
    }

    @Test
    void reuseAddrLetsTwoSocketsShareAPortUntilOneListens() throws Exception {
        int a = sk.socket(AF_INET, SOCK_STREAM, 0);
        int b = sk.socket(AF_INET, SOCK_STREAM, 0);
        int c = sk.socket(AF_INET, SOCK_STREAM, 0);
        for (int fd : new int[] {a, b, c}) {
            sk.setsockopt(fd, Abi.SOL_SOCKET, Abi.SO_REUSEADDR, 1);
        }
        sk.bind(a, 0, 9000);
        sk.bind(b, 0, 9000);
        sk.listen(a, 5);
        assertErrno(Errno.EADDRINUSE, () -> sk.bind(c, 0, 9000));
    }

    @Test
    void acceptWouldBlockUntilAHandshakeCompletes() throws Exception {
        h.hostArps();
        int lfd = sk.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sk.bind(lfd, 0, 8080);
        sk.listen(lfd, 1);
        assertErrno(Errno.EAGAIN, () -> sk.accept(lfd, 0));
        Sockets.PollFd p = new Sockets.PollFd(lfd, POLLIN);
        assertEquals(0, sk.poll(new Sockets.PollFd[] {p}, 0));
        byte[] synAck = host(40000, 8080, 1000, 0, SYN, "");
        host(40000, 8080, 1001, i32(synAck, TCP + 4) + 1, ACK, "");
        assertEquals(1, sk.poll(new Sockets.PollFd[] {p}, 0));
        assertEquals(POLLIN, p.revents & POLLIN);
        int cfd = sk.accept(lfd, 0);
        assertEquals(lfd + 1, cfd);
        assertArrayEquals(new int[] {HOST_IP, 40000}, sk.peerName(cfd));
        assertErrno(Errno.EINVAL, () -> sk.ioctl(lfd, Abi.SIOCINQ));
        assertErrno(Errno.ENOTCONN, () -> sk.read(lfd, new byte[10], 0, 10));
    }

    @Test
    void readsWhatArrivedThenEndOfFileAfterTheFin() throws Exception {
        int[] c = acceptedConnection();
        int fd = c[1];
        sk.fcntl(fd, Abi.F_SETFL, Abi.O_NONBLOCK);
        assertEquals(Abi.O_RDWR | Abi.O_NONBLOCK, sk.fcntl(fd, Abi.F_GETFL, 0));
        byte[] buf = new byte[100];
        assertErrno(Errno.EAGAIN, () -> sk.read(fd, buf, 0, buf.length));
        host(40000, 8080, 1001, c[2] + 1, ACK | PSH, "hello");
        assertEquals(5, sk.ioctl(fd, Abi.SIOCINQ));
        Sockets.PollFd p = new Sockets.PollFd(fd, POLLIN | POLLOUT | POLLRDHUP);
        sk.poll(new Sockets.PollFd[] {p}, 0);
        assertEquals(POLLIN | POLLOUT, p.revents & (POLLIN | POLLOUT | POLLRDHUP));
        assertEquals(3, sk.read(fd, buf, 0, 3));
        assertEquals(2, sk.read(fd, buf, 3, 50));
        assertEquals("hello", new String(buf, 0, 5, StandardCharsets.US_ASCII));

        host(40000, 8080, 1006, c[2] + 1, ACK | FIN, "");
        sk.poll(new Sockets.PollFd[] {p}, 0);
        assertEquals(POLLIN | POLLRDHUP, p.revents & (POLLIN | POLLRDHUP));
        assertEquals(0, sk.read(fd, buf, 0, buf.length), "end of file after the peer's FIN");
        assertEquals(0, sk.read(fd, buf, 0, buf.length), "and again");
    }

    @Test
    void aResetIsReportedOnceThenTheSocketReadsAsClosed() throws Exception {
        int[] c = acceptedConnection();
        int fd = c[1];
        host(40000, 8080, 1001, c[2] + 1, RST, "");
        Sockets.PollFd p = new Sockets.PollFd(fd, POLLIN);
        sk.poll(new Sockets.PollFd[] {p}, 0);
        assertTrue((p.revents & Abi.POLLERR) != 0, "POLLERR while the error waits");
        assertTrue((p.revents & POLLHUP) != 0);
        byte[] buf = new byte[10];
        assertErrno(Errno.ECONNRESET, () -> sk.read(fd, buf, 0, 10));
        assertEquals(0, sk.read(fd, buf, 0, 10));
        assertErrno(Errno.EPIPE, () -> sk.write(fd, buf, 0, 10));
    }

    @Test
    void writesLeaveAsSegmentsAndSiocoutqCountsWhatIsUnacknowledged() throws Exception {
        int[] c = acceptedConnection();
        int fd = c[1];
        byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(10, sk.write(fd, data, 0, 10));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] seg = out.get(0);
        assertEquals(c[2] + 1, i32(seg, TCP + 4));
        assertEquals(10, u16(seg, 16) - 40, "IP total length less the headers");
        assertEquals(10, sk.ioctl(fd, Abi.SIOCOUTQ));
        host(40000, 8080, 1001, c[2] + 11, ACK, "");
        assertEquals(0, sk.ioctl(fd, Abi.SIOCOUTQ));
    }

    @Test
    void shutdownWriteSendsAFinAndLaterWritesFailWithEpipe() throws Exception {
        int[] c = acceptedConnection();
        int fd = c[1];
        sk.shutdown(fd, Abi.SHUT_WR);
        byte[] fin = h.sent().get(0);
        assertEquals(FIN | ACK, u8(fin, TCP + 13));
        assertErrno(Errno.EPIPE, () -> sk.write(fd, new byte[1], 0, 1));
        assertErrno(Errno.EINVAL, () -> sk.shutdown(fd, 7));
    }

    @Test
    void soLingerZeroClosesWithAReset() throws Exception {
        int[] c = acceptedConnection();
        sk.setLinger(c[1], true, 0);
        sk.close(c[1]);
        byte[] rst = h.sent().get(0);
        assertEquals(RST, u8(rst, TCP + 13) & RST);
    }

    @Test
    void nonBlockingConnectSaysInProgressThenPollOutAndSoErrorZero() throws Exception {
        h.hostArps();
        int fd = sk.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertErrno(Errno.EINPROGRESS, () -> sk.connect(fd, HOST_IP, 80));
        assertErrno(Errno.EALREADY, () -> sk.connect(fd, HOST_IP, 80));
        byte[] syn = h.sent().get(0);
        assertEquals(SYN, u8(syn, TCP + 13));
        int lport = u16(syn, TCP);
        assertArrayEquals(new int[] {STACK_IP, lport}, sk.sockName(fd));
        Sockets.PollFd p = new Sockets.PollFd(fd, POLLOUT);
        assertEquals(0, sk.poll(new Sockets.PollFd[] {p}, 0));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0x4000,
                tcp(HOST_IP, STACK_IP, 80, lport, 5000, i32(syn, TCP + 4) + 1, SYN | ACK, new byte[0])));
        assertEquals(1, sk.poll(new Sockets.PollFd[] {p}, 0));
        assertEquals(POLLOUT, p.revents);
        assertEquals(0, sk.getsockopt(fd, Abi.SOL_SOCKET, Abi.SO_ERROR));
        assertErrno(Errno.EISCONN, () -> sk.connect(fd, HOST_IP, 80));
    }

    @Test
    void aBlockingConnectRefusedByAResetFailsWithEconnrefused() throws Exception {
        h.hostArps();
        int fd = sk.socket(AF_INET, SOCK_STREAM, 0);
        CompletableFuture<Errno> result = CompletableFuture.supplyAsync(() -> {
            try {
                sk.connect(fd, HOST_IP, 81);
                return null;
            } catch (ErrnoException e) {
                return e.errno();
            }
        });
        byte[] syn = Await.until("the SYN", Duration.ofSeconds(30), () -> {
            List<byte[]> out = h.sent();
            return out.isEmpty() ? null : out.get(0);
        }, Objects::nonNull);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0x4000,
                tcp(HOST_IP, STACK_IP, 81, u16(syn, TCP), 0, i32(syn, TCP + 4) + 1, RST | ACK, new byte[0])));
        assertEquals(Errno.ECONNREFUSED, result.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aBlockingReadWakesWhenDataArrives() throws Exception {
        int[] c = acceptedConnection();
        byte[] buf = new byte[16];
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                read.complete(sk.read(c[1], buf, 0, buf.length));
            } catch (ErrnoException e) {
                read.completeExceptionally(e);
            }
        });
        reader.start();
        Await.until("the reader asleep in read(2)", Duration.ofSeconds(30), () -> reader.getState() == Thread.State.WAITING);
        host(40000, 8080, 1001, c[2] + 1, ACK | PSH, "wake");
        assertEquals(4, read.get(30, TimeUnit.SECONDS));
    }

    @Test
    void pollWaitsOnTheVirtualClockUntilItsTimeout() throws Exception {
        int fd = sk.socket(AF_INET, SOCK_DGRAM, 0);
        sk.bind(fd, 0, 7000);
        Sockets.PollFd p = new Sockets.PollFd(fd, POLLIN);
        CompletableFuture<Integer> polled = new CompletableFuture<>();
        Thread poller = new Thread(() -> {
            try {
                polled.complete(sk.poll(new Sockets.PollFd[] {p}, 100));
            } catch (ErrnoException e) {
                polled.completeExceptionally(e);
            }
        });
        poller.start();
        Await.until("the poller asleep", Duration.ofSeconds(30), () -> poller.getState() == Thread.State.WAITING);
        h.clock.advanceMillis(50);
        sk.clockAdvanced();
        Await.until("the poller asleep again", Duration.ofSeconds(30), () -> poller.getState() == Thread.State.WAITING);
        assertTrue(!polled.isDone(), "50 ms of virtual time do not end a 100 ms poll");
        h.clock.advanceMillis(50);
        sk.clockAdvanced();
        assertEquals(0, polled.get(30, TimeUnit.SECONDS), "timed out with nothing ready");
    }

    @Test
    void udpSendsReceivesAndSaysWhy() throws Exception {
        h.hostArps();
        int fd = sk.socket(AF_INET, SOCK_DGRAM, 0);
        sk.bind(fd, 0, 7000);
        byte[] buf = new byte[100];
        assertErrno(Errno.EAGAIN, () -> sk.recvFrom(fd, buf, 0, buf.length, Abi.MSG_DONTWAIT));
        assertErrno(Errno.EDESTADDRREQ, () -> sk.write(fd, buf, 0, 1));
        assertErrno(Errno.EMSGSIZE, () -> sk.sendTo(fd, new byte[70_000], 0, 70_000, 0, HOST_IP, 9));
        assertErrno(Errno.EINVAL, () -> sk.sendTo(fd, buf, 0, 1, 0, HOST_IP, 0));
        assertEquals(3, sk.sendTo(fd, "abc".getBytes(StandardCharsets.US_ASCII), 0, 3, 0, HOST_IP, 9));
        byte[] sent = h.sent().get(0);
        assertEquals(17, u8(sent, 23));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 9, 7000, "reply".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(5, sk.ioctl(fd, Abi.SIOCINQ));
        Sockets.Received r = sk.recvFrom(fd, buf, 0, buf.length, 0);
        assertEquals(new Sockets.Received(5, HOST_IP, 9), r);
        assertEquals(0, sk.ioctl(fd, Abi.SIOCINQ));
    }

    @Test
    void epollIsLevelTriggeredUnlessAskedForEdges() throws Exception {
        int level = sk.socket(AF_INET, SOCK_DGRAM, 0);
        int edge = sk.socket(AF_INET, SOCK_DGRAM, 0);
        sk.bind(level, 0, 7001);
        sk.bind(edge, 0, 7002);
        int ep = sk.epollCreate();
        sk.epollCtl(ep, Abi.EPOLL_CTL_ADD, level, POLLIN, 1);
        sk.epollCtl(ep, Abi.EPOLL_CTL_ADD, edge, POLLIN | EPOLLET, 2);
        assertErrno(Errno.EEXIST, () -> sk.epollCtl(ep, Abi.EPOLL_CTL_ADD, level, POLLIN, 1));
        assertEquals(List.of(), sk.epollWait(ep, 8, 0));
        for (int port : new int[] {7001, 7002}) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 9, port, new byte[] {1})));
        }
        assertEquals(List.of(new Sockets.EpollEvent(POLLIN, 1), new Sockets.EpollEvent(POLLIN, 2)), sk.epollWait(ep, 8, 0));
        assertEquals(List.of(new Sockets.EpollEvent(POLLIN, 1)), sk.epollWait(ep, 8, 0),
                "the level-triggered one again, the edge-triggered one not until something new arrives");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 9, 7002, new byte[] {2})));
        assertEquals(List.of(new Sockets.EpollEvent(POLLIN, 1), new Sockets.EpollEvent(POLLIN, 2)), sk.epollWait(ep, 8, 0));
        sk.close(level);
        assertEquals(List.of(), sk.epollWait(ep, 8, 0), "a closed descriptor leaves the set");
    }

    @Test
    void optionsFollowLinuxsRules() throws Exception {
        int fd = sk.socket(AF_INET, SOCK_STREAM, 0);
        sk.setsockopt(fd, Abi.SOL_SOCKET, Abi.SO_SNDBUF, 200_000);
        assertEquals(400_000, sk.getsockopt(fd, Abi.SOL_SOCKET, Abi.SO_SNDBUF), "the kernel doubles what is asked");
        sk.setsockopt(fd, Abi.SOL_SOCKET, Abi.SO_RCVBUF, 1);
        assertEquals(2_304, sk.getsockopt(fd, Abi.SOL_SOCKET, Abi.SO_RCVBUF), "and raises a tiny one to its minimum");
        assertErrno(Errno.EINVAL, () -> sk.setsockopt(fd, Abi.SOL_TCP, Abi.TCP_MAXSEG, 10));
        assertErrno(Errno.ENOENT, () -> sk.setsockopt(fd, Abi.SOL_TCP, Abi.TCP_CONGESTION, "bbr9"));
        sk.setsockopt(fd, Abi.SOL_TCP, Abi.TCP_CONGESTION, "reno");
        assertEquals("reno", sk.congestion(fd));
        assertErrno(Errno.ENOPROTOOPT, () -> sk.setsockopt(fd, Abi.SOL_TCP, 999, 1));
        assertEquals(Abi.SOCK_STREAM, sk.getsockopt(fd, Abi.SOL_SOCKET, Abi.SO_TYPE));
        Sockets.PollFd p = new Sockets.PollFd(fd, POLLIN | POLLOUT);
        sk.poll(new Sockets.PollFd[] {p}, 0);
        assertEquals(POLLOUT | POLLHUP, p.revents, "a fresh TCP socket is TCP_CLOSE: POLLOUT and POLLHUP");
        assertErrno(Errno.EPIPE, () -> sk.write(fd, new byte[1], 0, 1));
    }

    @Test
    void aListenerInheritsOptionsItsConnectionsAnnounce() throws Exception {
        h.hostArps();
        int lfd = sk.socket(AF_INET, SOCK_STREAM, 0);
        sk.setsockopt(lfd, Abi.SOL_TCP, Abi.TCP_MAXSEG, 1000);
        sk.bind(lfd, 0, 8080);
        sk.listen(lfd, 1);
        byte[] synAck = host(40000, 8080, 1000, 0, SYN, "");
        assertEquals(2, u8(synAck, TCP + 20), "the MSS option comes first");
        assertEquals(1000, u16(synAck, TCP + 22), "TCP_MAXSEG caps the MSS announced");
    }
}
