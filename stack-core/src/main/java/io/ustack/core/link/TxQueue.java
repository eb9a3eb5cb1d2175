package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One transmit queue of a device and its pfifo qdisc: struct netdev_queue with struct Qdisc.
 *
 * <p>Any thread may enqueue; one thread at a time runs the queue (the kernel's __QDISC_STATE_RUNNING), so
 * frames for one queue reach ndo_start_xmit in order and the driver needs no lock of its own per queue.
 * A driver that cannot take a frame returns {@link NetDevice#NETDEV_TX_BUSY} and calls
 * {@link NetDevice#netifStopQueue}; the frame goes back to the head of the qdisc and waits for
 * {@link NetDevice#netifWakeQueue}, which runs net_tx_action to drain it.
 */
final class TxQueue {
    private final NetDevice dev;
    private final int index;
    private final int limit;
    private final ArrayDeque<PacketBuffer> fifo = new ArrayDeque<>();
    private final AtomicBoolean running = new AtomicBoolean();
    /** fifo.size(), written under the fifo's monitor, read without it by the bypass. */
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
                    run();
                }
                return;
            }
        }
        boolean accepted;
        synchronized (fifo) {
            accepted = fifo.size() < limit;
            if (accepted) {
                fifo.addLast(pkt);
                backlog = fifo.size();
            }
        }
        if (!accepted) {
            dev.stats().txDropped.increment();
            dev.host().drop(pkt, DropReason.QDISC_DROP);
            return;
        }
        run();
    }

    /**
     * qdisc_run: dequeues and transmits until the queue is empty or the driver stops it. Returns at once
     * if another thread is already running this queue; that thread will see the new frame.
     */
    void run() {
        while (!stopped && running.compareAndSet(false, true)) {
            try {
                drain();
            } finally {
                running.set(false);
            }
            if (backlog == 0) {
                return;
            }
        }
    }

    private void drain() {
        while (!stopped && !deactivated) {
            PacketBuffer pkt;
            synchronized (fifo) {
                pkt = fifo.pollFirst();
                backlog = fifo.size();
            }
            if (pkt == null || !transmit(pkt)) {
                return;
            }
        }
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
            fifo.addFirst(pkt);
            backlog = fifo.size();
            requeues++;
        }
        return false;
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

    /** netif_wake_queue: clears the stop and drains what waited (net_tx_action). */
    void wake() {
        if (deactivated) {
            return;
        }
        stopped = false;
        run();
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
            PacketBuffer pkt;
            synchronized (fifo) {
                pkt = fifo.pollFirst();
                backlog = fifo.size();
            }
            if (pkt == null) {
                return;
            }
            dev.stats().txDropped.increment();
            dev.host().drop(pkt, DropReason.DEV_READY);
        }
    }
}
