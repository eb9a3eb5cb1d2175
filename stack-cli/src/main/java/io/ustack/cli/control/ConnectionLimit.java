package io.ustack.cli.control;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Holds the control connections open at once to {@link ControlLimits#maxConnections}. A connection past the
 * limit makes room by closing the one that has been idle (nothing running or waiting) the longest, so that a
 * client holding hundreds of connections open and silent cannot lock out the next well-behaved one; only if
 * every connection is busy is the new one refused. Shared by all connections and used only on the control
 * socket's single event loop, so it needs no lock.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(ConnectionLimit.class.getName());

    private final int max;
    /** The open connections, oldest first. */
    private final Set<Channel> open = new LinkedHashSet<>();

    ConnectionLimit(int max) {
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (open.size() >= max && !closeIdlest()) {
            LOG.log(System.Logger.Level.WARNING, "refused a control connection: {0} are open and busy", Integer.toString(max));
            refuse(ch, max + " control connections are open and busy, the most this daemon serves at once; try again later");
            return;
        }
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /** Closes the oldest idle connection; false if none is idle. */
    private boolean closeIdlest() {
        for (Iterator<Channel> it = open.iterator(); it.hasNext(); ) {
            Channel c = it.next();
            RequestHandler h = c.pipeline().get(RequestHandler.class);
            if (h == null || h.idle()) {
                it.remove();
                LOG.log(System.Logger.Level.DEBUG, "closing an idle control connection to make room");
                refuse(c, "closed to make room: " + max + " control connections were open and this one was idle "
                        + "the longest");
                return true;
            }
        }
        return false;
    }

    /** One error line as bytes (this handler may sit ahead of the string encoder), then close. */
    private static void refuse(Channel ch, String sentence) {
        ch.config().setAutoRead(false);
        String line = ControlResponse.failure(sentence).toJson() + "\n";
        ch.writeAndFlush(ByteBufUtil.writeUtf8(ch.alloc(), line)).addListener(ChannelFutureListener.CLOSE);
    }
}
