package io.ustack.core.neigh;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv6Address;
import java.util.ArrayDeque;

/**
 * struct neighbour: one neighbour on one device, an IPv4 one (arp_tbl: {@link #ip}) or an IPv6 one (nd_tbl:
 * {@link #ip6}), as the kernel's primary_key holds either. State and MAC are volatile so the send path reads them
 * without a lock (neigh_connected_output); every change happens under the entry's monitor.
 */
public final class Neighbour {
    final NetDevice dev;
    final int ip;
    /** The IPv6 address of an nd_tbl entry; null in arp_tbl. */
    final Ipv6Address ip6;
    volatile long mac;
    volatile NudState state = NudState.NONE;
    /** When the entry last changed state or address (neigh->updated). */
    long updatedNanos;
    /** When reachability was last confirmed (neigh->confirmed). */
    long confirmedNanos;
    /** When the entry was last used to send (neigh->used). */
    volatile long usedNanos;
    /** When the state's timer fires (neigh->timer), or 0 if none runs. */
    long timerNanos;
    long reachableNanos;
    /** Solicitations sent in the current INCOMPLETE or PROBE period. */
    int probes;
    /** arp_queue: packets waiting for resolution, bounded by unres_qlen_bytes of truesize. */
    final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>();
    int queueBytes;

    Neighbour(NetDevice dev, int ip) {
        this.dev = dev;
        this.ip = ip;
        this.ip6 = null;
    }

    Neighbour(NetDevice dev, Ipv6Address ip6) {
        this.dev = dev;
        this.ip = 0;
        this.ip6 = ip6;
    }

    public NetDevice dev() {
        return dev;
    }

    public int ip() {
        return ip;
    }

    /** The IPv6 address of an ND entry, or null for an ARP one. */
    public Ipv6Address ip6() {
        return ip6;
    }

    public long mac() {
        return mac;
    }

    public NudState state() {
        return state;
    }

    public synchronized int queuedPackets() {
        return queue.size();
    }
}
