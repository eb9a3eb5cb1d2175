package io.ustack.core.testing;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;

/**
 * The stack as a driver sees it, with nothing behind it: buffers from a pool, drops counted, received frames
 * released. For tests of a device, or of what runs just before one, without a whole stack.
 */
public final class PoolHost implements NetDeviceHost {
    private final BufferPool pool;
    private final PacketDrops drops = new PacketDrops();

    public PoolHost(BufferPool pool) {
        this.pool = pool;
    }

    @Override
    public BufferPool pool() {
        return pool;
    }

    /** Takes ownership and releases: nothing up the stack to hand it to. */
    @Override
    public void netifReceiveSkb(PacketBuffer pkt) {
        pkt.release();
    }

    @Override
    public void drop(PacketBuffer pkt, DropReason reason) {
        drops.drop(pkt, reason);
    }

    /** What was dropped, by reason. */
    public PacketDrops drops() {
        return drops;
    }
}
