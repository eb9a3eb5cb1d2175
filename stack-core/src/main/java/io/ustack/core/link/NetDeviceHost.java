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

    /**
     * netif_receive_skb from a poll that found little to do (a few frames): the stack may run the packet to
     * completion on the calling thread when the CPU RPS picks for it is idle, instead of waking that CPU's
     * thread. A busy poll calls {@link #netifReceiveSkb(PacketBuffer)}, so that its packets queue and a
     * flood is shed at the backlog as before. Takes ownership.
     */
    default void netifReceiveSkb(PacketBuffer pkt, boolean lightPoll) {
        netifReceiveSkb(pkt);
    }

    /** kfree_skb_reason, for a driver that must discard a frame. Takes ownership. */
    void drop(PacketBuffer pkt, DropReason reason);
}
