package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.DeviceStats;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Generic receive offload in software for TCP over IPv4 and IPv6: napi_gro_receive and napi_gro_flush
 * (net/core/gro.c dev_gro_receive, net/ipv4/af_inet.c inet_gro_receive, net/ipv4/tcp_offload.c
 * tcp4_gro_receive, tcp_gro_receive, tcp4_gro_complete; net/ipv6/ip6_offload.c ipv6_gro_receive,
 * net/ipv6/tcpv6_offload.c tcp6_gro_receive, tcp6_gro_complete). Within one NAPI poll, the consecutive in-order
 * segments of a flow become one super-packet, so the stack walks its receive path once for up to 64 KB.
 *
 * <p>What merges and what ends a merge is the kernel's, and is decided by {@link GroSegment} (the header
 * checks) and {@link HeldPacket} (the comparison with the held packet). A segment that cannot join ends its
 * flow's merge: the held packet goes on first, then the segment is held in its place, or goes on at once if
 * it carries PSH, FIN, SYN, RST or URG or has no payload. A frame
 * that is no mergeable TCP segment (another protocol, IPv4 options, IPv6 extension headers, a fragment, a bad
 * checksum, a truncated header) goes on at once and unchanged, past the packets held, as in the kernel; the stack's own
 * checks count what is wrong with it. Nothing here drops a packet or throws on what a frame holds.
 *
 * <p>Flows are held in {@value #GRO_HASH_BUCKETS} buckets by flow hash, at most {@value #MAX_GRO_SKBS} in
 * each; a ninth flow in a bucket sends that bucket's oldest on. Each device counts the super-packets it
 * delivers and the frames merged into them ({@link DeviceStats}: rx_gro_packets, rx_gro_wire_packets).
 *
 * <p>One instance per NAPI context, used by its poll thread only: no locking.
 */
public final class Gro {
    /** GRO_HASH_BUCKETS: held flows are spread over this many lists by flow hash. */
    static final int GRO_HASH_BUCKETS = 8;
    /** MAX_GRO_SKBS: packets held in one bucket at most. */
    static final int MAX_GRO_SKBS = 8;
    /** tcp_gro_receive: a segment with one of these flags is the last of its merge. */
    private static final int FLUSH_FLAGS = TcpSegment.URG | TcpSegment.PSH | TcpSegment.RST | TcpSegment.SYN
            | TcpSegment.FIN;

    private final Consumer<PacketBuffer> deliver;
    /** napi->gro_hash: per bucket, the held packets oldest first. */
    private final ArrayDeque<HeldPacket>[] buckets;
    private int held;

    /**
     * @param deliver the rest of netif_receive_skb, given each frame and super-packet GRO sends on (data at
     *                its Ethernet header, as the driver read it); takes ownership
     */
    @SuppressWarnings("unchecked")
    public Gro(Consumer<PacketBuffer> deliver) {
        this.deliver = deliver;
        this.buckets = new ArrayDeque[GRO_HASH_BUCKETS];
        for (int i = 0; i < GRO_HASH_BUCKETS; i++) {
            buckets[i] = new ArrayDeque<>(MAX_GRO_SKBS);
        }
    }

    /**
     * napi_gro_receive: merges {@code frame} into a packet held for its flow, holds it, or sends it on. Takes
     * ownership. The frame is as the driver read it: data at the Ethernet header, dev set, its checksum and
     * segmentation state from the device (a super-packet from the host goes on as it is, since a TAP's is
     * DODGY). With GRO off on the device (netif_elide_gro) every frame goes straight on. A TCP segment leaves
     * with its flow hash set, which RPS then uses.
     */
    public void receive(PacketBuffer frame) {
        NetDevice dev = frame.dev();
        GroSegment seg = dev != null && dev.hasFeatures(NetdevFeatures.GRO) ? GroSegment.parse(frame) : null;
        if (seg == null) {
            deliver.accept(frame);
            return;
        }
        ArrayDeque<HeldPacket> bucket = buckets[seg.hash & (GRO_HASH_BUCKETS - 1)];
        HeldPacket p = lookup(bucket, seg);
        boolean merged = p != null && p.tryMerge(seg);
        boolean flush = seg.pkt.isGso() ? seg.len() != seg.count * seg.pkt.gsoSize()
                : seg.len() < (merged ? p.mss() : 1);
        flush |= (seg.flags() & FLUSH_FLAGS) != 0;
        if (p != null && (!merged || flush)) {
            bucket.remove(p);
            held--;
            complete(p);
        }
        if (merged) {
            frame.release();
        } else if (flush || seg.flush) {
            deliver.accept(frame);
        } else {
            if (bucket.size() >= MAX_GRO_SKBS) {
                held--;
                complete(bucket.pollFirst());
            }
            bucket.addLast(new HeldPacket(seg));
            held++;
        }
    }

    /** napi_gro_flush at the end of a poll: every held packet goes on, bucket by bucket, oldest first. */
    public void flush() {
        if (held == 0) {
            return;
        }
        for (ArrayDeque<HeldPacket> bucket : buckets) {
            while (!bucket.isEmpty()) {
                complete(bucket.pollFirst());
            }
        }
        held = 0;
    }

    /** Packets held now (napi->gro_bitmask, counted): 0 after {@link #flush}. */
    public int heldPackets() {
        return held;
    }

    /** tcp_gro_lookup: the packet held for {@code seg}'s flow, youngest first, or null. */
    private static HeldPacket lookup(ArrayDeque<HeldPacket> bucket, GroSegment seg) {
        for (Iterator<HeldPacket> it = bucket.descendingIterator(); it.hasNext(); ) {
            HeldPacket p = it.next();
            if (p.head().sameFlow(seg)) {
                return p;
            }
        }
        return null;
    }

    /** napi_gro_complete, counted on the device when segments were merged, then sent on. */
    private void complete(HeldPacket p) {
        PacketBuffer pkt = p.complete();
        if (p.frames() > 1) {
            DeviceStats stats = pkt.dev().stats();
            stats.rxGroPackets.increment();
            stats.rxGroWirePackets.add(p.frames());
        }
        deliver.accept(pkt);
    }
}
