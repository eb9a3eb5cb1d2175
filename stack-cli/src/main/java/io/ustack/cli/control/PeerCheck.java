package io.ustack.cli.control;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import java.io.IOException;

/**
 * Admits a control connection only from root or from the daemon's own user, by SO_PEERCRED. The socket
 * file's mode already says so; this holds even if someone loosens the mode or the directory. First in the
 * pipeline: a rejected peer gets one error response and is closed before anything it sent is read.
 */
final class PeerCheck extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(PeerCheck.class.getName());

    private final int ownUid;

    PeerCheck(int ownUid) {
        this.ownUid = ownUid;
    }

    static boolean allowed(int peerUid, int ownUid) {
        return peerUid == 0 || peerUid == ownUid;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int peerUid;
        try {
            peerUid = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().uid();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read a control client's credentials: {0}", e.getMessage());
            ctx.close();
            return;
        }
        if (allowed(peerUid, ownUid)) {
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        // Not fired on, so the pipeline's head does not start reading: nothing from this peer is dispatched.
        ctx.channel().config().setAutoRead(false);
        String refusal = ControlResponse.failure("uid " + peerUid + " may not use this control socket; only root"
                + (ownUid == 0 ? "" : " and uid " + ownUid) + " may").toJson() + "\n";
        // Written from here, ahead of the StringEncoder, so it goes out as bytes.
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
    }
}
