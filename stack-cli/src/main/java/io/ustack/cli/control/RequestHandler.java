package io.ustack.cli.control;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.EventExecutor;

/**
 * Answers each request line of a connection with one response line. The dispatch runs on the connection's
 * worker, not on the I/O thread, so a slow command does not hold up other clients; the worker is a single
 * thread, so one connection's responses come back in request order.
 */
final class RequestHandler extends SimpleChannelInboundHandler<String> {
    private static final System.Logger LOG = System.getLogger(RequestHandler.class.getName());

    private final ControlDispatcher dispatcher;
    private final EventExecutor worker;

    RequestHandler(ControlDispatcher dispatcher, EventExecutor worker) {
        this.dispatcher = dispatcher;
        this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        if (line.isBlank()) {
            return; // a stray newline from someone typing at the socket with socat is not a request
        }
        worker.execute(() -> ctx.writeAndFlush(dispatcher.dispatch(line).toJson() + "\n"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(ControlResponse.failure("the request is longer than " + ControlServer.MAX_REQUEST_BYTES
                    + " bytes").toJson() + "\n").addListener(ChannelFutureListener.CLOSE);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "control connection failed", cause);
        ctx.close();
    }
}
