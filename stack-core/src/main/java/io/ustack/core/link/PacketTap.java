package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;

/**
 * A ptype_all handler of one device (packet capture): sees every frame received on the device before
 * protocol dispatch (__netif_receive_skb_core) and every frame transmitted, just before the driver takes it
 * (dev_queue_xmit_nit). Attach it with {@link NetDevice#addPacketTap}.
 *
 * <p>Borrows the packet: it must copy what it keeps before returning, and must not change it; a transmitted
 * frame belongs to the driver, which may release it, as soon as the tap returns. The frame starts at
 * {@code pkt.macHeader()} when received and at {@code pkt.data()} when transmitted. Runs on whichever thread
 * receives or transmits, several at once, so it must be thread-safe and quick.
 */
@FunctionalInterface
public interface PacketTap {
    /** sll_pkttype as far as capture cares: received (PACKET_HOST and the like) or PACKET_OUTGOING. */
    enum Direction { IN, OUT }

    /**
     * One frame. A received one carries its arrival time in {@code pkt.tstamp()} (skb->tstamp, set by
     * netif_receive_skb on the stack's clock while a tap is attached, before the frame waits in a backlog
     * queue; 0 if it arrived before); a transmitted one leaves now. af_packet reads the time the same way.
     */
    void tap(PacketBuffer pkt, Direction dir);
}
