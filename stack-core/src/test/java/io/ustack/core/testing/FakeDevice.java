package io.ustack.core.testing;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A device with no wire: frames the stack sends are copied into a list ({@link #drain}), frames a test
 * injects go up the receive path. It can pretend to be busy, to exercise netif_stop_queue/netif_wake_queue.
 */
public final class FakeDevice extends NetDevice {
    private final List<byte[]> sent = new ArrayList<>();
    private volatile boolean busy;

    public FakeDevice(String name, long mac) {
        this(name, mac, 1500, NetDevice.DEFAULT_TX_QUEUE_LEN);
    }

    public FakeDevice(String name, long mac, int mtu, int txQueueLen) {
        super(name, mac, mtu, 1, txQueueLen);
    }

    @Override
    protected void ndoOpen() {
        // nothing to start
    }

    @Override
    protected void ndoStop() {
        // nothing to stop
    }

    /** Copies and releases the frame, or refuses it while busy. Takes ownership on NETDEV_TX_OK. */
    @Override
    protected int ndoStartXmit(PacketBuffer pkt, int queue) {
        if (busy) {
            netifStopQueue(queue);
            return NETDEV_TX_BUSY;
        }
        synchronized (sent) {
            sent.add(pkt.toByteArray());
        }
        pkt.release();
        return NETDEV_TX_OK;
    }

    /**
     * While busy the driver refuses frames; clearing it wakes the queue, as EPOLLOUT would, and runs
     * net_tx_action passes until the qdisc is empty (a real driver spreads them over its event loop).
     */
    public void setBusy(boolean busy) {
        this.busy = busy;
        boolean more = !busy && netifWakeQueue(0);
        while (more) {
            more = netifTxAction(0);
        }
    }

    /** Hands one frame to the stack as the driver's poll loop would. */
    public void inject(byte[] frame) {
        inject(frame, pkt -> { });
    }

    /**
     * Hands one frame to the stack as {@link #inject(byte[])} does, once {@code asDriver} has set on its
     * buffer (the frame at offset 0) what a driver maps from an offload header: a partial or vouched-for
     * checksum, GSO fields.
     */
    public void inject(byte[] frame, Consumer<PacketBuffer> asDriver) {
        PacketBuffer pkt = host().pool().allocate(frame.length);
        pkt.copyIn(pkt.put(frame.length), frame, 0, frame.length);
        asDriver.accept(pkt);
        pkt.setDev(this);
        stats().rxPackets.increment();
        stats().rxBytes.add(frame.length);
        host().netifReceiveSkb(pkt);
    }

    /** The frames sent since the last drain, oldest first. */
    public List<byte[]> drain() {
        synchronized (sent) {
            List<byte[]> out = new ArrayList<>(sent);
            sent.clear();
            return out;
        }
    }
}
