package io.ustack.cli.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ustack.cli.UserException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's control socket: a Unix stream socket (mode 0600) carrying one JSON request per line and
 * one JSON response per line (see {@link ControlRequest}, {@link ControlResponse}).
 *
 * <p>Threads: one epoll event loop ({@code ustack-control}) does the I/O; requests are dispatched on two
 * single-threaded workers ({@code ustack-control-cmd}), each connection on one of them, and long-running
 * commands on threads of their own (see {@link RequestHandler}).
 *
 * <p>A client may cost only so much ({@link ControlLimits}): a request line is at most 64 KiB, a connection
 * that sends no whole request for 15 s while nothing of its runs is closed, at most 64 connections are open
 * (a new one closes the one idle longest), so hostile or broken clients get an error line or are cut off while
 * others are served, and the daemon's memory stays bounded.
 */
public final class ControlServer implements AutoCloseable {
    private static final int WORKERS = 2;

    private final Path path;
    private final MultiThreadIoEventLoopGroup io;
    private final DefaultEventExecutorGroup workers;
    private Channel channel;
    private boolean closed;

    private ControlServer(Path path) {
        this.path = path;
        this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ustack-control", true),
                EpollIoHandler.newFactory());
        this.workers = new DefaultEventExecutorGroup(WORKERS, new DefaultThreadFactory("ustack-control-cmd", true));
    }

    /**
     * Listens on {@code path}, having removed a stale socket there.
     *
     * @throws UserException with one sentence if the path is in use by a live daemon, cannot be created or
     *                       cannot be bound; nothing is left running then
     */
    public static ControlServer bind(Path path, ControlDispatcher dispatcher) {
        return bind(path, dispatcher, ControlLimits.DEFAULT);
    }

    /** As {@link #bind(Path, ControlDispatcher)}, with other limits (for tests). */
    static ControlServer bind(Path path, ControlDispatcher dispatcher, ControlLimits limits) {
        if (!Epoll.isAvailable()) {
            throw new UserException("the control socket needs Netty's epoll native library, which cannot be loaded ("
                    + Epoll.unavailabilityCause().getMessage() + ")");
        }
        SocketFile.claim(path);
        ControlServer server = new ControlServer(path);
        int ownUid = Uid.current();
        ConnectionLimit connectionLimit = new ConnectionLimit(limits.maxConnections());
        Semaphore longRunning = new Semaphore(limits.maxLongRunning());
        ServerBootstrap b = new ServerBootstrap()
                .group(server.io)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline()
                                .addLast(connectionLimit)
                                .addLast(new PeerCheck(ownUid))
                                .addLast(new LineBasedFrameDecoder(limits.maxRequestBytes(), true, true))
                                .addLast(new StringDecoder(StandardCharsets.UTF_8))
                                .addLast(new StringEncoder(StandardCharsets.UTF_8))
                                .addLast(new RequestHandler(dispatcher, server.workers.next(), limits, longRunning));
                    }
                });
        ChannelFuture bound = b.bind(new DomainSocketAddress(path.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            server.close();
            throw new UserException("cannot listen on " + path + ": " + errnoText(bound.cause()));
        }
        server.channel = bound.channel();
        try {
            SocketFile.restrictToOwner(path);
        } catch (UserException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The strerror text of Netty's native errors, which read "bind(..) failed with error(-1): Operation not
     * permitted": the user needs the last part, not the call and the negative errno.
     */
    private static String errnoText(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.substring(m.lastIndexOf(": ") + 1).trim();
    }

    public Path path() {
        return path;
    }

    /** Stops listening, ends open connections and removes the socket file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            SocketFile.remove(path);
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
