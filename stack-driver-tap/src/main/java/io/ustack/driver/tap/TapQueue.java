package io.ustack.driver.tap;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.internal.PlatformDependent;
import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.offload.Gro;
import io.ustack.core.offload.VirtioNet;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.VirtioNetHdr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;

/**
 * One queue of a TAP: its fd, the NAPI context that polls it on one Netty epoll event loop, and the
 * transmit side of the same fd (one struct tun_file with its napi_struct and netdev_queue).
 *
 * <p>Readiness is edge-triggered (EPOLLET, as Netty's own channels use it): an edge means "new frames
 * arrived", and the poll must read until EAGAIN or it will not hear about the rest. A poll reads at most
 * {@link #NAPI_POLL_WEIGHT} frames; if that budget runs out it schedules itself again on the same loop
 * (napi_schedule) so one busy queue cannot keep the loop from its other work, and no edge is needed.
 * Draining the qdisc after EPOLLOUT is held to the same measure (dev_tx_weight frames a pass), so receive
 * and transmit take turns on the loop.
 *
 * <p>Threads: receive runs on the event loop only. Transmit runs on whichever thread runs the qdisc (one
 * at a time per queue, the core's guarantee) and on the event loop when EPOLLOUT wakes the queue.
 */
final class TapQueue implements EpollIoHandle {
    /** NAPI_POLL_WEIGHT: frames one poll may read before it yields. */
    static final int NAPI_POLL_WEIGHT = 64;
    /**
     * A poll that has read at most this many frames has little to do: what it hands on may run to completion
     * on this thread (NetDeviceHost.netifReceiveSkb with lightPoll). Past it the poll is busy and queues.
     */
    static final int LIGHT_POLL_FRAMES = 4;
    static final int ETH_HLEN = 14;
    /**
     * Where a frame read with a virtio header starts in its buffer (NET_SKB_PAD-like): the header lies just in
     * front, and a frame forwarded back out keeps room to push the next one.
     */
    static final int VNET_RX_OFFSET = 64;

    private static final System.Logger LOG = System.getLogger(TapQueue.class.getName());
    private static final EpollIoOps RX = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET);
    private static final EpollIoOps RX_TX = RX.with(EpollIoOps.EPOLLOUT);

    private final TapDevice dev;
    private final int index;
    private final FileDescriptor fd;
    private final Runnable napiPoll = this::napiPoll;
    private final Runnable txAction = this::txAction;
    private volatile IoEventLoop loop;
    private volatile IoRegistration registration;
    // event-loop state
    private boolean pollScheduled;
    /** Frames the current poll has read so far. */
    private int polled;
    private PacketBuffer spare;
    /** napi_struct's GRO state: the flows this queue's polls are merging (software GRO, when the device has it on). */
    private final Gro gro = new Gro(this::deliver);
    private boolean rxErrorLogged;
    private boolean rxHdrErrorLogged;
    // transmit state, one thread at a time
    private boolean txErrorLogged;

    TapQueue(TapDevice dev, int index, FileDescriptor fd) {
        this.dev = dev;
        this.index = index;
        this.fd = fd;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** napi_enable: joins {@code loop} and asks for receive readiness. Frames already queued raise an edge at once. */
    void start(IoEventLoop loop) {
        this.loop = loop;
        IoRegistration reg = loop.register(this).syncUninterruptibly().getNow();
        registration = reg;
        reg.submit(RX);
    }

    /**
     * napi_disable: leaves the event loop; a poll already scheduled finds the registration cancelled and
     * does nothing. Runs on the loop so it cannot overlap a poll, then gives back the spare buffer.
     */
    void stop() {
        IoEventLoop l = loop;
        if (l == null) {
            return;
        }
        Runnable leave = () -> {
            IoRegistration reg = registration;
            if (reg != null) {
                reg.cancel();
            }
            if (spare != null) {
                spare.release();
                spare = null;
            }
        };
        if (l.inEventLoop()) {
            leave.run();
        } else if (!l.isShuttingDown()) {
            l.submit(leave).awaitUninterruptibly();
        }
    }

    /**
     * Closes the fd. Idempotent. Needs no lock against transmit: dev_close has deactivated the transmit
     * queues, and waited out any write in progress, before ndo_stop gets here.
     */
    @Override
    public void close() {
        if (!fd.isOpen()) {
            return;
        }
        try {
            fd.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> dev.name() + " queue " + index + ": close failed", e);
        }
    }

    /** Readiness from epoll: the "interrupt". EPOLLOUT wakes the transmit queue, EPOLLIN (or an error) polls. */
    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        // nothing may escape: Netty's epoll loop answers an exception from a handle by sleeping a second
        try {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (ops.contains(EpollIoOps.EPOLLOUT)) {
                txWritable(reg);
            }
            if ((ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) && !pollScheduled) {
                napiPoll();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": event handling failed", e);
        }
    }

    /**
     * napi_poll: reads up to {@link #NAPI_POLL_WEIGHT} frames; at EAGAIN it is done until the next edge,
     * otherwise it reschedules itself (napi_schedule) because the fd may still hold frames and, being
     * edge-triggered, epoll will not say so again.
     */
    private void napiPoll() {
        pollScheduled = false;
        IoRegistration reg = registration;
        if (reg == null || !reg.isValid()) {
            return;
        }
        NetDeviceHost host = dev.host();
        polled = 0;
        try {
            for (; polled < NAPI_POLL_WEIGHT; polled++) {
                if (!receiveOne(host)) {
                    return;
                }
            }
            pollScheduled = true;
            loop.execute(napiPoll);
        } finally {
            // napi_gro_flush at the poll's end, budget spent or not: nothing is held between polls
            gro.flush();
        }
    }

    /**
     * Reads one frame straight into a pooled direct buffer and hands it to the stack (netif_receive_skb).
     * Returns false when there is nothing more to read now (EAGAIN) or the read failed.
     */
    private boolean receiveOne(NetDeviceHost host) {
        boolean vnet = dev.vnetHdr();
        PacketBuffer pkt = spare != null ? spare : host.pool().allocate(rxBufferCapacity(vnet));
        spare = null;
        int at = vnet ? VNET_RX_OFFSET - VirtioNetHdr.LEN : 0;
        int n;
        try {
            // the limit is the whole buffer, not MTU + 14, so an oversized frame shows as one (and is counted)
            n = fd.readAddress(address(pkt), at, pkt.end());
        } catch (IOException e) {
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            if (deleted(e, "read")) {
                return false;
            }
            if (!rxErrorLogged) {
                rxErrorLogged = true;
                LOG.log(Level.WARNING, dev.name() + " queue " + index + ": read failed: " + e.getMessage());
            }
            return false;
        }
        if (n <= 0) {
            // EAGAIN (0), or end of file (-1), which a TAP does not give: keep the buffer for the next poll
            spare = pkt;
            return false;
        }
        if (vnet) {
            pkt = takeVnetFrame(host, pkt, n);
            if (pkt == null) {
                return true;
            }
        } else {
            pkt.setData(0, n);
        }
        if (!pkt.isGso() && pkt.len() > dev.mtu() + ETH_HLEN) {
            // rx_length_errors: the host side has a larger MTU than we do
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            return true;
        }
        pkt.setDev(dev);
        dev.stats().rxPackets.increment();
        dev.stats().rxBytes.add(pkt.len());
        gro.receive(pkt); // napi_gro_receive: merged, held, or passed on to deliver
        return true;
    }

    /** netif_receive_skb for what GRO passes on. Takes ownership. */
    private void deliver(PacketBuffer pkt) {
        try {
            dev.host().netifReceiveSkb(pkt, polled <= LIGHT_POLL_FRAMES);
        } catch (RuntimeException e) {
            // the stack owns the frame now; a bug there must not stop this queue from receiving
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": netif_receive_skb threw", e);
        }
    }

    /**
     * A frame of {@code n} bytes read with its virtio header at {@link #VNET_RX_OFFSET} - 10: the header
     * mapped onto the buffer (virtio_net_hdr_to_skb), or the frame dropped as DEV_HDR (rx_frame_errors) when
     * the header lies; returns null then. A frame that fits a small buffer is copied into one (copybreak):
     * the large buffer a super-packet needs is kept for the next read instead of sitting in a backlog queue.
     */
    private PacketBuffer takeVnetFrame(NetDeviceHost host, PacketBuffer pkt, int n) {
        int len = n - VirtioNetHdr.LEN;
        if (len > 0 && pkt.end() > BufferPool.SMALL_CAPACITY && VNET_RX_OFFSET + len <= BufferPool.SMALL_CAPACITY) {
            PacketBuffer small = host.pool().allocate(BufferPool.SMALL_CAPACITY);
            small.copyFrom(pkt, VNET_RX_OFFSET - VirtioNetHdr.LEN, VNET_RX_OFFSET - VirtioNetHdr.LEN, n);
            spare = pkt;
            pkt = small;
        }
        if (len < ETH_HLEN) {
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            return null;
        }
        pkt.setData(VNET_RX_OFFSET, len);
        String lie = VirtioNet.toSkb(VirtioNetHdr.wrap(pkt, VNET_RX_OFFSET - VirtioNetHdr.LEN), pkt);
        if (lie != null) {
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            if (!rxHdrErrorLogged) {
                rxHdrErrorLogged = true;
                LOG.log(Level.WARNING, dev.name() + " queue " + index + ": dropped a frame whose virtio header lies: " + lie);
            }
            return null;
        }
        return pkt;
    }

    /**
     * ndo_start_xmit for this queue: one write(2) of the frame from its direct memory. Takes ownership
     * unless it returns NETDEV_TX_BUSY.
     */
    int startXmit(PacketBuffer pkt) {
        if (!dev.present()) {
            dev.stats().txDropped.increment();
            dev.host().drop(pkt, DropReason.DEV_READY);
            return NetDevice.NETDEV_TX_OK;
        }
        if (pkt.len() < ETH_HLEN) {
            // the tun driver rejects it anyway, and a zero-length write would read as EAGAIN
            return txError(pkt, "a frame of " + pkt.len() + " bytes is shorter than an Ethernet header");
        }
        if (dev.vnetHdr()) {
            // dev_queue_xmit left dev->needed_headroom in front of the frame
            VirtioNet.fromSkb(pkt, VirtioNetHdr.at(pkt, pkt.push(VirtioNetHdr.LEN)));
        }
        int len = pkt.len();
        int n;
        try {
            n = fd.writeAddress(address(pkt), pkt.data(), pkt.tail());
        } catch (IOException e) {
            if (e instanceof Errors.NativeIoException ne && ne.expectedErr() == -Errno.EIO) {
                return carrierDown(pkt);
            }
            if (deleted(e, "write")) {
                dev.stats().txErrors.increment();
                dev.host().drop(pkt, DropReason.DEV_TX_ERROR);
                return NetDevice.NETDEV_TX_OK;
            }
            return txError(pkt, "write failed: " + e.getMessage());
        }
        if (n == len) {
            pkt.release();
            if (!dev.carrier()) {
                dev.carrierOn();
            }
            return NetDevice.NETDEV_TX_OK;
        }
        if (n == 0) {
            if (dev.vnetHdr()) {
                pkt.pull(VirtioNetHdr.LEN); // back in the qdisc as it came
            }
            // EAGAIN: stop first, then ask for EPOLLOUT; if the fd became writable in between, adding
            // EPOLLOUT reports it at once and the wake finds the queue already stopped.
            dev.netifStopQueue(index);
            try {
                registration.submit(RX_TX);
            } catch (UncheckedIOException e) {
                // only when the fd is being closed: the device is going down and purges its qdisc
                LOG.log(Level.DEBUG, () -> dev.name() + " queue " + index + ": cannot wait for EPOLLOUT", e);
            }
            return NetDevice.NETDEV_TX_BUSY;
        }
        return txError(pkt, "short write of " + n + " of " + len + " bytes");
    }

    /**
     * EIO: the tun driver refuses frames while the host side of the TAP is down (not yet brought up, or just
     * moved to another namespace). That is carrier off, not an error: the frame is dropped as DEV_READY and
     * counted in tx_dropped, and the next frame that gets through turns the carrier back on.
     */
    private int carrierDown(PacketBuffer pkt) {
        if (dev.carrier()) {
            dev.carrierOff();
            LOG.log(Level.DEBUG, () -> dev.name() + ": host side is down, frames are dropped until it is up");
        }
        dev.stats().txDropped.increment();
        dev.host().drop(pkt, DropReason.DEV_READY);
        return NetDevice.NETDEV_TX_OK;
    }

    /**
     * EBADFD from a read or write: the TAP was deleted under us ({@code ip link del}); the tun driver has
     * detached our fd (tun_detach_all), which stays open but is tied to no device. The device is detached for
     * good ({@link TapDevice#deleted}); this queue stops polling, since the fd only has EPOLLERR to say.
     * Returns false for any other failure.
     */
    private boolean deleted(IOException e, String op) {
        if (!(e instanceof Errors.NativeIoException ne) || ne.expectedErr() != -Errno.EBADFD) {
            return false;
        }
        dev.deleted(op + ": " + Errno.describe(Errno.EBADFD));
        IoRegistration reg = registration;
        if (reg != null && loop.inEventLoop()) {
            reg.cancel();
        }
        return true;
    }

    /** A frame that cannot be sent is gone, as with a driver that drops on a transmit error. */
    private int txError(PacketBuffer pkt, String why) {
        dev.stats().txErrors.increment();
        dev.host().drop(pkt, DropReason.DEV_TX_ERROR);
        if (!txErrorLogged) {
            txErrorLogged = true;
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": " + why);
        }
        return NetDevice.NETDEV_TX_OK;
    }

    /**
     * EPOLLOUT after a stop: drop the interest (edges would repeat for nothing) and wake the queue. The wake
     * sends at most dev_tx_weight frames; what remains goes in later passes queued behind the napi polls, so
     * a qdisc full of frames does not keep this thread from the receive ring.
     */
    private void txWritable(IoRegistration reg) {
        reg.submit(RX);
        if (dev.netifWakeQueue(index)) {
            loop.execute(txAction);
        }
    }

    /** net_tx_action rescheduled (__netif_schedule): one more pass, and another after it if frames remain. */
    private void txAction() {
        IoRegistration reg = registration;
        if (reg != null && reg.isValid() && dev.netifTxAction(index)) {
            loop.execute(txAction);
        }
    }

    /**
     * A frame-sized buffer when MTU + 14 fits one (the usual case), a datagram-sized one for jumbo MTUs and
     * whenever the host may hand over a super-packet (virtio header on: up to 64 KiB in one read).
     */
    private int rxBufferCapacity(boolean vnet) {
        return !vnet && dev.mtu() + ETH_HLEN <= BufferPool.SMALL_CAPACITY ? BufferPool.SMALL_CAPACITY : BufferPool.LARGE_CAPACITY;
    }

    private static long address(PacketBuffer pkt) {
        return PlatformDependent.directBufferAddress(pkt.memory());
    }
}
