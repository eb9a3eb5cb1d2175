package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;

/**
 * A device with no wire: it opens nothing, receives nothing, and releases what it is given to send (as a
 * gratuitous ARP for a new address) without sending it. For a stack that only has to hold interfaces,
 * addresses and routes: a configuration tried before it is applied, a routing test.
 */
public final class NullDevice extends NetDevice {
    public NullDevice(String name, long mac, int mtu) {
        super(name, mac, mtu, 1, DEFAULT_TX_QUEUE_LEN);
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
