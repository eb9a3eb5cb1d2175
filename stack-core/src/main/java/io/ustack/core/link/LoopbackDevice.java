package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The loopback device, "lo": what is sent comes straight back in (loopback_xmit). It carries a zeroed
 * Ethernet header like the kernel's, so the receive path needs no special case.
 */
public final class LoopbackDevice extends NetDevice {
    /** The kernel's loopback MTU. */
    public static final int LOOPBACK_MTU = 65536;

    /**
     * As Linux's loopback_setup: checksums need not be finished (nothing crosses a wire) and super-packets
     * loop back whole, so a local connection moves 64 KiB a trip.
     */
    public LoopbackDevice() {
        super("lo", 0L, LOOPBACK_MTU, 1, NetDevice.DEFAULT_TX_QUEUE_LEN);
        setHwFeatures(NetdevFeatures.HW_CSUM | NetdevFeatures.RXCSUM | NetdevFeatures.TSO | NetdevFeatures.TSO6);
    }

    @Override
    protected void ndoOpen() {
        // nothing to start: there is no wire
    }

    @Override
    protected void ndoStop() {
        // nothing to stop
    }

    /** loopback_xmit: turns the frame around into the receive path. Takes ownership. */
    @Override
    protected int ndoStartXmit(PacketBuffer pkt, int queue) {
        stats().rxPackets.increment();
        stats().rxBytes.add(pkt.len());
        pkt.setDev(this);
        host().netifReceiveSkb(pkt);
        return NETDEV_TX_OK;
    }

    @Override
    public boolean isLoopback() {
        return true;
    }
}
