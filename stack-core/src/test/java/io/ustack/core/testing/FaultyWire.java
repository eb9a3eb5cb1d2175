package io.ustack.core.testing;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two devices joined by a wire that loses, duplicates and reorders frames, each with its own probability:
 * how the protocol tests reproduce a bad path between two stacks in one process. A frame picked for
 * reordering is held back and delivered right after the next frame in the same direction.
 */
public final class FaultyWire {
    /** The probabilities, per frame, of each fault. */
    public record Faults(double loss, double duplicate, double reorder) {
        public static Faults loss(double p) {
            return new Faults(p, 0, 0);
        }
    }

    private final End a;
    private final End b;
    private final Faults faults;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();

    public FaultyWire(long macA, long macB, Faults faults) {
        this.faults = faults;
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

    public long duplicated() {
        return duplicated.get();
    }

    public long reordered() {
        return reordered.get();
    }

    private final class End extends NetDevice {
        private End peer;
        /** A frame held back to arrive after the next one; a copy, so no buffer is held across tests. */
        private byte[] held;

        End(String name, long mac) {
            super(name, mac, 1500, 1, NetDevice.DEFAULT_TX_QUEUE_LEN);
        }

        @Override
        protected void ndoOpen() {
        }

        @Override
        protected void ndoStop() {
        }

        /** Takes ownership: the frame is copied into the peer's pool (the other stack), or lost. */
        @Override
        protected int ndoStartXmit(PacketBuffer pkt, int queue) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            byte[] frame = new byte[pkt.len()];
            pkt.copyOut(pkt.data(), frame, 0, frame.length);
            pkt.release();
            if (r.nextDouble() < faults.loss() || !peer.isUp()) {
                dropped.incrementAndGet();
                return NETDEV_TX_OK;
            }
            byte[] late;
            synchronized (this) {
                if (held == null && r.nextDouble() < faults.reorder()) {
                    held = frame;
                    reordered.incrementAndGet();
                    return NETDEV_TX_OK;
                }
                late = held;
                held = null;
            }
            deliver(frame);
            if (r.nextDouble() < faults.duplicate()) {
                duplicated.incrementAndGet();
                deliver(frame);
            }
            if (late != null) {
                deliver(late);
            }
            return NETDEV_TX_OK;
        }

        private void deliver(byte[] frame) {
            PacketBuffer copy = peer.host().pool().allocate(frame.length);
            copy.copyIn(copy.put(frame.length), frame, 0, frame.length);
            copy.setDev(peer);
            peer.host().netifReceiveSkb(copy);
        }
    }
}
