package io.ustack.core.testing;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two devices joined by a wire that drops each frame with a given probability: how the protocol tests
 * reproduce a lossy path between two stacks in one process.
 */
public final class LossyWire {
    private final End a;
    private final End b;
    private final double loss;
    private final AtomicLong dropped = new AtomicLong();

    public LossyWire(long macA, long macB, double loss) {
        this.loss = loss;
        this.a = new End("wa", macA);
        this.b = new End("wb", macB);
        a.peer = b;
        b.peer = a;
    }

    public NetDevice a() {
        return a;
    }

    public NetDevice b() {
        return b;
    }

    public long dropped() {
        return dropped.get();
    }

    private final class End extends NetDevice {
        private End peer;

        End(String name, long mac) {
            super(name, mac, 1500, 1, NetDevice.DEFAULT_TX_QUEUE_LEN);
        }

        @Override
        protected void ndoOpen() {
        }

        @Override
        protected void ndoStop() {
        }

        /** Takes ownership: the frame is copied into the peer's pool (the other stack) or lost. */
        @Override
        protected int ndoStartXmit(PacketBuffer pkt, int queue) {
            if (ThreadLocalRandom.current().nextDouble() < loss || !peer.isUp()) {
                dropped.incrementAndGet();
                pkt.release();
                return NETDEV_TX_OK;
            }
            PacketBuffer copy = peer.host().pool().allocate(pkt.len());
            copy.copyFrom(pkt, pkt.data(), copy.put(pkt.len()), pkt.len());
            pkt.release();
            copy.setDev(peer);
            peer.host().netifReceiveSkb(copy);
            return NETDEV_TX_OK;
        }
    }
}
