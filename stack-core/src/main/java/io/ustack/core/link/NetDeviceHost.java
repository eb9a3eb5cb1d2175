package io.ustack.core.link;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;

/** What a device driver sees of the stack it is attached to. */
public interface NetDeviceHost {
    /** The pool a driver allocates receive buffers from. */
    BufferPool pool();

    /**
     * netif_receive_skb: hands one received frame to the stack. Takes ownership. The frame lies between
     * data and tail, Ethernet header first, and {@code pkt.dev()} is the receiving device. Called on the
     * driver's poll thread; the stack queues it for a backlog thread (RPS) and returns.
     */
    void netifReceiveSkb(PacketBuffer pkt);

    /** kfree_skb_reason, for a driver that must discard a frame. Takes ownership. */
    void drop(PacketBuffer pkt, DropReason reason);
}
