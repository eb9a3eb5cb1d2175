package io.ustack.cli.daemon;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;

/**
 * A device with no wire, standing in for a TAP while a configuration is tried on a scratch stack: it opens
 * nothing and sends nothing (a gratuitous ARP for a new address is released unsent).
 */
final class DryRunDevice extends NetDevice {
    DryRunDevice(IfaceSpec spec) {
        super(spec.name(), spec.tap().mac(), spec.tap().mtu(), 1, DEFAULT_TX_QUEUE_LEN);
    }

    @Override
    protected void ndoOpen() {
        // no wire to open
    }

    @Override
    protected void ndoStop() {
        // no wire to close
    }

    /** Releases the frame unsent. Takes ownership. */
    @Override
    protected int ndoStartXmit(PacketBuffer pkt, int queue) {
        pkt.release();
        return NETDEV_TX_OK;
    }
}
