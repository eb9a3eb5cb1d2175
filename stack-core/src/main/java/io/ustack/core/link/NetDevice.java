package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.offload.Gso;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.MacAddress;
import java.io.IOException;
import java.util.Arrays;

/**
 * A network interface: struct net_device with its net_device_ops.
 *
 * <p>A driver extends this and implements {@link #ndoOpen}, {@link #ndoStop} and {@link #ndoStartXmit}. The
 * stack transmits through {@link #devQueueXmit}, which picks a transmit queue by the packet's flow hash
 * (netdev_pick_tx) and runs that queue's pfifo qdisc ({@link TxQueue}). Receive is the driver's business:
 * it hands frames to {@link NetDeviceHost#netifReceiveSkb}.
 */
public abstract class NetDevice {
    /** ndo_start_xmit took the frame (and its ownership). */
    public static final int NETDEV_TX_OK = 0;
    /** ndo_start_xmit could not take the frame now; the caller keeps ownership. */
    public static final int NETDEV_TX_BUSY = 0x10;
    /** The kernel's default txqueuelen. */
    public static final int DEFAULT_TX_QUEUE_LEN = 1000;
    private static final PacketTap[] NO_TAPS = {};

    private final String name;
    private final long mac;
    private final DeviceStats stats = new DeviceStats();
    private final TxQueue[] txQueues;
    private volatile int mtu;
    private volatile int ifindex;
    private volatile boolean up;
    private volatile boolean carrier = true;
    private volatile boolean present = true;
    /** dev->hw_features: what the driver can offer; software GSO and GRO are always among them. */
    private volatile int hwFeatures = NetdevFeatures.GSO | NetdevFeatures.GRO;
    /** dev->features: what is switched on now. */
    private volatile int features = NetdevFeatures.GSO | NetdevFeatures.GRO;
    private volatile NetDeviceHost host;
    /** dev->ptype_all: replaced whole on change, so the paths that walk it take no lock. */
    private volatile PacketTap[] taps = NO_TAPS;

    protected NetDevice(String name, long mac, int mtu, int numTxQueues, int txQueueLen) {
        if (numTxQueues < 1) {
            throw new IllegalArgumentException("a device needs at least one transmit queue");
        }
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.txQueues = new TxQueue[numTxQueues];
        for (int i = 0; i < numTxQueues; i++) {
            txQueues[i] = new TxQueue(this, i, txQueueLen);
        }
    }

    /** dev_open: attaches the device to a stack and starts its driver. */
    public final void open(NetDeviceHost host) throws IOException {
        this.host = host;
        ndoOpen();
        up = true;
    }

    /**
     * dev_close: deactivates the transmit queues (waiting out any transmission in progress), stops the
     * driver, and drops whatever waits in the qdiscs. After this no thread calls {@link #ndoStartXmit}.
     */
    public final void close() {
        if (!up) {
            return;
        }
        up = false;
        for (TxQueue q : txQueues) {
            q.deactivate();
        }
        ndoStop();
        for (TxQueue q : txQueues) {
            q.purge();
        }
    }

    /** ndo_open: start receiving (the driver's pollers) and accept frames to send. */
    protected abstract void ndoOpen() throws IOException;

    /** ndo_stop: stop receiving and release the driver's resources. */
    protected abstract void ndoStop();

    /**
     * ndo_start_xmit: puts one frame (data to tail, Ethernet header first) on the wire of queue {@code queue}.
     * Returns {@link #NETDEV_TX_OK} having taken ownership, or {@link #NETDEV_TX_BUSY} without taking it,
     * after calling {@link #netifStopQueue} and arranging for {@link #netifWakeQueue} when it can send again.
     * Called by one thread at a time per queue, and never once {@link #close} has begun {@link #ndoStop}.
     */
    protected abstract int ndoStartXmit(PacketBuffer pkt, int queue);

    /**
     * dev_queue_xmit: queues a complete frame for transmission. Takes ownership. A device that is down
     * drops it (DEV_READY).
     */
    public void devQueueXmit(PacketBuffer pkt) {
        if (!up) {
            stats.txDropped.increment();
            host.drop(pkt, DropReason.DEV_READY);
            return;
        }
        if (pkt.isGso() && !canTakeGso(pkt)) {
            // validate_xmit_skb -> skb_gso_segment: the device cannot cut it, so it goes as its segments
            Gso.segment(pkt, host, hasFeatures(NetdevFeatures.HW_CSUM), this::validateAndQueue);
            return;
        }
        validateAndQueue(pkt);
    }

    /**
     * The rest of validate_xmit_skb for one packet the device can take, then the qdisc: a partial checksum
     * the device cannot finish is finished here (skb_csum_hwoffload_help), and the driver's headroom made
     * (skb_cow_head: rare, every path reserves room in front, so a copy beats a writev). Takes ownership.
     */
    private void validateAndQueue(PacketBuffer pkt) {
        if (!hasFeatures(NetdevFeatures.HW_CSUM) && !PartialChecksum.complete(pkt)) {
            stats.txDropped.increment();
            host.drop(pkt, DropReason.SKB_CSUM);
            return;
        }
        if (pkt.headroom() < neededHeadroom()) {
            PacketBuffer roomy = pkt.copyExpand(neededHeadroom());
            pkt.release();
            pkt = roomy;
        }
        txQueues[pickTxQueue(pkt)].enqueueAndRun(pkt);
    }

    /**
     * netif_skb_features against the packet: a super-packet goes whole only to a device that cuts its kind
     * (TSO for TCP/IPv4, TSO6 for TCP/IPv6, GSO_UDP_L4 for UDP) and finishes its checksums, and only with its
     * checksum partial.
     */
    private boolean canTakeGso(PacketBuffer pkt) {
        if (pkt.ipSummed() != PacketBuffer.IpSummed.PARTIAL || !hasFeatures(NetdevFeatures.HW_CSUM)) {
            return false;
        }
        int type = pkt.gsoType();
        if ((type & PacketBuffer.SKB_GSO_UDP_L4) != 0) {
            return hasFeatures(NetdevFeatures.GSO_UDP_L4);
        }
        return hasFeatures((type & PacketBuffer.SKB_GSO_TCPV6) != 0 ? NetdevFeatures.TSO6 : NetdevFeatures.TSO);
    }

    /** Attaches a packet tap (capture) to this device's receive and transmit paths: dev_add_pack on ptype_all. */
    public synchronized void addPacketTap(PacketTap tap) {
        PacketTap[] t = Arrays.copyOf(taps, taps.length + 1);
        t[t.length - 1] = tap;
        taps = t;
    }

    /** dev_remove_pack: once this returns no new frame reaches the tap (one already in it may finish). */
    public synchronized void removePacketTap(PacketTap tap) {
        taps = Arrays.stream(taps).filter(t -> t != tap).toArray(PacketTap[]::new);
    }

    /**
     * dev_nit_active: whether a tap is attached. The receive and transmit paths ask this (one volatile read)
     * before doing anything for capture, so without one they neither copy nor stamp a frame.
     */
    public boolean nitActive() {
        return taps.length != 0;
    }

    /**
     * deliver_skb to each of ptype_all's taps: the receive side (__netif_receive_skb_core) with {@code IN},
     * the transmit side (dev_queue_xmit_nit, before ndo_start_xmit) with {@code OUT}. Borrows {@code pkt}.
     */
    public void deliverToTaps(PacketBuffer pkt, PacketTap.Direction dir) {
        for (PacketTap t : taps) {
            t.tap(pkt, dir);
        }
    }

    /** netdev_pick_tx: one flow stays on one queue, so its frames leave in order. */
    protected int pickTxQueue(PacketBuffer pkt) {
        return txQueues.length == 1 ? 0 : Math.floorMod(pkt.hash(), txQueues.length);
    }

    /** netif_stop_queue: the driver cannot take more frames on this queue for now. */
    public void netifStopQueue(int queue) {
        txQueues[queue].stop();
    }

    /**
     * netif_wake_queue: the driver can send again. Runs one net_tx_action pass on the calling thread, at most
     * dev_tx_weight (64) frames, and returns true when frames remain: the driver then calls
     * {@link #netifTxAction} later, between its other work (__netif_schedule), so that a long qdisc does not
     * keep its thread from receiving.
     */
    public boolean netifWakeQueue(int queue) {
        return txQueues[queue].wake();
    }

    /** net_tx_action: another pass of at most dev_tx_weight frames; true when frames still remain. */
    public boolean netifTxAction(int queue) {
        return txQueues[queue].run(TxQueue.DEV_TX_WEIGHT);
    }

    public boolean isQueueStopped(int queue) {
        return txQueues[queue].isStopped();
    }

    /** Frames waiting in the qdisc of {@code queue}. */
    public int qdiscBacklog(int queue) {
        return txQueues[queue].backlog();
    }

    /** Times the driver sent a frame back (dev_requeue_skb), over all queues. */
    public long qdiscRequeues() {
        long n = 0;
        for (TxQueue q : txQueues) {
            n += q.requeues();
        }
        return n;
    }

    public int numTxQueues() {
        return txQueues.length;
    }

    public String name() {
        return name;
    }

    /** The device's MAC address, 48 bits in the low bits of a long ({@link MacAddress}). */
    public long mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    public void setMtu(int mtu) {
        this.mtu = mtu;
    }

    public int ifindex() {
        return ifindex;
    }

    public void setIfindex(int ifindex) {
        this.ifindex = ifindex;
    }

    /** dev->hard_header_len: the link header the stack writes in front of an IP packet. */
    public int hardHeaderLen() {
        return 14;
    }

    /**
     * dev->needed_headroom: bytes a driver writes in front of the frame (a TAP's virtio header);
     * {@link #devQueueXmit} makes sure every frame has them.
     */
    public int neededHeadroom() {
        return 0;
    }

    /** IFF_LOOPBACK: frames sent here come straight back in. */
    public boolean isLoopback() {
        return false;
    }

    /**
     * The device's queue holds each packet until its departure time (skb->tstamp), as sch_fq does; TCP then
     * paces its data to those times (SK_PACING_FQ). The stack's own queue ({@link TxQueue}) does not, as
     * Linux's default qdiscs (pfifo_fast, fq_codel) do not, and over them Linux's TCP does not pace either.
     */
    public boolean pacesDepartures() {
        return false;
    }

    /** IFF_NOARP: the device needs no neighbour resolution. */
    public boolean noArp() {
        return isLoopback();
    }

    /** dev->hw_features: the features that can be switched on ({@link NetdevFeatures}). */
    public int hwFeatures() {
        return hwFeatures;
    }

    /** dev->features: the features switched on now ({@link NetdevFeatures}). */
    public int features() {
        return features;
    }

    /** True if every feature in {@code bits} is on. */
    public boolean hasFeatures(int bits) {
        return (features & bits) == bits;
    }

    /**
     * For drivers: what the device can offer, as found when it was opened (software GSO and GRO are added).
     * All of it is switched on, as a driver's probe leaves a new device.
     */
    protected void setHwFeatures(int hw) {
        hwFeatures = hw | NetdevFeatures.GSO | NetdevFeatures.GRO;
        features = fixFeatures(hwFeatures);
    }

    /**
     * netdev_update_features after ethtool -K: switches the features in {@code wanted} on and the others
     * off, as far as the device offers them ({@link #ndoSetFeatures} may refuse some). Returns the features
     * now on.
     */
    public synchronized int setFeatures(int wanted) {
        features = ndoSetFeatures(fixFeatures(wanted & hwFeatures));
        return features;
    }

    /**
     * netdev_fix_features: segmentation offload needs checksum offload (a device cannot finish the segments'
     * checksums otherwise), and GRO_HW needs GRO and RXCSUM.
     */
    static int fixFeatures(int on) {
        if ((on & NetdevFeatures.HW_CSUM) == 0) {
            on &= ~(NetdevFeatures.TSO | NetdevFeatures.TSO6 | NetdevFeatures.GSO_UDP_L4);
        }
        if ((on & NetdevFeatures.GRO) == 0 || (on & NetdevFeatures.RXCSUM) == 0) {
            on &= ~NetdevFeatures.GRO_HW;
        }
        return on;
    }

    /**
     * ndo_set_features: tells the driver which offloads are on; returns those it applied. By default all,
     * for devices where the features are the stack's business alone.
     */
    protected int ndoSetFeatures(int on) {
        return on;
    }

    public boolean isUp() {
        return up;
    }

    public boolean carrier() {
        return carrier;
    }

    protected void setCarrier(boolean carrier) {
        this.carrier = carrier;
    }

    /**
     * netif_device_present: false once what is behind the device went away under the stack (a TAP deleted), after
     * which it neither receives nor sends until it is removed and opened anew.
     */
    public boolean present() {
        return present;
    }

    /** netif_device_detach: what is behind the device is gone; the carrier goes off with it, for good. */
    protected void netifDeviceDetach() {
        present = false;
        carrier = false;
    }

    public DeviceStats stats() {
        return stats;
    }

    public NetDeviceHost host() {
        return host;
    }

    @Override
    public String toString() {
        return name;
    }
}
