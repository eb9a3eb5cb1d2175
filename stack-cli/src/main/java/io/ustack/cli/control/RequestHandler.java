package io.ustack.cli.control;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers each request line of a connection with one response line, one request at a time, in order. Ordinary
 * commands run on the connection's worker (a single thread shared with other connections), not on the I/O
 * thread; a long-running one ({@link ControlHandler#longRunning}) on a thread of its own, interrupted if its
 * client goes away, so that no command holds a worker for long. Lines sent ahead of their answers wait here,
 * a few at most ({@link ControlLimits#maxPending}); a connection with no command running that sends no whole
 * request within {@link ControlLimits#idleTimeout} is closed.
 *
 * <p>Every field but {@link #runner} is touched only on the connection's event loop.
 */
final class RequestHandler extends SimpleChannelInboundHandler<String> {
    private static final System.Logger LOG = System.getLogger(RequestHandler.class.getName());

    private final ControlDispatcher dispatcher;
    private final EventExecutor worker;
    private final ControlLimits limits;
    private final Semaphore longRunning;
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    private boolean busy;
    /** When the last whole request came or the last answer went (System.nanoTime). */
    private long lastActivity;
    /** The thread running this connection's long-running command, if one is. */
    private final AtomicReference<Thread> runner = new AtomicReference<>();

    RequestHandler(ControlDispatcher dispatcher, EventExecutor worker, ControlLimits limits, Semaphore longRunning) {
        this.dispatcher = dispatcher;
        this.worker = worker;
        this.limits = limits;
        this.longRunning = longRunning;
    }

    /** True when nothing of this connection's is running or waiting: it may be closed to make room. */
    boolean idle() {
        return !busy && pending.isEmpty();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        if (line.isBlank()) {
            return; // a stray newline from someone typing at the socket with socat is not a request
        }
        if (pending.size() >= limits.maxPending()) {
            refuseAndClose(ctx, "more than " + limits.maxPending() + " requests were sent ahead of their answers; "
                    + "read each answer before sending more");
            return;
        }
        lastActivity = System.nanoTime();
        pending.add(line);
        next(ctx);
    }

    /** Starts the next waiting request, if none is running. */
    private void next(ChannelHandlerContext ctx) {
        if (busy || pending.isEmpty() || !ctx.channel().isActive()) {
            return;
        }
        busy = true;
        ControlDispatcher.Call call = dispatcher.prepare(pending.poll());
        if (!call.longRunning()) {
            worker.execute(() -> answer(ctx, call.run()));
            return;
        }
        if (!longRunning.tryAcquire()) {
            answer(ctx, ControlResponse.failure("'" + call.cmd() + "' must wait: " + limits.maxLongRunning()
                    + " long-running commands (ping, capture) are running already, the most at once"));
            return;
        }
        Thread t = new Thread(() -> {
            ControlResponse r;
            try {
                r = call.run();
            } finally {
                // done before the answer goes, after which the connection's next command may start at once
                runner.compareAndSet(Thread.currentThread(), null);
                Thread.interrupted(); // an interrupt that came late is not the next command's
                longRunning.release();
            }
            answer(ctx, r);
        }, "ustack-control-" + call.cmd());
        t.setDaemon(true);
        runner.set(t);
        t.start();
        if (!ctx.channel().isActive()) {
            t.interrupt(); // the client left between the check above and now: channelInactive saw no runner
        }
    }

    /** Sends {@code r} from the event loop; the next waiting request starts once it is written. */
    private void answer(ChannelHandlerContext ctx, ControlResponse r) {
        if (!ctx.executor().inEventLoop()) {
            try {
                ctx.executor().execute(() -> answer(ctx, r));
            } catch (RejectedExecutionException e) {
                // the control socket is closing: its connections are gone, and the answer with them
            }
            return;
        }
        if (!ctx.channel().isActive()) {
            busy = false;
            return;
        }
        ctx.writeAndFlush(r.toJson() + "\n").addListener(f -> {
            busy = false;
            lastActivity = System.nanoTime();
            if (f.isSuccess()) {
                next(ctx);
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        pending.clear();
        Thread t = runner.get();
        if (t != null) {
            LOG.log(System.Logger.Level.DEBUG, "control client gone: ending {0}", t.getName());
            t.interrupt();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lastActivity = System.nanoTime();
        scheduleIdleCheck(ctx, limits.idleTimeout().toNanos());
        super.channelActive(ctx);
    }

    /**
     * Closes the connection once it has been idle (nothing running or waiting) for the idle timeout since its
     * last whole request or answer: bytes that never make a line do not keep it open.
     */
    private void scheduleIdleCheck(ChannelHandlerContext ctx, long delayNanos) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            long timeout = limits.idleTimeout().toNanos();
            long left = lastActivity + timeout - System.nanoTime();
            if (!idle()) {
                scheduleIdleCheck(ctx, timeout);
            } else if (left > 0) {
                scheduleIdleCheck(ctx, left);
            } else {
                long ms = limits.idleTimeout().toMillis();
                refuseAndClose(ctx, "no whole request came within " + (ms % 1000 == 0 ? Long.toString(ms / 1000)
                        : Double.toString(ms / 1000.0)) + " s; closing the connection");
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            refuseAndClose(ctx, "the request is longer than " + limits.maxRequestBytes() + " bytes");
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "control connection failed", cause);
        ctx.close();
    }

    /** One error line, then the connection is closed; nothing more is read from it. */
    static void refuseAndClose(ChannelHandlerContext ctx, String sentence) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(ControlResponse.failure(sentence).toJson() + "\n").addListener(ChannelFutureListener.CLOSE);
    }
}
