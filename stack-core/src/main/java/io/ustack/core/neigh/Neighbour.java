package io.ustack.core.neigh;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import java.util.ArrayDeque;

/**
 * struct neighbour: one IPv4 neighbour on one device. State and MAC are volatile so the send path reads them
 * without a lock (neigh_connected_output); every change happens under the entry's monitor.
 */
public final class Neighbour {
    final NetDevice dev;
    final int ip;
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
    }

    public NetDevice dev() {
        return dev;
    }

    public int ip() {
        return ip;
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
