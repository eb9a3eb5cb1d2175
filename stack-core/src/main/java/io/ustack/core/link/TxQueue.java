package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Icmpv6Packet;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One transmit queue of a device and its qdisc: struct netdev_queue with struct Qdisc. The qdisc is
 * pfifo_fast-like: ARP and ND in a band of their own, sent before anything else, so that neighbours stay
 * resolved however much waits; everything else in one FIFO. Past half of txqueuelen SYN-ACKs are refused
 * (QDISC_CONGESTED): the answers to a SYN flood must not crowd out the segments of established connections,
 * ICMP and ARP. At txqueuelen every frame is refused (QDISC_DROP).
 *
 * <p>Any thread may enqueue; one thread at a time runs the queue (the kernel's __QDISC_STATE_RUNNING), so
 * frames for one queue reach ndo_start_xmit in order and the driver needs no lock of its own per queue.
 * A driver that cannot take a frame returns {@link NetDevice#NETDEV_TX_BUSY} and calls
 * {@link NetDevice#netifStopQueue}; the frame goes back to the head of the qdisc and waits for
 * {@link NetDevice#netifWakeQueue}, which runs net_tx_action to drain it, {@link #DEV_TX_WEIGHT} frames a pass.
 */
final class TxQueue {
    /**
     * dev_tx_weight: frames one net_tx_action pass sends before it yields. The pass runs on the driver's
     * thread, which also receives: a long qdisc drained in one go would leave the receive ring unread.
     */
    static final int DEV_TX_WEIGHT = 64;

    private final NetDevice dev;
    private final int index;
    private final int limit;
    /** Band 0 (ARP and ND) and band 1 (the rest); these three fields are guarded by {@code fifo}'s monitor. */
    private final ArrayDeque<PacketBuffer> control = new ArrayDeque<>();
    private final ArrayDeque<PacketBuffer> fifo = new ArrayDeque<>();
    /** q->gso_skb: the frame the driver refused, sent before either band (dev_requeue_skb). */
    private PacketBuffer requeued;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Frames in both bands, written under the fifo's monitor, read without it by the bypass. */
    private volatile int backlog;
    private volatile boolean stopped;
    /** Set by dev_deactivate: unlike a driver's stop, no wake clears it. */
    private volatile boolean deactivated;
    private long requeues;
    /**
     * The frame the driver last refused, already shown to the packet taps: it goes back to the head of the
     * qdisc and is not shown again when retried. Touched only by the thread running the queue.
     */
    private PacketBuffer tappedAndRequeued;

    TxQueue(NetDevice dev, int index, int limit) {
        this.dev = dev;
        this.index = index;
        this.limit = limit;
    }

    /**
     * __dev_xmit_skb: with the queue idle and empty the frame goes straight to the driver (TCQ_F_CAN_BYPASS),
     * taking no lock; otherwise pfifo_enqueue, then qdisc_run. Takes ownership.
     */
    void enqueueAndRun(PacketBuffer pkt) {
        if (!stopped && backlog == 0 && running.compareAndSet(false, true)) {
            boolean sent = false;
            try {
                if (backlog == 0 && !deactivated) {
                    transmit(pkt);
                    sent = true;
                }
            } finally {
                running.set(false);
            }
            if (sent) {
                // a thread that queued while this one held the queue saw it running and left the frame to us
                if (backlog != 0) {
                    run(Integer.MAX_VALUE);
                }
                return;
            }
        }
        DropReason refused = null;
        boolean neigh = isNeighbourControl(pkt);
        synchronized (fifo) {
            if (backlog >= limit) {
                refused = DropReason.QDISC_DROP;
            } else if (!neigh && backlog >= limit / 2 && TcpHandshake.isReply(pkt)) {
                refused = DropReason.QDISC_CONGESTED;
            } else {
                (neigh ? control : fifo).addLast(pkt);
                backlog++;
            }
        }
        if (refused != null) {
            dev.stats().txDropped.increment();
            dev.host().drop(pkt, refused);
            return;
        }
        if (deactivated) {
            // dev_close purged the qdisc while this frame was on its way in (the device was still up when its
            // sender looked): no run will ever take it, so it goes as the purged ones went
            purge();
            return;
        }
        run(Integer.MAX_VALUE); // a sender drains all it finds: it spends its own time, not the driver thread's
    }

    /**
     * qdisc_run: dequeues and transmits until the queue is empty, the driver stops it or {@code quota}
     * frames have gone. Returns at once if another thread is already running this queue; that thread will
     * see the new frame. Returns true when the quota ran out with frames left (__netif_schedule: the caller
     * runs another pass later).
     */
    boolean run(int quota) {
        int left = quota;
        while (!stopped && running.compareAndSet(false, true)) {
            try {
                left = drain(left);
            } finally {
                running.set(false);
            }
            if (backlog == 0) {
                return false;
            }
            if (left == 0) {
                return !stopped;
            }
        }
        return false;
    }

    /** Sends up to {@code quota} frames; returns what is left of the quota. */
    private int drain(int quota) {
        int left = quota;
        while (left > 0 && !stopped && !deactivated) {
            PacketBuffer pkt = dequeue();
            if (pkt == null || !transmit(pkt)) {
                return left;
            }
            left--;
        }
        return left;
    }

    /**
     * dev_hard_start_xmit for one frame: the packet taps, then the driver. Returns false if the driver refused
     * it (NETDEV_TX_BUSY, having stopped the queue itself); the frame then goes back to the head of the qdisc
     * (dev_requeue_skb). The stop is the driver's to set, never ours: a wake that races with the refusal must
     * not be overwritten.
     */
    private boolean transmit(PacketBuffer pkt) {
        int len = pkt.len();
        // dev_queue_xmit_nit: the taps copy the frame now, while it is still ours
        if (dev.nitActive() && pkt != tappedAndRequeued) {
            dev.deliverToTaps(pkt, PacketTap.Direction.OUT);
        }
        tappedAndRequeued = null;
        if (dev.ndoStartXmit(pkt, index) == NetDevice.NETDEV_TX_OK) {
            dev.stats().txPackets.increment();
            dev.stats().txBytes.add(len);
            return true;
        }
        tappedAndRequeued = pkt;
        synchronized (fifo) {
            requeued = pkt;
            backlog++;
            requeues++;
        }
        return false;
    }

    /** The next frame to send: a refused one first, then band 0, then band 1. */
    private PacketBuffer dequeue() {
        synchronized (fifo) {
            PacketBuffer pkt = requeued != null ? requeued : control.isEmpty() ? fifo.pollFirst() : control.pollFirst();
            requeued = null;
            if (pkt != null) {
                backlog--;
            }
            return pkt;
        }
    }

    /** ARP, or ND (IPv6's ARP): what keeps the neighbours on both sides reachable. */
    private static boolean isNeighbourControl(PacketBuffer pkt) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.data());
        return eth != null && (eth.etherType() == EthernetFrame.ETH_P_ARP || eth.etherType() == EthernetFrame.ETH_P_IPV6
                && Icmpv6Packet.isNeighbourDiscovery(pkt, pkt.data() + EthernetFrame.HEADER_LEN));
    }

    void stop() {
        stopped = true;
    }

    /**
     * dev_deactivate_queue and synchronize_net: no thread starts a transmission on this queue after this
     * returns, and none is still inside one, so the driver may close its fd without a lock on its send path.
     * A thread that takes the queue after the flag is set sees it (drain and the bypass check it while
     * holding {@code running}).
     */
    void deactivate() {
        deactivated = true;
        stopped = true;
        while (running.get()) {
            Thread.onSpinWait(); // a transmission is one write(2): microseconds
        }
    }

    /**
     * netif_wake_queue: clears the stop and runs the first net_tx_action pass over what waited. Returns true
     * when frames remain for another pass ({@link #run} with {@link #DEV_TX_WEIGHT}).
     */
    boolean wake() {
        if (deactivated) {
            return false;
        }
        stopped = false;
        return run(DEV_TX_WEIGHT);
    }

    boolean isStopped() {
        return stopped;
    }

    int backlog() {
        return backlog;
    }

    long requeues() {
        synchronized (fifo) {
            return requeues;
        }
    }

    /** qdisc_reset: drops everything queued, for a device going down. */
    void purge() {
        while (true) {
            PacketBuffer pkt = dequeue();
            if (pkt == null) {
                return;
            }
            dev.stats().txDropped.increment();
            dev.host().drop(pkt, DropReason.DEV_READY);
        }
    }
}
